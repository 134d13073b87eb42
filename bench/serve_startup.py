"""`copydesk serve` itself, per engine: seconds from the command to /readyz, and peak RSS through a batch.

For each engine (alternating, `--rounds` times): start the embedded broker once, spawn
`copydesk serve --engine E` as a user would, poll /readyz until it answers 200 (the seconds
reported: process start, imports, model load, Kafka join), then publish `--products` distinct
catalog products and sample the process's RSS every 50 ms until every draft is on the output
topic (peak RSS of the serving process, model and batch included), then SIGTERM it.

    python bench/serve_startup.py --json   # 2 rounds, 32 products (~4 min on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, product_rows, stamp  # noqa: E402

ENGINES = ("generate", "cached")


def ready_after(port: int, process, limit: float = 300.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            raise SystemExit(f"serve exited with {process.returncode} before it was ready")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status == 200:
                return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.05)
    raise SystemExit(f"serve was not ready within {limit:.0f} s")


def one_run(engine: str, broker, rows: list[dict], group: str) -> dict:
    import psutil
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    from consumer.catalog import event_from_row
    from consumer.kafka.broker import free_port
    from schemas import topics

    port = free_port()
    launched = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "consumer.cli", "serve", "--engine", engine, "--health-port", str(port),
                                "--bootstrap-servers", broker.bootstrap_servers, "--group-id", group, "--log-level", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = ready_after(port, process)
        watched = psutil.Process(process.pid)
        rss_at_ready = watched.memory_info().rss
        reader = KafkaConsumer(**broker.client_config, group_id=None, enable_auto_commit=False, consumer_timeout_ms=100)
        partitions = [TopicPartition(topics.DESCRIPTIONS, p) for p in reader.partitions_for_topic(topics.DESCRIPTIONS)]
        reader.assign(partitions)
        reader.seek_to_end(*partitions)
        for p in partitions:
            reader.position(p)
        events = [event_from_row(row, source=f"bench-{group}") for row in rows]
        ids = {event["event_id"] for event in events}
        producer = KafkaProducer(**broker.client_config, acks="all")
        sent = time.perf_counter()
        for event in events:
            producer.send(topics.PRODUCT_EVENTS, key=event["product_id"].encode(), value=json.dumps(event).encode())
        producer.flush()
        producer.close()
        peak, seen, deadline = rss_at_ready, set(), time.perf_counter() + 600
        while seen != ids and time.perf_counter() < deadline:
            peak = max(peak, watched.memory_info().rss)
            for batch in reader.poll(timeout_ms=50).values():
                for record in batch:
                    seen.add(json.loads(record.value).get("causation_id"))
            seen &= ids
        drafted = time.perf_counter() - sent
        reader.close()
        return {"engine": engine, "seconds_to_ready": ready, "rss_at_ready_mb": rss_at_ready / 2**20, "peak_rss_mb": peak / 2**20,
                "products": len(rows), "drafted": len(seen), "seconds_to_all_drafts": drafted, "wall": time.perf_counter() - launched}
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--products", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from consumer.kafka.broker import EmbeddedBroker

    rows, source = product_rows(args.products * len(ENGINES) * args.rounds)
    runs = []
    with EmbeddedBroker() as broker:
        for round_ in range(args.rounds):
            for index, engine in enumerate(ENGINES if round_ % 2 == 0 else ENGINES[::-1]):
                start = (round_ * len(ENGINES) + index) * args.products
                run = one_run(engine, broker, rows[start:start + args.products], f"bench-{round_}-{engine}")
                runs.append(run)
                print(f"round {round_ + 1} {engine}: ready in {run['seconds_to_ready']:.1f} s, RSS at ready {run['rss_at_ready_mb']:.0f} MB, "
                      f"peak {run['peak_rss_mb']:.0f} MB, {run['drafted']}/{run['products']} drafts in {run['seconds_to_all_drafts']:.1f} s",
                      flush=True)
    print("\n| engine | `copydesk serve` to /readyz (s) | RSS at ready (MB) | peak RSS through the batch (MB) | all drafts (s) |\n|---|---|---|---|---|")
    summary = {}
    for engine in ENGINES:
        mine = [run for run in runs if run["engine"] == engine]
        summary[engine] = {key: statistics.median(run[key] for run in mine)
                           for key in ("seconds_to_ready", "rss_at_ready_mb", "peak_rss_mb", "seconds_to_all_drafts")}
        s = summary[engine]
        print(f"| {engine} | {s['seconds_to_ready']:.1f} | {s['rss_at_ready_mb']:.0f} | {s['peak_rss_mb']:.0f} | {s['seconds_to_all_drafts']:.1f} |")
    emit(stamp("serve_startup", "python bench/serve_startup.py " + " ".join(sys.argv[1:]),
               {"source": source, "summary": summary, "runs": runs}), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
