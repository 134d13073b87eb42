"""What the decode-time claim bans cost, and what they buy: the same batches with and without them.

Each row of a batch may not write the lexicon's claim phrases that its product's data does not
support (consumer/generation/claims/, a BannedTermsProcessor per row). This runs first attempts
(`generate_texts`, the raw model output, no guards) on distinct products, batch by batch, with
the bans on and off in alternating order, and reports the median seconds per batch, the ratio,
and the share of raw outputs that state no unsupported claim either way (scored by the claim
checker on the raw text, so the filter is not graded by itself).

    python bench/claim_bans.py [--batches 4] [--batch-size 8] [--max-new-tokens 96] [--json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, product_rows, stamp  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--model", default="default")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import consumer.generation.generator as generator_module
    from consumer.catalog import product_from_row
    from consumer.generation.claims.checker import extract_claims
    from consumer.generation.generator import Generator, Request
    from consumer.models.resolve import resolve_model
    from consumer.ops.settings import default_cache_dir

    rows, source = product_rows(args.batches * args.batch_size + 2)
    requests = [Request(product_from_row(row)) for row in rows]
    base_dir, adapter_dir = resolve_model(args.model, default_cache_dir())
    generator = Generator.load(base_dir, adapter_dir, max_new_tokens=args.max_new_tokens)
    with_bans = generator_module.claim_bans

    def run(batch: list[Request], bans: bool) -> tuple[float, list[str]]:
        generator_module.claim_bans = with_bans if bans else (lambda product: [])
        started = time.perf_counter()
        texts = generator.generate_texts(batch)
        return time.perf_counter() - started, [text for text, _ in texts]

    run(requests[-2:], True)  # warm-up, on products not measured
    seconds: dict[bool, list[float]] = {True: [], False: []}
    clean: dict[bool, int] = {True: 0, False: 0}
    for index in range(args.batches):
        batch = requests[index * args.batch_size : (index + 1) * args.batch_size]
        for bans in ((True, False) if index % 2 == 0 else (False, True)):  # alternate the order: drift hits both
            wall, texts = run(batch, bans)
            seconds[bans].append(wall)
            clean[bans] += sum(all(c.supported for c in extract_claims(text, r.product)) for text, r in zip(texts, batch))
    generator_module.claim_bans = with_bans
    total = args.batches * args.batch_size
    result = {
        "source": source, "batches": args.batches, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
        "median_seconds_with_bans": statistics.median(seconds[True]),
        "median_seconds_without_bans": statistics.median(seconds[False]),
        "cost_ratio": statistics.median(seconds[True]) / statistics.median(seconds[False]),
        "raw_claim_free_with_bans": clean[True] / total,
        "raw_claim_free_without_bans": clean[False] / total,
    }
    record = stamp("claim_bans", " ".join(sys.argv), result)
    emit(record, args.json)
    if not args.json:
        for key, value in result.items():
            print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
