"""Quality of the cached engine against the fp32 `generate` path, product by product, in one run.

Both engines draft the same rows through the serving path (Generator.describe in batches of 16,
as trainer/evaluate.generate_with_service, what `copydesk-trainer eval` and the gate use, does;
the engines alternate batch by batch, so this VM's drift hits both alike and the speed ratio
over the whole split is fair), and the quality table's measures are compared
per product with a paired bootstrap (95%, products resampled): claim-free (published and raw
first attempt), key-attribute coverage, similarity to the human text, publishable. The speed
change may cost no quality: "agrees" means the interval of the difference contains 0 or lies
above it. Also: how many drafts are the same text on both.

    python bench/engine_quality.py --json   # valid split, 165 products (~6 min on 2 cores)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import CATALOG, SAMPLE, emit, stamp  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CATALOG if CATALOG.is_file() else SAMPLE)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", default="default")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from consumer.generation.claims.checker import extract_claims
    from consumer.ops.paired import bootstrap_interval
    from consumer.ops.settings import default_cache_dir
    from consumer.generation.generator import Generator, Request
    from consumer.models.resolve import resolve_model
    from trainer.evaluate import describe_batch, load_pairs, per_product, score

    ENGINES = ("generate", "cached")

    pairs = load_pairs(args.data, args.limit, 400)
    base_dir, adapter_dir = resolve_model(args.model, default_cache_dir())
    generators = {engine: Generator.load(base_dir, adapter_dir, engine=engine) for engine in ENGINES}
    for generator in generators.values():
        generator.describe([Request(pairs[0][0])])  # warm-up
    scored = {engine: [] for engine in ENGINES}
    seconds = {engine: 0.0 for engine in ENGINES}
    ratios = []
    for number, start in enumerate(range(0, len(pairs), args.batch_size)):
        chunk = pairs[start:start + args.batch_size]
        taken = {}
        for engine in (ENGINES if number % 2 == 0 else ENGINES[::-1]):  # alternating, so the VM's drift hits both alike
            began = time.perf_counter()
            batch = describe_batch(generators[engine], chunk, ["en_US"] * len(chunk))  # as generate_with_service
            taken[engine] = time.perf_counter() - began
            seconds[engine] += taken[engine]
            scored[engine] += batch
        ratios.append(taken["generate"] / taken["cached"])
    runs = {}
    for engine in ENGINES:
        measures = per_product(scored[engine])
        measures["claim_free_raw"] = [float(all(c.supported for c in extract_claims(i.raw_text or i.text, i.product))) for i in scored[engine]]
        runs[engine] = {"scored": scored[engine], "seconds": seconds[engine], "version": generators[engine].version, "per_product": measures,
                        "metrics": score(scored[engine], 400, seconds[engine])}
        print(f"{generators[engine].engine_name}: {len(pairs)} products in {seconds[engine]:.0f} s ({len(pairs) / seconds[engine]:.2f} desc/s)")
    print(f"speed, cached / fp32 generate, per batch of {args.batch_size}: median {statistics.median(ratios):.2f}x "
          f"(range {min(ratios):.2f}-{max(ratios):.2f}); over the split {seconds['generate'] / seconds['cached']:.2f}x")

    old, new = runs["generate"], runs["cached"]
    same = sum(a.text == b.text for a, b in zip(old["scored"], new["scored"]))
    rows = {}
    print(f"\n{args.data} ({len(pairs)} products), model {new['version']}; same text on both engines: {same} of {len(pairs)}")
    print("\n| measure | fp32 generate | cached | cached - fp32 (95% paired CI) | agrees |\n|---|---|---|---|---|")
    for key in ("claim_free", "claim_free_raw", "key_attribute_coverage", "similarity_cosine", "publishable"):
        pairs_of = [(a, b) for a, b in zip(old["per_product"][key], new["per_product"][key]) if a is not None and b is not None]
        low, high = bootstrap_interval([b - a for a, b in pairs_of])
        before, after = statistics.fmean(a for a, _ in pairs_of), statistics.fmean(b for _, b in pairs_of)
        rows[key] = {"fp32_generate": before, "cached": after, "difference_ci": [low, high], "agrees": high >= 0}
        print(f"| {key} | {before:.4f} | {after:.4f} | {after - before:+.4f} [{low:+.4f}, {high:+.4f}] | {'yes' if high >= 0 else 'NO'} |")
    command = "python bench/engine_quality.py " + " ".join(sys.argv[1:])
    emit(stamp("engine_quality", command, {"data": str(args.data), "products": len(pairs), "model_version": new["version"], "same_text": same,
                                          "measures": rows, "descriptions_per_s": {k: len(pairs) / v["seconds"] for k, v in runs.items()},
                                          "speed_ratio_per_batch": ratios,
                                          "engines": {k: v["metrics"] for k, v in runs.items()}}), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
