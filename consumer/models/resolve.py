"""Which model to serve: `base`, `default` (the adapter shipped in this repository) or a path."""

from __future__ import annotations

from pathlib import Path

from consumer.models.base_model import prepare_base_model
from consumer.ops.logs import get_logger

DEFAULT_ADAPTER_DIR = Path(__file__).resolve().parents[1] / "default_model"

log = get_logger(__name__)


def is_adapter_dir(path: Path) -> bool:
    return (path / "adapter_config.json").is_file() and (path / "adapter_model.safetensors").is_file()


def resolve_model(spec: str, cache_dir: Path) -> tuple[Path, Path | None]:
    """(prepared base folder, adapter folder or None). Prepares the base model if needed."""
    base_dir = prepare_base_model(cache_dir).path
    if spec == "base":
        return base_dir, None
    if spec == "default":
        if is_adapter_dir(DEFAULT_ADAPTER_DIR):
            return base_dir, DEFAULT_ADAPTER_DIR
        log.warning("no_default_adapter", detail="serving the base model zero-shot", path=str(DEFAULT_ADAPTER_DIR))
        return base_dir, None
    path = Path(spec)
    if not is_adapter_dir(path):
        raise ValueError(f"--model {spec!r}: expected 'default', 'base' or a LoRA adapter folder (adapter_config.json + adapter_model.safetensors)")
    return base_dir, path
