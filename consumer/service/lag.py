"""Consumer lag on a timer: log end minus committed offset, per partition.

Reported from the main loop and from the wait on a generating batch, independent of commits,
so a stuck model or a stalled commit shows as growing lag - the signal the "lag growing" alert
and a lag-based autoscaler need exactly then - instead of freezing the gauge at its last value.

The log end is the high-water mark that fetch responses carry. A paused partition (while a
batch generates) is not fetched by the group's consumer, so a small group-less probe consumer
fetches from the last mark it saw: what it reads is thrown away (the group's consumer reads it
for real), only the mark is kept. ListOffsets would be simpler on real Kafka but is wrong on
the embedded broker (Tansu), and the fetch mark is right on both.
"""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from consumer.ops import metrics
from consumer.service.offsets import OffsetTracker


class LagReporter:
    def __init__(self, consumer: KafkaConsumer, tracker: OffsetTracker, client_config: dict, every_seconds: float = 5.0):
        self.consumer = consumer
        self.tracker = tracker
        self.client_config = client_config
        self.every_seconds = every_seconds
        self._probe: KafkaConsumer | None = None
        self._group_committed: dict[TopicPartition, int] = {}  # what the group had before we committed
        self._reported_at = 0.0

    def report(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._reported_at < self.every_seconds:
            return
        self._reported_at = now
        partitions = sorted(self.consumer.assignment())
        ends = self._log_ends(partitions)
        for partition in partitions:
            if partition not in ends:
                continue
            committed = self.tracker.committed_offset(partition)
            if committed is None:
                if partition not in self._group_committed:
                    try:  # bounded: a stalled broker must not stall the loop that reports it
                        self._group_committed[partition] = self.consumer.committed(partition, timeout_ms=1000) or 0
                    except Exception:  # noqa: BLE001 - no figure this round; the next report tries again
                        continue
                committed = self._group_committed[partition]
            metrics.CONSUMER_LAG.labels(topic=partition.topic, partition=str(partition.partition)).set(max(0, ends[partition] - committed))

    def _log_ends(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        ends = {tp: hw for tp in partitions if (hw := self.consumer.highwater(tp)) is not None}
        if not partitions:
            return ends
        if self._probe is None:
            self._probe = KafkaConsumer(**self.client_config, group_id=None, enable_auto_commit=False, max_partition_fetch_bytes=4096)
        if set(self._probe.assignment()) != set(partitions):
            self._probe.assign(partitions)
            for tp in partitions:
                self._probe.seek(tp, max(0, (ends[tp] if tp in ends else self._position(tp)) - 1))
        self._probe.poll(timeout_ms=200)
        for tp in partitions:
            highwater = self._probe.highwater(tp)
            if highwater is not None:
                ends[tp] = max(ends.get(tp, 0), highwater)
                self._probe.seek(tp, max(0, highwater - 1))  # the next fetch returns at most the newest record
        return ends

    def _position(self, tp: TopicPartition) -> int:
        """The group consumer's position, bounded like every broker call here: a frozen broker must not freeze the loop."""
        try:
            return self.consumer.position(tp, timeout_ms=1000) or 0
        except Exception:  # noqa: BLE001 - KafkaTimeoutError and friends: start from 0, the probe finds the mark
            return 0

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
