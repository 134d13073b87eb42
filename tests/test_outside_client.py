"""A new user's walk with a client no one here wrote: confluent-kafka (librdkafka) against the
embedded broker and a real `copydesk serve` process.

It produces ProductEvents (a good one, the same one again, one whose description a person
wrote, and a broken record), reads the descriptions and dead-letter topics, and checks that
every output is valid against the exported JSON Schema its `event_type` names and that every
input has exactly one visible outcome.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import product_event
from tests.harness import Harness, ServeProcess

confluent_kafka = pytest.importorskip("confluent_kafka", reason="pip install confluent-kafka (a dev dependency)")
jsonschema = pytest.importorskip("jsonschema", reason="pip install jsonschema (a dev dependency)")

pytestmark = [pytest.mark.kafka, pytest.mark.model]
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "json"
CONTRACT_OF = {"description.generated": "DescriptionGenerated", "description.skipped": "DescriptionSkipped",
               "record.dead_lettered": "DeadLetter"}


def read_all(bootstrap: str, topics: list[str], wanted: int, timeout_s: float) -> list[dict]:
    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex[:6]}",
                                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe(topics)
    found, deadline = [], time.monotonic() + timeout_s
    try:
        while len(found) < wanted and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                found.append(json.loads(message.value()))
        end = time.monotonic() + 2  # a little longer, to catch a second outcome that should not exist
        while time.monotonic() < end:
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                found.append(json.loads(message.value()))
    finally:
        consumer.close()
    return found


def test_confluent_kafka_producer_and_reader_see_one_valid_outcome_per_input(broker, base_model_dir):
    harness = Harness(broker)
    serve = ServeProcess(harness, base_model_dir.parent.parent)
    try:
        serve.wait_assigned()
        good = product_event(product_id="walk-1")
        human = product_event(product_id="walk-2", description="Written by our team.", description_origin="human")
        producer = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap_servers, "enable.idempotence": True})
        for event in (good, good, human):  # the same event twice: at-least-once producers do that
            producer.produce(harness.input_topic, key=event["product_id"].encode(), value=json.dumps(event).encode())
        producer.produce(harness.input_topic, key=b"walk-3", value=b'{"event_id": "broken", ')
        assert producer.flush(30) == 0
        outcomes = read_all(broker.bootstrap_servers, [harness.output_topic, harness.dead_letter_topic], 3, timeout_s=180)
    finally:
        serve.terminate()
        harness.producer.close()
    by_type = {}
    for outcome in outcomes:
        name = CONTRACT_OF[outcome["event_type"]]
        jsonschema.validate(outcome, json.loads((SCHEMAS / f"{name}.schema.json").read_text()))
        by_type.setdefault(outcome["event_type"], []).append(outcome)
    assert len(outcomes) == 3, outcomes  # one per distinct input: the repeat added none
    assert [o["causation_id"] for o in by_type["description.generated"]] == [good["event_id"]]
    assert [(o["causation_id"], o["reason"]) for o in by_type["description.skipped"]] == [(human["event_id"], "human_text")]
    assert [o["error_type"] for o in by_type["record.dead_lettered"]] == ["invalid_json"]
