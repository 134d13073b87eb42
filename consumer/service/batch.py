"""A generation batch: the events in it, and the DescriptionGenerated each one becomes.

Each Pending keeps the consumer record it came from, whole (key, value, headers), so a batch
that fails can dead-letter the original platform payload - replayable as it arrived - rather
than a re-serialised copy of what we parsed out of it.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kafka import TopicPartition

from consumer.adapters import Writeback
from consumer.adapters.writeback import render as render_writeback
from consumer.generation.generator import Draft, Generator, Request
from schemas import DescriptionGenerated, DescriptionSkipped, ProductEvent, Timings


@dataclass
class Pending:
    """A valid event waiting for (or in) a generation batch; it holds its record's offset."""

    record: object  # the kafka ConsumerRecord: topic, partition, offset, key, value, headers
    event: ProductEvent
    input_hash: str
    received: float
    writeback: Writeback | None = None

    @property
    def partition(self) -> TopicPartition:
        return TopicPartition(self.record.topic, self.record.partition)

    @property
    def offset(self) -> int:
        return self.record.offset

    def request(self, unsupported_locale: str = "review") -> Request:
        return Request(self.event.product, self.event.locale, unsupported_locale)


@dataclass
class InFlight:
    """The batch being generated: one model version, one start time, one future result."""

    items: list[Pending]
    started_at: datetime
    started: float
    generator: Generator
    future: Future | None = None
    revoked: set = field(default_factory=set)  # partitions revoked while it generated: their drafts are not published


def description_generated(item: Pending, draft: Draft, batch: InFlight, seconds: float) -> DescriptionGenerated:
    """The output event of one input; its id is uuid5(input event id, model version)."""
    event = item.event
    version = batch.generator.version
    return DescriptionGenerated(
        event_id=DescriptionGenerated.derive_event_id(event.event_id, version),
        causation_id=event.event_id,
        product_id=event.product_id,
        sequence=event.sequence,
        locale=event.locale,
        channel=event.channel,
        source=event.source,
        description=draft.text,
        fields=draft.fields,
        status=draft.status,
        checks=draft.checks,
        attempts=draft.attempts,
        model_version=version,
        input_hash=item.input_hash,
        generated_at=datetime.now(UTC),
        timings=Timings(
            queue_seconds=max(0.0, (batch.started_at - event.occurred_at).total_seconds()),
            generation_seconds=seconds,
            batch_size=len(batch.items),
        ),
        writeback=render_writeback(
            item.writeback, event, draft.text, draft.status, failed_checks=[c.name for c in draft.checks if not c.passed and c.blocking],
            fields=draft.fields.model_dump(exclude_none=True) if draft.fields else None,
            model_version=version, event_id=DescriptionGenerated.derive_event_id(event.event_id, version), input_hash=item.input_hash,
        ),
    )


def description_skipped(event: ProductEvent, reason: str) -> DescriptionSkipped:
    """The outcome of an event that needed no draft: every input has one (a redelivery gets the same id)."""
    return DescriptionSkipped(
        event_id=DescriptionSkipped.derive_event_id(event.event_id), causation_id=event.event_id, product_id=event.product_id,
        sequence=event.sequence, locale=event.locale, channel=event.channel, source=event.source, reason=reason,
        skipped_at=datetime.now(UTC),
    )
