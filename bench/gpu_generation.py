"""Throughput on one GPU: bf16, batch sizes up to 512, through the serving path.

"serving" runs `Generator.describe` - the prompt, the grounding and claim processors, the
guards, the sentence reduction and the retry, exactly what `copydesk serve` runs - on the
catalog's products, and reports the median of `--repeats` timed runs (after a warm-up).
"raw" is the ceiling: plain `model.generate` on the same prompts with exactly `--new-tokens`
tokens per row (min = max), no processors; with `--compile` a static KV cache and
torch.compile are tried for it too. Writes one JSON result.

    python bench/gpu_generation.py --out result.json            # on the GPU machine (bench/gpu.sh)
    python bench/gpu_generation.py --device cpu --batch-sizes 2 --new-tokens 4 --out /tmp/x.json   # dry run
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import load_generator, product_rows, stamp  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--batch-sizes", default="32,64,128,256,512")
    parser.add_argument("--new-tokens", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=3, help="Timed runs per batch size (after one warm-up); the median is reported.")
    parser.add_argument("--compile", action="store_true", help="Also try a static cache + torch.compile (CUDA graphs).")
    parser.add_argument("--model", default="default")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import torch

    from consumer.generation.generator import Request
    from consumer.generation.model_thread import MODEL_THREAD
    from consumer.catalog import product_from_row

    sizes = [int(b) for b in args.batch_sizes.split(",")]
    rows, source = product_rows(max(sizes))
    generator = load_generator(args.model, device=args.device, dtype=args.dtype, max_new_tokens=args.new_tokens)
    tokenizer, model = generator.tokenizer, generator.model
    prompts = generator.render_prompts([Request(product_from_row(row)) for row in rows])

    requests = [Request(product_from_row(row)) for row in rows]

    def sync() -> None:
        if generator.device.type == "cuda":
            torch.cuda.synchronize()

    def serving(batch_size: int) -> dict:
        generator.describe(requests[:batch_size])  # warm-up
        runs = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            drafts = generator.describe(requests[:batch_size])
            sync()
            runs.append((time.perf_counter() - started, sum(d.new_tokens for d in drafts)))
        seconds = statistics.median(s for s, _ in runs)
        return {"seconds": round(seconds, 3), "descriptions_per_s": batch_size / seconds,
                "new_tokens_per_s": statistics.median(t / s for s, t in runs), "mean_new_tokens": statistics.fmean(t for _, t in runs) / batch_size}

    def timed(batch_size: int, **extra) -> dict:
        encoded = tokenizer(prompts[:batch_size], return_tensors="pt", padding=True).to(generator.device)
        kwargs = dict(max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens, do_sample=False,
                      pad_token_id=tokenizer.pad_token_id, **extra)
        with torch.inference_mode():
            model.generate(**encoded, **kwargs)  # warm-up (and compilation)
            sync()
            seconds = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                model.generate(**encoded, **kwargs)
                sync()
                seconds.append(time.perf_counter() - started)
        median = statistics.median(seconds)
        return {"seconds": round(median, 3), "descriptions_per_s": batch_size / median,
                "new_tokens_per_s": batch_size * args.new_tokens / median}

    results = []
    for batch_size in sizes:
        # On the model thread, where the service generates (one OpenMP team for the CPU dry run).
        row = {"batch_size": batch_size, "serving": serving(batch_size), "raw": MODEL_THREAD.run(timed, batch_size)}
        if args.compile:
            try:
                # A static cache makes transformers compile the decoding step (CUDA graphs) on CUDA.
                row["raw_static_compiled"] = MODEL_THREAD.run(timed, batch_size, cache_implementation="static")
            except Exception as error:  # noqa: BLE001 - report, keep the eager figure
                row["static_compiled_error"] = repr(error)[:300]
        results.append(row)
        print(f"batch {batch_size:>4}: serving {row['serving']['descriptions_per_s']:.1f} desc/s "
              f"({row['serving']['new_tokens_per_s']:.0f} new tok/s), raw {row['raw']['new_tokens_per_s']:.0f} new tok/s", flush=True)

    record = stamp("gpu_generation", "python bench/gpu_generation.py " + " ".join(sys.argv[1:]),
                   {"source": source, "model_version": generator.version, "dtype": args.dtype, "device": str(generator.device),
                    "new_tokens": args.new_tokens, "results": results,
                    "best_serving_descriptions_per_s": max(r["serving"]["descriptions_per_s"] for r in results)})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps({"best_serving_descriptions_per_s": record["best_serving_descriptions_per_s"], "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
