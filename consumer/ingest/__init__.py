"""`copydesk ingest`: the HTTPS edge that turns signed PIM webhooks into Kafka records."""
