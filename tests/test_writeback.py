"""`copydesk writeback` against loopback servers that answer like the platforms' APIs, on a real broker."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from kafka import KafkaProducer

from consumer.adapters import AdapterConfig
from consumer.adapters.writeback import render
from consumer.writeback.client import PlatformClient
from consumer.writeback.service import WritebackService
from consumer.writeback.settings import WritebackSettings
from schemas import DescriptionGenerated
from schemas.prompt import input_hash
from tests.conftest import FAST_GROUP
from tests.platform_api import PlatformAPI
from tests.test_adapters import GRINDER_ID, TENT_UUID, adapt, only, payload

pytestmark = pytest.mark.kafka

SHOPIFY_GRAPHQL = "/admin/api/2025-07/graphql.json"
SHOPIFY_OK = {"data": {"metafieldsSet": {"metafields": [{"id": "gid://shopify/Metafield/1"}], "userErrors": []}}}


def draft_of(item, status: str, text: str = "A light, waterproof tent.", version: str = "m-1") -> dict:
    """A DescriptionGenerated as `serve` publishes it (only the fields writeback reads are real)."""
    event = item.event
    event_id = DescriptionGenerated.derive_event_id(event.event_id, version)
    digest = input_hash(event.product, event.locale, event.channel)
    return {"event_type": "description.generated", "event_id": event_id, "product_id": event.product_id, "locale": event.locale,
            "channel": event.channel, "status": status, "description": text, "model_version": version, "input_hash": digest,
            "writeback": render(item.writeback, event, text, status, failed_checks=[] if status == "draft" else ["grounding"],
                                model_version=version, event_id=event_id, input_hash=digest)}


def settings_for(api: PlatformAPI, broker, topic: str, dlq: str, **overrides) -> WritebackSettings:
    return WritebackSettings(
        bootstrap_servers=broker.bootstrap_servers, input_topic=topic, dead_letter_topic=dlq, group_id=f"wb-{uuid.uuid4().hex[:6]}",
        shopify_shop_url=api.url, shopify_admin_token="shpat", saleor_api_url=f"{api.url}/graphql/", saleor_token="sal",
        akeneo_url=api.url, akeneo_token="ak", commercetools_api_url=api.url, commercetools_project_key="example-shop",
        commercetools_client_id="c", commercetools_client_secret="s", adobe_commerce_url=api.url, adobe_commerce_token="adb", health_port=0, unavailable_pause_seconds=0.3,
        **FAST_GROUP, **overrides,
    )


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


def queries(api: PlatformAPI, path: str) -> list[str]:
    return [json.loads(call["body"])["query"].split("(", 1)[0].strip() + " " + json.loads(call["body"])["query"].split("{", 2)[1].split("(")[0].strip()
            for call in api.calls("POST", path)]


def test_needs_review_never_reaches_a_live_field_even_when_live_writes_are_on(broker, new_topic):
    shopify = only(adapt("shopify_products_update", "shopify", headers={"X-Shopify-Topic": "products/update"}))
    saleor = only(adapt("saleor_product_updated", "auto", headers={"Saleor-Event": "product_updated"}))
    akeneo = only(adapt("akeneo_events_api", "akeneo"))
    ct = adapt("commercetools_product_published", "commercetools")[0]
    adobe = only(adapt("adobe_commerce_io_event", "auto", AdapterConfig(store_locales={"1": "en_GB"})))
    items = [shopify, saleor, akeneo, ct, adobe]
    topic, dlq = new_topic(), new_topic()
    with PlatformAPI() as api:
        api.answer("POST", SHOPIFY_GRAPHQL, (200, SHOPIFY_OK))
        api.answer("POST", "/graphql/", (200, {"data": {"updatePrivateMetadata": {"errors": []}, "productUpdate": {"errors": []}}}))
        api.answer("PATCH", f"/api/rest/v1/products-uuid/{TENT_UUID}", (204, None))
        api.answer("POST", f"/example-shop/products/{GRINDER_ID}", (200, {"id": GRINDER_ID, "version": 13}))
        api.answer("POST", "/oauth/token", (200, {"access_token": "ct"}))
        api.answer("PUT", "/rest/all/V1/products/LAMP-OAK-01", (200, {"sku": "LAMP-OAK-01"}))
        settings = settings_for(api, broker, topic, dlq, live_platforms="shopify,saleor,akeneo,commercetools,adobe-commerce", verify_input=False)
        publish(broker, topic, *[draft_of(item, "needs_review") for item in items])
        with Running(settings, broker) as running:
            counts = running.wait_handled(len(items))
        bodies = [json.loads(call["body"]) for call in api.requests if call["body"].startswith("{")]
    assert counts["applied"] == 5 and counts["applied_live"] == 0, counts
    text = json.dumps(bodies)
    assert "productUpdate" not in text and "body_html" not in text and "descriptionHtml" not in text
    assert '"publish"' not in text and '"description": [' not in text  # no commercetools publish, no Akeneo description value
    akeneo_values = next(b["values"] for b in bodies if "values" in b)
    assert set(akeneo_values) == {"copydesk_description_draft", "copydesk_draft_info"}
    assert akeneo_values["copydesk_draft_info"][0]["data"].startswith("needs_review")
    adobe_codes = [a["attribute_code"] for b in bodies if "product" in b for a in b["product"]["custom_attributes"]]
    assert adobe_codes == ["copydesk_description_draft", "copydesk_draft_info"]
    metafield = next(b for b in bodies if "metafields" in b.get("variables", {}))["variables"]["metafields"][0]
    assert json.loads(metafield["value"])["status"] == "needs_review"


def test_clean_drafts_go_live_only_where_asked_and_a_redelivery_writes_once(broker, new_topic):
    shopify = only(adapt("shopify_products_update", "shopify", headers={"X-Shopify-Topic": "products/update"}))
    akeneo = only(adapt("akeneo_events_api", "akeneo"))
    topic, dlq = new_topic(), new_topic()
    with PlatformAPI() as api:
        api.answer("POST", SHOPIFY_GRAPHQL, (200, {"data": {"productUpdate": {"userErrors": []}}}))
        api.answer("PATCH", f"/api/rest/v1/products-uuid/{TENT_UUID}", (204, None))
        settings = settings_for(api, broker, topic, dlq, live_platforms="shopify", verify_input=False)
        shopify_draft, akeneo_draft = draft_of(shopify, "draft"), draft_of(akeneo, "draft")
        publish(broker, topic, shopify_draft, akeneo_draft, shopify_draft)  # the third is a redelivery
        with Running(settings, broker) as running:
            counts = running.wait_handled(3)
        shopify_calls = api.calls("POST", SHOPIFY_GRAPHQL)
        akeneo_calls = api.calls("PATCH", f"/api/rest/v1/products-uuid/{TENT_UUID}")
    assert (counts["applied_live"], counts["applied"], counts["duplicate"]) == (1, 1, 1), counts
    assert len(shopify_calls) == 1 and "productUpdate" in json.loads(shopify_calls[0]["body"])["query"]
    assert shopify_calls[0]["headers"]["x-shopify-access-token"] == "shpat"
    assert set(json.loads(akeneo_calls[0]["body"])["values"]) == {"copydesk_description_draft", "copydesk_draft_info"}  # not in live_platforms


def test_refusals_are_dead_lettered_with_the_answer_and_outages_wait(broker, new_topic):
    shopify = only(adapt("shopify_products_update", "shopify", headers={"X-Shopify-Topic": "products/update"}))
    akeneo = only(adapt("akeneo_events_api", "akeneo"))
    topic, dlq = new_topic(), new_topic()
    with PlatformAPI() as api:
        refusal = {"data": {"metafieldsSet": {"metafields": [], "userErrors": [{"field": ["metafields"], "message": "Owner does not exist"}]}}}
        api.answer("POST", SHOPIFY_GRAPHQL, (200, refusal))
        # down for a while (more 503s than one round of attempts), then up: the draft waits, nothing is lost
        api.answer("PATCH", f"/api/rest/v1/products-uuid/{TENT_UUID}", *[(503, {"message": "maintenance"})] * 6, (204, None))
        settings = settings_for(api, broker, topic, dlq, attempts=2, verify_input=False)
        publish(broker, topic, draft_of(shopify, "draft"), draft_of(akeneo, "draft"))
        with Running(settings, broker) as running:
            counts = running.wait_handled(2)
        akeneo_attempts = len(api.calls("PATCH", f"/api/rest/v1/products-uuid/{TENT_UUID}"))
    from tests.test_ingest import read_all

    letters = [json.loads(r.value) for r in read_all(broker.client_config, dlq)]
    assert (counts["dead_lettered"], counts["applied"]) == (1, 1), counts
    assert letters[0]["error_type"] == "writeback" and "Owner does not exist" in letters[0]["error_message"]
    assert akeneo_attempts == 7  # six 503s across paused rounds, then the write that landed


def test_a_commercetools_conflict_rereads_and_skips_only_a_changed_product(broker, new_topic):
    from datetime import UTC, datetime

    from consumer.adapters.commercetools import product_events, projection_of

    rest = payload("commercetools_rest_product")
    projection, _ = projection_of(rest)
    item = product_events(projection, 12, config=AdapterConfig(), event_id="m-12", event_type="product.updated", occurred_at=datetime.now(UTC))[0]
    path = f"/example-shop/products/{GRINDER_ID}"
    # the product's version moved on (a price change, say) but its input is the same; between
    # our read and our write it moves again (409): read again, write at that version
    with PlatformAPI() as api:
        api.answer("POST", "/oauth/token", (200, {"access_token": "ct"}))
        api.answer("GET", path, (200, {**rest, "version": 15}), (200, {**rest, "version": 16}))
        api.answer("POST", path, (409, {"statusCode": 409, "message": "Object has a different version"}), (200, {"version": 17}))
        topic, dlq = new_topic(), new_topic()
        publish(broker, topic, draft_of(item, "draft"))
        with Running(settings_for(api, broker, topic, dlq), broker) as running:
            counts = running.wait_handled(1)
        writes = [json.loads(call["body"]) for call in api.calls("POST", path)]
    assert counts["applied"] == 1, counts
    assert [w["version"] for w in writes] == [15, 16]
    # a product whose data changed since the draft's input: stale, nothing written
    changed = json.loads(json.dumps(rest))
    changed["masterData"]["current"]["name"] = {k: v + " v2" for k, v in changed["masterData"]["current"]["name"].items()}
    with PlatformAPI() as api:
        api.answer("POST", "/oauth/token", (200, {"access_token": "ct"}))
        api.answer("GET", path, (200, {**changed, "version": 15}))
        topic = new_topic()
        publish(broker, topic, draft_of(item, "draft", version="m-2"))
        with Running(settings_for(api, broker, topic, dlq), broker) as running:
            counts = running.wait_handled(1)
        writes = api.calls("POST", path)
    assert counts["stale"] == 1 and writes == [], counts


def test_an_akeneo_draft_whose_product_changed_since_is_not_written(broker, new_topic):
    item = only(adapt("akeneo_events_api", "akeneo"))
    resource = payload("akeneo_events_api")["events"][0]["data"]["resource"]
    edited = json.loads(json.dumps(resource))
    edited["values"]["name"][0]["data"] += " (2027 edition)"
    path = f"/api/rest/v1/products-uuid/{TENT_UUID}"
    outcomes = {}
    for label, current in (("same", resource), ("edited", edited)):
        topic, dlq = new_topic(), new_topic()
        with PlatformAPI() as api:
            api.answer("GET", path, (200, current))
            api.answer("PATCH", path, (204, None))
            publish(broker, topic, draft_of(item, "draft"))
            with Running(settings_for(api, broker, topic, dlq), broker) as running:
                running.wait_handled(1)
            outcomes[label] = (dict(running.service.counts), len(api.calls("PATCH", path)))
    assert outcomes["same"][0]["applied"] == 1 and outcomes["same"][1] == 1
    assert outcomes["edited"][0]["stale"] == 1 and outcomes["edited"][1] == 0
