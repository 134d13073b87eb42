"""Flow control: a rate in products per second, and a cap on serve's consumer lag.

The lag is counted from what this run knows, not from the broker's end offsets (which the
embedded broker reports wrong): the newest offset this run wrote on each partition against the
offset serve's group has committed there. That is exactly the number of records, backfill and
live, that serve still has to get through before the newest backfill event, so holding it under
``max_lag`` bounds how long a live event can queue behind the backfill.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaAdminClient, TopicPartition


class RateLimit:
    """At most ``per_second`` calls of ``wait`` return per second, evenly spaced (no bursts after a pause)."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.interval, self.clock, self.sleep = 1.0 / per_second, clock, sleep
        self.next_at: float | None = None

    def wait(self) -> float:
        now = self.clock()
        if self.next_at is None or self.next_at < now:
            self.next_at = now
        waited = self.next_at - now
        if waited > 0:
            self.sleep(waited)
        self.next_at += self.interval
        return waited


class LagGate:
    def __init__(self, client_config: dict, group_id: str, topic: str):
        self.group_id, self.topic = group_id, topic
        self.admin = KafkaAdminClient(**client_config, request_timeout_ms=10_000)
        self.newest: dict[int, int] = {}  # partition -> newest offset this run wrote
        self.first: dict[int, int] = {}  # partition -> first offset this run wrote

    def note_sent(self, partition: int, offset: int) -> None:
        self.first.setdefault(partition, offset)
        if offset > self.newest.get(partition, -1):
            self.newest[partition] = offset

    def lag(self) -> int:
        """Records up to this run's newest that serve's group has not committed yet."""
        if not self.newest:
            return 0
        partitions = [TopicPartition(self.topic, p) for p in self.newest]
        committed = self.admin.list_group_offsets({self.group_id: partitions}).get(self.group_id, {})
        total = 0
        for tp in partitions:
            found = committed.get(tp)
            offset = found.offset if found is not None and found.offset is not None and found.offset >= 0 else self.first[tp.partition]
            total += max(0, self.newest[tp.partition] + 1 - offset)
        return total

    def wait_below(self, max_lag: int, check_seconds: float, on_wait: Callable[[int], None] = lambda lag: None,
                   stopping: Callable[[], bool] = lambda: False) -> tuple[int, float]:
        """Block while the lag is at or above ``max_lag`` (one more event would pass it), or until ``stopping``; (the lag, the seconds waited)."""
        started = time.monotonic()
        lag = self.lag()
        while lag >= max_lag and not stopping():
            on_wait(lag)
            time.sleep(check_seconds)
            lag = self.lag()
        on_wait(lag)
        return lag, time.monotonic() - started

    def close(self) -> None:
        self.admin.close()
