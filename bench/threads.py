"""Where the pipeline loses generation speed: the same batch on the main thread, in a worker
thread, and in a worker while the main thread polls a paused Kafka consumer as the service does.

Conditions run interleaved (A B C D, A B C D, ...) so the VM's drift hits each alike; the
report gives each condition's median wall time and process CPU time, and the main thread's own
CPU time (what the poll loop costs).

    python bench/threads.py [--rounds 4] [--batch-size 8] [--max-new-tokens 48] [--json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, product_rows, stamp  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--model", default="default")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import uuid

    from kafka import KafkaConsumer

    from consumer.broker import EmbeddedBroker, create_topics
    from consumer.generator import Generator, Request
    from consumer.models import resolve_model
    from consumer.settings import default_cache_dir
    from schemas.catalog import product_from_row

    rows, source = product_rows(args.batch_size)
    requests = [Request(product_from_row(row).model_copy(update={"max_chars": 300})) for row in rows]
    base_dir, adapter_dir = resolve_model(args.model, default_cache_dir())
    generator = Generator.load(base_dir, adapter_dir, max_new_tokens=args.max_new_tokens)
    executor = ThreadPoolExecutor(max_workers=1)
    generator.write(requests[:2])  # warm-up, both threads
    executor.submit(generator.write, requests[:2]).result()

    with EmbeddedBroker() as broker:
        topic = f"bench-threads-{uuid.uuid4().hex[:6]}"
        create_topics(broker.client_config, {topic: 1})
        consumer = KafkaConsumer(**broker.client_config, group_id=f"g-{topic}", session_timeout_ms=6000, heartbeat_interval_ms=2000)
        consumer.subscribe([topic])
        while not consumer.assignment():
            consumer.poll(timeout_ms=200)
        consumer.pause(*consumer.assignment())

        def worker_polling(every_ms: int):
            def run():
                future = executor.submit(generator.write, requests)
                while not future.done():
                    consumer.poll(timeout_ms=every_ms)
                return future.result()
            return run

        def main_generates_helper_polls():
            import threading

            stop = threading.Event()

            def keep_polling():
                while not stop.is_set():
                    consumer.poll(timeout_ms=100)

            helper = threading.Thread(target=keep_polling, daemon=True)
            helper.start()
            try:
                return generator.write(requests)
            finally:
                stop.set()
                helper.join()

        import torch

        threads = torch.get_num_threads()
        pinned = ThreadPoolExecutor(max_workers=1, initializer=lambda: torch.set_num_threads(threads))
        pinned.submit(generator.write, requests[:2]).result()
        worker_threads = executor.submit(torch.get_num_threads).result()

        conditions = {
            "A main thread": lambda: generator.write(requests),
            "B worker, main waits": lambda: executor.submit(generator.write, requests).result(),
            "C worker, main polls every 100 ms (as the service)": worker_polling(100),
            "D worker, main polls every 1000 ms": worker_polling(1000),
            "E worker with torch.set_num_threads, main waits": lambda: pinned.submit(generator.write, requests).result(),
            "F main thread, a helper thread polls every 100 ms": main_generates_helper_polls,
        }
        samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in conditions}
        for round_ in range(args.rounds):
            for name, run in conditions.items():
                wall, cpu, main_cpu = time.perf_counter(), time.process_time(), time.thread_time()
                run()
                samples[name].append((time.perf_counter() - wall, time.process_time() - cpu, time.thread_time() - main_cpu))
                print(f"round {round_ + 1} {name}: {samples[name][-1][0]:.1f} s", file=sys.stderr, flush=True)
        consumer.close()

    baseline = statistics.median(s[0] for s in samples["A main thread"])
    results = {}
    for name, values in samples.items():
        wall = statistics.median(v[0] for v in values)
        results[name] = {"wall_s_median": round(wall, 2), "wall_s_all": [round(v[0], 2) for v in values],
                         "process_cpu_s_median": round(statistics.median(v[1] for v in values), 2),
                         "main_thread_cpu_s_median": round(statistics.median(v[2] for v in values), 3),
                         "x_main_thread": round(wall / baseline, 3)}
    record = stamp("threads", " ".join(sys.argv), {"source": source, "batch_size": args.batch_size,
                                                    "max_new_tokens": args.max_new_tokens, "rounds": args.rounds,
                                                    "torch_threads_main": threads, "torch_threads_worker": worker_threads, "results": results})
    emit(record, args.json)
    if not args.json:
        for name, result in results.items():
            print(f"{name:<52} {result['wall_s_median']:>7.2f} s  x{result['x_main_thread']:.3f}  "
                  f"cpu {result['process_cpu_s_median']:.1f} s  main-thread cpu {result['main_thread_cpu_s_median']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
