"""`copydesk demo`: the whole serving path on the embedded default, with nothing to configure.

Starts the embedded broker, prepares and loads the model, runs the real consumer (the same
EnrichmentService that `copydesk serve` runs) in a thread, publishes product events as a PIM
would, and prints each draft as it arrives. The built-in sample also carries one malformed
record, one locked description and one duplicate, so the summary shows every path.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from tqdm import tqdm

from consumer.kafka.broker import EmbeddedBroker
from consumer.ops.health import HealthState, serve_health
from consumer.ops.metrics import percentile
from consumer.service.serve import load_generator
from consumer.demo.embedded import embedded_service_config
from consumer.service.loop import EnrichmentService
from consumer.ops.settings import DemoSettings
from schemas import topics
from consumer.catalog import event_from_row, read_rows

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_products.jsonl"
TIMEOUT_SECONDS = 1800


def build_records(settings: DemoSettings) -> list[tuple[bytes | None, bytes]]:
    """(key, value) pairs to publish: one event per product, plus the edge cases."""
    rows = read_rows(settings.catalog or SAMPLE, settings.products)
    events = [event_from_row(row, source="copydesk-demo") for row in rows]
    records = [(event["product_id"].encode(), json.dumps(event).encode()) for event in events]
    if settings.edge_cases and events:
        locked = json.loads(json.dumps(events[0]))
        locked.update(event_id=str(uuid.uuid4()), product_id=f"{locked['product_id']}-locked", sequence=1)
        locked["product"].update(description="Written by our copy team.", description_origin="human", description_locked=True)
        records.append((locked["product_id"].encode(), json.dumps(locked).encode()))
        records.append(records[0])  # the same event delivered twice, as at-least-once producers do
        records.append((b"demo-broken", b'{"event_id": "broken", "product": '))  # truncated JSON
    return records


def occurred_times(records: list[tuple[bytes | None, bytes]]) -> dict[str, datetime]:
    """event_id -> occurred_at of every well-formed record, for end-to-end latency."""
    times = {}
    for _, value in records:
        try:
            event = json.loads(value)
            times[event["event_id"]] = datetime.fromisoformat(event["occurred_at"])
        except (ValueError, KeyError):
            continue
    return times


def run_demo(settings: DemoSettings) -> int:
    wall_started = time.perf_counter()
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    with EmbeddedBroker() as broker:
        print(f"broker: Tansu on {broker.bootstrap_servers}")
        generator = load_generator(settings)
        print(f"model: {generator.version} on {generator.device}")
        client = broker.client_config
        health = HealthState()
        health_server = serve_health(health, settings.metrics_port, host="127.0.0.1") if settings.metrics_port else None
        if health_server:
            print(f"metrics: http://127.0.0.1:{settings.metrics_port}/metrics")
        service = EnrichmentService(embedded_service_config(settings), client, generator, health)
        worker = threading.Thread(target=service.run, name="consumer", daemon=True)
        worker.start()

        outputs = KafkaConsumer(**client, group_id=None, enable_auto_commit=False)
        partitions = [
            TopicPartition(topic, p) for topic in (topics.DESCRIPTIONS, topics.DEAD_LETTER) for p in outputs.partitions_for_topic(topic)
        ]
        outputs.assign(partitions)
        outputs.seek_to_beginning(*partitions)

        records = build_records(settings)
        occurred_at = occurred_times(records)
        producer = KafkaProducer(**client, acks="all", enable_idempotence=True)
        produced_at = time.perf_counter()
        for key, value in records:
            producer.send(topics.PRODUCT_EVENTS, key=key, value=value)
        producer.flush()
        producer.close()
        print(f"published {len(records)} records to {topics.PRODUCT_EVENTS}")

        received: list[dict] = []
        latencies: list[float] = []
        last_draft_at = produced_at
        deadline = time.monotonic() + TIMEOUT_SECONDS
        watch = BatchWatch()
        with open(settings.output, "w", encoding="utf-8") as sink, tqdm(
            total=len(records), unit="event", mininterval=0.5, bar_format="enriching: {n}/{total} events |{bar:20}| {desc}"
        ) as bar:
            while time.monotonic() < deadline:
                bar.set_description_str(watch.state(service.in_flight))  # the state as written (a postfix gets ", " before it)
                for batch in outputs.poll(timeout_ms=300).values():
                    for record in batch:
                        document = json.loads(record.value)
                        document["_topic"] = record.topic
                        received.append(document)
                        sink.write(json.dumps(document) + "\n")
                        if document.get("event_type") == "description.skipped":
                            bar.write(f"\n[skipped] {document['product_id']}: {document['reason']}")
                        elif record.topic == topics.DESCRIPTIONS:
                            last_draft_at = time.perf_counter()
                            occurred = occurred_at[document["causation_id"]]
                            latencies.append((datetime.now(UTC) - occurred).total_seconds())
                            mark = "✓" if document["status"] == "draft" else "⚠ needs_review"
                            bar.write(f"\n[{mark}] {document['product_id']}: {document['description']}")
                        else:
                            bar.write(f"\n[dead letter] {document['error_type']}: {document['error_message'][:120]}")
                if bar.n != service.stats.accounted:
                    bar.update(service.stats.accounted - bar.n)
                drafts_seen = sum(1 for d in received if d.get("event_type") == "description.generated")
                letters_seen = sum(1 for d in received if d["_topic"] == topics.DEAD_LETTER)
                stats = service.stats
                if stats.accounted >= len(records) and drafts_seen >= stats.drafts + stats.needs_review and letters_seen >= stats.dead_lettered:
                    break
        outputs.close()
        keep_drafts(settings, client, service, received)
        shown = sum(1 for d in received if d.get("event_type") == "description.skipped")
        summary = summarise(settings, service, records, latencies, last_draft_at - produced_at, generator.version, wall_started, shown)
        if settings.linger_seconds:
            linger(settings.linger_seconds)
        service.stop()
        worker.join(timeout=120)
        if health_server:
            health_server.shutdown()
    return 0 if summary["records"] <= service.stats.accounted else 1


class BatchWatch:
    """What the demo's progress line says while a batch generates: its size, the seconds so far and
    the measured time of the last batch. A per-event rate said "1.09s/event" and then stood still
    for a minute while a whole batch was written at once."""

    def __init__(self):
        self.current = None
        self.last: tuple[int, float] | None = None  # (products, seconds) of the batch before

    def state(self, flight) -> str:
        if flight is not self.current:
            if self.current is not None:
                self.last = (len(self.current.items), time.perf_counter() - self.current.started)
            self.current = flight
        if flight is None:
            return "waiting for events"
        said = f"generating {len(flight.items)} products, {time.perf_counter() - flight.started:.0f} s elapsed"
        if self.last:
            said += f" (the last batch: {self.last[0]} in {self.last[1]:.0f} s)"
        return said


def keep_drafts(settings: DemoSettings, client: dict, service, received: list[dict]) -> None:
    """--editor-keeps N: an editor pastes each of the first N drafts into the PIM's description and
    saves; serve sees the product updates and derives an approved_unchanged approval for each."""
    drafts = [d for d in received if d.get("event_type") == "description.generated"][: settings.editor_keeps]
    if not drafts:
        return
    rows = {str(row["id"]): row for row in read_rows(settings.catalog or SAMPLE, settings.products)}
    producer = KafkaProducer(**client, acks="all", enable_idempotence=True)
    accounted = service.stats.accounted
    for draft in drafts:
        event = event_from_row({**rows[draft["product_id"]], "channel": draft["channel"]}, sequence=2, event_type="product.updated",
                               source="copydesk-demo", description=draft["description"], description_origin="human")
        producer.send(topics.PRODUCT_EVENTS, key=draft["product_id"].encode(), value=json.dumps(event).encode())
    producer.flush()
    producer.close()
    deadline = time.monotonic() + 120
    while service.stats.accounted < accounted + len(drafts) and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"an editor kept {len(drafts)} draft(s) in the PIM: serve derived the approvals from the product updates")


def linger(seconds: float) -> None:
    """Keep the broker, the consumer and /metrics up (for a scraper) until time or a signal."""
    done = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: done.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
    print(f"lingering {seconds:g}s with the consumer and /metrics up (SIGTERM or Ctrl-C to stop)", flush=True)
    done.wait(seconds)
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def skipped_line(by_reason: dict[str, int], shown: int) -> str:
    """'2 skipped (duplicate 1, unchanged 1; 1 shown above, the other publishes no record)': the count
    matches the [skipped] lines a reader can see (some reasons, such as duplicate, publish nothing)."""
    total = sum(by_reason.values())
    if not total:
        return "0 skipped"
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(by_reason.items()))
    unseen = total - shown
    rest = "" if not unseen else f"; {shown} shown above, {'the other publishes' if unseen == 1 else f'the other {unseen} publish'} no record"
    return f"{total} skipped ({reasons}{rest})"


def summarise(settings, service, records, latencies, span_seconds, model_version, wall_started, shown_skips: int = 0) -> dict:
    stats = service.stats
    generated = stats.drafts + stats.needs_review
    span = max(span_seconds, 1e-9)
    summary = {
        "records": len(records),
        "drafts": stats.drafts,
        "needs_review": stats.needs_review,
        "skipped": stats.skipped,
        "skipped_by_reason": dict(stats.skipped_by_reason),
        "dead_lettered": stats.dead_lettered,
        "latency_p50_seconds": round(percentile(latencies, 0.5), 2),
        "latency_p95_seconds": round(percentile(latencies, 0.95), 2),
        "descriptions_per_second": round(generated / span, 3),
        "model_version": model_version,
        "wall_seconds": round(time.perf_counter() - wall_started, 1),
        "output": str(settings.output),
    }
    print(
        f"\nsummary: {stats.drafts} drafts, {stats.needs_review} needs_review, {skipped_line(stats.skipped_by_reason, shown_skips)}, "
        f"{stats.dead_lettered} dead-lettered | end-to-end p50 {summary['latency_p50_seconds']}s "
        f"p95 {summary['latency_p95_seconds']}s | {summary['descriptions_per_second']} descriptions/s"
    )
    print(json.dumps(summary), flush=True)
    return summary
