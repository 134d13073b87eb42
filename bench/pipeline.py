"""The whole pipeline through the embedded broker vs the generator alone, in one run.

Three measurements on the same products, same model, same batch size:
(1) saturated: N events produced as fast as possible; descriptions/s from the first send to
    the last draft, and end-to-end latency (event `occurred_at` -> draft received). The service
    runs on the main thread as `copydesk serve` does; the producer and the drafts reader run in
    a separate process, as the PIM does, so the consumer process holds only the consumer;
(2) below saturation: the same count offered at a fixed share of (1)'s rate; latency p50/p95/p99,
    compared with one batch's generation time;
(3) the generator alone, writing the same products in batches of the same size, before and
    after (1)-(2); the pipeline is compared with the mean of the two (the VM drifts).
Prints the pipeline's share of the generator's throughput.

    python bench/pipeline.py [--events 64] [--batch-size 16] [--max-new-tokens 64] [--json]
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, load_generator, product_rows, stamp  # noqa: E402
from consumer.ops.metrics import percentile  # noqa: E402


def drive(client_config: dict, topics: dict, events: list[dict], rate_per_s: float | None, tag: str, go, results) -> None:
    """The PIM and the drafts reader, in their own process (as in production, not the consumer's).

    Waits for `go` (the service holds its partition), produces every event (at a rate or all at
    once), reads drafts until each event has one, and puts the measurements on `results`.
    """
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    reader = KafkaConsumer(**client_config, group_id=None, enable_auto_commit=False)
    partition = TopicPartition(topics["output_topic"], 0)
    reader.assign([partition])
    reader.seek_to_beginning(partition)
    producer = KafkaProducer(**client_config, acks="all", linger_ms=5)
    occurred: dict[str, datetime] = {}
    latencies, generation = [], {}
    go.wait()
    started = last = time.perf_counter()

    def produce():
        for index, event in enumerate(events):
            if rate_per_s:
                delay = started + index / rate_per_s - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            stamped = {**event, "event_id": f"{event['event_id']}-{tag}", "occurred_at": datetime.now(UTC).isoformat()}
            occurred[stamped["event_id"]] = datetime.fromisoformat(stamped["occurred_at"])
            producer.send(topics["input_topic"], key=stamped["product_id"].encode(), value=json.dumps(stamped).encode())
        producer.flush()

    threading.Thread(target=produce, daemon=True).start()
    while len(latencies) < len(events) and time.perf_counter() - started < 3600:
        for records in reader.poll(timeout_ms=200).values():
            for record in records:
                draft = json.loads(record.value)
                latencies.append((datetime.now(UTC) - occurred[draft["causation_id"]]).total_seconds())
                # drafts of one batch share its generation time: key by (time, size) to count each batch once
                timings = draft["timings"]
                generation[(round(timings["generation_seconds"], 6), timings["batch_size"])] = timings["generation_seconds"]
                last = time.perf_counter()
    reader.close()
    producer.close()
    results.put({"latencies": latencies, "seconds": last - started, "generation_seconds": sum(generation.values())})


def run_stream(broker, generator, events: list[dict], batch_size: int, rate_per_s: float | None, tag: str) -> dict:
    """Fresh topics and group; the service on the main thread, the PIM side in another process."""
    import multiprocessing
    import uuid

    from consumer.kafka.broker import create_topics
    from consumer.service.loop import EnrichmentService, ServiceConfig

    suffix = f"{tag}-{uuid.uuid4().hex[:6]}"
    topics = {"input_topic": f"bench-in-{suffix}", "output_topic": f"bench-out-{suffix}", "dead_letter_topic": f"bench-dlq-{suffix}"}
    create_topics(broker.client_config, {name: 1 for name in topics.values()})
    config = ServiceConfig(**topics, group_id=f"bench-{suffix}", max_batch_size=batch_size, max_wait_ms=200,
                           session_timeout_ms=6000, heartbeat_interval_ms=2000)
    service = EnrichmentService(config, broker.client_config, generator)
    context = multiprocessing.get_context("spawn")  # no fork of a process that holds torch and threads
    go, results = context.Event(), context.Queue()
    pim = context.Process(target=drive, args=(broker.client_config, topics, events, rate_per_s, tag, go, results), daemon=True)
    pim.start()
    outcome: dict = {}

    def conduct():
        while not service.health.assigned:  # measure serving, not the group join
            time.sleep(0.05)
        go.set()
        while not outcome and (pim.is_alive() or not results.empty()):  # a dead PIM process must not hang the run
            try:
                outcome.update(results.get(timeout=1))
            except queue.Empty:
                pass
        service.stop()

    conductor = threading.Thread(target=conduct, daemon=True)
    conductor.start()
    service.run()  # on the main thread, as `copydesk serve` runs it
    conductor.join(timeout=120)
    pim.join(timeout=60)
    if not outcome:
        raise SystemExit(f"the producer/reader process ended without a result (exit code {pim.exitcode}); its traceback is above")
    latencies, seconds = outcome["latencies"], outcome["seconds"]
    return {"events": len(events), "drafts": len(latencies), "seconds": round(seconds, 2), "descriptions_per_s": len(latencies) / seconds,
            "offered_per_s": rate_per_s, "latency_p50_s": percentile(latencies, 0.5), "latency_p95_s": percentile(latencies, 0.95),
            "latency_p99_s": percentile(latencies, 0.99), "batches": service.stats.batches,
            "generation_seconds": round(outcome["generation_seconds"], 2),
            "outside_generation_seconds": round(seconds - outcome["generation_seconds"], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=64, help="Cap per description (keeps a CPU run to minutes).")
    parser.add_argument("--offered-share", type=float, default=0.5, help="Below-saturation rate as a share of the saturated one.")
    parser.add_argument("--model", default="default")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from consumer.kafka.broker import EmbeddedBroker
    from consumer.generation.generator import Request
    from consumer.catalog import event_from_row, product_from_row

    rows, source = product_rows(args.events)
    events = [event_from_row({**row, "id": f"{row['id']}-{i}"}, source="bench") for i, row in enumerate(rows)]
    generator = load_generator(args.model, max_new_tokens=args.max_new_tokens)
    products = [product_from_row(row) for row in rows]
    generator.describe([Request(products[0])])  # warm-up

    def generator_alone() -> dict:
        started = time.perf_counter()
        batch_seconds = []
        for start in range(0, len(products), args.batch_size):
            t0 = time.perf_counter()
            generator.describe([Request(p) for p in products[start : start + args.batch_size]])
            batch_seconds.append(time.perf_counter() - t0)
        return {"descriptions_per_s": len(products) / (time.perf_counter() - started), "batch_seconds_mean": statistics.fmean(batch_seconds)}

    # The VM drifts by tens of percent within minutes: measure the generator alone before and
    # after the pipeline and compare the pipeline with the mean of the two.
    before = generator_alone()
    print(f"generator alone (before), batch {args.batch_size}: {before['descriptions_per_s']:.3f} desc/s, one batch {before['batch_seconds_mean']:.1f} s")

    with EmbeddedBroker() as broker:
        saturated = run_stream(broker, generator, events, args.batch_size, None, "saturated")
        print(f"pipeline saturated: {saturated['descriptions_per_s']:.3f} desc/s, p50 {saturated['latency_p50_s']:.1f} s "
              f"p95 {saturated['latency_p95_s']:.1f} s p99 {saturated['latency_p99_s']:.1f} s; {saturated['batches']} batches, "
              f"generation {saturated['generation_seconds']} s of {saturated['seconds']} s")
        rate = saturated["descriptions_per_s"] * args.offered_share
        below = run_stream(broker, generator, events, args.batch_size, rate, "offered")
        print(f"pipeline at {rate:.3f} events/s offered: p50 {below['latency_p50_s']:.1f} s p95 {below['latency_p95_s']:.1f} s "
              f"p99 {below['latency_p99_s']:.1f} s")

    after = generator_alone()
    print(f"generator alone (after), batch {args.batch_size}: {after['descriptions_per_s']:.3f} desc/s, one batch {after['batch_seconds_mean']:.1f} s")
    alone = {key: (before[key] + after[key]) / 2 for key in before} | {"before": before, "after": after}
    share = saturated["descriptions_per_s"] / alone["descriptions_per_s"]
    p95_ratio = below["latency_p95_s"] / alone["batch_seconds_mean"]
    print(f"\npipeline / generator alone: {share:.1%} (target >= 90%)")
    print(f"p95 end-to-end below saturation / one batch's generation: {p95_ratio:.2f}x (target <= 2x)")
    command = "python bench/pipeline.py " + " ".join(sys.argv[1:])
    emit(stamp("pipeline", command, {"source": source, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
                                     "generator_alone": alone, "saturated": saturated, "below_saturation": below,
                                     "pipeline_share": share, "p95_over_batch_time": p95_ratio}), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
