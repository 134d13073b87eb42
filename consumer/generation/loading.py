"""What a Generator loads and how: device, precision, engine, the adapter card's promises, the shared prompt prefix.

Kept apart from generator.py, which turns a loaded model into drafts; these are the decisions
made once per load, each from the machine or the adapter's card.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from pathlib import Path

import torch

from consumer.generation.engine import native_bf16, supports
from schemas.events import Product
from schemas.prompt import build_messages


def pick_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def pick_dtype(device: torch.device, dtype: str = "auto") -> torch.dtype:
    """bf16 on CUDA. On CPU fp32: measured here, bf16 generation was 2.2x slower than fp32 and
    bf16 batched greedy text differed from unbatched, which would break redelivery determinism."""
    if dtype != "auto":
        return getattr(torch, dtype)
    return torch.bfloat16 if device.type == "cuda" else torch.float32


ENGINES = ("auto", "cached", "generate")


def pick_engine(engine: str, device: torch.device, model) -> str:
    """'auto': copydesk's cached engine on CPU where the model is Llama-style, transformers'
    `generate` on GPU (where padding and fp32 matter less than kernel launches)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    if engine == "auto":
        return "cached" if device.type == "cpu" and supports(model) else "generate"
    if engine == "cached" and not supports(model):
        raise ValueError(f"the cached engine runs Llama-architecture models; this one is {model.config.model_type!r}: use engine 'generate'")
    return engine


def matmul_dtype(dtype: str, model_dtype: torch.dtype) -> torch.dtype:
    """The cached engine's matmul precision: with dtype 'auto', bf16 where the CPU multiplies bf16
    natively (2.2-2.4x fp32's throughput here, the same text on valid: engine.py), else the model's."""
    if dtype == "auto" and model_dtype == torch.float32 and native_bf16():
        return torch.bfloat16
    return model_dtype


def shared_prefix(tokenizer, prompt_style: str) -> list[int]:
    """The tokens every prompt starts with: the system prompt and the user turn's header."""
    marker = "\u0000"
    system = build_messages(Product(title="x"), "en_US", prompt_style)[0]
    text = tokenizer.apply_chat_template([system, {"role": "user", "content": marker}], add_generation_prompt=False, tokenize=False)
    return tokenizer(text[: text.index(marker)], add_special_tokens=False)["input_ids"]


def adapter_version(adapter_dir: Path) -> str:
    card = adapter_dir / "model_card.json"
    if card.is_file():
        return json.loads(card.read_text())["model_version"]
    return adapter_dir.name


def adapter_locales(adapter_dir: Path | None) -> tuple[str, ...]:
    """The languages the model writes (its card's ``locales``). SmolLM2 and every adapter trained
    on the English catalog: English; a card without the key predates it and was trained in English."""
    card = adapter_dir / "model_card.json" if adapter_dir is not None else None
    if card is None or not card.is_file():
        return ("en",)
    return tuple(json.loads(card.read_text()).get("locales") or ("en",))


def adapter_prompt_style(adapter_dir: Path | None) -> str:
    """The prompt layout the adapter was trained on (its card's hyperparameters); base: "plain"."""
    card = adapter_dir / "model_card.json" if adapter_dir is not None else None
    if card is None or not card.is_file():
        return "plain"
    return json.loads(card.read_text()).get("hyperparameters", {}).get("prompt_style", "plain")


@contextlib.contextmanager
def peft_without_deprecation_noise():
    """peft 0.21.2 reads transformers 5's deprecated `is_gradient_checkpointing` whenever it wraps a
    model, so every start logged a FutureWarning no user can act on. Only that warning is silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield
