"""Is a draft's input still the product's data? Re-read it through the platform's API and compare.

A draft answers one version of a product (its ``input_hash``). If an editor or an import has
changed the product since, writing the draft would put text about old data next to new data;
the change's own event is already on its way through ``serve``, so the old draft is skipped as
stale. The re-read uses the same fetchers and adapters that serve thin events, so "the same
input" means exactly what it means to ``serve``. Platforms without a product reader here
(Shopify, Adobe Commerce) are written without this check; their write-back goes to a review
field, where the editor sees the model version and time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from consumer.adapters import AdapterConfig, akeneo, commercetools, saleor
from consumer.adapters.common import Adapted
from schemas.prompt import input_hash


@dataclass(frozen=True)
class Current:
    """The product as the platform has it now: its events, and commercetools' version."""

    adapted: list[Adapted]
    version: int | None = None

    def matches(self, draft: dict) -> bool:
        return any(
            item.event.locale == draft["locale"] and item.event.channel == draft["channel"]
            and input_hash(item.event.product, item.event.locale, item.event.channel) == draft["input_hash"]
            for item in self.adapted
        )


def reread(platform: str, target: dict, fetcher, config: AdapterConfig) -> Current | None:
    """The product now, or None when this platform cannot be re-read (no reader or not configured).

    Raises the fetcher's FetchError (404: the product is gone; otherwise after its retries).
    """
    if fetcher is None or platform not in fetcher.settings.platforms():
        return None
    now = datetime.now(UTC)
    if platform == "commercetools":
        projection, version = commercetools.projection_of(fetcher.fetch(platform, target["id"]), staged=False)
        events = commercetools.product_events(projection, version, config=config, event_id="writeback-reread",
                                              event_type="product.updated", occurred_at=now)
        return Current(events, version)
    if platform == "akeneo" and target.get("uuid"):
        resource = fetcher.fetch(platform, str(target["uuid"]))
        return Current(akeneo.product_events(resource, config=config, event_id="writeback-reread", event_type="product.updated", occurred_at=now))
    if platform == "saleor":
        product = {**fetcher.fetch(platform, target["id"]), "id": target["id"]}
        return Current(saleor.adapt({"product": product}, config, None, {"saleor-event": "product_updated"}))
    return None
