"""The seed recipe vs copydesk's generator vs the raw generator, on distinct products, in one run.

(1) The seed recipe, where the project started: prompt `Title: ...\\nDescription:`,
    `generate(max_length=512, num_beams=5, early_stopping=True)`, one product at a time, fp32,
    on at least 8 distinct products.
(2) copydesk's Generator with its serving defaults (the shipped adapter merged, greedy, KV
    cache, per-row token budgets, the grounding processors, the guards and their retry) at batch
    sizes 1, 8, 16, 32. Every batch size gets products of its own: nothing is written twice.
(3) The ceiling: the same model and prompts through plain greedy `generate` (no processors, no
    guards, no retry) at the same batch sizes and the same per-row token budget.

Reported per batch size: median descriptions/s and new tokens/s over its batches, the ratio of
each to the seed recipe (the seed writes several times more tokens per description, so the
token ratio is the fairer speed figure), the share of the ceiling's tokens/s, and the mean new
tokens per description of every column.

    python bench/generation.py --quick --json   # one batch per size, 8 seed products (~15 min on 2 cores)
    python bench/generation.py --json           # two batches per size (four at batch 1)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, load_generator, product_rows, stamp  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="One batch per batch size.")
    parser.add_argument("--json", action="store_true", help="Also print the result as one JSON line.")
    parser.add_argument("--seed-products", type=int, default=8, help="Distinct products the seed recipe writes (at least 8).")
    parser.add_argument("--batch-sizes", default="1,8,16,32")
    parser.add_argument("--model", default="default", help="default | base | an adapter folder")
    args = parser.parse_args()
    sizes = [int(b) for b in args.batch_sizes.split(",")]
    batches_of = {size: (1 if args.quick else (4 if size == 1 else 2)) for size in sizes}

    import torch

    from consumer.catalog import product_from_row
    from consumer.generation.generator import Request
    from consumer.generation.model_thread import MODEL_THREAD
    from consumer.ops.settings import default_cache_dir
    from trainer.evaluate import generate_seed_recipe

    needed = args.seed_products + sum(size * batches_of[size] for size in sizes) + 1
    rows, source = product_rows(needed)
    if len({row["id"] for row in rows}) < needed:
        print(f"note: {source} has fewer than {needed} distinct products; some repeat")
    products = [product_from_row(row) for row in rows]
    print(f"products: {needed} distinct from {source}; torch threads {torch.get_num_threads()}")

    seed_products, rest = products[: args.seed_products], products[args.seed_products :]
    scored, seed_seconds = generate_seed_recipe([(p, "") for p in seed_products], default_cache_dir())
    seed = {"descriptions": len(seed_products), "seconds": round(seed_seconds, 2),
            "descriptions_per_s": len(seed_products) / seed_seconds,
            "new_tokens_per_s": sum(s.new_tokens for s in scored) / seed_seconds,
            "mean_new_tokens": statistics.fmean(s.new_tokens for s in scored)}
    print(f"seed recipe: {seed['descriptions_per_s']:.4f} desc/s, {seed['new_tokens_per_s']:.1f} tok/s, "
          f"{seed['mean_new_tokens']:.0f} tokens per description ({seed_seconds:.0f} s)")

    generator = load_generator(args.model)  # serving defaults: dtype auto (fp32 on this CPU), 192 tokens max
    generator.describe([Request(rest[-1])])  # warm-up on a product never measured

    def serving(batch) -> tuple[float, int]:
        started = time.perf_counter()
        tokens = sum(draft.new_tokens for draft in generator.describe([Request(p) for p in batch]))
        return time.perf_counter() - started, tokens

    def raw(batch) -> tuple[float, int]:
        """Plain greedy generate: the same prompts and budget, nothing else (on the model thread)."""
        requests = [Request(p) for p in batch]
        encoded = generator.tokenizer(generator.render_prompts(requests), return_tensors="pt", padding=True,
                                      add_special_tokens=False).to(generator.device)
        budget = max(generator.token_budget(r.max_chars) for r in requests)
        started = time.perf_counter()
        with torch.inference_mode():
            output = generator.model.generate(**encoded, do_sample=False, max_new_tokens=budget, pad_token_id=generator.tokenizer.pad_token_id)
        new = output[:, encoded["input_ids"].shape[1]:]
        return time.perf_counter() - started, int((new != generator.tokenizer.pad_token_id).sum())

    rows_out, offset = [], 0
    for size in sizes:
        batches = [rest[offset + i * size : offset + (i + 1) * size] for i in range(batches_of[size])]
        offset += size * batches_of[size]
        runs = {"copydesk": [], "ceiling": []}
        for batch in batches:  # the ceiling runs the very same products, right after
            runs["copydesk"].append(serving(batch))
            runs["ceiling"].append(MODEL_THREAD.run(raw, batch))
        row = {"batch_size": size, "batches": len(batches), "descriptions": size * len(batches)}
        for name, measured in runs.items():
            row[f"{name}_descriptions_per_s"] = statistics.median(size / seconds for seconds, _ in measured)
            row[f"{name}_new_tokens_per_s"] = statistics.median(tokens / seconds for seconds, tokens in measured)
            row[f"{name}_mean_new_tokens"] = sum(tokens for _, tokens in measured) / row["descriptions"]
        row["ratio_descriptions"] = row["copydesk_descriptions_per_s"] / seed["descriptions_per_s"]
        row["ratio_tokens"] = row["copydesk_new_tokens_per_s"] / seed["new_tokens_per_s"]
        row["share_of_ceiling_tokens"] = row["copydesk_new_tokens_per_s"] / row["ceiling_new_tokens_per_s"]
        rows_out.append(row)
        print(f"batch {size:>3}: copydesk {row['copydesk_descriptions_per_s']:.3f} desc/s ({row['ratio_descriptions']:.1f}x seed), "
              f"{row['copydesk_new_tokens_per_s']:.1f} tok/s ({row['ratio_tokens']:.1f}x seed, "
              f"{row['share_of_ceiling_tokens']:.0%} of the raw generator's {row['ceiling_new_tokens_per_s']:.1f})")

    print("\n| run | desc/s | x seed | new tok/s | x seed | tokens/desc | of raw tok/s |\n|---|---|---|---|---|---|---|")
    print(f"| seed recipe (beam 5, max_length 512, 1 at a time, {seed['descriptions']} products) | {seed['descriptions_per_s']:.4f} | 1.0 | "
          f"{seed['new_tokens_per_s']:.1f} | 1.0 | {seed['mean_new_tokens']:.0f} | |")
    for r in rows_out:
        print(f"| copydesk {generator.version}, batch {r['batch_size']} ({r['descriptions']} products) | {r['copydesk_descriptions_per_s']:.3f} | "
              f"{r['ratio_descriptions']:.1f} | {r['copydesk_new_tokens_per_s']:.1f} | {r['ratio_tokens']:.1f} | "
              f"{r['copydesk_mean_new_tokens']:.0f} | {r['share_of_ceiling_tokens']:.0%} |")
        print(f"| raw generator, batch {r['batch_size']} (same products) | {r['ceiling_descriptions_per_s']:.3f} | | "
              f"{r['ceiling_new_tokens_per_s']:.1f} | | {r['ceiling_mean_new_tokens']:.0f} | 100% |")
    command = "python bench/generation.py " + " ".join(sys.argv[1:])
    emit(stamp("generation", command, {"source": source, "model_version": generator.version, "seed_recipe": seed, "copydesk": rows_out}), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
