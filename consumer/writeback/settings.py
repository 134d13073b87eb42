"""`copydesk writeback` options: the topic to follow, each platform's API, and what may go live.

``PlatformAPISettings`` (every platform's URL and credentials) is shared with the commands
that read the PIM without writing drafts (`copydesk backfill`, `copydesk doctor`), so the one
set of COPYDESK_* variables a deployment has configures all of them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from consumer.ops.settings import AdapterSettings, KafkaSettings, _read_secret
from schemas import topics


class PlatformAPISettings(AdapterSettings):
    """Each platform's API: URLs and credentials (Akeneo, commercetools and Saleor come with AdapterSettings)."""

    request_timeout_seconds: float = Field(10.0, gt=0, description="Per-request timeout of platform writes.")
    attempts: int = Field(4, ge=1, le=10, description="Attempts per write on network errors, 429 and 5xx (exponential backoff).")
    shopify_shop_url: str | None = Field(None, description="https://<shop>.myshopify.com")
    shopify_admin_token: SecretStr | None = Field(None, description="Shopify Admin API access token (write_products).")
    shopify_admin_token_file: Path | None = Field(None, description="File holding the Shopify Admin API token (wins).")
    shopify_api_version: str = Field("2025-07", description="Shopify Admin API version in the URL.")
    adobe_commerce_url: str | None = Field(None, description="Adobe Commerce base URL, e.g. https://shop.example.com")
    adobe_commerce_token: SecretStr | None = Field(None, description="Adobe Commerce integration access token.")
    adobe_commerce_token_file: Path | None = Field(None, description="File holding the Adobe Commerce token (wins).")
    adobe_store_codes: str = Field("", description="store_id=store_code pairs for the REST path, e.g. '1=default,2=de' (default: 'all').")

    def token(self, platform: str) -> str | None:
        name = {"shopify": "shopify_admin_token", "adobe-commerce": "adobe_commerce_token", "saleor": "saleor_token"}[platform]
        path = getattr(self, f"{name}_file", None)
        if path:
            return _read_secret(path)
        value = getattr(self, name, None)
        return value.get_secret_value() if value else None

    def store_code(self, store_id) -> str:
        pairs = dict(item.split("=", 1) for item in self.adobe_store_codes.split(",") if "=" in item)
        return pairs.get(str(store_id), "all")

    def configured_platforms(self) -> list[str]:
        """The platforms whose API is configured (a URL, and a project key for commercetools)."""
        found = {"akeneo": self.akeneo_url, "commercetools": self.commercetools_api_url and self.commercetools_project_key,
                 "shopify": self.shopify_shop_url, "saleor": self.saleor_api_url, "adobe-commerce": self.adobe_commerce_url}
        return [name for name, ok in found.items() if ok]


class WritebackSettings(KafkaSettings, PlatformAPISettings):
    """`copydesk writeback`: a consumer group on the drafts topic that writes each draft into the platform's review field."""

    input_topic: str = Field(topics.DESCRIPTIONS, description="Topic of the drafts (DescriptionGenerated).")
    dead_letter_topic: str = Field(topics.DEAD_LETTER, description="Where drafts the platform refused go, with its answer.")
    group_id: str = Field("copydesk-writeback", description="Consumer group of the writeback replicas.")
    live_platforms: str = Field("", description="Comma-separated platforms whose live description field gets clean drafts "
                                "(default none: every draft goes to the review field; needs_review drafts always do).")
    verify_input: bool = Field(True, description="Skip drafts whose product input changed since (the product is re-read before every write; "
                               "whose text is in the field is checked either way).")
    health_port: int = Field(8081, ge=0, description="Port of /healthz, /readyz and /metrics (0: off).")
    unavailable_pause_seconds: float = Field(5.0, gt=0, description="Pause before retrying a draft the platform could not take (5xx, down).")

    seo_attributes: str = Field("", description="Akeneo (and Adobe Commerce, instead of meta_title/meta_description): the attributes "
                                "a live write puts the SEO fields in, e.g. 'seo_title=meta_title,meta_description=meta_description'.")

    def seo_attribute_codes(self) -> dict[str, str]:
        pairs = dict(item.strip().split("=", 1) for item in self.seo_attributes.split(",") if "=" in item)
        unknown = set(pairs) - {"seo_title", "meta_description"}
        if unknown:
            raise ValueError(f"seo_attributes: unknown field(s) {sorted(unknown)}; use seo_title and meta_description")
        return pairs

    def live(self) -> set[str]:
        return {item.strip() for item in self.live_platforms.split(",") if item.strip()}
