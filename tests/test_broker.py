"""The embedded broker: a real Kafka-protocol round trip and consumer-group offsets."""

from __future__ import annotations

import uuid

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from schemas import topics
from tests.conftest import FAST_GROUP


def consume(consumer: KafkaConsumer, count: int, timeout_s: float = 30.0) -> list:
    import time

    records, deadline = [], time.monotonic() + timeout_s
    while len(records) < count and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    return records


def test_broker_has_copydesk_topics(broker):
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(**broker.client_config)
    try:
        assert set(topics.ALL_TOPICS) <= set(admin.list_topics())
    finally:
        admin.close()


def test_produce_consume_round_trip_keeps_key_and_headers(broker, new_topic):
    topic = new_topic(partitions=2)
    producer = KafkaProducer(**broker.client_config, acks="all", enable_idempotence=True)
    for index in range(10):
        producer.send(topic, key=f"p-{index % 3}".encode(), value=f"v{index}".encode(), headers=[("trace", b"t%d" % index)])
    producer.flush()
    producer.close()

    consumer = KafkaConsumer(topic, **broker.client_config, auto_offset_reset="earliest", group_id=None)
    records = consume(consumer, 10)
    consumer.close()
    assert sorted(r.value for r in records) == sorted(f"v{i}".encode() for i in range(10))
    by_value = {r.value: r for r in records}
    assert by_value[b"v4"].key == b"p-1"
    assert by_value[b"v4"].headers == [("trace", b"t4")]
    # one key, one partition: per-product order is what stale-event dropping relies on
    partitions_of_p0 = {r.partition for r in records if r.key == b"p-0"}
    assert len(partitions_of_p0) == 1


def test_consumer_group_commits_and_resumes_from_committed_offset(broker, new_topic):
    topic, group = new_topic(), f"g-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(**broker.client_config)
    for index in range(6):
        producer.send(topic, value=b"%d" % index)
    producer.flush()

    def member():
        return KafkaConsumer(
            topic, **broker.client_config, group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest", max_poll_records=3, **FAST_GROUP,
        )

    first = member()
    seen = consume(first, 3)[:3]
    assert [r.value for r in seen] == [b"0", b"1", b"2"]
    first.commit({TopicPartition(topic, 0): __import__("kafka").OffsetAndMetadata(3, "", -1)})
    first.close()

    for index in range(6, 8):
        producer.send(topic, value=b"%d" % index)
    producer.flush()
    producer.close()

    second = member()
    rest = consume(second, 5)
    assert second.committed(TopicPartition(topic, 0)) == 3
    second.close()
    assert [r.value for r in rest] == [b"3", b"4", b"5", b"6", b"7"]
