"""What the decode-time claim bans cost, and what they buy: the same batches with and without them.

Each row of a batch may not write the lexicon's claim phrases that its product's data does not
support (consumer/generation/claims/, a BannedTermsProcessor per row). This runs first attempts
(`generate_texts`, the raw model output, no guards) on distinct products, batch by batch, with
the bans on and off in alternating order, and reports the median seconds per batch and per new
token, the processor's own share of the time (bans change the texts, hence their length, so a
batch's wall time alone mixes the processor's cost with that), how many texts the bans changed,
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
from bench.common import emit, load_generator, product_rows, stamp  # noqa: E402


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
    from consumer.generation.generator import Request

    rows, source = product_rows(args.batches * args.batch_size + 2)
    requests = [Request(product_from_row(row)) for row in rows]
    generator = load_generator(args.model, max_new_tokens=args.max_new_tokens)
    with_bans = generator_module.claim_bans

    # Time spent inside the banned-terms processor itself (setup and every step), apart from the
    # model: a batch can take longer with bans only because its texts came out longer.
    import consumer.generation.grounding as grounding

    processor_seconds = [0.0]
    original_call, original_init = grounding.BannedTermsProcessor.__call__, grounding.BannedTermsProcessor.__init__

    def timed(method):
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return method(*a, **k)
            finally:
                processor_seconds[0] += time.perf_counter() - started
        return wrapper

    grounding.BannedTermsProcessor.__call__ = timed(original_call)
    grounding.BannedTermsProcessor.__init__ = timed(original_init)

    def run(batch: list[Request], bans: bool) -> tuple[float, list[str], int]:
        generator_module.claim_bans = with_bans if bans else (lambda product: [])
        started = time.perf_counter()
        texts = generator.generate_texts(batch)
        return time.perf_counter() - started, [text for text, _ in texts], sum(n for _, n in texts)

    run(requests[-2:], True)  # warm-up, on products not measured
    seconds: dict[bool, list[float]] = {True: [], False: []}
    per_token: dict[bool, list[float]] = {True: [], False: []}
    clean: dict[bool, int] = {True: 0, False: 0}
    outputs: dict[bool, list[str]] = {True: [], False: []}
    in_processor = 0.0
    for index in range(args.batches):
        batch = requests[index * args.batch_size : (index + 1) * args.batch_size]
        for bans in ((True, False) if index % 2 == 0 else (False, True)):  # alternate the order: drift hits both
            before = processor_seconds[0]
            wall, texts, tokens = run(batch, bans)
            if bans:
                in_processor += processor_seconds[0] - before
            seconds[bans].append(wall)
            per_token[bans].append(wall / max(1, tokens))
            outputs[bans] += texts
            clean[bans] += sum(all(c.supported for c in extract_claims(text, r.product)) for text, r in zip(texts, batch))
    generator_module.claim_bans = with_bans
    grounding.BannedTermsProcessor.__call__, grounding.BannedTermsProcessor.__init__ = original_call, original_init
    total = args.batches * args.batch_size
    result = {
        "source": source, "batches": args.batches, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
        "median_seconds_with_bans": statistics.median(seconds[True]),
        "median_seconds_without_bans": statistics.median(seconds[False]),
        "cost_ratio": statistics.median(seconds[True]) / statistics.median(seconds[False]),
        "median_seconds_per_token_with_bans": statistics.median(per_token[True]),
        "median_seconds_per_token_without_bans": statistics.median(per_token[False]),
        "per_token_cost_ratio": statistics.median(per_token[True]) / statistics.median(per_token[False]),
        # the processor's own share of the bans-on generation time: its cost apart from length changes
        "processor_share_of_generation": in_processor / sum(seconds[True]),
        "texts_changed_by_bans": sum(a != b for a, b in zip(outputs[True], outputs[False])) / total,
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
