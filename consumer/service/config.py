"""What one enrichment loop is configured with, and the tallies it keeps while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from consumer.adapters import AdapterConfig


@dataclass(frozen=True)
class ServiceConfig:
    input_topic: str
    output_topic: str
    dead_letter_topic: str
    group_id: str
    max_batch_size: int = 16
    max_wait_ms: int = 200
    poll_timeout_ms: int = 500
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    max_poll_interval_ms: int = 300_000
    input_format: str = "copydesk"
    topic_formats: tuple[tuple[str, str], ...] = ()
    adapter: AdapterConfig = AdapterConfig()
    publish_skips: bool = True  # a description.skipped record per skipped event, so every input has an outcome
    approvals_topic: str = ""  # where approvals derived from product updates go (approvals.py); "" = off
    approval_threshold: float = 0.5
    own_editors: tuple[str, ...] = ()
    live_platforms: tuple[str, ...] = ()
    unsupported_locale: str = "review"  # generator.UNSUPPORTED_LOCALE

    @property
    def input_topics(self) -> list[str]:
        return [topic.strip() for topic in self.input_topic.split(",") if topic.strip()]

    def format_of(self, topic: str) -> str:
        return dict(self.topic_formats).get(topic, self.input_format)


@dataclass
class ServiceStats:
    """In-process tallies (the demo and tests read these; Prometheus has the same numbers)."""

    consumed: int = 0
    drafts: int = 0
    needs_review: int = 0
    skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    dead_lettered: int = 0
    batches: int = 0
    assignments: int = 0

    @property
    def accounted(self) -> int:
        return self.drafts + self.needs_review + self.skipped + self.dead_lettered
