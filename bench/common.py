"""Shared by the benchmarks: where the products come from, and how a result is recorded."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATALOG = Path(os.environ.get("COPYDESK_CATALOG_DIR", REPO.parent / "shared" / "data" / "catalog")) / "valid.jsonl"
SAMPLE = REPO / "consumer" / "data" / "sample_products.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def product_rows(limit: int) -> tuple[list[dict], str]:
    """The first `limit` rows of the catalog's valid split, or the built-in sample without it."""
    from consumer.catalog import read_rows

    source = CATALOG if CATALOG.is_file() else SAMPLE
    rows = read_rows(source, None)
    if not rows:
        raise SystemExit(f"no products in {source}")
    return [rows[i % len(rows)] for i in range(limit)], str(source)


def load_generator(model: str, **options):
    """The serving Generator for a bench's `--model` ('base', 'default' or an adapter folder)."""
    from consumer.generation.generator import Generator
    from consumer.models.resolve import resolve_model
    from consumer.ops.settings import default_cache_dir

    base_dir, adapter_dir = resolve_model(model, default_cache_dir())
    return Generator.load(base_dir, adapter_dir, **options)


def machine() -> dict:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        model_line = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        cpu = model_line.split(":", 1)[1].strip()
    except (OSError, StopIteration):
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def stamp(kind: str, command: str, results: dict) -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {"benchmark": kind, "date": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit or None,
            "machine": machine(), "command": command, **results}


def emit(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record))
