"""The model store: a directory (local path or mounted volume) of adapter versions.

Layout: ``<store>/<model_version>/`` holding ``adapter_model.safetensors``,
``adapter_config.json`` and ``model_card.json``. The trainer writes a version there, then
announces it on the models topic with its sha256; consumers verify that hash before loading,
so a truncated copy or a tampered file is refused while the old model keeps serving.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

from consumer.models.base_model import sha256_file

WEIGHTS = "adapter_model.safetensors"


class ModelRefused(RuntimeError):
    """A published version that must not be served (wrong hash, missing files)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def artifact_path(artifact_uri: str) -> Path:
    parsed = urlparse(artifact_uri)
    if parsed.scheme not in ("", "file"):
        raise ModelRefused("unsupported_uri", f"only file:// artifacts are supported, got {artifact_uri!r}")
    return Path(parsed.path if parsed.scheme else artifact_uri)


def verify_artifact(artifact_uri: str, expected_sha256: str) -> Path:
    """The adapter folder, after checking that its weights hash to what was published."""
    folder = artifact_path(artifact_uri)
    weights = folder / WEIGHTS
    if not weights.is_file() or not (folder / "adapter_config.json").is_file():
        raise ModelRefused("missing_files", f"{folder} has no {WEIGHTS} / adapter_config.json")
    actual = sha256_file(weights)
    if actual != expected_sha256:
        raise ModelRefused("sha256_mismatch", f"{weights} hashes to {actual[:16]}..., published {expected_sha256[:16]}...")
    return folder


def store_version(adapter_dir: Path, store: Path, version: str) -> Path:
    """Copy an adapter into the store under its version, via a staging name renamed into place.

    A reader never sees a half-copied version; a crash between removing an old copy and the rename
    leaves the version missing (its ModelPublished then fails verification and is refused), never corrupt.
    """
    target = Path(store) / version
    staging = target.with_name(f".{version}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(adapter_dir, staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target
