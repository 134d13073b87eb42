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
    sasl_username_file: Path | None = Field(None, description="File holding the SASL user name (a mounted Secret); wins over --sasl-username.")
    sasl_password_file: Path | None = Field(None, description="File holding the SASL password (a mounted Secret); wins over --sasl-password.")
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
            password = self.sasl_password.get_secret_value() if self.sasl_password else None
            config.update(
                sasl_mechanism=self.sasl_mechanism or "PLAIN",
                sasl_plain_username=_read_secret(self.sasl_username_file) if self.sasl_username_file else self.sasl_username,
                sasl_plain_password=_read_secret(self.sasl_password_file) if self.sasl_password_file else password,
            )
        return config


def _read_secret(path: Path) -> str:
    """A mounted Secret's value; files beat env vars, which leak into `ps e` and crash dumps.

    Read at each connect, so a rotated Secret (kubelet updates the file) is used on the next
    client; the trailing newline editors and `echo` leave is not part of the credential.
    """
    return path.read_text(encoding="utf-8").rstrip("\r\n")


class BrokerSettings(CopydeskSettings):
    """`copydesk broker`: the embedded Kafka-protocol broker for local runs and tests."""

    port: int = Field(0, description="Port on 127.0.0.1; 0 picks a free one.")
    create_topics: bool = Field(True, description="Create copydesk's topics once the broker answers.")
    cert: Path | None = Field(None, description="TLS certificate (PEM) to serve with.")
    key: Path | None = Field(None, description="TLS private key (PEM) to serve with.")


class PrepareSettings(CopydeskSettings):
    """`copydesk model prepare`: turn the packaged GGUF base model into a safetensors folder."""

    force: bool = Field(False, description="Prepare again even when a valid prepared model exists.")


class ModelSettings(CopydeskSettings):
    """Which model generates, where, and how long it may write."""

    model: str = Field("default", description="'default' (shipped adapter), 'base' (zero-shot) or an adapter folder.")
    device: str = Field("auto", description="'auto' (CUDA when present), 'cpu', 'cuda', 'cuda:1', ...")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="'auto': bf16 on CUDA, fp32 on CPU (faster here, and batch-invariant)."
    )
    max_new_tokens: int = Field(192, ge=8, le=2048, description="Upper bound of new tokens per description.")


class ServeSettings(KafkaSettings, ModelSettings):
    """`copydesk serve`: the enrichment consumer."""

    input_topic: str = Field(topics.PRODUCT_EVENTS, description="Topic of ProductEvents to enrich.")
    output_topic: str = Field(topics.DESCRIPTIONS, description="Topic the drafts are published to.")
    dead_letter_topic: str = Field(topics.DEAD_LETTER, description="Topic for records that cannot be processed.")
    models_topic: str = Field(topics.MODELS, description="Topic of ModelPublished events (hot swap).")
    group_id: str = Field(topics.CONSUMER_GROUP, description="Consumer group of all replicas.")
    max_batch_size: int = Field(16, ge=1, le=1024, description="Most events generated together.")
    max_wait_ms: int = Field(200, ge=0, description="Longest an event waits for its batch to fill.")
    poll_timeout_ms: int = Field(500, ge=10, description="Poll timeout when nothing is waiting.")
    health_port: int = Field(8080, ge=0, description="Port of /healthz, /readyz and /metrics (0: off).")
    follow_models: bool = Field(True, description="Serve the newest promoted version from the models topic and hot-swap new ones.")


class DemoSettings(ModelSettings):
    """`copydesk demo`: broker + model + consumer + sample events, then a summary."""

    products: int | None = Field(None, ge=1, description="How many products to send (default: all of the sample).")
    catalog: Path | None = Field(None, description="JSONL rows shaped like ../shared/data/catalog (default: built-in sample).")
    output: Path = Field(Path("out/demo-drafts.jsonl"), description="Where every output event is written (JSONL).")
    max_batch_size: int = Field(8, ge=1, le=1024, description="Most events generated together.")
    max_wait_ms: int = Field(500, ge=0, description="Longest an event waits for its batch to fill.")
    edge_cases: bool = Field(True, description="Add a malformed record, a locked description and a duplicate.")
    metrics_port: int = Field(0, ge=0, le=65535, description="Serve /metrics, /healthz and /readyz on 127.0.0.1:PORT (0: off).")
    linger_seconds: float = Field(0.0, ge=0, description="After the summary, keep the consumer and /metrics up this long (SIGTERM/Ctrl-C ends it early).")
    retrain: bool = Field(False, description="Run the learning loop: drafts, approvals, replay-train, gate, hot swap, drafts again (needs --catalog).")
    retrain_epochs: float = Field(3.0, description="With --retrain: passes over the approvals.")
    retrain_learning_rate: float = Field(1e-3, gt=0, description="With --retrain: peak learning rate of the candidate's fine-tune.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("warning", description="JSON log level (the demo prints its own lines).")
