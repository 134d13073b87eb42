"""Operations: settings bases, JSON logs, Prometheus metrics, health endpoints, the CLI dispatcher."""
