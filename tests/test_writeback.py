"""`copydesk writeback` against loopback servers that answer like the platforms' APIs, on a real broker."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from kafka import KafkaProducer

from consumer.adapters.writeback import render
from consumer.writeback.client import PlatformClient
from consumer.writeback.service import WritebackService
from consumer.writeback.settings import WritebackSettings
from schemas import DescriptionGenerated
from schemas.prompt import input_hash
from tests.conftest import FAST_GROUP
from tests.fake_pims import FakePIMs

pytestmark = pytest.mark.kafka



def draft_of(item, status: str, text: str = "A light, waterproof tent.", version: str = "m-1", fields: dict | None = None) -> dict:
    """A DescriptionGenerated as `serve` publishes it (only the fields writeback reads are real)."""
    event = item.event
    event_id = DescriptionGenerated.derive_event_id(event.event_id, version)
    digest = input_hash(event.product, event.locale, event.channel)
    return {"event_type": "description.generated", "event_id": event_id, "product_id": event.product_id, "locale": event.locale,
            "channel": event.channel, "status": status, "description": text, "model_version": version, "input_hash": digest,
            "fields": fields, "writeback": render(item.writeback, event, text, status, failed_checks=[] if status == "draft" else ["grounding"],
                                                  model_version=version, event_id=event_id, input_hash=digest, fields=fields)}


class Running:
    """The writeback service in a thread, stopped on exit."""

    def __init__(self, settings: WritebackSettings, broker):
        self.service = WritebackService(settings, broker.client_config, PlatformClient(settings, settings.fetcher(), backoff_seconds=0.05))
        self.thread = threading.Thread(target=self.service.run, daemon=True)

    def wait_handled(self, count: int, timeout_s: float = 90) -> dict:
        deadline = time.monotonic() + timeout_s
        while sum(self.service.counts.values()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sum(self.service.counts.values()) >= count, self.service.counts
        return self.service.counts

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.service.stop()
        self.thread.join(timeout=30)


def publish(broker, topic: str, *drafts: dict) -> None:
    producer = KafkaProducer(**broker.client_config, acks="all")
    for draft in drafts:
        producer.send(topic, key=draft["product_id"].encode(), value=json.dumps(draft).encode())
    producer.flush()
    producer.close()


def test_needs_review_never_reaches_a_live_field_even_when_live_writes_are_on(broker, new_topic):
    from tests.test_writeback_safety import PLATFORMS, seed, settings

    topic, dlq = new_topic(), new_topic()
    with FakePIMs() as pims:
        items = [seed(pims, platform) for platform in PLATFORMS]
        live = settings(pims, live=",".join(PLATFORMS), input_topic=topic, dead_letter_topic=dlq,
                        bootstrap_servers=broker.bootstrap_servers, group_id=f"wb-{uuid.uuid4().hex[:6]}", unavailable_pause_seconds=0.3, **FAST_GROUP)
        publish(broker, topic, *[draft_of(item, "needs_review") for item in items])
        with Running(live, broker) as running:
            counts = running.wait_handled(len(items))
        text = json.dumps([body for _, _, body in pims.writes])
    assert counts["applied"] == 5 and counts["applied_live"] == 0, counts
    assert "productUpdate" not in text and "descriptionHtml" not in text and "setDescription" not in text
    assert '"publish"' not in text and '"description": [' not in text and '"attribute_code": "description"' not in text
    assert text.count("needs_review") >= 5  # every review field says why the draft waits


def test_clean_drafts_go_live_only_where_asked_and_a_redelivery_writes_once(broker, new_topic):
    from tests.test_writeback_safety import seed, settings

    topic, dlq = new_topic(), new_topic()
    with FakePIMs() as pims:
        shopify, akeneo = seed(pims, "shopify"), seed(pims, "akeneo")
        live = settings(pims, live="shopify", input_topic=topic, dead_letter_topic=dlq, bootstrap_servers=broker.bootstrap_servers,
                        group_id=f"wb-{uuid.uuid4().hex[:6]}", **FAST_GROUP)
        shopify_draft, akeneo_draft = draft_of(shopify, "draft"), draft_of(akeneo, "draft")
        publish(broker, topic, shopify_draft, akeneo_draft, shopify_draft)  # the third is a redelivery
        with Running(live, broker) as running:
            counts = running.wait_handled(3)
        writes = [(platform, body) for platform, _, body in pims.writes]
    assert (counts["applied_live"], counts["applied"], counts["duplicate"]) == (1, 1, 1), counts
    assert [p for p, _ in writes] == ["shopify", "akeneo"] and "productUpdate" in writes[0][1]["query"]
    assert set(writes[1][1]["values"]) == {"copydesk_description_draft", "copydesk_draft_info"}  # not in live_platforms


def test_refusals_are_dead_lettered_with_the_answer_and_outages_wait(broker, new_topic):
    from tests.test_ingest import read_all
    from tests.test_writeback_safety import seed, settings

    topic, dlq = new_topic(), new_topic()
    with FakePIMs() as pims:
        shopify, akeneo = seed(pims, "shopify"), seed(pims, "akeneo")
        pims.refusals["shopify"] = "Owner does not exist"
        pims.outages["akeneo"] = 6  # down for longer than one round of attempts, then up: the draft waits, nothing is lost
        config = settings(pims, input_topic=topic, dead_letter_topic=dlq, bootstrap_servers=broker.bootstrap_servers, attempts=2,
                          group_id=f"wb-{uuid.uuid4().hex[:6]}", unavailable_pause_seconds=0.3, **FAST_GROUP)
        publish(broker, topic, draft_of(shopify, "draft"), draft_of(akeneo, "draft"))
        with Running(config, broker) as running:
            counts = running.wait_handled(2)
        landed = [p for p, _, _ in pims.writes if p == "akeneo"]
    letters = [json.loads(r.value) for r in read_all(broker.client_config, dlq)]
    assert (counts["dead_lettered"], counts["applied"]) == (1, 1), counts
    assert letters[0]["error_type"] == "writeback" and "Owner does not exist" in letters[0]["error_message"]
    assert landed == ["akeneo"] and pims.outages["akeneo"] == 0  # six 503s across paused rounds, then the write that landed
