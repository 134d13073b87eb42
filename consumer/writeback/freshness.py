"""Is a draft's input still the product's data? Re-read it through the platform's API and compare.

A draft answers one version of a product (its ``input_hash``). If an editor or an import has
changed the product since, writing the draft would put text about old data next to new data;
the change's own event is already on its way through ``serve``, so the old draft is skipped as
stale. The re-read goes through the same adapters that serve uses, so "the same input" means
exactly what it means to ``serve``; platforms.py reads every platform (Saleor through the
fetcher here, the others from the request that also reads the fields to write).
"""

from __future__ import annotations

from dataclasses import dataclass

from consumer.adapters import AdapterConfig, saleor
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


def reread_saleor(target: dict, fetcher, config: AdapterConfig) -> Current | None:
    """Saleor's product now, through the fetcher's query (the one serve's thin events use); None unconfigured.

    Raises the fetcher's FetchError (404: the product is gone; otherwise after its retries).
    """
    if fetcher is None or "saleor" not in fetcher.settings.platforms():
        return None
    product = {**fetcher.fetch("saleor", target["id"]), "id": target["id"]}
    return Current(saleor.adapt({"product": product}, config, None, {"saleor-event": "product_updated"}))
