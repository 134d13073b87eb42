"""A rebalance that lands while a batch generates, and lag while the model is stuck: real broker, real model.

kafka-python keeps the paused flag only for partitions that stay assigned, so a rebalance inside
the poll that runs during generation can hand this member unpaused partitions; whatever such a
poll returns must be processed, never dropped (consumer/service/loop.py accepts every record a
poll returns, during generation too). These tests stream events onto every partition, make a second member join while the
first member's batch is generating, and then account for every input.
"""

from __future__ import annotations

import threading
import time

import pytest
from kafka import KafkaConsumer, TopicPartition

from consumer.generation.generator import Generator
from consumer.ops import metrics
from tests.conftest import product_event
from tests.harness import Harness, TopicTail, account

pytestmark = [pytest.mark.kafka, pytest.mark.model]


@pytest.fixture(scope="module")
def generator(base_model_dir) -> Generator:
    return Generator.load(base_model_dir, max_new_tokens=8)


class GatedGenerator:
    """The real generator, but each batch waits until the test lets it go (a slow or stuck model)."""

    def __init__(self, inner: Generator):
        self.inner, self.version = inner, inner.version
        self.started = threading.Event()
        self.release = threading.Event()

    def describe(self, requests):
        self.started.set()
        assert self.release.wait(300), "the test never released the batch"
        return self.inner.describe(requests)


def committed(harness: Harness, partitions: int) -> dict[int, int]:
    consumer = KafkaConsumer(**harness.broker.client_config, group_id=harness.group, enable_auto_commit=False)
    try:
        return {p: consumer.committed(TopicPartition(harness.input_topic, p)) or 0 for p in range(partitions)}
    finally:
        consumer.close()


@pytest.mark.timeout(900)
def test_a_member_joining_mid_batch_loses_no_record_and_commits_nothing_unprocessed(broker, generator):
    harness = Harness(broker, partitions=3)
    gated = GatedGenerator(generator)
    try:
        first = harness.start(gated, max_batch_size=2)
        early = [product_event(product_id=f"early-{i}") for i in range(6)]
        harness.publish(*early)
        assert gated.started.wait(120), "the first batch never started"
        # The first batch is generating now. Events wait on every partition; a second member joins.
        late = [product_event(product_id=f"late-{i}") for i in range(24)]
        harness.publish(*late)
        second = harness.start(generator, max_batch_size=4)
        time.sleep(3)  # the join is under way while the first batch still generates
        gated.release.set()
        events = early + late
        outputs = TopicTail(broker, harness.output_topic)
        outputs.wait_for(lambda: not account(events, outputs.records, [])["lost"], 420, "an outcome for every event")
        time.sleep(2)  # let a redelivered batch land, so a second, different outcome would be seen
        outputs.stop()
        figures = account(events, outputs.records, [])
        assert figures["lost"] == [] and figures["conflicting"] == [], figures
        assert second.stats.assignments >= 1 and first.stats.assignments >= 2, "no rebalance happened mid-batch"
    finally:
        gated.release.set()
        harness.stop_all()
    # Nothing committed past what was published: each partition's committed offset is its record count.
    per_partition = committed(harness, 3)
    assert sum(per_partition.values()) == len(events), per_partition


def test_lag_keeps_rising_while_the_model_is_stuck(broker, generator):
    harness = Harness(broker, partitions=1)
    gated = GatedGenerator(generator)
    gauge = metrics.CONSUMER_LAG.labels(topic=harness.input_topic, partition="0")
    try:
        service = harness.start(gated, max_batch_size=1)
        service.lag.every_seconds = 0.5
        harness.publish(product_event(product_id="stuck-0"))
        assert gated.started.wait(120)
        before = gauge._value.get()
        harness.publish(*[product_event(product_id=f"stuck-{i}") for i in range(1, 11)])
        deadline = time.monotonic() + 30
        while gauge._value.get() < before + 10 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert gauge._value.get() >= before + 10, "lag froze while the model was stuck (no commit, no update)"
    finally:
        gated.release.set()
        harness.stop_all()
