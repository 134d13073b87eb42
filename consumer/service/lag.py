"""Consumer lag on a timer: fetch high-water mark minus committed offset, per partition.

Reported from the main loop and from the wait on a generating batch, independent of commits,
so a stuck model or a stalled commit shows as growing lag - the signal the "lag growing" alert
and a lag-based autoscaler need exactly then - instead of freezing the gauge at its last value.
"""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from consumer.ops import metrics
from consumer.service.offsets import OffsetTracker


class LagReporter:
    def __init__(self, consumer: KafkaConsumer, tracker: OffsetTracker, every_seconds: float = 5.0):
        self.consumer = consumer
        self.tracker = tracker
        self.every_seconds = every_seconds
        self._group_committed: dict[TopicPartition, int] = {}  # what the group had before we committed
        self._reported_at = 0.0

    def report(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._reported_at < self.every_seconds:
            return
        self._reported_at = now
        for partition in self.consumer.assignment():
            highwater = self.consumer.highwater(partition)
            if highwater is None:
                continue
            committed = self.tracker.committed_offset(partition)
            if committed is None:
                if partition not in self._group_committed:
                    self._group_committed[partition] = self.consumer.committed(partition) or 0
                committed = self._group_committed[partition]
            metrics.CONSUMER_LAG.labels(topic=partition.topic, partition=str(partition.partition)).set(max(0, highwater - committed))
