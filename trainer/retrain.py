"""`copydesk-trainer replay-train`: learn from what editors approved, promote only if better.

  find the live model -> replay approvals -> dataset (latest per product wins, held-out split by
  product) -> fine-tune a candidate from the live adapter -> evaluate both on the held-out
  approvals -> gate -> store the version (always) -> publish ModelPublished (promoted or not).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaProducer

from consumer.models.base_model import BASE_MODEL_NAME, sha256_file
from consumer.ops.logs import get_logger
from consumer.models.store import ModelRefused, store_version, verify_artifact
from consumer.kafka.topic_tail import assign_from_beginning
from consumer.models.watcher import read_published
from consumer.models.resolve import DEFAULT_ADAPTER_DIR, is_adapter_dir
from schemas import ModelPublished
from trainer.dataset import Example, dataset_hash
from trainer.evaluate import generate_with_service, per_product, score
from trainer.fit import fit
from trainer.gate import Effort, Margins, bootstrap_interval, effort_report, effort_savings, gate
from trainer.replay import build_dataset, replay
from trainer.run_metrics import export_run_metrics

log = get_logger("copydesk.retrain")


@dataclass
class LiveModel:
    version: str
    adapter_dir: Path | None  # None: the base model
    published: ModelPublished | None


def find_live_model(client_config: dict, models_topic: str) -> LiveModel:
    """The newest promoted version whose artifact verifies; else the shipped default; else base."""
    consumer = assign_from_beginning(client_config, models_topic)
    try:
        promoted = [event for event in read_published(consumer) if event.promoted]
    finally:
        consumer.close()
    for event in reversed(promoted):
        try:
            return LiveModel(event.model_version, verify_artifact(event.artifact_uri, event.sha256), event)
        except ModelRefused as refused:
            log.warning("live_model_unusable", model_version=event.model_version, error=str(refused))
    if is_adapter_dir(DEFAULT_ADAPTER_DIR):
        card = json.loads((DEFAULT_ADAPTER_DIR / "model_card.json").read_text())
        return LiveModel(card["model_version"], DEFAULT_ADAPTER_DIR, None)
    return LiveModel("base", None, None)


def live_training_recipe(live: LiveModel) -> dict:
    """The live adapter's prompt style and target kind (its card), which a candidate keeps."""
    card_path = live.adapter_dir / "model_card.json" if live.adapter_dir else None
    trained = json.loads(card_path.read_text()).get("hyperparameters", {}) if card_path and card_path.is_file() else {}
    return {"prompt_style": trained.get("prompt_style", "plain"), "targets": trained.get("targets", "grounded")}


@dataclass
class ModelRun:
    metrics: dict
    drafts: list[str]
    per_product: dict[str, list[float | None]]


def gate_pairs(examples: list[Example]) -> list[tuple]:
    """(product, reference) for the gate: the text the editor approved, not the training target."""
    return [(example.product, example.reference or example.target) for example in examples]


def evaluate_on(model_spec: str, examples: list[Example], cache_dir: Path, batch_size: int, engine: str = "auto") -> ModelRun:
    """One model on the gate products: its metrics, its draft and its veto measures per product,
    written by the engine the consumers serve with (`engine`, the same setting as serve's)."""
    pairs = gate_pairs(examples)
    scored, seconds, _ = generate_with_service(model_spec, pairs, cache_dir, batch_size, engine=engine)
    metrics = score(scored, max(example.product.max_chars or 400 for example in examples), seconds)
    numbers = {name: value for name, value in metrics.items() if isinstance(value, int | float)}  # the gate compares numbers
    return ModelRun(numbers, [item.text for item in scored], per_product(scored))


def gate_decision(examples: list[Example], live: ModelRun, candidate: ModelRun, settings) -> tuple[bool, str, dict]:
    """(promoted, reason, report): the editors' effort on the edited gate products decides, the
    vetoes need evidence of harm (gate.py); approved-unchanged products are left out of the effort."""
    scored = [i for i, example in enumerate(examples) if example.action != "approved_unchanged"]
    approved = [examples[i].reference for i in scored]
    live_effort = Effort.of([live.drafts[i] for i in scored], approved)
    candidate_effort = Effort.of([candidate.drafts[i] for i in scored], approved)
    live_metrics = {**live.metrics, **live_effort.summary()}
    candidate_metrics = {**candidate.metrics, **candidate_effort.summary()}
    changes = {metric: [c - lv for c, lv in zip(candidate.per_product[metric], live.per_product[metric]) if c is not None and lv is not None]
               for metric in live.per_product}
    margins = Margins(settings.margin_effort, settings.margin_similarity, settings.margin_claim_free, settings.margin_coverage,
                      settings.margin_publishable)
    promoted, reason = gate(live_metrics, candidate_metrics, margins, effort_savings(live_effort, candidate_effort),
                            settings.min_gate_examples, settings.bootstrap_samples, settings.confidence, len(examples) - len(scored), changes)
    report = {**effort_report(live_effort, candidate_effort, settings.bootstrap_samples, settings.confidence),
              "veto_intervals": {metric: bootstrap_interval(values, settings.bootstrap_samples, settings.confidence) if values else None
                                 for metric, values in changes.items()},
              "live_metrics": live_metrics, "candidate_metrics": candidate_metrics}
    return promoted, reason, report


def replay_train(settings) -> dict:
    """Replay, build, fit, gate, store, publish; the run's metrics are exported either way."""
    started = time.perf_counter()
    summary: dict = {}
    try:
        summary = _replay_train(settings, started)
    except Exception as error:
        summary.update(failed=True, error=repr(error))
        raise
    finally:
        export_run_metrics(summary, time.perf_counter() - started, settings.metrics_file, settings.pushgateway)
    return summary


def _replay_train(settings, started: float) -> dict:
    client = settings.client_config()
    live = find_live_model(client, settings.models_topic)
    start = None
    if settings.incremental and live.published and live.published.trained_on:
        start = {r.partition: r.end_offset for r in live.published.trained_on if r.topic == settings.approvals_topic}
    replayed = replay(client, settings.approvals_topic, start)
    # The candidate continues the live adapter: same prompt layout and kind of target, or it
    # would be asked in a way it was never trained on.
    inherited = live_training_recipe(live)
    dataset = build_dataset(replayed, settings.held_out_share, settings.selection_share, inherited["targets"])
    summary = {
        "live_version": live.version,
        "approvals": len(replayed.approvals),
        "train_examples": len(dataset.train),
        "held_out_examples": len(dataset.held_out),
        "selection_examples": len(dataset.selection),
        "negatives": len(dataset.negatives),
        "dataset_sha256": dataset_hash(dataset.train + dataset.selection + dataset.held_out),
        "ranges": [r.model_dump() for r in replayed.ranges],
    }
    if len(dataset.train) < settings.min_examples or not dataset.held_out:
        summary.update(promoted=False, reason=f"not enough approvals: {len(dataset.train)} train, {len(dataset.held_out)} held out")
        log.info("replay_train_skipped", **summary)
        return summary

    version = settings.model_version or f"retrain-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    with tempfile.TemporaryDirectory(prefix="copydesk-candidate-") as scratch:
        # Checkpoints are chosen on the selection products, never on the gate's; with too few
        # approvals for a selection set the training products stand in (said in the card).
        selection = dataset.selection or dataset.train
        config = settings.hyperparameters().model_copy(update={"eval_rows": len(selection), **inherited})
        result = fit(dataset.train, selection, config, Path(scratch), init_adapter=live.adapter_dir,
                     model_version=version, progress=settings.progress, cache_dir=settings.cache_dir)
        live_run = evaluate_on(str(live.adapter_dir) if live.adapter_dir else "base", dataset.held_out, settings.cache_dir, settings.batch_size, settings.engine)
        candidate_run = evaluate_on(str(result.adapter_dir), dataset.held_out, settings.cache_dir, settings.batch_size, settings.engine)
        promoted, reason, report = gate_decision(dataset.held_out, live_run, candidate_run, settings)
        live_metrics, candidate_metrics = report.pop("live_metrics"), report.pop("candidate_metrics")
        card = json.loads((result.adapter_dir / "model_card.json").read_text())
        card.update(parent_version=live.version, trained_on=summary["ranges"], dataset_sha256=summary["dataset_sha256"],
                    gate={"promoted": promoted, "reason": reason, "live": live_metrics, "candidate": candidate_metrics,
                          "effort": report, "confidence": settings.confidence, "gate_products": len(dataset.held_out),
                          "selection_products": len(dataset.selection)})
        (result.adapter_dir / "model_card.json").write_text(json.dumps(card, indent=2) + "\n")
        stored = store_version(result.adapter_dir, settings.model_store, version)

    event = ModelPublished(
        model_version=version,
        parent_version=live.version,
        base_model=BASE_MODEL_NAME,
        artifact_uri=f"file://{stored.resolve()}",
        sha256=sha256_file(stored / "adapter_model.safetensors"),
        trained_on=replayed.ranges,
        metrics={f"candidate_{k}": float(v) for k, v in candidate_metrics.items() if v is not None}
        | {f"live_{k}": float(v) for k, v in live_metrics.items() if v is not None},
        promoted=promoted,
        reason=reason,
        created_at=datetime.now(UTC),
    )
    producer = KafkaProducer(**client, acks="all", enable_idempotence=True)
    producer.send(settings.models_topic, key=version.encode(), value=event.model_dump_json().encode())
    producer.flush()
    producer.close()
    summary.update(
        version=version, promoted=promoted, reason=reason, live=live_metrics, candidate=candidate_metrics, effort=report,
        artifact=str(stored), wall_seconds=round(time.perf_counter() - started, 1),
    )
    log.info("replay_train_done", version=version, promoted=promoted, reason=reason)
    return summary

