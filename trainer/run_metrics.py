"""Metrics of one replay-train run, for Prometheus to read after the job has exited.

A batch job is gone before any scrape could reach it, so its numbers are either pushed to a
Pushgateway (the usual path for a Kubernetes CronJob) or written as a node_exporter
textfile (a mounted volume a collector reads). Gauges only: a pushed counter would restart
at each run and say nothing. Names follow the consumer's: copydesk_trainer_*, base units.
"""

from __future__ import annotations

import time
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway, write_to_textfile

OUTCOMES = ("promoted", "rejected", "skipped", "failed")
JOB = "copydesk-trainer"


def outcome_of(summary: dict) -> str:
    if summary.get("failed"):
        return "failed"
    if "version" not in summary:
        return "skipped"
    return "promoted" if summary.get("promoted") else "rejected"


def build_registry(summary: dict, duration_seconds: float) -> CollectorRegistry:
    registry = CollectorRegistry()

    def gauge(name: str, help_text: str, value: float) -> None:
        Gauge(name, help_text, registry=registry).set(value)

    gauge("copydesk_trainer_last_run_timestamp_seconds", "When the last replay-train run finished (Unix time).", time.time())
    gauge("copydesk_trainer_run_duration_seconds", "Wall time of the last replay-train run.", duration_seconds)
    gauge("copydesk_trainer_approvals_replayed", "Approval events the last run replayed.", summary.get("approvals", 0))
    gauge("copydesk_trainer_train_examples", "Training examples in the last run's dataset.", summary.get("train_examples", 0))
    gauge("copydesk_trainer_held_out_examples", "Held-out examples the gate evaluated on.", summary.get("held_out_examples", 0))
    outcome = Gauge("copydesk_trainer_last_run_outcome", "1 for the last run's outcome, 0 for the others.", ["outcome"], registry=registry)
    current = outcome_of(summary)
    for name in OUTCOMES:
        outcome.labels(outcome=name).set(1 if name == current else 0)
    similarity = Gauge("copydesk_trainer_similarity", "Held-out similarity to the approved text, per model.", ["model"], registry=registry)
    for model in ("live", "candidate"):
        if isinstance(summary.get(model), dict) and "similarity_cosine" in summary[model]:
            similarity.labels(model=model).set(summary[model]["similarity_cosine"])
    # the gate's measure (gate.py): what editors would still change, per model, on the edited gate products
    distance = Gauge("copydesk_trainer_edit_distance_median", "Median normalised edit distance from the gate's drafts to the editors' text, per model.",
                     ["model"], registry=registry)
    unchanged = Gauge("copydesk_trainer_approved_unchanged_ratio", "Share of the gate's drafts equal to the editors' text, per model.",
                      ["model"], registry=registry)
    for model in ("live", "candidate"):
        measured = summary.get(model) if isinstance(summary.get(model), dict) else {}
        if measured.get("edit_distance_median") is not None:
            distance.labels(model=model).set(measured["edit_distance_median"])
            unchanged.labels(model=model).set(measured["approved_unchanged"])
    return registry


def export_run_metrics(summary: dict, duration_seconds: float, metrics_file: Path | None, pushgateway: str | None) -> None:
    """Write and/or push; a monitoring outage must not fail a training run that succeeded."""
    if not metrics_file and not pushgateway:
        return
    registry = build_registry(summary, duration_seconds)
    if metrics_file:
        metrics_file.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(metrics_file), registry)  # writes a temp file and renames it: never half-read
    if pushgateway:
        try:
            push_to_gateway(pushgateway, job=JOB, registry=registry, timeout=10)
        except OSError as error:
            from consumer.ops.logs import get_logger  # noqa: PLC0415

            get_logger("copydesk.trainer").warning("pushgateway_unreachable", url=pushgateway, error=str(error))
