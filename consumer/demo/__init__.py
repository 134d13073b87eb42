"""The demos on the embedded default: `copydesk demo` and `copydesk demo --retrain`."""
