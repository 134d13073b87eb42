"""copydesk's trainer: fine-tunes, evaluates and promotes the description model."""
