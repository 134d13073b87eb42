"""Configuration: every option is an env var (COPYDESK_*) and a CLI flag (--kebab-case).

pydantic-settings gives both from one class, so the flag, the env var, the default and the
help text can never disagree. Precedence: flag > env var > default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, CliPositionalArg, SettingsConfigDict

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
        populate_by_name=True,
        # A folder of files named like the env vars (a mounted Secret): credentials stay out of
        # the environment, where `ps e` and crash dumps would show them.
        secrets_dir=os.environ.get("COPYDESK_SECRETS_DIR") or None,
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

    port: int = Field(9092, ge=0, le=65535, description="Port on 127.0.0.1 (9092: what `copydesk serve` expects by default; 0 picks a free one).")
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
    engine: Literal["auto", "cached", "generate"] = Field(
        "auto", description="What decodes: 'cached' (copydesk's engine: the shared prompt prefix computed once, no padding, "
        "bf16 matmuls where the CPU has them), 'generate' (transformers' generate, the fp32 path); 'auto': cached on CPU, generate on GPU."
    )


InputFormat = Literal["copydesk", "auto", "akeneo", "commercetools", "saleor", "shopify", "adobe-commerce"]


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None


class AdapterSettings(CopydeskSettings):
    """How platform payloads map to ProductEvents (see README: Platforms); None = platform default."""

    input_format: InputFormat = Field("copydesk", description="Payload format of the input topic; 'auto' detects it per record.")
    locales: str = Field("en_US", description="Comma-separated locales to describe (one ProductEvent per locale where the platform has several).")
    channel: str | None = Field(None, description="Channel / scope / store view to describe (default per platform: akeneo 'ecommerce', ...).")
    title_attribute: str | None = Field(None, description="Attribute holding the product name (Akeneo/Adobe default 'name').")
    description_attribute: str | None = Field(None, description="Attribute the description lives in (default 'description').")
    brand_attribute: str | None = Field(None, description="Attribute holding the brand (default 'brand'; Shopify uses vendor).")
    locked_attribute: str | None = Field(None, description="Boolean attribute that locks the description against drafts.")
    origin_attribute: str | None = Field(None, description="Attribute that says 'copydesk' when our draft was applied; any other description counts as human-written "
                                            "(Akeneo: without it, a description still counts as copydesk's while it matches the fingerprint write-back recorded).")
    max_chars: int | None = Field(None, ge=40, description="Length limit of the description field, in characters.")
    exclude_attributes: str = Field("", description="Comma-separated attribute codes never given to the model.")
    store_locales: str = Field("", description="Adobe Commerce: store_id=locale pairs, e.g. '1=en_US,2=de_DE'.")
    fetch_timeout_seconds: float = Field(5.0, gt=0, description="Per-request timeout of product fetches (thin events).")
    fetch_attempts: int = Field(3, ge=1, le=10, description="Attempts per product fetch (backoff between them).")
    akeneo_url: str | None = Field(None, description="Akeneo base URL, e.g. https://pim.example.com (thin events).")
    akeneo_client_id: str | None = Field(None, description="Akeneo connection client id.")
    akeneo_secret: SecretStr | None = Field(None, description="Akeneo connection secret.")
    akeneo_username: str | None = Field(None, description="Akeneo connection user name.")
    akeneo_password: SecretStr | None = Field(None, description="Akeneo connection password.")
    akeneo_token: SecretStr | None = Field(None, description="A ready Akeneo access token (instead of the four above).")
    commercetools_api_url: str | None = Field(None, description="commercetools API URL, e.g. https://api.europe-west1.gcp.commercetools.com.")
    commercetools_auth_url: str | None = Field(None, description="commercetools auth URL (token endpoint host).")
    commercetools_project_key: str | None = Field(None, description="commercetools project key.")
    commercetools_client_id: str | None = Field(None, description="commercetools API client id (scope view_products).")
    commercetools_client_secret: SecretStr | None = Field(None, description="commercetools API client secret.")
    saleor_api_url: str | None = Field(None, description="Saleor GraphQL endpoint (minimal subscription queries).")
    saleor_token: SecretStr | None = Field(None, description="Saleor app token (MANAGE_PRODUCTS).")

    def adapter_config(self):
        from consumer.adapters import AdapterConfig

        pairs = [item.split("=", 1) for item in self.store_locales.split(",") if "=" in item]
        return AdapterConfig(
            locales=tuple(item.strip() for item in self.locales.split(",") if item.strip()) or ("en_US",),
            channel=self.channel,
            title_attribute=self.title_attribute,
            description_attribute=self.description_attribute,
            brand_attribute=self.brand_attribute,
            locked_attribute=self.locked_attribute,
            origin_attribute=self.origin_attribute,
            max_chars=self.max_chars,
            exclude_attributes=tuple(item.strip() for item in self.exclude_attributes.split(",") if item.strip()),
            store_locales={key.strip(): value.strip() for key, value in pairs},
        )

    def fetcher(self):
        """A ProductFetcher when any platform API is configured, else None (thin events are dead-lettered)."""
        from consumer.adapters.fetch import FetchSettings, ProductFetcher

        settings = FetchSettings(
            timeout_seconds=self.fetch_timeout_seconds, attempts=self.fetch_attempts,
            akeneo_url=self.akeneo_url, akeneo_client_id=self.akeneo_client_id, akeneo_secret=_secret(self.akeneo_secret),
            akeneo_username=self.akeneo_username, akeneo_password=_secret(self.akeneo_password), akeneo_token=_secret(self.akeneo_token),
            commercetools_api_url=self.commercetools_api_url, commercetools_auth_url=self.commercetools_auth_url,
            commercetools_project_key=self.commercetools_project_key, commercetools_client_id=self.commercetools_client_id,
            commercetools_client_secret=_secret(self.commercetools_client_secret),
            saleor_api_url=self.saleor_api_url, saleor_token=_secret(self.saleor_token), saleor_channel=self.channel,
        )
        return ProductFetcher(settings) if settings.platforms() else None


def parse_topic_formats(text: str) -> dict[str, str]:
    formats = {}
    allowed = InputFormat.__args__
    for item in filter(None, (part.strip() for part in text.split(","))):
        topic, _, name = item.partition("=")
        if not topic or name not in allowed:
            raise ValueError(f"--input-formats item {item!r} must be TOPIC=FORMAT with FORMAT one of {', '.join(allowed)}")
        formats[topic.strip()] = name
    return formats


class AdaptSettings(AdapterSettings):
    """`copydesk adapt --from FORMAT PAYLOAD.json`: print the ProductEvents a payload becomes."""

    input_format: InputFormat = Field(
        "auto", validation_alias=AliasChoices("from", "input_format"), description="Payload format ('auto' detects it)."
    )
    payload: CliPositionalArg[Path] = Field(description="The payload as JSON ('-' reads standard input).")
    header: list[str] = Field([], description="A record header as NAME=VALUE (e.g. X-Shopify-Topic=products/update); repeatable.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("warning", description="Log level of the JSON logs.")


class ServeSettings(KafkaSettings, ModelSettings, AdapterSettings):
    """`copydesk serve`: the enrichment consumer."""

    input_topic: str = Field(topics.PRODUCT_EVENTS, description="Topic(s) of product events to enrich, comma-separated.")
    input_formats: str = Field("", description="Per-topic formats as TOPIC=FORMAT pairs, comma-separated (others use --input-format).")
    output_topic: str = Field(topics.DESCRIPTIONS, description="Topic the drafts are published to.")
    dead_letter_topic: str = Field(topics.DEAD_LETTER, description="Topic for records that cannot be processed.")
    models_topic: str = Field(topics.MODELS, description="Topic of ModelPublished events (hot swap).")
    group_id: str = Field(topics.CONSUMER_GROUP, description="Consumer group of all replicas.")
    max_batch_size: int = Field(16, ge=1, le=1024, description="Most events generated together.")
    max_wait_ms: int = Field(200, ge=0, description="Longest an event waits for its batch to fill.")
    poll_timeout_ms: int = Field(500, ge=10, description="Poll timeout when nothing is waiting.")
    health_port: int = Field(8080, ge=0, description="Port of /healthz, /readyz and /metrics (0: off).")
    follow_models: bool = Field(True, description="Serve the newest promoted version from the models topic and hot-swap new ones.")
    publish_skips: bool = Field(True, description="Publish a description.skipped record (with the reason) for every event that needs no draft.")
    unsupported_locale: Literal["review", "bullets"] = Field(
        "review", description="A locale the model does not write: 'review' holds the draft (reason locale_unsupported); "
        "'bullets' publishes bullets built from the data's own labels and values when they read as that locale.")
    approvals_topic: str = Field(topics.APPROVALS, description="Where editors' decisions seen in product updates go as DescriptionApproved ('' = off).")
    approval_threshold: float = Field(0.5, ge=0, le=1, description="Edit similarity (rapidfuzz ratio) from which a changed text counts as an edit of the draft.")
    own_editors: str = Field("", description="Comma-separated editors (as the platform names them, e.g. 'api:copydesk') whose changes are copydesk's own.")
    live_platforms: str = Field("", description="Platforms writeback writes live (same setting as writeback): the draft's text appearing there is ours.")

    @field_validator("input_formats")
    @classmethod
    def _valid_topic_formats(cls, value: str) -> str:
        parse_topic_formats(value)
        return value

    def topic_formats(self) -> dict[str, str]:
        return parse_topic_formats(self.input_formats)


class DemoSettings(ModelSettings):
    """`copydesk demo`: broker + model + consumer + sample events, then a summary."""

    products: int | None = Field(None, ge=1, description="How many products to send (default: all of the sample).")
    catalog: Path | None = Field(None, description="JSONL rows shaped like ../shared/data/catalog (default: built-in sample).")
    output: Path = Field(Path("out/demo-drafts.jsonl"), description="Where every output event is written (JSONL).")
    max_batch_size: int = Field(8, ge=1, le=1024, description="Most events generated together.")
    max_wait_ms: int = Field(500, ge=0, description="Longest an event waits for its batch to fill.")
    edge_cases: bool = Field(True, description="Add a malformed record, a locked description and a duplicate.")
    editor_keeps: int = Field(0, ge=0, description="After the drafts, an editor keeps the first N of them in the PIM (product updates): "
                              "serve derives approved_unchanged approvals, so the dashboard's editors' panels have data.")
    metrics_port: int = Field(0, ge=0, le=65535, description="Serve /metrics, /healthz and /readyz on 127.0.0.1:PORT (0: off).")
    linger_seconds: float = Field(0.0, ge=0, description="After the summary, keep the consumer and /metrics up this long (SIGTERM/Ctrl-C ends it early).")
    retrain: bool = Field(False, description="Run the learning loop: drafts, approvals, replay-train, gate, hot swap, drafts again (needs --catalog).")
    retrain_epochs: float = Field(3.0, description="With --retrain: passes over the approvals.")
    retrain_learning_rate: float = Field(1e-3, gt=0, description="With --retrain: peak learning rate of the candidate's fine-tune.")
    # The catalog's valid split (165 rows): 20% for before/after leaves 133 approvals, and a gate
    # share of 25% gives the gate 25 products with a target (at the trainer's 20% of 75% it had 18,
    # under its minimum of 20, so it could not decide). 30% and 5 epochs (37 products) measured
    # no larger a gain (+0.022, CI [-0.011, +0.064]) for 50 training steps instead of 33.
    retrain_before_after_share: float = Field(0.2, gt=0, lt=1, description="With --retrain: share of products held out of the approvals, for the before/after line.")
    retrain_gate_share: float = Field(0.25, gt=0, lt=1, description="With --retrain: share of the approved products the trainer's gate evaluates on.")
    retrain_editor: Literal["house-style", "catalog"] = Field(
        "house-style", description="With --retrain: the demo's editors: the scripted house style (consumer/demo/house_style.py), "
        "or the catalog's human text in place of every draft.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("warning", description="JSON log level (the demo prints its own lines).")


class CheckSettings(CopydeskSettings):
    """`copydesk check --input ROWS.jsonl`: which claims of each text its product data does not support."""

    input: str = Field(description="JSONL of {product, text} ('-' reads standard input).")
    summary: bool = Field(False, description="Print counts per claim kind on stderr at the end.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("warning", description="Log level of the JSON logs.")
