"""Kafka plumbing: the embedded broker, its TLS terminator, and reading a topic up to its end."""
