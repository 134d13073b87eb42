"""What the content plan in the prompt costs, and what it buys: the same batches asked both ways.

A "plan" adapter is asked with the ordered key facts in its prompt (schemas/prompt.py); the
plan makes the prompt longer, which every generated token attends to. This runs first attempts
(`generate_texts`: the raw model output, no guards) on distinct products, batch by batch, with
the plain and the plan prompt in alternating order, on one model, and reports the median
seconds per batch and per new token, the prompt tokens added, and the key-attribute coverage of
the raw texts either way (schemas/key_facts.py, scored on what the model wrote, no filter).

    python bench/content_plan.py [--model default] [--batches 4] [--batch-size 8] [--max-new-tokens 96] [--json]
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

    from consumer.catalog import product_from_row
    from consumer.generation.claims.coverage import stated_attributes
    from consumer.generation.generator import Request

    rows, source = product_rows(args.batches * args.batch_size + 2)
    requests = [Request(product_from_row(row)) for row in rows]
    generator = load_generator(args.model, max_new_tokens=args.max_new_tokens)
    trained_style = generator.prompt_style

    def prompt_tokens(batch: list[Request]) -> int:
        return sum(len(generator.tokenizer(prompt, add_special_tokens=False)["input_ids"]) for prompt in generator.render_prompts(batch))

    def run(batch: list[Request], style: str) -> tuple[float, list[str], int, int]:
        generator.prompt_style = style
        tokens_in = prompt_tokens(batch)
        started = time.perf_counter()
        texts = generator.generate_texts(batch)
        return time.perf_counter() - started, [text for text, _ in texts], sum(n for _, n in texts), tokens_in

    def coverage(text: str, request: Request) -> float | None:
        keys, stated = stated_attributes(text, request.product)
        return len(stated) / len(keys) if keys else None

    run(requests[-2:], "plan")  # warm-up, on products not measured
    styles = ("plain", "plan")
    seconds: dict[str, list[float]] = {s: [] for s in styles}
    per_token: dict[str, list[float]] = {s: [] for s in styles}
    prompt_in: dict[str, int] = dict.fromkeys(styles, 0)
    shares: dict[str, list[float]] = {s: [] for s in styles}
    for index in range(args.batches):
        batch = requests[index * args.batch_size : (index + 1) * args.batch_size]
        for style in (styles if index % 2 == 0 else styles[::-1]):  # alternate the order: drift hits both
            wall, texts, tokens, tokens_in = run(batch, style)
            seconds[style].append(wall)
            per_token[style].append(wall / max(1, tokens))
            prompt_in[style] += tokens_in
            shares[style] += [share for share in (coverage(t, r) for t, r in zip(texts, batch)) if share is not None]
    generator.prompt_style = trained_style
    result = {
        "source": source, "model": generator.version, "trained_prompt_style": trained_style,
        "batches": args.batches, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
        "median_seconds_plain": statistics.median(seconds["plain"]),
        "median_seconds_plan": statistics.median(seconds["plan"]),
        "cost_ratio": statistics.median(seconds["plan"]) / statistics.median(seconds["plain"]),
        "per_token_cost_ratio": statistics.median(per_token["plan"]) / statistics.median(per_token["plain"]),
        "prompt_tokens_per_row_plain": prompt_in["plain"] / (args.batches * args.batch_size),
        "prompt_tokens_per_row_plan": prompt_in["plan"] / (args.batches * args.batch_size),
        "raw_key_attribute_coverage_plain": statistics.fmean(shares["plain"]) if shares["plain"] else float("nan"),
        "raw_key_attribute_coverage_plan": statistics.fmean(shares["plan"]) if shares["plan"] else float("nan"),
    }
    record = stamp("content_plan", " ".join(sys.argv), result)
    emit(record, args.json)
    if not args.json:
        for key, value in result.items():
            print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
