"""The knobs of one LoRA fine-tune, in one place.

`fit` (a fresh adapter on catalog rows) and `replay-train` (a candidate continued from the live
adapter on editors' approvals) run the same training loop; their settings extend this model,
so a knob has one name, one description and one meaning, and the model card records exactly
these fields. replay-train only changes defaults, where its small data wants other ones.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Hyperparameters(BaseModel):
    lora_r: int = Field(16, description="LoRA rank.")
    lora_alpha: int = Field(32, description="LoRA alpha (scale = alpha / r).")
    lora_dropout: float = Field(0.05, description="LoRA dropout.")
    target_modules: str = Field("q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", description="Comma-separated module names.")
    lora_layers: int | None = Field(12, description="Adapt only the top N decoder layers (backward stops there); null: all.")
    learning_rate: float = Field(4e-4, gt=0, description="Peak learning rate (linear warm-up, linear decay).")
    warmup_steps: int = Field(10, ge=1, description="Optimizer steps of linear warm-up.")
    micro_batch_size: int = Field(8, ge=1, description="Examples per forward pass.")
    grad_accumulation: int = Field(2, ge=1, description="Micro-batches per optimizer step.")
    epochs: float = Field(1.0, gt=0, description="Passes over the training data.")
    max_steps: int | None = Field(None, description="Stop after this many optimizer steps (overrides epochs).")
    max_seq_len: int = Field(384, description="Prompt + target tokens; longer targets are cut.")
    eval_every: int = Field(20, ge=1, description="Evaluate the held-out loss every K optimizer steps (best checkpoint kept).")
    eval_rows: int = Field(64, ge=1, description="Held-out examples used for the loss.")
    patience: int = Field(3, ge=1, description="Stop after this many evaluations without improvement.")
    targets: Literal["grounded", "facts", "voice", "lead"] = Field("grounded", description="Training targets: 'lead' (the lead alone: trainer/dataset.py), 'grounded' (the human text's grounded sentences), 'facts' (those with supported claims, completed with the key facts) or 'voice' (facts, plus a voice sentence from --voice-sentences; trainer/dataset.py).")
    prompt_style: Literal["plain", "plan", "lead"] = Field("plain", description="Prompt layout the adapter learns and is served with ('plan': the ordered key facts; schemas/prompt.py).")
    seed: int = Field(1234, description="Seed for shuffling, dropout and init.")
    device: str = Field("auto", description="'auto', 'cpu', 'cuda'.")
    bf16_autocast: bool | None = Field(None, description="bf16 autocast; default: on for GPUs and CPUs with native bf16, off elsewhere.")

    def target_module_names(self) -> list[str]:
        return [name.strip() for name in self.target_modules.split(",") if name.strip()]

    def hyperparameters(self) -> "Hyperparameters":
        """Just the training knobs of a settings object that extends this model."""
        return Hyperparameters(**{name: getattr(self, name) for name in Hyperparameters.model_fields})
