"""The seed recipe vs copydesk's generator, on the same products in one run.

(1) The seed recipe, where the project started: prompt `Title: ...\\nDescription:`,
    `generate(max_length=512, num_beams=5, early_stopping=True)`, one product at a time, fp32.
(2) copydesk's Generator with its serving defaults (the shipped adapter merged, greedy, KV
    cache, per-row token budgets, the guards and their retry) at batch sizes 1, 8, 16, 32.
Descriptions/s and new tokens/s for each, and the ratio of each to the seed recipe.

    python bench/generation.py --quick     # < 5 minutes on 2 cores
    python bench/generation.py --json      # the full run, one JSON line at the end
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, product_rows, stamp  # noqa: E402


def measure(write_batch, products: list, batch_size: int, budget_s: float | None) -> dict:
    """Run batches until every product was written once (cycling to fill a batch larger than
    the product list), or until the time budget is spent after at least one batch."""
    count = max(len(products), batch_size)
    cycled = list(itertools.islice(itertools.cycle(products), count))
    done, tokens, started = 0, 0, time.perf_counter()
    for start in range(0, count, batch_size):
        tokens += write_batch(cycled[start : start + batch_size])
        done += len(cycled[start : start + batch_size])
        if budget_s is not None and time.perf_counter() - started >= budget_s:
            break
    seconds = time.perf_counter() - started
    return {"descriptions": done, "seconds": round(seconds, 2), "descriptions_per_s": done / seconds, "new_tokens_per_s": tokens / seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Few products, a time budget per batch size (< 5 min on 2 cores).")
    parser.add_argument("--json", action="store_true", help="Also print the result as one JSON line.")
    parser.add_argument("--products", type=int, default=None, help="Products for copydesk (default 32; quick 8).")
    parser.add_argument("--seed-products", type=int, default=None, help="Of those, how many the seed recipe writes (default 8; quick 1).")
    parser.add_argument("--batch-sizes", default="1,8,16,32")
    parser.add_argument("--model", default="default", help="default | base | an adapter folder")
    args = parser.parse_args()
    products_n = args.products or (8 if args.quick else 32)
    seed_n = args.seed_products or (1 if args.quick else 8)
    budget = 35.0 if args.quick else None

    import torch

    from consumer.generation.generator import Generator, Request
    from consumer.models.resolve import resolve_model
    from consumer.ops.settings import default_cache_dir
    from consumer.catalog import product_from_row
    from trainer.evaluate import generate_seed_recipe

    rows, source = product_rows(products_n)
    products = [product_from_row(row) for row in rows]
    print(f"products: {len(products)} from {source}; seed recipe on the first {seed_n}; torch threads {torch.get_num_threads()}")

    scored, seed_seconds = generate_seed_recipe([(p, "") for p in products[:seed_n]], default_cache_dir())
    seed = {"descriptions": seed_n, "seconds": round(seed_seconds, 2), "descriptions_per_s": seed_n / seed_seconds,
            "new_tokens_per_s": sum(s.new_tokens for s in scored) / seed_seconds}
    print(f"seed recipe: {seed['descriptions_per_s']:.4f} desc/s, {seed['new_tokens_per_s']:.1f} tok/s ({seed_seconds:.0f} s)")

    base_dir, adapter_dir = resolve_model(args.model, default_cache_dir())
    generator = Generator.load(base_dir, adapter_dir)  # serving defaults: dtype auto (fp32 on this CPU), 192 tokens max
    generator.describe([Request(products[0])])  # warm-up: first-call allocations are not part of serving

    def write_batch(batch) -> int:
        return sum(draft.new_tokens for draft in generator.describe([Request(p) for p in batch]))

    rows_out = []
    for batch_size in (int(b) for b in args.batch_sizes.split(",")):
        result = measure(write_batch, products, batch_size, budget)
        result.update(batch_size=batch_size, ratio_descriptions=result["descriptions_per_s"] / seed["descriptions_per_s"],
                      ratio_tokens=result["new_tokens_per_s"] / seed["new_tokens_per_s"])
        rows_out.append(result)
        print(f"copydesk bs={batch_size:>3}: {result['descriptions_per_s']:.3f} desc/s ({result['ratio_descriptions']:.1f}x seed), "
              f"{result['new_tokens_per_s']:.1f} tok/s ({result['ratio_tokens']:.1f}x), {result['descriptions']} in {result['seconds']} s")

    print("\n| run | desc/s | x seed | new tok/s | x seed |\n|---|---|---|---|---|")
    print(f"| seed recipe (beam 5, max_length 512, 1 at a time) | {seed['descriptions_per_s']:.4f} | 1.0 | {seed['new_tokens_per_s']:.1f} | 1.0 |")
    for r in rows_out:
        print(f"| copydesk {generator.version}, batch {r['batch_size']} | {r['descriptions_per_s']:.3f} | {r['ratio_descriptions']:.1f} | "
              f"{r['new_tokens_per_s']:.1f} | {r['ratio_tokens']:.1f} |")
    command = "python bench/generation.py " + " ".join(sys.argv[1:])
    emit(stamp("generation", command, {"source": source, "model_version": generator.version, "seed_recipe": seed, "copydesk": rows_out}), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
