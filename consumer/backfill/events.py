"""Each listed product as the event serve gets for it, and the filters that decide whether it is sent.

The event id is a function of the product and of what the model would read (its input hash):
sending the same product twice, after a crash or in a second run, yields the same id, so serve
answers the repeat with nothing (a duplicate, or unchanged input). A product that changed since
gets a new id and a new draft, as a live update would.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from consumer.adapters.common import Adapted, AdapterConfig
from schemas import ProductEvent
from schemas.events import WritebackTarget
from schemas.prompt import input_hash

SOURCE = "backfill"


def backfill_event_id(event: ProductEvent) -> str:
    digest = input_hash(event.product, event.locale, event.channel)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"copydesk:backfill:{event.product_id}:{event.locale}:{event.channel}:{digest}"))


def backfill_event(adapted: Adapted, config: AdapterConfig) -> ProductEvent:
    """The adapter's event with a deterministic id, ``source: backfill``, now as its time, and its write-back target.

    ``occurred_at`` is when the backfill sent it, not when the product last changed: serve's
    latency (and its alerts) measure the wait in the queue, and an old product is no late event.
    The target carries the reading options used here, so write-back re-reads the product the
    same way (the input hash it checks depends on them).
    """
    event = adapted.event
    target = None
    if adapted.writeback is not None:
        target = WritebackTarget(platform=adapted.writeback.platform, context={**adapted.writeback.context, "reading": config.as_reading()})
    return event.model_copy(update={"event_id": backfill_event_id(event), "source": SOURCE, "writeback": target,
                                    "occurred_at": datetime.now(UTC), "event_type": "product.updated"})


def skip_reason(event: ProductEvent, *, only_empty: bool, shorter_than: int | None, categories: set[str],
                locales: set[str] | None, channel: str | None) -> str | None:
    """Why this product is not sent (None: send it). A person's text or a lock is never replaced, as in serve."""
    product = event.product
    text = (product.description or "").strip()
    if product.description_locked:
        return "locked"
    if text and product.description_origin == "human":
        return "human_text"
    if only_empty and text:
        return "not_empty"
    if shorter_than is not None and len(text) >= shorter_than:
        return "long_enough"
    if categories and (product.category or "").strip().casefold() not in categories:
        return "category"
    if locales is not None and event.locale not in locales:
        return "locale"
    if channel is not None and event.channel != channel:
        return "channel"
    return None
