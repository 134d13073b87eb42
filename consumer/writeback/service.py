"""The writeback loop: each draft on the drafts topic, applied once, in order per product.

For every DescriptionGenerated record with a ``writeback``:

1. A draft whose ``event_id`` was already applied is skipped (a redelivery writes nothing).
2. The field is the review field, unless the platform is in ``--live-platforms`` *and* the
   draft's status is ``draft``: a ``needs_review`` text never reaches a live field.
3. The product is read again (platforms.py), right before the write:
   - its prompt inputs changed since the draft was made: ``skipped_changed_since`` (the change's
     own event is on its way through serve, which drafts it anew);
   - the field holds text that is neither empty nor what copydesk wrote there last (its
     fingerprint, ownership.py): a person wrote or edited it, ``skipped_human_text``, never
     overwritten;
   - commercetools, live: the staged description differs from the current one (someone's
     unpublished edit): ``skipped_staged_changes``.
   Then the write (consumer/adapters/writeback.py builds it from what was read: only this
   locale, the version and digests just read). A conflict (commercetools 409, Shopify
   STALE_OBJECT: changed between read and write) means read and check again, once; a second
   conflict is ``skipped_changed_since``. Never a blind retry that overwrites.
   Any other refusal is a dead letter with the platform's answer. Down, 5xx or 429 after the
   retries: the record is kept (seek back), nothing after it on that partition is applied out
   of order, and the loop pauses before trying again.
4. Offsets are committed only after the dead-letter producer is flushed and every send
   succeeded (Quix Streams' order): a draft is never marked done before its outcome is durable.
"""

from __future__ import annotations

import json
import time

from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from prometheus_client import Counter, Histogram

from consumer.ops.health import HealthState, serve_health
from consumer.ops.logs import get_logger
from consumer.service.lru import BoundedDict
from consumer.service.validate import Rejected, dead_letter
from consumer.adapters.common import AdapterConfig, FetchError, ProductNotFound
from consumer.adapters.writeback import change_for
from consumer.writeback.client import Gone, PlatformClient, PlatformUnavailable, Refused
from consumer.writeback.platforms import conflict, read_state
from consumer.writeback.settings import WritebackSettings

log = get_logger("copydesk.writeback")

PLATFORMS = ("shopify", "saleor", "akeneo", "commercetools", "adobe-commerce")
OUTCOMES = ("applied", "applied_live", "duplicate", "skipped_changed_since", "skipped_human_text", "skipped_staged_changes",
            "no_target", "not_a_draft", "dead_lettered")
WRITEBACKS = Counter("copydesk_writebacks_total", "Drafts handled by writeback, by platform and outcome.", ["platform", "outcome"])
WRITE_SECONDS = Histogram("copydesk_writeback_request_seconds", "Wall time of one platform write, retries included.", ["platform"],
                          buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))


class AppliedIds(BoundedDict):
    """The event ids written lately (bounded): a redelivered draft is recognised and skipped."""

    def add(self, event_id: str) -> None:
        self[event_id] = None


class WritebackService:
    def __init__(self, settings: WritebackSettings, client_config: dict, client: PlatformClient):
        self.settings = settings
        self.client = client
        self.client_config = client_config
        self.applied = AppliedIds()
        self.health = HealthState(loads_model=False)  # nothing to load: ready once partitions are assigned
        self.counts: dict[str, int] = {outcome: 0 for outcome in OUTCOMES}
        self.sends: list = []  # this poll's dead-letter futures: checked before the commit
        self._stop = False
        for platform in PLATFORMS:  # every series from 0: a rate or an alert never sees "no data" on a quiet day
            for outcome in OUTCOMES:
                WRITEBACKS.labels(platform, outcome)

    # -- one draft -----------------------------------------------------------------------

    def handle(self, draft: dict) -> str:
        """Apply one draft; returns its outcome. Raises PlatformUnavailable to keep it for later."""
        if draft.get("event_type", "description.generated") != "description.generated":
            return "not_a_draft"
        change = draft.get("writeback")
        if not change:
            return "no_target"
        platform = change["platform"]
        if draft["event_id"] in self.applied:
            return "duplicate"
        missing = self.client.missing(platform)
        if missing:
            raise _Refused(f"no {platform} API is configured to apply the draft: set {missing}")
        live = platform in self.settings.live() and draft["status"] == "draft" and "live" in change
        written = {"text": draft["description"], "status": draft["status"], "model_version": draft["model_version"],
                   "failed_checks": [c["name"] for c in draft.get("checks") or [] if not c.get("passed") and c.get("blocking", True)],
                   "event_id": draft["event_id"], "input_hash": draft["input_hash"], "locale": draft["locale"], "channel": draft["channel"],
                   "fields": {k: v for k, v in (draft.get("fields") or {}).items() if v}}
        target = {**(change.get("target") or {}), **self._seo_attributes(platform)}
        started = time.perf_counter()
        for _ in range(2):  # a conflict means the product moved between our read and our write: look again, once
            outcome, state = self._check(platform, target, draft, live)
            if outcome:
                return outcome
            answer = self.client.send(platform, change_for(platform, target, written, live, state))
            if conflict(platform, answer):
                continue
            WRITE_SECONDS.labels(platform).observe(time.perf_counter() - started)
            if not 200 <= answer.status < 300 or answer.graphql_errors:
                raise _Refused(f"{platform} refused the write: {answer.summary()}")
            self.applied.add(draft["event_id"])
            return "applied_live" if live else "applied"
        return "skipped_changed_since"

    def _seo_attributes(self, platform: str) -> dict:
        """Akeneo's SEO attribute codes (it has none of its own) and Adobe's if not meta_title/meta_description."""
        codes = self.settings.seo_attribute_codes()
        return {"seo_attributes": codes} if codes and platform in ("akeneo", "adobe-commerce") else {}

    def reading(self, target: dict) -> AdapterConfig:
        """How serve read the product (the draft carries it): its input_hash is comparable only so.
        Drafts from before that field: write-back's own product-reading settings, which must then match serve's."""
        return AdapterConfig.from_reading(target["reading"]) if isinstance(target.get("reading"), dict) else self.settings.adapter_config()

    def _check(self, platform: str, target: dict, draft: dict, live: bool):
        """(an outcome that stops the write, or None; the product as read)."""
        try:
            state = read_state(platform, self.client, target, draft, self.reading(target))
        except (Gone, ProductNotFound):
            return "skipped_changed_since", None  # deleted since the draft was made
        except Refused as error:
            raise _Refused(str(error)) from error
        except FetchError as error:
            raise PlatformUnavailable(f"re-reading the {platform} product: {error}") from error
        if self.settings.verify_input and state.inputs is not None and not state.inputs.matches(draft):
            return "skipped_changed_since", state
        if state.owner("live" if live else "review") == "person":
            log.info("person_text_kept", platform=platform, field="live" if live else "review", event_id=draft["event_id"])
            return "skipped_human_text", state
        if live and state.extra.get("staged_description_differs"):
            return "skipped_staged_changes", state
        return None, state

    # -- the loop ------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop = True

    def run(self) -> None:
        consumer = KafkaConsumer(
            self.settings.input_topic, **self.client_config, group_id=self.settings.group_id, enable_auto_commit=False,
            auto_offset_reset="earliest", session_timeout_ms=self.settings.session_timeout_ms,
            heartbeat_interval_ms=self.settings.heartbeat_interval_ms, max_poll_interval_ms=self.settings.max_poll_interval_ms,
        )
        producer = KafkaProducer(**self.client_config, acks="all", enable_idempotence=True)
        try:
            while not self._stop:
                self.health.beat()
                batch = consumer.poll(timeout_ms=500)
                self.health.assigned = bool(consumer.assignment())
                done: dict[TopicPartition, OffsetAndMetadata] = {}
                unavailable = None
                for partition, records in batch.items():
                    for record in records:
                        try:
                            outcome, platform = self._handle_record(record, producer)
                        except PlatformUnavailable as error:
                            consumer.seek(partition, record.offset)  # keep it and all after it, in order
                            unavailable = error
                            break
                        self._count(platform, outcome)
                        done[partition] = OffsetAndMetadata(record.offset + 1, "", -1)
                producer.flush()  # dead letters durable before their offsets are committed
                failed = [sent for sent in self.sends if sent.failed()]
                self.sends.clear()
                if failed:  # a dead letter that did not reach the broker: its record is redone, not committed
                    log.error("dead_letter_send_failed", error=repr(failed[0].exception), records=len(done))
                    for partition in done:
                        consumer.seek(partition, min(r.offset for r in batch[partition]))
                    done = {}
                if done:
                    consumer.commit(done)
                if unavailable is not None:
                    log.warning("platform_unavailable", reason=str(unavailable), pause_seconds=self.settings.unavailable_pause_seconds)
                    deadline = time.monotonic() + self.settings.unavailable_pause_seconds
                    while time.monotonic() < deadline and not self._stop:
                        self.health.beat()
                        time.sleep(0.1)
        finally:
            producer.flush()
            producer.close(timeout=10)
            consumer.close()

    def _handle_record(self, record, producer) -> tuple[str, str]:
        try:
            draft = json.loads(record.value)
            platform = ((draft.get("writeback") or {}).get("platform")) or "none"
        except (TypeError, ValueError, AttributeError):
            return self._dead_letter(record, producer, "not a JSON draft"), "none"
        try:
            outcome = self.handle(draft)
        except _Refused as error:
            outcome = self._dead_letter(record, producer, str(error))
        log.info("writeback", outcome=outcome, platform=platform, event_id=draft.get("event_id"), product_id=draft.get("product_id"),
                 status=draft.get("status"))
        return outcome, platform

    def _dead_letter(self, record, producer, reason: str) -> str:
        letter = dead_letter(record, Rejected("writeback", reason))
        self.sends.append(producer.send(self.settings.dead_letter_topic, key=record.key, value=letter.model_dump_json().encode()))
        log.warning("writeback_dead_lettered", reason=reason[:500], offset=record.offset)
        return "dead_lettered"

    def _count(self, platform: str, outcome: str) -> None:
        self.counts[outcome] += 1
        WRITEBACKS.labels(platform, outcome).inc()


class _Refused(Exception):
    """The platform (or our configuration) refuses this draft for good: dead-letter it with the reason."""


def run_writeback(settings: WritebackSettings) -> int:
    import signal

    fetcher = settings.fetcher()
    service = WritebackService(settings, settings.client_config(), PlatformClient(settings, fetcher))
    if settings.health_port:
        serve_health(service.health, settings.health_port)
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    signal.signal(signal.SIGINT, lambda *_: service.stop())
    configured = [p for p in PLATFORMS if not service.client.missing(p)]
    log.info("writeback_starting", topic=settings.input_topic, group=settings.group_id, platforms=configured, live=sorted(settings.live()))
    service.run()
    return 0
