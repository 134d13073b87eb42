"""The consumer's configuration on the embedded default (both demos use it)."""

from __future__ import annotations

from consumer.ops.settings import DemoSettings
from consumer.service.config import ServiceConfig
from schemas import topics


def embedded_service_config(settings: DemoSettings) -> ServiceConfig:
    """The default topics, and the short group timeouts Tansu needs for quick joins."""
    return ServiceConfig(
        input_topic=topics.PRODUCT_EVENTS,
        output_topic=topics.DESCRIPTIONS,
        dead_letter_topic=topics.DEAD_LETTER,
        group_id=topics.CONSUMER_GROUP,
        max_batch_size=settings.max_batch_size,
        max_wait_ms=settings.max_wait_ms,
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
        approvals_topic=topics.APPROVALS,  # editors' decisions in product updates -> DescriptionApproved
    )
