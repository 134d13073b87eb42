"""`copydesk ingest` options: where to listen, where to store, and each platform's secret.

Each secret can come from an env var or, better, a mounted file (``*_FILE``; the file wins),
so a Kubernetes Secret never has to pass through the environment. A platform whose secret is
missing has its route closed: requests get 401 with the setting to add, never a pass.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from consumer.ops.settings import KafkaSettings, _read_secret
from schemas import topics

PLATFORMS = ("shopify", "saleor", "akeneo", "adobe-commerce")


class IngestSettings(KafkaSettings):
    """`copydesk ingest`: receive signed PIM webhooks and store each in Kafka before answering 2xx."""

    host: str = Field("0.0.0.0", description="Address to listen on.")
    port: int = Field(8000, ge=0, le=65535, description="Port of the webhook routes, /healthz, /readyz and /metrics.")
    topic: str = Field(topics.PRODUCT_EVENTS, description="Topic the webhook bodies are stored in (serve reads it with --input-format auto).")
    max_body_bytes: int = Field(5 * 1024 * 1024, ge=1024, description="Larger bodies are refused with 413.")
    produce_timeout_seconds: float = Field(10.0, gt=0, description="How long Kafka may take to acknowledge (acks=all) before the answer is 503.")
    shopify_webhook_secret: SecretStr | None = Field(None, description="Shopify app's client secret (signs X-Shopify-Hmac-Sha256).")
    shopify_webhook_secret_file: Path | None = Field(None, description="File holding the Shopify secret (wins over the env var).")
    saleor_jwks_url: str | None = Field(None, description="https://<shop>/.well-known/jwks.json: Saleor's signing keys, fetched, cached, refreshed on an unknown key id.")
    saleor_jwks_file: Path | None = Field(None, description="Saleor's JWKS as a file instead of the URL (no refresh on a key rotation).")
    saleor_max_age_seconds: float = Field(86400.0, gt=0, description="An older issuedAt (when the subscription sends it) is refused as a replay.")
    saleor_webhook_secret: SecretStr | None = Field(None, description="A Saleor webhook's secretKey (deprecated HMAC mode).")
    saleor_webhook_secret_file: Path | None = Field(None, description="File holding the Saleor secretKey.")
    akeneo_webhook_secret: SecretStr | None = Field(None, description="Akeneo Events API connection secret.")
    akeneo_webhook_secret_file: Path | None = Field(None, description="File holding the Akeneo secret.")
    akeneo_max_age_seconds: float = Field(300.0, gt=0, description="Older X-Akeneo-Request-Timestamp values are refused as replays.")
    shopify_max_age_seconds: float = Field(172800.0, gt=0, description="An older X-Shopify-Triggered-At is refused as a replay (Shopify retries for 48 h).")
    adobe_public_key_files: str = Field("", description="Comma-separated PEM files of Adobe I/O Events public keys.")
    adobe_client_id: str | None = Field(None, description="This project's Adobe Developer Console client id: events for another recipient_client_id are refused.")

    def secret(self, platform: str) -> str | None:
        """The platform's shared secret, file first; None when not configured."""
        name = platform.replace("-", "_")
        path = getattr(self, f"{name}_webhook_secret_file", None)
        if path:
            return _read_secret(path)
        value = getattr(self, f"{name}_webhook_secret", None)
        return value.get_secret_value() if value else None

    def adobe_public_keys(self) -> list[bytes]:
        return [Path(item.strip()).read_bytes() for item in self.adobe_public_key_files.split(",") if item.strip()]

    def missing(self, platform: str) -> str | None:
        """The setting to add when a platform's route cannot verify anything, else None."""
        if platform == "saleor":
            ok = self.saleor_jwks_url or self.saleor_jwks_file or self.secret("saleor")
            return None if ok else "COPYDESK_SALEOR_JWKS_URL (or COPYDESK_SALEOR_JWKS_FILE, COPYDESK_SALEOR_WEBHOOK_SECRET_FILE)"
        if platform == "adobe-commerce":
            if not self.adobe_public_key_files.strip():
                return "COPYDESK_ADOBE_PUBLIC_KEY_FILES"
            return None if self.adobe_client_id else "COPYDESK_ADOBE_CLIENT_ID"
        env = f"COPYDESK_{platform.upper()}_WEBHOOK_SECRET_FILE"
        return None if self.secret(platform) else env
