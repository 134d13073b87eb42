"""Run the real EnrichmentService against the session broker, on topics of its own."""

from __future__ import annotations

import json
import threading
import time
import uuid

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from consumer.broker import create_topics
from consumer.service import EnrichmentService, ServiceConfig
from tests.conftest import FAST_GROUP


class Harness:
    def __init__(self, broker, partitions: int = 1):
        suffix = uuid.uuid4().hex[:8]
        self.broker = broker
        self.input_topic, self.output_topic, self.dead_letter_topic = (f"in-{suffix}", f"out-{suffix}", f"dlq-{suffix}")
        self.group = f"g-{suffix}"
        create_topics(broker.client_config, {self.input_topic: partitions, self.output_topic: partitions, self.dead_letter_topic: 1})
        self.producer = KafkaProducer(**broker.client_config, acks="all")
        self.services: list[tuple[EnrichmentService, threading.Thread]] = []

    def config(self, **overrides) -> ServiceConfig:
        settings = dict(
            input_topic=self.input_topic, output_topic=self.output_topic, dead_letter_topic=self.dead_letter_topic,
            group_id=self.group, max_batch_size=4, max_wait_ms=100, poll_timeout_ms=200, **FAST_GROUP,
        )
        settings.update(overrides)
        return ServiceConfig(**settings)

    def start(self, generator, **overrides) -> EnrichmentService:
        service = EnrichmentService(self.config(**overrides), self.broker.client_config, generator)
        thread = threading.Thread(target=service.run, daemon=True)
        thread.start()
        self.services.append((service, thread))
        return service

    def publish(self, *events: dict) -> None:
        for event in events:
            self.producer.send(self.input_topic, key=event["product_id"].encode(), value=json.dumps(event).encode())
        self.producer.flush()

    def publish_raw(self, key: bytes | None, value: bytes | None, headers=None) -> None:
        self.producer.send(self.input_topic, key=key, value=value, headers=headers or [])
        self.producer.flush()

    def read(self, topic: str, count: int, timeout_s: float = 120.0, settle_s: float = 0.0) -> list[dict]:
        """Read `count` records from the start of `topic` (then `settle_s` more, to catch extras)."""
        consumer = KafkaConsumer(**self.broker.client_config, group_id=None, enable_auto_commit=False)
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found, deadline = [], time.monotonic() + timeout_s
        settle_until = None
        while time.monotonic() < (settle_until or deadline):
            for records in consumer.poll(timeout_ms=200).values():
                found.extend(json.loads(r.value) for r in records)
            if len(found) >= count and settle_until is None:
                settle_until = time.monotonic() + settle_s
        consumer.close()
        return found

    def drafts(self, count: int, **kwargs) -> list[dict]:
        return self.read(self.output_topic, count, **kwargs)

    def dead_letters(self, count: int, **kwargs) -> list[dict]:
        return self.read(self.dead_letter_topic, count, **kwargs)

    def wait_accounted(self, service: EnrichmentService, count: int, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while service.stats.accounted < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert service.stats.accounted >= count, service.stats

    def stop_all(self) -> None:
        for service, thread in self.services:
            service.stop()
            thread.join(timeout=60)
        self.producer.close()
