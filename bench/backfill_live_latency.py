"""What the backfill's lag cap buys live events: their wait for a draft with and without it, in one run.

The embedded broker and the real consumer (EnrichmentService, the base model at 8 new tokens,
batches of 32, 3 partitions: a fast model, so the plumbing is what is measured); `copydesk
backfill` as a child process sends N catalog rows as a thin export (id, title, brand, category,
locale) at --rate; once it has read a third of them, live product events are sent one every few
seconds, and each one's wait (occurred_at to its draft) is recorded. The same, on fresh topics,
with --max-lag at one batch and with no cap (--max-lag 10^9). The backfill is stopped once the
live drafts are in.

    python bench/backfill_live_latency.py [--rows 600] [--rate 100] [--live 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import CATALOG, REPO, SAMPLE, emit, load_generator, stamp  # noqa: E402

UNCAPPED = 10**9


def thin_rows(count: int) -> list[dict]:
    rows: list[dict] = []
    sources = [CATALOG.parent / f"{name}.jsonl" for name in ("train", "valid")] if CATALOG.is_file() else [SAMPLE]
    for path in sources:
        with open(path, encoding="utf-8") as handle:
            rows += [{key: row.get(key) for key in ("id", "title", "brand", "category", "locale")} for row in map(json.loads, handle)]
    return [{**rows[i % len(rows)], "id": f"{rows[i % len(rows)]['id']}#{i}"} for i in range(count)]


def handled(path: Path) -> int:
    try:
        return json.loads(path.read_text())["handled"]
    except (FileNotFoundError, ValueError, KeyError):
        return 0


def live_event(number: int) -> dict:
    return {"schema_version": 3, "event_id": f"live-{uuid.uuid4().hex}", "event_type": "product.updated",
            "occurred_at": datetime.now(UTC).isoformat(), "source": "bench-pim", "product_id": f"live-{number}", "sequence": 1,
            "locale": "en_US", "channel": "ecommerce", "product": {"title": f"Walnut serving board {number}", "attributes": {}}}


def one_run(broker, generator, rows_file: Path, rows: int, rate: float, max_lag: int, live: int, batch: int) -> dict:
    from kafka import KafkaConsumer, KafkaProducer

    from consumer.kafka.broker import create_topics
    from consumer.service.loop import EnrichmentService, ServiceConfig

    suffix = uuid.uuid4().hex[:6]
    names = {"input_topic": f"bf-in-{suffix}", "output_topic": f"bf-out-{suffix}", "dead_letter_topic": f"bf-dlq-{suffix}"}
    create_topics(broker.client_config, {names["input_topic"]: 3, names["output_topic"]: 3, names["dead_letter_topic"]: 1})
    group = f"bf-{suffix}"
    service = EnrichmentService(ServiceConfig(**names, group_id=group, max_batch_size=batch, max_wait_ms=200,
                                              session_timeout_ms=6000, heartbeat_interval_ms=2000), broker.client_config, generator)
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    while not service.health.assigned:
        time.sleep(0.05)
    checkpoint = rows_file.parent / f"ck-{suffix}.json"
    backfill = subprocess.Popen(
        [sys.executable, "-m", "consumer.cli", "backfill", str(rows_file), "--topic", names["input_topic"], "--group-id", group,
         "--bootstrap-servers", broker.bootstrap_servers, "--rate", str(rate), "--max-lag", str(max_lag), "--lag-check-seconds", "0.2",
         "--checkpoint", str(checkpoint), "--no-progress", "--log-level", "warning"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    producer = KafkaProducer(**broker.client_config, acks="all")
    sent: dict[str, float] = {}
    started = time.monotonic()
    while handled(checkpoint) < rows // 3 and backfill.poll() is None and time.monotonic() - started < 600:
        time.sleep(0.1)
    for number in range(live):
        event = live_event(number)
        producer.send(names["input_topic"], key=event["product_id"].encode(), value=json.dumps(event).encode()).get(timeout=30)
        sent[event["product_id"]] = handled(checkpoint)
        time.sleep(4)
    reader = KafkaConsumer(**broker.client_config, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False)
    reader.subscribe([names["output_topic"]])
    waits: dict[str, float] = {}
    batches: dict[tuple, float] = {}
    while len(waits) < live and time.monotonic() - started < 1800:
        for records in reader.poll(timeout_ms=500).values():
            for record in records:
                draft = json.loads(record.value)
                timings = draft.get("timings") or {}
                if timings:
                    batches[(round(timings["generation_seconds"], 6), timings["batch_size"])] = timings["generation_seconds"]
                if draft["product_id"] in sent and draft.get("event_type") == "description.generated":
                    waits[draft["product_id"]] = round(timings["queue_seconds"] + timings["generation_seconds"], 2)
    backfill.send_signal(signal.SIGTERM)
    backfill.wait(timeout=60)
    service.stop()
    thread.join(timeout=120)
    reader.close()
    producer.close()
    seconds = sorted(batches.values())
    return {"max_lag": None if max_lag == UNCAPPED else max_lag, "live_wait_s": [waits.get(pid) for pid in sent],
            "backfill_rows_read_when_sent": list(sent.values()), "batch_seconds_median": round(statistics.median(seconds), 2) if seconds else None,
            "batch_seconds_max": round(seconds[-1], 2) if seconds else None, "rows_read_at_end": handled(checkpoint)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--live", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from consumer.kafka.broker import EmbeddedBroker

    generator = load_generator("base", max_new_tokens=8)
    runs = []
    with tempfile.TemporaryDirectory() as work, EmbeddedBroker() as broker:
        rows_file = Path(work) / "catalog.jsonl"
        rows_file.write_text("".join(json.dumps(row) + "\n" for row in thin_rows(args.rows)), encoding="utf-8")
        for max_lag in (args.batch, UNCAPPED):
            runs.append(one_run(broker, generator, rows_file, args.rows, args.rate, max_lag, args.live, args.batch))
            print(json.dumps(runs[-1]), file=sys.stderr)
    command = "python bench/backfill_live_latency.py " + " ".join(sys.argv[1:])
    return emit(stamp("backfill_live_latency", command, {"rows": args.rows, "rate": args.rate, "batch": args.batch, "runs": runs}), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
