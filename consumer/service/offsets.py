"""Which offsets are safe to commit while records of one partition finish out of order.

A skipped or dead-lettered record is done at once, while an earlier record of the same
partition may still be waiting in the generation batch. Committing past that earlier record
would lose it on a crash, so the committable offset of a partition is its lowest unfinished
offset (or one past the last finished record when nothing is in flight).
"""

from __future__ import annotations

from collections import Counter

from kafka import OffsetAndMetadata, TopicPartition


class OffsetTracker:
    """Counts holds per offset: one record can stand for several events (an Akeneo product in
    three locales), and its offset is done only when the last of them is."""

    def __init__(self):
        self._in_flight: dict[TopicPartition, Counter[int]] = {}
        self._next: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}

    def start(self, partition: TopicPartition, offset: int) -> None:
        self._in_flight.setdefault(partition, Counter())[offset] += 1
        self._next[partition] = max(self._next.get(partition, 0), offset + 1)

    def finish(self, partition: TopicPartition, offset: int) -> None:
        holds = self._in_flight.get(partition)
        if holds is not None and offset in holds:
            holds[offset] -= 1
            if holds[offset] <= 0:
                del holds[offset]

    def committable(self) -> dict[TopicPartition, OffsetAndMetadata]:
        """Offsets that moved since the last commit and have nothing unfinished below them."""
        result = {}
        for partition, next_offset in self._next.items():
            in_flight = self._in_flight.get(partition)
            offset = min(in_flight) if in_flight else next_offset
            if offset > self._committed.get(partition, -1):
                result[partition] = OffsetAndMetadata(offset, "", -1)
        return result

    def mark_committed(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        for partition, meta in offsets.items():
            self._committed[partition] = meta.offset

    def committed_offset(self, partition: TopicPartition) -> int | None:
        """The last offset this member committed for partition (None: none yet)."""
        return self._committed.get(partition)

    def forget(self, partitions) -> None:
        """Drop revoked partitions: their records are redelivered to the new owner."""
        for partition in partitions:
            self._in_flight.pop(partition, None)
            self._next.pop(partition, None)
            self._committed.pop(partition, None)

    def has_in_flight(self) -> bool:
        return any(self._in_flight.values())
