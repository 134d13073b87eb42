"""Why all torch work runs on one thread: the same batch with one OpenMP team and with two.

On CPU, each thread that runs a parallel torch op gets its own libgomp team, kept until the
thread exits. This runs one batch on the model thread (1) while it is the only thread that ever
ran torch, and (2) while another thread that once ran one matrix product sits idle - which is
what a service that loaded the model on the main thread and generated on a worker had. The
conditions alternate round by round so the VM's drift hits both alike; the report gives the
median wall time and the model thread's voluntary context switches (its OpenMP waits that ended
in a futex sleep instead of a spin).

    python bench/threads.py [--rounds 3] [--batch-size 8] [--max-new-tokens 32] [--json]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, load_generator, product_rows, stamp  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--model", default="default")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import torch

    from consumer.generation.generator import Request
    from consumer.generation.model_thread import MODEL_THREAD
    from consumer.catalog import product_from_row

    rows, source = product_rows(args.batch_size)
    requests = [Request(product_from_row(row)) for row in rows]
    generator = load_generator(args.model, max_new_tokens=args.max_new_tokens)  # on the model thread
    generator.describe(requests[:2])  # warm-up

    def timed_batch() -> tuple[float, int]:
        """Runs on the model thread: wall seconds and that thread's voluntary context switches."""
        before, started = resource.getrusage(resource.RUSAGE_THREAD), time.perf_counter()
        generator.describe(requests)
        return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw - before.ru_nvcsw

    def with_second_team() -> tuple[float, int]:
        release = threading.Event()

        def other_thread():
            x = torch.randn(512, 512)
            (x @ x).sum()  # one parallel region: this thread now owns an OpenMP team
            release.wait()

        holder = threading.Thread(target=other_thread)
        holder.start()
        time.sleep(0.5)
        try:
            return MODEL_THREAD.run(timed_batch)
        finally:
            release.set()
            holder.join()  # the team goes with the thread
            time.sleep(0.5)

    conditions = {"one OpenMP team (all torch on the model thread)": lambda: MODEL_THREAD.run(timed_batch),
                  "two teams (another thread once ran torch, now idle)": with_second_team}
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in conditions}
    for round_ in range(args.rounds):
        for name, run in conditions.items():
            samples[name].append(run())
            print(f"round {round_ + 1} {name}: {samples[name][-1][0]:.1f} s, {samples[name][-1][1]} switches", file=sys.stderr, flush=True)

    results = {name: {"wall_s_median": round(statistics.median(s[0] for s in values), 2), "wall_s_all": [round(s[0], 2) for s in values],
                      "voluntary_switches_median": statistics.median(s[1] for s in values)} for name, values in samples.items()}
    one, two = (results[name]["wall_s_median"] for name in conditions)
    slowdown = two / one
    emit(stamp("threads", "python bench/threads.py " + " ".join(sys.argv[1:]),
               {"source": source, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens, "rounds": args.rounds,
                "torch_threads": torch.get_num_threads(), "results": results, "two_teams_over_one": round(slowdown, 3)}), args.json)
    if not args.json:
        for name, result in results.items():
            print(f"{name:<55} {result['wall_s_median']:>6.2f} s  switches {result['voluntary_switches_median']:>8.0f}")
        print(f"two teams / one team: {slowdown:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
