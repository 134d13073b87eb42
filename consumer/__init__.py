"""copydesk's enrichment consumer: product events in, grounded description drafts out."""
