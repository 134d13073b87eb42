"""Rebalance callbacks never commit a failed send and never block: real broker, real model.

- A draft whose send failed when the partition is revoked must not have its input committed:
  the next owner reads the record again and produces the draft, once. (kafka-python's
  ``flush()`` does not raise for a record that failed; only its future says so.)
- The assignment callback runs on kafka-python's IO thread: reading the descriptions topic to
  its end there stops the heartbeats, and a catch-up longer than the session timeout gets the
  member evicted. The catch-up runs in the poll loop instead.
"""

from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaTimeoutError
from kafka.future import Future

from consumer.generation.generator import Generator
from consumer.service.loop import EnrichmentService
from tests.conftest import product_event
from tests.harness import Harness, TopicTail, account

pytestmark = [pytest.mark.kafka, pytest.mark.model]


@pytest.fixture(scope="module")
def generator(base_model_dir) -> Generator:
    return Generator.load(base_model_dir, max_new_tokens=8)


def committed_offset(harness: Harness) -> int:
    consumer = KafkaConsumer(**harness.broker.client_config, group_id=harness.group, enable_auto_commit=False)
    try:
        return consumer.committed(TopicPartition(harness.input_topic, 0)) or 0
    finally:
        consumer.close()


def test_a_draft_whose_send_failed_at_a_revoke_is_not_committed_and_the_next_owner_produces_it_once(broker, generator):
    harness = Harness(broker, partitions=1)
    event = product_event(product_id="revoked-1")
    harness.publish(event)
    first = EnrichmentService(harness.config(), broker.client_config, generator)
    try:
        records: list = []
        deadline = time.monotonic() + 60
        while not records and time.monotonic() < deadline:  # the loop's first steps, by hand: poll, accept
            records = first._poll()
        assert records, "the first member never got the record"
        for record in records:
            first._accept(record)

        def failing_send(topic, key=None, value=None, headers=None):  # the broker never takes the draft
            future = Future()
            future.failure(KafkaTimeoutError("injected: the draft was not delivered"))
            return future

        first.producer.send = failing_send
        first._run_batch()  # generates and "publishes" the draft: its future has failed
        first._on_revoked(set(first.consumer.assignment()))  # the rebalance lands before the checkpoint
        time.sleep(1)  # a commit_async would have landed by now
        assert committed_offset(harness) == 0, "the input of an undelivered draft was committed"
    finally:
        first.consumer.close()
    outputs = TopicTail(broker, harness.output_topic)
    try:
        harness.start(generator)  # the partition's next owner
        outputs.wait_for(lambda: not account([event], outputs.records, [])["lost"], 300, "the draft from the next owner")
        time.sleep(2)
        drafts = [r for r in outputs.records if r.get("causation_id") == event["event_id"]]
        assert len(drafts) == 1, drafts
    finally:
        outputs.stop()
        harness.stop_all()


@pytest.mark.timeout(600)
def test_a_catch_up_longer_than_the_session_timeout_does_not_evict_the_member(broker, generator, monkeypatch):
    harness = Harness(broker, partitions=2)
    first = harness.start(generator)
    deadline = time.monotonic() + 60
    while first.stats.assignments < 1 and time.monotonic() < deadline:  # its own first assignment, counted
        time.sleep(0.2)
    time.sleep(1)
    slow = first.reader.catch_up

    def slow_catch_up():  # longer than the 6 s session timeout (tests/conftest.py FAST_GROUP)
        time.sleep(9)
        return slow()

    monkeypatch.setattr(first.reader, "catch_up", slow_catch_up)
    assignments_before = first.stats.assignments
    second = harness.start(generator)  # a rebalance: each member gets one partition and catches up
    events = [product_event(product_id=f"slow-{i}") for i in range(6)]
    harness.publish(*events)
    outputs = TopicTail(broker, harness.output_topic)
    try:
        outputs.wait_for(lambda: not account(events, outputs.records, [])["lost"], 300, "an outcome for every event")
        time.sleep(5)
        figures = account(events, outputs.records, [])
        assert figures["lost"] == [] and figures["conflicting"] == [], figures
        # one rebalance for the join; an eviction would add another round for both members
        assert first.stats.assignments - assignments_before == 1, first.stats.assignments
        assert second.stats.assignments == 1, second.stats.assignments
    finally:
        outputs.stop()
        harness.stop_all()
