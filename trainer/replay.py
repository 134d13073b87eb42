"""Replay the approvals topic into a training set: a pure function of the offsets read.

Reads with assign + seek (it joins no group that anything else uses and commits nothing) from
the beginning, or from given offsets, up to the end positions captured when it started. Those
ends are the high-water marks carried by the first fetch response of each partition: what real
Kafka reports as the log end, and still right on Tansu, whose ListOffsets end is not reliable.
Records appended after the start are left for the next run, so the same offsets always give
the same dataset (and the same hash in the model card).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from pydantic import ValidationError

from consumer.logs import get_logger
from schemas import DescriptionApproved, OffsetRange
from trainer.dataset import Example, example_from_pair

log = get_logger("copydesk.replay")


@dataclass
class Replayed:
    approvals: list[tuple[int, int, DescriptionApproved]]  # (partition, offset, event)
    ranges: list[OffsetRange]
    unreadable: int


def replay(client_config: dict, topic: str, start: dict[int, int] | None = None, timeout_seconds: float = 60.0) -> Replayed:
    consumer = KafkaConsumer(**client_config, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        starts = {}
        for tp in partitions:
            if start and tp.partition in start:
                consumer.seek(tp, start[tp.partition])
            starts[tp] = consumer.position(tp)
        ends: dict[TopicPartition, int] = {}
        approvals: list[tuple[int, int, DescriptionApproved]] = []
        unreadable = 0
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=300)
            for tp in partitions:  # freeze each end the first time a fetch reports it
                if tp not in ends and consumer.highwater(tp) is not None:
                    ends[tp] = consumer.highwater(tp)
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends.get(tp, record.offset + 1):
                        continue  # appended after we started: the next run's
                    try:
                        approvals.append((tp.partition, record.offset, DescriptionApproved.model_validate_json(record.value)))
                    except ValidationError:
                        unreadable += 1
            if len(ends) == len(partitions) and all(consumer.position(tp) >= ends[tp] for tp in partitions):
                break
        else:
            raise TimeoutError(f"replay of {topic} did not reach its end positions {ends} within {timeout_seconds}s")
        ranges = [OffsetRange(topic=topic, partition=tp.partition, start_offset=starts[tp], end_offset=max(ends[tp], starts[tp])) for tp in partitions]
        log.info("replayed", topic=topic, approvals=len(approvals), unreadable=unreadable, ranges=[r.model_dump() for r in ranges])
        return Replayed(sorted(approvals, key=lambda item: (item[0], item[1])), ranges, unreadable)
    finally:
        consumer.close()


@dataclass
class ApprovalDataset:
    train: list[Example]
    held_out: list[Example]
    negatives: list[DescriptionApproved]
    superseded: int


def is_held_out(product_id: str, share: float = 0.2, salt: str = "gate") -> bool:
    """A stable split by product: the same product is always on the same side.

    The salt keeps independent splits independent (the demo's before/after products must not
    decide which approvals the gate holds out)."""
    digest = hashlib.sha256(f"{salt}:{product_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < share


def build_dataset(replayed: Replayed, held_out_share: float = 0.2) -> ApprovalDataset:
    """Latest approval per product and locale wins; rejected drafts are kept as negatives."""
    latest: dict[tuple[str, str], DescriptionApproved] = {}
    negatives = []
    for _, _, approval in replayed.approvals:  # in (partition, offset) order: later wins
        if approval.action == "rejected":
            negatives.append(approval)
            continue
        key = (approval.product_id, approval.locale)
        previous = latest.get(key)
        if previous is None or approval.occurred_at >= previous.occurred_at:
            latest[key] = approval
    superseded = sum(1 for _, _, a in replayed.approvals if a.action != "rejected") - len(latest)
    train, held_out = [], []
    for (product_id, _), approval in sorted(latest.items()):
        example = example_from_pair(product_id, approval.product, approval.approved_text or "")
        if example is not None:
            (held_out if is_held_out(product_id, held_out_share) else train).append(example)
    return ApprovalDataset(train, held_out, negatives, superseded)
