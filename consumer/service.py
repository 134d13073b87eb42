"""The enrichment loop: poll -> validate -> route -> batch -> generate -> guard -> publish -> commit.

Delivery is at-least-once with idempotent outputs: offsets are committed only after the
drafts and dead letters of those records are flushed to the broker. A crash in between means
redelivery, never loss; the redelivered event gets the same output id (uuid5 of its event id
and the model version) and, with greedy decoding, the same text, so downstream sees at most a
duplicate of an identical record, never two different drafts for one event.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

from consumer import metrics
from consumer.adapters import AdapterConfig, Writeback, adapt_record
from consumer.adapters.writeback import render as render_writeback
from consumer.generator import Draft, Generator, Request
from consumer.health import HealthState
from consumer.logs import get_logger
from consumer.model_thread import MODEL_THREAD
from consumer.offsets import OffsetTracker
from consumer.routing import RouteState, route, state_key
from consumer.state_store import DescriptionsReader
from consumer.validate import Rejected, dead_letter, raw_record_of
from schemas import DescriptionGenerated, ProductEvent, Timings

log = get_logger("copydesk.service")


@dataclass
class Pending:
    """A valid event waiting for (or in) a generation batch."""

    partition: TopicPartition
    offset: int
    event: ProductEvent
    input_hash: str
    received: float
    writeback: Writeback | None = None


@dataclass
class InFlight:
    """The batch being generated, so a rebalance callback can finish and publish it."""

    batch: list[Pending]
    started_at: datetime
    started: float
    generator: Generator
    future: Future | None = None


@dataclass
class ServiceStats:
    """In-process tallies (the demo and tests read these; Prometheus has the same numbers)."""

    consumed: int = 0
    drafts: int = 0
    needs_review: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    batches: int = 0
    assignments: int = 0

    @property
    def accounted(self) -> int:
        return self.drafts + self.needs_review + self.skipped + self.dead_lettered


@dataclass(frozen=True)
class ServiceConfig:
    input_topic: str
    output_topic: str
    dead_letter_topic: str
    group_id: str
    max_batch_size: int = 16
    max_wait_ms: int = 200
    poll_timeout_ms: int = 500
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    max_poll_interval_ms: int = 300_000
    input_format: str = "copydesk"
    topic_formats: tuple[tuple[str, str], ...] = ()
    adapter: AdapterConfig = AdapterConfig()

    @property
    def input_topics(self) -> list[str]:
        return [topic.strip() for topic in self.input_topic.split(",") if topic.strip()]

    def format_of(self, topic: str) -> str:
        return dict(self.topic_formats).get(topic, self.input_format)


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, service: EnrichmentService):
        self.service = service

    def on_partitions_revoked(self, revoked):
        self.service._on_revoked(revoked)

    def on_partitions_assigned(self, assigned):
        self.service._on_assigned(assigned)


class EnrichmentService:
    def __init__(
        self, config: ServiceConfig, client_config: dict, generator: Generator, health: HealthState | None = None, fetcher=None
    ):
        self.config = config
        self.fetcher = fetcher
        self.client_config = client_config
        self.generator = generator
        self.health = health or HealthState()
        self.health.model_loaded = True
        self.stats = ServiceStats()
        self.state = RouteState()
        self.tracker = OffsetTracker()
        self.pending: list[Pending] = []
        self.sends: list[Future] = []
        self.stopping = False
        self._in_flight: InFlight | None = None
        self._next_generator: Generator | None = None
        self.producer = KafkaProducer(
            **client_config, acks="all", enable_idempotence=True, linger_ms=5, max_in_flight_requests_per_connection=5
        )
        self.reader = DescriptionsReader(client_config, config.output_topic, self.state)
        self.reader.catch_up()
        self.consumer = KafkaConsumer(
            **client_config,
            group_id=config.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=config.session_timeout_ms,
            heartbeat_interval_ms=config.heartbeat_interval_ms,
            max_poll_interval_ms=config.max_poll_interval_ms,
        )
        self.consumer.subscribe(config.input_topics, listener=_Rebalance(self))

    # -- the loop, in the order the module docstring promises -----------------------------

    def run(self) -> ServiceStats:
        log.info("service_started", input_topic=self.config.input_topic, model_version=self.generator.version)
        try:
            while not self.stopping:
                self.health.beat()
                for record in self._poll():
                    self._accept(record)  # validate + route: dead letter, skip, or join the batch
                if self._batch_due():
                    self._swap_model_if_offered()  # between batches: one batch, one model version
                    self._run_batch()  # generate + guard + publish
                self._checkpoint()  # flush, then commit
            self._drain()
        finally:
            self._close()
        return self.stats

    def offer_generator(self, generator: Generator) -> None:
        """Hot swap: called from the model watcher's thread; takes effect before the next batch."""
        self._next_generator = generator

    def _swap_model_if_offered(self) -> None:
        offered, self._next_generator = self._next_generator, None
        if offered is not None and offered.version != self.generator.version:
            log.info("model_swapped", old_version=self.generator.version, new_version=offered.version)
            self.generator = offered
            metrics.set_model_info(offered.version)

    def stop(self) -> None:
        """Ask the loop to finish the batch in flight, publish, commit and leave (SIGTERM)."""
        self.stopping = True

    def _poll(self):
        wait_ms = self.config.poll_timeout_ms
        if self.pending:
            left = self.config.max_wait_ms - (time.monotonic() - self.pending[0].received) * 1000
            wait_ms = max(0, min(wait_ms, int(left)))
        room = max(1, self.config.max_batch_size - len(self.pending))
        batches = self.consumer.poll(timeout_ms=wait_ms, max_records=room)
        return [record for records in batches.values() for record in records]

    def _accept(self, record) -> None:
        partition = TopicPartition(record.topic, record.partition)
        self.tracker.start(partition, record.offset)  # the record's own hold, released below
        self.stats.consumed += 1
        adapted = adapt_record(
            record.key, record.value, record.headers, self.config.format_of(record.topic), self.config.adapter, self.fetcher
        )
        if isinstance(adapted, Rejected):
            metrics.EVENTS_CONSUMED.labels(event_type="invalid").inc()
            self._dead_letter(record, adapted)
        elif not adapted:
            self.stats.skipped += 1
            metrics.EVENTS_SKIPPED.labels(reason="ignored").inc()
            log.info("record_ignored", topic=record.topic, partition=record.partition, offset=record.offset,
                     reason="not a product create/update (e.g. a deletion or a price message)")
        for item in adapted if not isinstance(adapted, Rejected) else []:
            self._route(partition, record.offset, item.event, item.writeback)
        self.tracker.finish(partition, record.offset)

    def _route(self, partition: TopicPartition, offset: int, event: ProductEvent, writeback: Writeback | None) -> None:
        metrics.EVENTS_CONSUMED.labels(event_type=event.event_type).inc()
        decision = route(event, self.state)
        if not decision.generate:
            self.stats.skipped += 1
            metrics.EVENTS_SKIPPED.labels(reason=decision.reason).inc()
            log.info("event_skipped", reason=decision.reason, event_id=event.event_id, product_id=event.product_id)
            return
        self.tracker.start(partition, offset)
        self.pending.append(Pending(partition, offset, event, decision.input_hash, time.monotonic(), writeback))

    def _batch_due(self) -> bool:
        if not self.pending:
            return False
        waited_ms = (time.monotonic() - self.pending[0].received) * 1000
        return len(self.pending) >= self.config.max_batch_size or waited_ms >= self.config.max_wait_ms

    def _run_batch(self) -> None:
        batch, self.pending = self.pending, []
        self._in_flight = InFlight(batch, datetime.now(UTC), time.perf_counter(), self.generator)
        log.info("batch_started", size=len(batch), model_version=self.generator.version)
        try:
            drafts = self._generate_off_loop([Request(p.event.product, p.event.locale) for p in batch])
        except Exception as error:  # a broken batch must not take the service down
            log.exception("batch_failed", size=len(batch))
            self._in_flight = None
            for item in batch:
                self.state.forget_draft(state_key(item.event))
                self._dead_letter(raw_record_of(item), Rejected("processing", f"generation failed: {error!r}"))
                self.tracker.finish(item.partition, item.offset)
            return
        if self._in_flight is not None:  # else a rebalance callback already published it
            self._publish_batch(self._in_flight, drafts)

    def _publish_batch(self, in_flight: InFlight, drafts: list[Draft]) -> None:
        self._in_flight = None
        seconds = time.perf_counter() - in_flight.started
        self.stats.batches += 1
        metrics.GENERATION_LATENCY.observe(seconds)
        metrics.BATCH_SIZE.observe(len(in_flight.batch))
        for item, draft in zip(in_flight.batch, drafts):
            self._publish_draft(item, draft, in_flight, seconds)

    def _generate_off_loop(self, requests: list[Request]) -> list[Draft]:
        """Generate on the model thread with the partitions paused, polling meanwhile.

        Polling paused partitions returns no records but keeps this member in the group: however
        slow the model, max.poll.interval.ms is never exceeded and no rebalance is triggered.
        """
        assigned = list(self.consumer.assignment())
        self.consumer.pause(*assigned)
        future = MODEL_THREAD.submit(self._in_flight.generator.write, requests)
        self._in_flight.future = future
        try:
            while not future.done():
                self.health.beat()
                self.consumer.poll(timeout_ms=100)
            return future.result()
        finally:
            still_assigned = self.consumer.assignment()
            self.consumer.resume(*[tp for tp in assigned if tp in still_assigned])

    # -- publish and commit ----------------------------------------------------------------

    def _publish_draft(self, item: Pending, draft: Draft, batch: InFlight, seconds: float) -> None:
        event = item.event
        version = batch.generator.version
        output = DescriptionGenerated(
            event_id=DescriptionGenerated.derive_event_id(event.event_id, version),
            causation_id=event.event_id,
            product_id=event.product_id,
            sequence=event.sequence,
            locale=event.locale,
            channel=event.channel,
            source=event.source,
            description=draft.text,
            status=draft.status,
            checks=draft.checks,
            attempts=draft.attempts,
            model_version=version,
            input_hash=item.input_hash,
            generated_at=datetime.now(UTC),
            timings=Timings(
                queue_seconds=max(0.0, (batch.started_at - event.occurred_at).total_seconds()),
                generation_seconds=seconds,
                batch_size=len(batch.batch),
            ),
            writeback=render_writeback(item.writeback, event, draft.text),
        )
        self._send(self.config.output_topic, event.product_id.encode(), output.model_dump_json().encode(), output.event_id)
        self.tracker.finish(item.partition, item.offset)
        metrics.DRAFTS_PUBLISHED.labels(status=draft.status).inc()
        metrics.GENERATED_TOKENS.inc(draft.new_tokens)
        metrics.END_TO_END_LATENCY.observe(max(0.0, (datetime.now(UTC) - event.occurred_at).total_seconds()))
        for check in draft.checks:
            if not check.passed:
                metrics.GUARD_FAILURES.labels(check=check.name).inc()
        if draft.status == "draft":
            self.stats.drafts += 1
        else:
            self.stats.needs_review += 1
        log.info(
            "draft_published",
            event_id=event.event_id,
            product_id=event.product_id,
            output_id=output.event_id,
            status=draft.status,
            attempts=draft.attempts,
            reasons=draft.reasons or None,
        )

    def _dead_letter(self, record, rejected: Rejected) -> None:
        letter = dead_letter(record, rejected)
        self._send(self.config.dead_letter_topic, record.key, letter.model_dump_json().encode(), None)
        self.stats.dead_lettered += 1
        metrics.DEAD_LETTERS.labels(reason=rejected.error_type).inc()
        log.warning(
            "dead_lettered",
            reason=rejected.error_type,
            error=rejected.message[:300],
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )

    def _send(self, topic: str, key: bytes | None, value: bytes, output_id: str | None) -> None:
        headers = [("content-type", b"application/json")]
        if output_id:
            headers.append(("copydesk-output-id", output_id.encode()))
        self.sends.append(self.producer.send(topic, key=key, value=value, headers=headers))

    def _checkpoint(self) -> None:
        """Flush the producer, then commit the consumed offsets - in that order.

        Committing first and crashing before the flush completed would mark inputs as done
        whose drafts never reached the broker: lost events. Flushing first means the worst
        case is a redelivery, which routing and deterministic output ids absorb. A send that
        failed for good stops the service before the commit, for the same reason.
        """
        offsets = self.tracker.committable()
        if not offsets and not self.sends:
            return
        self.producer.flush()
        for sent in self.sends:
            if sent.failed():
                raise RuntimeError(f"publishing failed, not committing: {sent.exception!r}")
        self.sends.clear()
        if offsets:
            self.consumer.commit(offsets)
            self.tracker.mark_committed(offsets)
            self._report_lag(offsets)

    def _report_lag(self, offsets) -> None:
        for partition, meta in offsets.items():
            highwater = self.consumer.highwater(partition)
            if highwater is not None:
                metrics.CONSUMER_LAG.labels(topic=partition.topic, partition=str(partition.partition)).set(
                    max(0, highwater - meta.offset)
                )

    # -- rebalances and shutdown -----------------------------------------------------------

    def _on_revoked(self, revoked) -> None:
        """Finish what this member holds before the partitions move, so nothing is redone twice.

        Runs inside poll(): the batch in flight is awaited and published, the events waiting
        for the next batch are generated right here, then everything is flushed and committed.
        """
        self.health.assigned = False
        if self._in_flight is not None and self._in_flight.future is not None:
            self._publish_batch(self._in_flight, self._in_flight.future.result())
        if self.pending:
            log.info("rebalance_draining", pending=len(self.pending))
            batch, self.pending = self.pending, []
            in_flight = InFlight(batch, datetime.now(UTC), time.perf_counter(), self.generator)
            self._publish_batch(in_flight, self.generator.write([Request(p.event.product, p.event.locale) for p in batch]))
        try:
            self._checkpoint()
        except Exception:
            log.exception("commit_on_revoke_failed")
        self.tracker.forget(revoked)

    def _on_assigned(self, assigned) -> None:
        # Other members may have published drafts for these partitions: fold them in first.
        self.reader.catch_up()
        self.stats.assignments += 1
        self.health.assigned = bool(self.consumer.assignment()) or bool(assigned)
        metrics.READY.set(1 if self.health.ready else 0)
        log.info("partitions_assigned", partitions=[f"{tp.topic}:{tp.partition}" for tp in assigned])

    def _drain(self) -> None:
        if self.pending:
            self._run_batch()
        self._checkpoint()
        log.info("service_stopped", **self.stats.__dict__)

    def _close(self) -> None:
        try:
            self.consumer.close()  # leaves the group at once: partitions move without waiting for a timeout
        finally:
            self.producer.close()
            self.reader.close()
            metrics.READY.set(0)
