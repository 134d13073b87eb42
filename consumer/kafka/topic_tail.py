"""Read a topic from where a consumer stands up to its end: the one loop behind every replay.

The routing state (descriptions topic), the model watcher (models topic) and the trainer's
replay (approvals topic) all need "everything up to now". "Now" is the high-water mark that
fetch responses carry: what real Kafka reports as the log end, and still right on Tansu, whose
ListOffsets answer for the end is not reliable. These readers use assign + seek, join no group
and commit nothing, so they can never disturb the consumer group that does the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition


def assign_from_beginning(client_config: dict, topic: str, **consumer_options) -> KafkaConsumer:
    """A group-less consumer holding every partition of topic, positioned at the beginning."""
    consumer = KafkaConsumer(**client_config, group_id=None, enable_auto_commit=False, **consumer_options)
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    return consumer


def read_to_end(
    consumer: KafkaConsumer,
    on_record: Callable[[object], None],
    *,
    timeout_seconds: float,
    freeze_ends: bool = False,
    idle_seconds: float | None = None,
) -> dict[TopicPartition, int]:
    """Hand every record to on_record until each assigned partition reaches its high-water mark.

    freeze_ends: the end of each partition is the first high-water mark a fetch reports, and
    later records are not handed over (the trainer's replay: the same offsets must always give
    the same dataset). Otherwise the live mark is chased (state that must miss nothing).
    idle_seconds: also stop after this long without records (a broker that never reports a
    mark for an empty partition); None waits for the marks and raises TimeoutError instead.
    Returns the end offsets seen.
    """
    partitions = list(consumer.assignment())
    ends: dict[TopicPartition, int] = {}
    started = last_data = time.monotonic()
    while time.monotonic() - started < timeout_seconds:
        batches = consumer.poll(timeout_ms=200)
        for tp in partitions:
            highwater = consumer.highwater(tp)
            if highwater is not None and (tp not in ends or not freeze_ends):
                ends[tp] = highwater
        for tp, records in batches.items():
            for record in records:
                if not freeze_ends or record.offset < ends.get(tp, record.offset + 1):
                    on_record(record)
            last_data = time.monotonic()
        if len(ends) == len(partitions) and all(consumer.position(tp) >= ends[tp] for tp in partitions):
            return ends
        if idle_seconds is not None and not batches and time.monotonic() - last_data > idle_seconds:
            return ends
    if idle_seconds is None:
        raise TimeoutError(f"{partitions} did not reach their end positions {ends} within {timeout_seconds}s")
    return ends
