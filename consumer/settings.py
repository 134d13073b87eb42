"""Configuration: every option is an env var (COPYDESK_*) and a CLI flag (--kebab-case).

pydantic-settings gives both from one class, so the flag, the env var, the default and the
help text can never disagree. Precedence: flag > env var > default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas import topics

ENV_NOTE = "Every flag is also an environment variable, e.g. --max-batch-size <-> COPYDESK_MAX_BATCH_SIZE."


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "copydesk"


class CopydeskSettings(BaseSettings):
    """Base of every command's settings: env prefix, kebab-case flags, --flag/--no-flag booleans."""

    model_config = SettingsConfigDict(
        env_prefix="COPYDESK_",
        cli_kebab_case=True,
        cli_implicit_flags=True,
        extra="ignore",
    )

    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level of the JSON logs.")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Where prepared models are kept.")


class KafkaSettings(CopydeskSettings):
    """How to reach the brokers, TLS and SASL included (secrets never get logged)."""

    bootstrap_servers: str = Field("127.0.0.1:9092", description="Comma-separated host:port list.")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="Kafka security protocol."
    )
    ssl_cafile: Path | None = Field(None, description="CA bundle that signed the brokers' certificates.")
    ssl_certfile: Path | None = Field(None, description="Client certificate (mutual TLS).")
    ssl_keyfile: Path | None = Field(None, description="Client private key (mutual TLS).")
    ssl_check_hostname: bool = Field(True, description="Verify the broker's hostname against its certificate.")
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(None, description="SASL mechanism.")
    sasl_username: str | None = Field(None, description="SASL user name.")
    sasl_password: SecretStr | None = Field(None, description="SASL password (from a Secret; never logged).")
    session_timeout_ms: int = Field(10_000, description="Group session timeout; a member silent this long is evicted.")
    heartbeat_interval_ms: int = Field(3_000, description="Group heartbeat interval.")
    max_poll_interval_ms: int = Field(300_000, description="Kafka's max.poll.interval.ms (generation never blocks polling).")

    def client_config(self) -> dict:
        """kafka-python keyword arguments shared by producers, consumers and admin clients."""
        config: dict = {"bootstrap_servers": self.bootstrap_servers.split(","), "security_protocol": self.security_protocol}
        if self.security_protocol in ("SSL", "SASL_SSL"):
            config.update(
                ssl_cafile=str(self.ssl_cafile) if self.ssl_cafile else None,
                ssl_certfile=str(self.ssl_certfile) if self.ssl_certfile else None,
                ssl_keyfile=str(self.ssl_keyfile) if self.ssl_keyfile else None,
                ssl_check_hostname=self.ssl_check_hostname,
            )
        if self.security_protocol.startswith("SASL"):
            config.update(
                sasl_mechanism=self.sasl_mechanism or "PLAIN",
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password.get_secret_value() if self.sasl_password else None,
            )
        return config


class BrokerSettings(CopydeskSettings):
    """`copydesk broker`: the embedded Kafka-protocol broker for local runs and tests."""

    port: int = Field(0, description="Port on 127.0.0.1; 0 picks a free one.")
    create_topics: bool = Field(True, description="Create copydesk's topics once the broker answers.")
    cert: Path | None = Field(None, description="TLS certificate (PEM) to serve with.")
    key: Path | None = Field(None, description="TLS private key (PEM) to serve with.")


class PrepareSettings(CopydeskSettings):
    """`copydesk model prepare`: turn the packaged GGUF base model into a safetensors folder."""

    force: bool = Field(False, description="Prepare again even when a valid prepared model exists.")


TOPIC_DEFAULTS = {
    "input_topic": topics.PRODUCT_EVENTS,
    "output_topic": topics.DESCRIPTIONS,
    "dead_letter_topic": topics.DEAD_LETTER,
    "models_topic": topics.MODELS,
}
