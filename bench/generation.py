"""Descriptions per second: the fp32 `generate` path vs the cached engine, serving and raw, in one run.

For each engine (`generate`: transformers' generate in fp32, the serving path until 2026-12-06;
`cached`: consumer/generation/engine.py with the serving defaults of this CPU), on the same
distinct products at batch sizes 1, 8, 16 and 32:

- **serving**: Generator.describe exactly as `copydesk serve` calls it (grounding processors,
  decode-time claim bans, guards, retries, the fields built around the lead);
- **raw**: the engine alone on the same prompts and per-row token budgets, nothing else (no
  processors, guards or retries): the engine's ceiling.

Reported per engine and batch size: descriptions/s, new tokens/s, prefill share (the share of
the engine's time spent on prompts), mean new tokens; per engine: seconds to load the model,
seconds from the process's start to its first draft (imports, load, warm-up: what `copydesk serve`
waits for, Kafka aside), and peak RSS. Each engine runs in its own process, so the
peak RSS is that engine's alone; with `--rounds 2` the engines alternate twice and the median
counts (this VM's speed drifts by up to 25% within minutes). Then the ceilings: FLOP per
description at the measured matmul GFLOP/s, and decode steps/s at the measured memory bandwidth
for the weight bytes.

    python bench/generation.py --json              # one round (~6 min on 2 cores)
    python bench/generation.py --rounds 2 --json   # engines alternate twice (~12 min)
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import emit, load_generator, product_rows, stamp  # noqa: E402

ENGINES = ("generate", "cached")


def batches_for(sizes: list[int], repeats: dict[int, int]) -> list[tuple[int, int, int]]:
    """(size, first product, count) for every batch: each batch gets products of its own."""
    plan, offset = [], 1  # product 0 warms the engine up
    for size in sizes:
        for _ in range(repeats[size]):
            plan.append((size, offset, size))
            offset += size
    return plan


def worker(engine: str, sizes: list[int], repeats: dict[int, int], model: str) -> dict:
    """One engine in this process: load, warm up, then every batch served and raw."""
    import torch

    from consumer.catalog import product_from_row
    from consumer.generation.engine import Timings
    from consumer.generation.generator import PerRowBudget, Request
    from consumer.generation.model_thread import MODEL_THREAD
    from transformers import StoppingCriteriaList

    plan = batches_for(sizes, repeats)
    rows, source = product_rows(plan[-1][1] + plan[-1][2])
    products = [product_from_row(row) for row in rows]
    started = time.perf_counter()
    generator = load_generator(model, engine=engine)
    load_seconds = time.perf_counter() - started
    generator.describe([Request(products[0])])
    import psutil  # the process's own start: what a pod waits from `copydesk serve` to its first draft, Kafka aside

    ready_seconds = time.time() - psutil.Process().create_time()

    prefill = {"seconds": 0.0}
    if generator.engine is None:  # time generate()'s prefill: its first forward of each call sees the whole prompt
        forward = generator.model.forward

        def timed_forward(*args, **kwargs):
            began = time.perf_counter()
            result = forward(*args, **kwargs)
            ids = kwargs.get("input_ids", args[0] if args else None)
            if ids is not None and ids.shape[1] > 1:
                prefill["seconds"] += time.perf_counter() - began
            return result

        generator.model.forward = timed_forward

    def prefill_seconds() -> float:
        return generator.engine.timings.prefill_seconds if generator.engine is not None else prefill["seconds"]

    def reset() -> None:
        prefill["seconds"] = 0.0
        if generator.engine is not None:
            generator.engine.timings = Timings()

    @torch.inference_mode()
    def raw(batch) -> int:
        requests = [Request(p) for p in batch]
        budgets = [generator.token_budget(r.max_chars) for r in requests]
        prompts = generator.render_prompts(requests)
        pad, eos = generator.tokenizer.pad_token_id, generator.tokenizer.eos_token_id
        if generator.engine is not None:
            ids = [generator.tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
            output, length = generator.engine.generate(ids, budgets, None, pad, eos)
        else:
            encoded = generator.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
            length = encoded["input_ids"].shape[1]
            output = generator.model.generate(**encoded, do_sample=False, max_new_tokens=max(budgets), pad_token_id=pad,
                                              stopping_criteria=StoppingCriteriaList([PerRowBudget(length, torch.tensor(budgets))]))
        return int((output[:, length:] != pad).sum())

    results = []
    for size, first, count in plan:
        batch = products[first:first + count]
        measured = {}
        for mode in ("serving", "raw"):
            reset()
            began = time.perf_counter()
            tokens = (sum(d.new_tokens for d in generator.describe([Request(p) for p in batch])) if mode == "serving"
                      else MODEL_THREAD.run(raw, batch))
            seconds = time.perf_counter() - began
            measured[mode] = {"seconds": seconds, "tokens": tokens, "prefill_seconds": prefill_seconds()}
        results.append({"batch_size": size, "products": [first, first + count], **measured})
    return {"engine": engine, "engine_name": generator.engine_name, "model_version": generator.version, "source": source,
            "load_seconds": load_seconds, "ready_seconds": ready_seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "batches": results}


def ceilings(mean_prompt: float, mean_prefix: int, mean_new: float) -> dict:
    """Compute and memory-bandwidth ceilings of SmolLM2-135M on this machine, per engine precision."""
    import torch

    hidden, layers, vocab, intermediate, kv = 576, 30, 49152, 1536, 192
    per_token = 2 * layers * (hidden * (hidden + 2 * kv) + hidden * hidden + 3 * hidden * intermediate)  # the projections and MLP
    head = 2 * hidden * vocab  # the logits, once per new token (and once per prompt)
    weights = per_token // 2 + hidden * vocab
    source = torch.randn(64 * 1024 * 1024 // 4)  # 64 MB
    target = torch.empty_like(source)
    target.copy_(source)
    began = time.perf_counter()
    for _ in range(10):
        target.copy_(source)
    bandwidth = 10 * 2 * source.numel() * 4 / (time.perf_counter() - began)  # read + write
    result = {"memory_bandwidth_gb_s": bandwidth / 1e9, "flop_per_token": per_token}
    for dtype, prompt in ((torch.float32, mean_prompt), (torch.bfloat16, mean_prompt - mean_prefix)):
        x, w = torch.randn(256, hidden, dtype=dtype), torch.randn(hidden, intermediate, dtype=dtype)
        x @ w
        began = time.perf_counter()
        for _ in range(50):
            x @ w
        gflops = 50 * 2 * 256 * hidden * intermediate / (time.perf_counter() - began) / 1e9
        flop = per_token * (prompt + mean_new) + head * (1 + mean_new)
        name = str(dtype).removeprefix("torch.")
        result[name] = {"matmul_gflop_s": gflops, "gflop_per_description": flop / 1e9, "compute_ceiling_descriptions_per_s": gflops * 1e9 / flop,
                        "weight_mb": weights * (4 if dtype == torch.float32 else 2) / 1e6,
                        "decode_steps_per_s_ceiling": bandwidth / (weights * (4 if dtype == torch.float32 else 2))}
    return result


def summarise(runs: list[dict]) -> dict:
    """Median over rounds per engine, batch size and mode."""
    table = {}
    for engine in ENGINES:
        mine = [run for run in runs if run["engine"] == engine]
        rows = []
        for size in sorted({b["batch_size"] for b in mine[0]["batches"]}):
            row = {"batch_size": size}
            for mode in ("serving", "raw"):
                measured = [b[mode] for run in mine for b in run["batches"] if b["batch_size"] == size]
                row[mode] = {
                    "descriptions_per_s": statistics.median(size / m["seconds"] for m in measured),
                    "new_tokens_per_s": statistics.median(m["tokens"] / m["seconds"] for m in measured),
                    "prefill_share": statistics.median(m["prefill_seconds"] / m["seconds"] for m in measured),
                    "mean_new_tokens": statistics.fmean(m["tokens"] / size for m in measured),
                }
            rows.append(row)
        table[engine] = {"engine_name": mine[0]["engine_name"], "load_seconds": statistics.median(r["load_seconds"] for r in mine),
                         "ready_seconds": statistics.median(r["ready_seconds"] for r in mine),
                         "peak_rss_mb": max(r["peak_rss_mb"] for r in mine), "batches": rows}
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="Also print the result as one JSON line.")
    parser.add_argument("--batch-sizes", default="1,8,16,32")
    parser.add_argument("--rounds", type=int, default=1, help="Run the engines alternately this many times; medians count.")
    parser.add_argument("--model", default="default", help="default | base | an adapter folder")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(b) for b in args.batch_sizes.split(",")]
    repeats = {size: (2 if size == 1 else 1) for size in sizes}
    if args.worker:
        print(json.dumps(worker(args.worker, sizes, repeats, args.model)))
        return 0

    runs = []
    for round_ in range(args.rounds):
        for engine in ENGINES:
            print(f"round {round_ + 1}: {engine} ...", flush=True)
            done = subprocess.run([sys.executable, __file__, "--worker", engine, "--batch-sizes", args.batch_sizes, "--model", args.model],
                                  capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    table = summarise(runs)

    from consumer.catalog import product_from_row
    from consumer.generation.generator import Request, shared_prefix

    generator = load_generator(args.model, engine="generate")
    plan = batches_for(sizes, repeats)
    rows, _ = product_rows(plan[-1][1] + plan[-1][2])
    prompts = generator.render_prompts([Request(product_from_row(row)) for row in rows[1:]])
    mean_prompt = statistics.fmean(len(generator.tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts)
    prefix = len(shared_prefix(generator.tokenizer, generator.prompt_style))
    mean_new = statistics.fmean(b["raw"]["mean_new_tokens"] for b in table["cached"]["batches"])
    limits = ceilings(mean_prompt, prefix, mean_new)

    old, new = table["generate"], table["cached"]
    print(f"\nmodel {runs[0]['model_version']}, {runs[0]['source']}; prompts {mean_prompt:.0f} tokens on average, {prefix} of them the shared prefix")
    print("\n| engine | batch | serving desc/s | serving new tok/s | x fp32 serving | prefill share | raw desc/s | raw new tok/s | raw prefill share |")
    print("|---|---|---|---|---|---|---|---|---|")
    for engine, result in (("generate", old), ("cached", new)):
        for row, base in zip(result["batches"], old["batches"]):
            s, r = row["serving"], row["raw"]
            print(f"| {result['engine_name']} | {row['batch_size']} | {s['descriptions_per_s']:.2f} | {s['new_tokens_per_s']:.1f} | "
                  f"{s['descriptions_per_s'] / base['serving']['descriptions_per_s']:.2f} | {s['prefill_share']:.0%} | "
                  f"{r['descriptions_per_s']:.2f} | {r['new_tokens_per_s']:.1f} | {r['prefill_share']:.0%} |")
    print("\n| engine | model load (s) | process start to first draft (s) | peak RSS (MB) |\n|---|---|---|---|")
    for result in (old, new):
        print(f"| {result['engine_name']} | {result['load_seconds']:.2f} | {result['ready_seconds']:.1f} | {result['peak_rss_mb']:.0f} |")
    print(f"\nceilings: memory bandwidth {limits['memory_bandwidth_gb_s']:.1f} GB/s; "
          + "; ".join(f"{name}: {v['matmul_gflop_s']:.0f} GFLOP/s matmul, {v['gflop_per_description']:.1f} GFLOP per description -> "
                      f"{v['compute_ceiling_descriptions_per_s']:.1f} desc/s; {v['weight_mb']:.0f} MB of weights -> "
                      f"{v['decode_steps_per_s_ceiling']:.0f} decode steps/s"
                      for name, v in limits.items() if isinstance(v, dict)))
    command = "python bench/generation.py " + " ".join(sys.argv[1:])
    emit(stamp("generation", command, {"source": runs[0]["source"], "model_version": runs[0]["model_version"], "mean_prompt_tokens": mean_prompt,
                                       "shared_prefix_tokens": prefix, "engines": table, "ceilings": limits, "rounds": runs}), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
