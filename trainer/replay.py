"""Replay the approvals topic into a training set: a pure function of the offsets read.

Reads with assign + seek (it joins no group that anything else uses and commits nothing) from
the beginning, or from given offsets, up to the end positions captured when it started. Those
ends are the high-water marks carried by the first fetch response of each partition: what real
Kafka reports as the log end, and still right on Tansu, whose ListOffsets end is not reliable.
Records appended after the start are left for the next run, so the same offsets always give
the same dataset (and the same hash in the model card).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from consumer.catalog import is_held_out
from consumer.kafka.topic_tail import assign_from_beginning, read_to_end
from consumer.ops.logs import get_logger
from schemas import DescriptionApproved, OffsetRange
from trainer.dataset import Example, example_from_pair

log = get_logger("copydesk.replay")


@dataclass
class Replayed:
    approvals: list[tuple[int, int, DescriptionApproved]]  # (partition, offset, event)
    ranges: list[OffsetRange]
    unreadable: int


def replay(client_config: dict, topic: str, start: dict[int, int] | None = None, timeout_seconds: float = 60.0) -> Replayed:
    consumer = assign_from_beginning(client_config, topic)
    try:
        partitions = sorted(consumer.assignment(), key=lambda tp: tp.partition)
        starts = {}
        for tp in partitions:
            if start and tp.partition in start:
                consumer.seek(tp, start[tp.partition])
            starts[tp] = consumer.position(tp)
        approvals: list[tuple[int, int, DescriptionApproved]] = []
        unreadable = 0

        def collect(record) -> None:
            nonlocal unreadable
            try:
                approvals.append((record.partition, record.offset, DescriptionApproved.model_validate_json(record.value)))
            except ValidationError:
                unreadable += 1

        ends = read_to_end(consumer, collect, timeout_seconds=timeout_seconds, freeze_ends=True)
        ranges = [OffsetRange(topic=topic, partition=tp.partition, start_offset=starts[tp], end_offset=max(ends[tp], starts[tp])) for tp in partitions]
        log.info("replayed", topic=topic, approvals=len(approvals), unreadable=unreadable, ranges=[r.model_dump() for r in ranges])
        return Replayed(sorted(approvals, key=lambda item: (item[0], item[1])), ranges, unreadable)
    finally:
        consumer.close()


@dataclass
class ApprovalDataset:
    """Three disjoint sets of products: fit on ``train``, pick the checkpoint on ``selection``,
    decide the promotion on ``held_out`` (the gate), which nothing before the gate has seen."""

    train: list[Example]
    held_out: list[Example]
    negatives: list[DescriptionApproved]
    superseded: int
    selection: list[Example] = field(default_factory=list)


def build_dataset(replayed: Replayed, held_out_share: float = 0.2, selection_share: float = 0.1, targets: str = "grounded") -> ApprovalDataset:
    """Latest approval per product and locale wins; rejected drafts are counted, not trained on.

    A rejection has no target text for supervised fine-tuning, and no chosen text for a
    preference pair (see README, The learning loop); ``negatives`` keeps them for the count.

    Products are split by salted hash: ``held_out_share`` of them to the gate, then
    ``selection_share`` (of all) to checkpoint selection, the rest to training.
    """
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
    train, selection, held_out = [], [], []
    selection_of_rest = min(0.99, selection_share / (1 - held_out_share))
    for (product_id, _), approval in sorted(latest.items()):
        example = example_from_pair(product_id, approval.product, approval.approved_text or "", targets, action=approval.action)
        if example is None:
            continue
        if is_held_out(product_id, held_out_share):
            held_out.append(example)
        elif is_held_out(product_id, selection_of_rest, salt="select"):
            selection.append(example)
        else:
            train.append(example)
    return ApprovalDataset(train, held_out, negatives, superseded, selection)
