"""Prometheus metrics, named by the Prometheus guide: copydesk_ prefix, base units, _total."""

from __future__ import annotations

import statistics
from typing import get_args

from prometheus_client import Counter, Gauge, Histogram

from schemas.events import CheckResult, DeadLetter, DescriptionGenerated, ProductEvent
from consumer.ops.paired import edit_distance

# Generation on CPU takes seconds to minutes per batch, on a GPU tens of milliseconds:
# the buckets cover both so one dashboard serves either deployment.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)

EVENTS_CONSUMED = Counter(
    "copydesk_events_consumed_total", "Product events taken from the input topics; an unreadable record counts once as invalid.", ["event_type"]
)
DRAFTS_PUBLISHED = Counter("copydesk_drafts_published_total", "DescriptionGenerated events published.", ["status"])
EVENTS_SKIPPED = Counter("copydesk_events_skipped_total", "Valid events that needed no draft.", ["reason"])
DEAD_LETTERS = Counter("copydesk_dead_letters_total", "Records sent to the dead-letter topic.", ["reason"])
GUARD_FAILURES = Counter(
    "copydesk_guard_failures_total", "Guard checks that failed, counted on every attempt (also those fixed by dropping sentences or a retry).",
    ["check", "attempt"],
)
CLOCK_SKEW = Counter(
    "copydesk_clock_skew_events_total", "Events whose occurred_at lies after this consumer's clock (their latency is recorded as 0)."
)
GENERATED_TOKENS = Counter("copydesk_generated_tokens_total", "New tokens generated, retries included.")
END_TO_END_LATENCY = Histogram(
    "copydesk_end_to_end_latency_seconds", "From the event's occurred_at to its draft being published.", buckets=LATENCY_BUCKETS
)
GENERATION_LATENCY = Histogram(
    "copydesk_generation_latency_seconds", "Wall time of one batch's generation, retries included.", buckets=LATENCY_BUCKETS
)
BATCH_SIZE = Histogram("copydesk_batch_size", "Events per generation batch.", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512))
CONSUMER_LAG = Gauge("copydesk_consumer_lag_records", "High-water mark minus committed offset.", ["topic", "partition"])
MODEL_LOAD_SECONDS = Gauge("copydesk_model_load_seconds", "Seconds the last model load took.")
MODEL_LOAD_FAILURES = Counter("copydesk_model_load_failures_total", "Model versions refused or failed to load.", ["reason"])
MODEL_INFO = Gauge("copydesk_model_info", "The model version serving now (value 1).", ["version"])
APPROVALS = Counter(
    "copydesk_approvals_total", "Editor decisions derived from PIM product updates, by action and the draft's model version.",
    ["action", "model_version"],
)
APPROVAL_EDIT_DISTANCE = Histogram(
    "copydesk_approval_edit_distance_ratio",
    "How much of a draft the editor changed before approving it: normalised edit distance, 0 = unchanged, by the draft's model version.",
    ["model_version"], buckets=(0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0),
)
READY = Gauge("copydesk_ready", "1 when the model is loaded and partitions are assigned.")


MODEL_REFUSAL_REASONS = ("unsupported_uri", "missing_files", "sha256_mismatch", "load_error")


def _literal_values(model, field: str) -> tuple[str, ...]:
    return get_args(model.model_fields[field].annotation)


def initialise_label_values() -> None:
    """Create every known labelled series at 0 before the first event.

    A labelled counter has no series until its first increment, so a dashboard or alert
    that divides by it (the needs_review share, the dead-letter rate) would show "no data"
    instead of 0 on a healthy service. The Prometheus instrumentation guide says the same:
    initialise the label values you know of.
    """
    from consumer.service.routing import SKIP_REASONS  # noqa: PLC0415 - routing imports nothing from here; keep it that way

    for event_type in (*_literal_values(ProductEvent, "event_type"), "invalid"):
        EVENTS_CONSUMED.labels(event_type=event_type)
    for status in _literal_values(DescriptionGenerated, "status"):
        DRAFTS_PUBLISHED.labels(status=status)
    for reason in SKIP_REASONS:
        EVENTS_SKIPPED.labels(reason=reason)
    for reason in _literal_values(DeadLetter, "error_type"):
        DEAD_LETTERS.labels(reason=reason)
    for check in _literal_values(CheckResult, "name"):
        for attempt in ("1", "2"):
            GUARD_FAILURES.labels(check=check, attempt=attempt)
    for reason in MODEL_REFUSAL_REASONS:
        MODEL_LOAD_FAILURES.labels(reason=reason)


initialise_label_values()


APPROVAL_ACTIONS = ("approved_unchanged", "approved_edited", "written_by_human", "rejected")


def record_draft(status: str, new_tokens: int, failed_checks, latency_seconds: float) -> None:
    """One published draft: its status, tokens, guard failures and end-to-end latency.

    A negative latency means the PIM's clock is ahead of ours: 0 is recorded, and the skew counted.
    """
    DRAFTS_PUBLISHED.labels(status=status).inc()
    GENERATED_TOKENS.inc(new_tokens)
    if latency_seconds < 0:
        CLOCK_SKEW.inc()
    END_TO_END_LATENCY.observe(max(0.0, latency_seconds))
    for attempt, check in failed_checks:
        GUARD_FAILURES.labels(check=check, attempt=str(attempt)).inc()


def record_approval(action: str, model_version: str | None, draft: str | None, approved: str | None) -> None:
    """One editor decision; with a draft and the text approved, also how much of the draft they changed."""
    APPROVALS.labels(action=action, model_version=model_version or "none").inc()
    if draft is not None and approved is not None:
        APPROVAL_EDIT_DISTANCE.labels(model_version=model_version or "none").observe(edit_distance(draft, approved))


def set_model_info(version: str) -> None:
    for action in APPROVAL_ACTIONS:  # the approved-unchanged share of a version reads 0, not "no data", before its first approval
        APPROVALS.labels(action=action, model_version=version)
    APPROVAL_EDIT_DISTANCE.labels(model_version=version)
    MODEL_INFO.clear()
    MODEL_INFO.labels(version=version).set(1)


def percentile(values: list[float], share: float) -> float:
    """The share-th quantile (0 < share < 1) by statistics.quantiles' inclusive method; nan if empty."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]
