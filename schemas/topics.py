"""Topic layout shared by the consumer, the trainer and the PIM connectors.

Every topic that carries product data is keyed by ``product_id`` so that all events of one
product land on one partition, in order; per-product ordering is what lets the consumer drop
stale events by ``sequence`` without any cross-partition coordination.
"""

from __future__ import annotations

PRODUCT_EVENTS = "copydesk.product-events"
"""In: ProductEvent (key: product_id), produced by the PIM or its adapter."""

DESCRIPTIONS = "copydesk.descriptions"
"""Out: DescriptionGenerated (key: product_id), read by the PIM to show drafts."""

APPROVALS = "copydesk.approvals"
"""In for the trainer: DescriptionApproved (key: product_id), produced by the PIM."""

MODELS = "copydesk.models"
"""ModelPublished (key: model_version), produced by the trainer, followed by every consumer."""

DEAD_LETTER = "copydesk.dead-letter"
"""DeadLetter (key: the original key), anything the consumer could not turn into an output."""

ALL_TOPICS: dict[str, int] = {
    PRODUCT_EVENTS: 3,
    DESCRIPTIONS: 3,
    APPROVALS: 3,
    MODELS: 1,
    DEAD_LETTER: 1,
}
"""Topic name -> partition count that ``copydesk broker`` creates for the embedded default."""

CONSUMER_GROUP = "copydesk-enricher"
"""The consumer group every ``copydesk serve`` replica joins."""
