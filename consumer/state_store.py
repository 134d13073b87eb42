"""Rebuild the routing state from the descriptions topic, which is the service's own history.

Reads with assign + seek (it joins no group and commits nothing) up to the high-water mark
reported by the fetch responses. That mark is what a real broker returns as the end of the
log, and it stays right on Tansu, whose ListOffsets answer for the end is not reliable.
"""

from __future__ import annotations

import json
import time

from kafka import KafkaConsumer, TopicPartition

from consumer.logs import get_logger
from consumer.routing import RouteState

log = get_logger(__name__)


class DescriptionsReader:
    """Follows the descriptions topic and folds every draft into a RouteState."""

    def __init__(self, client_config: dict, topic: str, state: RouteState):
        self.topic = topic
        self.state = state
        self.consumer = KafkaConsumer(**client_config, group_id=None, enable_auto_commit=False, consumer_timeout_ms=1000)
        partitions = self.consumer.partitions_for_topic(topic) or set()
        self.partitions = [TopicPartition(topic, p) for p in sorted(partitions)]
        self.consumer.assign(self.partitions)
        self.consumer.seek_to_beginning(*self.partitions)
        self.records_read = 0

    def catch_up(self, idle_seconds: float = 0.5, timeout_seconds: float = 60.0) -> int:
        """Read until every partition's position reaches its fetch high-water mark."""
        started = time.monotonic()
        last_data = time.monotonic()
        read = 0
        while time.monotonic() - started < timeout_seconds:
            batches = self.consumer.poll(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    self._apply(record.value)
                    read += 1
                last_data = time.monotonic()
            caught_up = all(
                (hw := self.consumer.highwater(tp)) is not None and self.consumer.position(tp) >= hw
                for tp in self.partitions
            )
            if caught_up or (not batches and time.monotonic() - last_data > idle_seconds):
                break
        self.records_read += read
        log.info("route_state_loaded", topic=self.topic, records=read, entries=len(self.state))
        return read

    def _apply(self, value: bytes) -> None:
        try:
            draft = json.loads(value)
            key = (draft["product_id"], draft["locale"], draft["channel"])
            self.state.remember(key, int(draft["sequence"]), draft["input_hash"])
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable_description_record")

    def close(self) -> None:
        self.consumer.close()
