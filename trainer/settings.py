"""Settings of the trainer's commands (env vars COPYDESK_*, flags --kebab-case)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from consumer.ops.settings import CopydeskSettings, KafkaSettings, ModelSettings
from trainer.hyperparameters import Hyperparameters
from schemas import topics


class FitSettings(CopydeskSettings, Hyperparameters):
    """`copydesk-trainer fit`: LoRA fine-tuning on catalog-shaped rows."""

    data: Path = Field(description="Training rows (JSONL shaped like ../shared/data/catalog).")
    valid: Path = Field(description="Validation rows: early stopping and best-checkpoint selection.")
    out: Path = Field(description="Output folder: adapter/ with weights, sha256 and model card.")
    limit: int | None = Field(None, description="Use only the first N training rows.")
    init_adapter: Path | None = Field(None, description="Continue from this adapter instead of a fresh LoRA.")
    model_version: str | None = Field(None, description="Version name (default: lora-<sha256 prefix>).")
    voice_sentences: Path | None = Field(None, description="For --targets voice: an earlier adapter's drafts of the training rows (`eval --output`); the first sentence of each, where the claim checker supports it, follows the target's opening.")
    evaluate_rows: int = Field(0, description="After training, run the evaluator on this many valid rows (0: skip).")


class EvalSettings(ModelSettings):
    """`copydesk-trainer eval`: generate through the serving path and score the drafts."""

    data: Path = Field(description="Rows to describe (JSONL shaped like ../shared/data/catalog).")
    limit: int | None = Field(None, description="Only the first N rows.")
    max_chars: int = Field(400, description="Field limit given to every product (the rows carry none).")
    batch_size: int = Field(16, description="Generation batch size.")
    compare: str | None = Field(None, description="Other models to run on the same rows, comma-separated ('base', 'default' or a folder).")
    seed_recipe: bool = Field(False, description="Add the seed recipe column (beam search, no guards; slow).")
    seed_limit: int = Field(20, description="Rows for the seed recipe column (it runs one product at a time).")
    json_output: bool = Field(False, alias="json", description="Print JSON instead of a table.")
    output: Path | None = Field(None, description="Also write every generated draft here (JSONL).")
    unsupported_locale: Literal["review", "bullets"] = Field("review", description="Rows in a locale the model does not write: held for review or bullets from the data (as `serve`).")
    score_human: bool = Field(True, description="Add a column that scores the rows' human descriptions the same way.")


class ReplayTrainSettings(KafkaSettings, Hyperparameters):
    """`copydesk-trainer replay-train`: fine-tune on approved edits, gate, store, publish."""

    approvals_topic: str = Field(topics.APPROVALS, description="Topic of DescriptionApproved events.")
    models_topic: str = Field(topics.MODELS, description="Topic ModelPublished events go to (and the live model comes from).")
    model_store: Path = Field(Path("model-store"), description="Directory (or mounted volume) that keeps every version.")
    incremental: bool = Field(False, description="Start from the offsets in the live model's card instead of the beginning.")
    held_out_share: float = Field(0.2, gt=0, lt=1, description="Share of products held out for the gate's evaluation.")
    engine: Literal["auto", "cached", "generate"] = Field("auto", description="The engine the gate drafts with: set it as the consumers' `engine` (no train/serve skew).")
    min_examples: int = Field(8, description="Fewer training examples than this: no candidate.")
    # Defaults that differ from `fit`'s: 3 passes at 1e-3 is what made the candidate beat the
    # live model on the catalog's valid split (2 at 3e-4 was rejected by the gate: similarity
    # -0.018); the gate guards either way.
    epochs: float = Field(3.0, gt=0, description="Passes over the approvals.")
    learning_rate: float = Field(1e-3, gt=0, description="Peak learning rate.")
    grad_accumulation: int = Field(1, ge=1, description="Micro-batches per optimizer step.")
    eval_every: int = Field(10, ge=1, description="Held-out loss every K steps (best checkpoint kept).")
    batch_size: int = Field(16, description="Generation batch size for the gate's evaluation.")
    selection_share: float = Field(0.1, ge=0, lt=1, description="Share of products for checkpoint selection (never the gate's).")
    min_gate_examples: int = Field(20, ge=1, description="Fewer gate products than this: no promotion, whatever the metrics.")
    bootstrap_samples: int = Field(2000, ge=100, description="Resamples of the paired bootstrap over the gate products.")
    confidence: float = Field(0.95, gt=0.5, lt=1, description="Confidence of the interval of the editors' saving; its lower bound must beat --margin-effort.")
    margin_effort: float = Field(0.0, description="The mean edit distance editors are saved (live - candidate) must exceed this, at the interval's lower bound.")
    margin_similarity: float = Field(0.0, ge=0, description="Veto: similarity to the approved text may drop by at most this.")
    margin_claim_free: float = Field(0.0, ge=0, description="Veto: the share of drafts with no unsupported claim may drop by at most this.")
    margin_coverage: float = Field(0.0, ge=0, description="Veto: key-fact coverage may drop by at most this.")
    margin_publishable: float = Field(0.0, ge=0, description="Veto: the publishable share may drop by at most this.")
    model_version: str | None = Field(None, description="Name of the new version (default: retrain-<UTC time>).")
    progress: bool = Field(True, description="Show a progress bar while training.")
    metrics_file: Path | None = Field(None, description="Write the run's copydesk_trainer_* metrics here (node_exporter textfile format).")
    pushgateway: str | None = Field(None, description="Push the run's copydesk_trainer_* metrics to this Pushgateway (host:port).")
