"""Rebuild the routing state from the descriptions topic, which is the service's own history.

Reads with consumer/kafka/topic_tail.py: assign + seek, no group, no commits, up to the
fetch high-water mark.
"""

from __future__ import annotations

import json

from consumer.kafka.topic_tail import assign_from_beginning, read_to_end
from consumer.ops.logs import get_logger
from consumer.service.routing import RouteState

log = get_logger(__name__)


class DescriptionsReader:
    """Follows the descriptions topic and folds every draft into a RouteState."""

    def __init__(self, client_config: dict, topic: str, state: RouteState, on_draft=None):
        self.topic = topic
        self.state = state
        self.on_draft = on_draft  # the approval deriver learns the last draft per product too
        self.consumer = assign_from_beginning(client_config, topic, consumer_timeout_ms=1000)
        self.records_read = 0

    def catch_up(self, idle_seconds: float = 0.5, timeout_seconds: float = 60.0) -> int:
        """Read until every partition's position reaches its (live) fetch high-water mark."""
        before = self.records_read
        read_to_end(self.consumer, self._apply, timeout_seconds=timeout_seconds, idle_seconds=idle_seconds)
        read = self.records_read - before
        log.info("route_state_loaded", topic=self.topic, records=read, entries=len(self.state))
        return read

    def _apply(self, record) -> None:
        self.records_read += 1
        try:
            outcome = json.loads(record.value)
            key = (outcome["product_id"], outcome["locale"], outcome["channel"])
            drafted_hash = outcome["input_hash"] if outcome.get("event_type", "description.generated") == "description.generated" else None
            if outcome.get("reason") == "stale":  # a stale event moved nothing forward, but it has its outcome
                self.state.mark_handled(outcome["causation_id"])
            else:
                self.state.remember(key, int(outcome["sequence"]), drafted_hash, outcome["causation_id"])
            if drafted_hash is not None and self.on_draft is not None:
                self.on_draft(outcome)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable_description_record")

    def close(self) -> None:
        self.consumer.close()
