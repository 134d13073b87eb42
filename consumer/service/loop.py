"""The enrichment loop: poll -> validate -> route -> batch -> generate -> guard -> publish -> commit.

Delivery is at-least-once with idempotent outputs: offsets are committed only after the
drafts and dead letters of those records are flushed to the broker. A crash in between means
redelivery, never loss; the redelivered event gets the same output id (uuid5 of its event id
and the model version) and, with greedy decoding, the same text, so downstream sees at most a
duplicate of an identical record, never two different drafts for one event.

The loop is a small state machine (``Phase``): idle -> batching -> generating -> publishing ->
committing -> idle, and rebalancing when the group moves partitions. An offset is held from
the moment its record is polled until every event it carried is published or dead-lettered:
holds are taken in ``_accept``/``_enqueue`` and released in ``_release`` alone.
"""

from __future__ import annotations

import enum
import time
from datetime import UTC, datetime

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

from consumer.adapters import Writeback, adapt_record
from consumer.adapters.common import with_reading
from consumer.generation.generator import Draft, Generator
from consumer.generation.model_thread import MODEL_THREAD
from consumer.ops import metrics
from consumer.ops.health import HealthState
from consumer.ops.logs import get_logger
from consumer.service.approvals import ApprovalDeriver
from consumer.service.batch import InFlight, Pending, description_generated, description_skipped
from consumer.service.config import ServiceConfig, ServiceStats
from consumer.service.lag import LagReporter
from consumer.service.offsets import OffsetTracker
from consumer.service.routing import RouteState, route, state_key
from consumer.service.state_store import DescriptionsReader
from consumer.service.validate import Rejected, dead_letter
from schemas import ProductEvent
from schemas.events import SkipReason

__all__ = ["EnrichmentService", "Phase", "ServiceConfig", "ServiceStats"]

log = get_logger("copydesk.service")
PUBLISHED_SKIPS = frozenset(SkipReason.__args__)
"""Skips that get a description.skipped record; a duplicate already has its outcome, an ignored record is no product event."""


class Phase(enum.Enum):
    IDLE = "idle"
    BATCHING = "batching"
    GENERATING = "generating"
    PUBLISHING = "publishing"
    COMMITTING = "committing"
    REBALANCING = "rebalancing"


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
        self.generator = generator
        self.health = health or HealthState()
        self.health.model_loaded = True
        self.stats = ServiceStats()
        self.phase = Phase.IDLE
        self.state = RouteState()
        self.tracker = OffsetTracker()
        self.pending: list[Pending] = []
        self.in_flight: InFlight | None = None
        self.sends: list = []
        self.stopping = False
        self._next_generator: Generator | None = None
        self._rewind: dict[TopicPartition, int] = {}  # first handed-over offset per revoked partition
        self._catch_up_due = False  # set by an assignment: read the descriptions topic before routing
        self.producer = KafkaProducer(
            **client_config, acks="all", enable_idempotence=True, linger_ms=5, max_in_flight_requests_per_connection=5
        )
        self.approvals = ApprovalDeriver(config.approval_threshold, frozenset(config.own_editors), frozenset(config.live_platforms))
        self.reader = DescriptionsReader(client_config, config.output_topic, self.state, on_draft=self.approvals.remember_draft)
        self.reader.catch_up()
        if config.approvals_topic:  # which drafts already have their approval (approvals.py)
            self.approvals.load_resolved(client_config, config.approvals_topic)
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
        self.lag = LagReporter(self.consumer, self.tracker, client_config)

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
                self.lag.report()
            self._drain()
        finally:
            self._close()
        return self.stats

    def offer_generator(self, generator: Generator) -> None:
        """Hot swap: called from the model watcher's thread; takes effect before the next batch."""
        self._next_generator = generator

    def stop(self) -> None:
        """Ask the loop to finish the batch in flight, publish, commit and leave (SIGTERM)."""
        self.stopping = True

    def _swap_model_if_offered(self) -> None:
        offered, self._next_generator = self._next_generator, None
        if offered is not None and offered.version != self.generator.version:
            log.info("model_swapped", old_version=self.generator.version, new_version=offered.version)
            self.generator = offered
            metrics.set_model_info(offered.version)

    def _poll(self) -> list:
        """Records to accept, waiting at most until the batch being filled is due."""
        left = self.config.max_wait_ms - (time.monotonic() - self.pending[0].received) * 1000 if self.pending else None
        return self._poll_records(self.config.poll_timeout_ms if left is None else max(0, min(self.config.poll_timeout_ms, int(left))))

    def _poll_records(self, timeout_ms: int) -> list:
        """One poll for at most what fits in the batch; after an assignment, the catch-up first (_on_assigned)."""
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=max(1, self.config.max_batch_size - len(self.pending)))
        if self._catch_up_due:
            self._catch_up_due = False
            self.reader.catch_up()
        return [record for records in batches.values() for record in records]

    # -- accept: one record -> dead letter, skips, or events waiting for a batch ------------

    def _accept(self, record) -> None:
        partition = TopicPartition(record.topic, record.partition)
        self.tracker.start(partition, record.offset)  # the record's own hold, released below
        try:
            self.stats.consumed += 1
            adapted = adapt_record(
                record.key, record.value, record.headers, self.config.format_of(record.topic), self.config.adapter, self.fetcher,
                record_timestamp_ms=record.timestamp,
            )
            if isinstance(adapted, Rejected):
                metrics.EVENTS_CONSUMED.labels(event_type="invalid").inc()
                self._dead_letter(record, adapted)
                return
            if not adapted:
                self._skip("ignored", topic=record.topic, partition=record.partition, offset=record.offset)
            for item in adapted:
                self._observe_edit(item)
                self._enqueue(record, item.event, with_reading(item.writeback, self.config.adapter))
        finally:
            self._release(partition, record.offset)

    def _observe_edit(self, item) -> None:
        """An editor's decision in a product update becomes a DescriptionApproved (approvals.py)."""
        approval = self.approvals.observe(item) if self.config.approvals_topic else None
        if approval is not None:
            self._send(self.config.approvals_topic, approval.product_id.encode(), approval.model_dump_json().encode(), approval.event_id)
            metrics.record_approval(approval.action, approval.model_version, approval.generated_text, approval.approved_text)
            log.info("approval_derived", action=approval.action, product_id=approval.product_id, draft_id=approval.causation_id)

    def _enqueue(self, record, event: ProductEvent, writeback: Writeback | None) -> None:
        metrics.EVENTS_CONSUMED.labels(event_type=event.event_type).inc()
        decision = route(event, self.state)
        if not decision.generate:
            self._skip(decision.reason, event_id=event.event_id, product_id=event.product_id)
            if self.config.publish_skips and decision.reason in PUBLISHED_SKIPS:
                skipped = description_skipped(event, decision.reason)
                self._send(self.config.output_topic, event.product_id.encode(), skipped.model_dump_json().encode(), skipped.event_id)
            return
        self.tracker.start(TopicPartition(record.topic, record.partition), record.offset)  # the event's hold
        self.pending.append(Pending(record, event, decision.input_hash, time.monotonic(), writeback))
        if self.in_flight is None:
            self.phase = Phase.BATCHING

    def _skip(self, reason: str, **fields) -> None:
        self.stats.skipped += 1
        self.stats.skipped_by_reason[reason] = self.stats.skipped_by_reason.get(reason, 0) + 1
        metrics.EVENTS_SKIPPED.labels(reason=reason).inc()
        log.info("event_skipped", reason=reason, **fields)

    def _release(self, partition: TopicPartition, offset: int) -> None:
        """The one place a hold ends: the offset may be committed once its last hold is gone."""
        self.tracker.finish(partition, offset)

    def _batch_due(self) -> bool:
        if not self.pending:
            return False
        waited_ms = (time.monotonic() - self.pending[0].received) * 1000
        return len(self.pending) >= self.config.max_batch_size or waited_ms >= self.config.max_wait_ms

    # -- generate and publish ---------------------------------------------------------------

    def _run_batch(self) -> None:
        batch, self.pending = self.pending, []
        self.in_flight = InFlight(batch, datetime.now(UTC), time.perf_counter(), self.generator)
        self.phase = Phase.GENERATING
        log.info("batch_started", size=len(batch), model_version=self.generator.version)
        in_flight = self.in_flight
        try:
            drafts = self._generate_while_polling(in_flight)
        except Exception as error:  # a broken batch must not take the service down
            log.exception("batch_failed", size=len(batch))
            self._fail_batch(in_flight, error)
            return
        self._publish_batch(in_flight, drafts)

    def _generate_while_polling(self, in_flight: InFlight) -> list[Draft]:
        """Generate on the model thread while this thread goes on polling and accepting records.

        Polling keeps this member in the group however slow the model. Each record is handled as it
        arrives (dead-lettered, skipped, or queued for the next batch); only when the next batch is
        full are the partitions paused. A rebalance inside one of these polls can assign partitions
        that are not paused: their records are accepted like any other, never dropped.
        """
        in_flight.future = MODEL_THREAD.submit(in_flight.generator.describe, [item.request(self.config.unsupported_locale) for item in in_flight.items])
        paused = False
        try:
            while not in_flight.future.done():
                self.health.beat()
                full = len(self.pending) >= self.config.max_batch_size
                if full != paused:
                    (self.consumer.pause if full else self.consumer.resume)(*self.consumer.assignment())
                    paused = full
                for record in self._poll_records(100):
                    self._accept(record)
                self.lag.report()
            return in_flight.future.result()
        finally:
            if paused:
                self.consumer.resume(*self.consumer.assignment())

    def _publish_batch(self, in_flight: InFlight, drafts: list[Draft]) -> None:
        """Publish every draft of the batch, except those of partitions revoked meanwhile."""
        if self.in_flight is not in_flight:
            return
        self.in_flight = None
        self.phase = Phase.PUBLISHING
        seconds = time.perf_counter() - in_flight.started
        self.stats.batches += 1
        metrics.GENERATION_LATENCY.observe(seconds)
        metrics.BATCH_SIZE.observe(len(in_flight.items))
        for item, draft in zip(in_flight.items, drafts):
            if item.partition not in in_flight.revoked:  # else handed over: its next owner generates it
                self._publish_draft(item, draft, in_flight, seconds)

    def _fail_batch(self, in_flight: InFlight, error: Exception) -> None:
        """Every event of a failed batch is dead-lettered with its original record, whole."""
        if self.in_flight is in_flight:
            self.in_flight = None
        for item in in_flight.items:
            if item.partition in in_flight.revoked:
                continue  # handed over to the partition's next owner
            self.state.forget_draft(state_key(item.event))
            self._dead_letter(item.record, Rejected("processing", f"generation failed: {error!r}"))
            self._release(item.partition, item.offset)

    def _publish_draft(self, item: Pending, draft: Draft, batch: InFlight, seconds: float) -> None:
        event = item.event
        output = description_generated(item, draft, batch, seconds)
        self._send(self.config.output_topic, event.product_id.encode(), output.model_dump_json().encode(), output.event_id, item)
        self.approvals.remember_draft(output.model_dump(mode="json"))
        self._release(item.partition, item.offset)
        metrics.record_draft(draft.status, draft.new_tokens, draft.failed_checks, (datetime.now(UTC) - event.occurred_at).total_seconds())
        if draft.status == "draft":
            self.stats.drafts += 1
        else:
            self.stats.needs_review += 1
        log.info("draft_published", event_id=event.event_id, product_id=event.product_id, output_id=output.event_id,
                 status=draft.status, attempts=draft.attempts, reasons=draft.reasons or None)

    def _dead_letter(self, record, rejected: Rejected) -> None:
        letter = dead_letter(record, rejected)
        self._send(self.config.dead_letter_topic, record.key, letter.model_dump_json().encode(), None)
        self.stats.dead_lettered += 1
        metrics.DEAD_LETTERS.labels(reason=rejected.error_type).inc()
        log.warning("dead_lettered", reason=rejected.error_type, error=rejected.message[:300],
                    topic=record.topic, partition=record.partition, offset=record.offset)

    def _send(self, topic: str, key: bytes | None, value: bytes, output_id: str | None, item: Pending | None = None) -> None:
        """Queue a record; its future is kept (with the event a draft answers) until the commit checks it."""
        headers = [("content-type", b"application/json")]
        if output_id:
            headers.append(("copydesk-output-id", output_id.encode()))
        self.sends.append((self.producer.send(topic, key=key, value=value, headers=headers), item))

    # -- commit ------------------------------------------------------------------------------

    def _checkpoint(self) -> None:
        """Flush the producer, then commit the consumed offsets - in that order.

        Committing first and crashing before the flush completed would mark inputs as done
        whose drafts never reached the broker: lost events. Flushing first means the worst
        case is a redelivery, which routing and deterministic output ids absorb. A send that
        failed for good stops the service before the commit, for the same reason.
        """
        offsets = self.tracker.committable()
        if offsets or self.sends:
            self.phase = Phase.COMMITTING
            self.producer.flush()
            for sent, _ in self.sends:
                if sent.failed():
                    raise RuntimeError(f"publishing failed, not committing: {sent.exception!r}")
            self.sends.clear()
            if offsets:
                self.consumer.commit(offsets)
                self.tracker.mark_committed(offsets)
        self.phase = Phase.BATCHING if self.pending else Phase.IDLE

    # -- rebalances and shutdown -----------------------------------------------------------

    def _on_revoked(self, revoked) -> None:
        """Hand the revoked partitions over, without blocking (this runs on kafka-python's IO thread).

        What is published is flushed and, unless a send failed, its offsets committed
        asynchronously; unfinished work of the revoked partitions (the batch in flight, the events
        waiting) is dropped uncommitted and forgotten by the routing state, as is a draft whose send
        failed. The next owner, maybe this member again, generates each once.
        """
        self.phase = Phase.REBALANCING
        self.health.assigned = False
        revoked = set(revoked)
        try:
            self.producer.flush()  # kafka-python's flush() does not raise for a record that failed: ask each future
            failed = [(sent, item) for sent, item in self.sends if sent.is_done and sent.failed()]
            done = {tp: meta for tp, meta in self.tracker.committable().items() if tp in revoked}
            if failed:  # a draft that did not reach the broker: its input is not done, the next owner redoes it
                log.error("publish_failed_on_revoke", error=repr(failed[0][0].exception), partitions=len(done))
                handed = [(sent, item) for sent, item in failed if item is not None and item.partition in revoked]
                for _, item in handed:  # if this member gets the partition back, it must not take them for done
                    self.state.forget_event(state_key(item.event), item.event.event_id)
                self.sends = [pair for pair in self.sends if pair not in handed]
            elif done:
                self.consumer.commit_async(done)
        except Exception:  # noqa: BLE001 - the next owner redelivers; routing recognises what has an outcome
            log.exception("commit_on_revoke_failed")
        handed_over = [item for item in self.pending if item.partition in revoked]
        self.pending = [item for item in self.pending if item.partition not in revoked]
        if self.in_flight is not None:
            self.in_flight.revoked |= revoked
            handed_over += [item for item in self.in_flight.items if item.partition in revoked]
        for item in handed_over:
            self.state.forget_event(state_key(item.event), item.event.event_id)
            # kafka-python keeps the fetch position of a partition this member gets back: rewind it there
            self._rewind[item.partition] = min(item.offset, self._rewind.get(item.partition, item.offset))
        if handed_over:
            log.info("rebalance_handed_over", events=len(handed_over))
        self.tracker.forget(revoked)

    def _on_assigned(self, assigned) -> None:
        for partition in set(assigned) & set(self._rewind):
            self.consumer.seek(partition, self._rewind[partition])  # read the handed-over records again
        self._rewind.clear()
        # Other members' drafts for these partitions are folded in by the poll loop before it routes
        # their records: here, on kafka-python's IO thread, a long read would get the member evicted.
        self._catch_up_due = True
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
            self.lag.close()
            metrics.READY.set(0)
