"""Per platform, the whole path: a signed webhook into `ingest`, Kafka, `serve` (the real model),
`writeback`, and the platform's API (a loopback server answering as the vendor documents)."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from consumer.ingest.settings import IngestSettings
from consumer.ingest.signatures import hmac_sha256
from tests.ingest_server import IngestServer
from tests.platform_api import PlatformAPI
from tests.test_adapters import TENT_UUID, payload
from tests.test_ingest import AKENEO_SECRET, saleor_keys, saleor_signature
from tests.test_writeback import SHOPIFY_GRAPHQL, SHOPIFY_OK, Running, settings_for

pytestmark = [pytest.mark.kafka, pytest.mark.model]


def signed_request(platform: str, tmp_path) -> tuple[bytes, dict, dict]:
    """(body, headers, ingest settings) for one platform's documented webhook."""
    if platform == "shopify":
        body = json.dumps(payload("shopify_products_update")).encode()
        headers = {"X-Shopify-Topic": "products/update", "X-Shopify-Webhook-Id": "wh-1",
                   "X-Shopify-Hmac-Sha256": base64.b64encode(hmac_sha256("hush", body)).decode()}
        return body, headers, {"shopify_webhook_secret": "hush"}
    if platform == "saleor":
        key, jwks = saleor_keys()
        (tmp_path / "jwks.json").write_text(json.dumps(jwks))
        body = json.dumps(payload("saleor_product_updated")).encode()
        return body, {"Saleor-Event": "product_updated", "Saleor-Signature": saleor_signature(key, body)}, {"saleor_jwks_file": tmp_path / "jwks.json"}
    body = json.dumps(payload("akeneo_events_api")).encode()
    stamp = str(int(time.time()))
    headers = {"X-Akeneo-Request-Timestamp": stamp, "X-Akeneo-Request-Signature": hmac_sha256(AKENEO_SECRET, stamp.encode() + b"." + body).hex()}
    return body, headers, {"akeneo_webhook_secret": AKENEO_SECRET}


def review_write(api: PlatformAPI, platform: str) -> tuple[dict, str]:
    """(the request body the platform received, the draft text in it)."""
    if platform == "shopify":
        (call,) = api.calls("POST", SHOPIFY_GRAPHQL)
        body = json.loads(call["body"])
        assert "metafieldsSet" in body["query"] and call["headers"]["x-shopify-access-token"] == "shpat"
        metafield = body["variables"]["metafields"][0]
        assert (metafield["ownerId"], metafield["namespace"], metafield["key"], metafield["type"]) == (
            "gid://shopify/Product/9007199254740993", "copydesk", "description_draft", "json")
        return body, json.loads(metafield["value"])["text"]
    if platform == "saleor":
        reread, call = api.calls("POST", "/graphql/")
        assert "product(" in json.loads(reread["body"])["query"]
        body = json.loads(call["body"])
        assert "updatePrivateMetadata" in body["query"] and call["headers"]["authorization"] == "Bearer sal"
        assert body["variables"]["id"] == "UHJvZHVjdDo3Mg=="
        (item,) = body["variables"]["input"]
        assert item["key"] == "copydesk.description_draft"
        return body, json.loads(item["value"])["text"]
    (call,) = api.calls("PATCH", f"/api/rest/v1/products-uuid/{TENT_UUID}")
    body = json.loads(call["body"])
    assert set(body["values"]) == {"copydesk_description_draft", "copydesk_draft_info"}
    return body, body["values"]["copydesk_description_draft"][0]["data"]


@pytest.mark.parametrize("platform", ["shopify", "saleor", "akeneo"])
def test_a_signed_webhook_ends_as_a_draft_in_the_platforms_review_field(platform, broker, base_model_dir, tmp_path):
    from consumer.generation.generator import Generator
    from tests.harness import Harness

    body, headers, secrets = signed_request(platform, tmp_path)
    harness = Harness(broker)
    generator = Generator.load(base_model_dir, max_new_tokens=8)
    try:
        with PlatformAPI() as api:
            api.answer("POST", SHOPIFY_GRAPHQL, (200, SHOPIFY_OK))
            # writeback re-reads Saleor and Akeneo products first (is the draft's input still current?)
            api.answer("POST", "/graphql/", (200, {"data": {"product": payload("saleor_product_updated")["product"]}}),
                       (200, {"data": {"updatePrivateMetadata": {"errors": []}}}))
            api.answer("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}", (200, payload("akeneo_events_api")["events"][0]["data"]["resource"]))
            api.answer("PATCH", f"/api/rest/v1/products-uuid/{TENT_UUID}", (204, None))
            settings = IngestSettings(bootstrap_servers=broker.bootstrap_servers, topic=harness.input_topic, **secrets)
            with IngestServer(settings) as ingest:
                forged = requests.post(f"{ingest.url}/webhooks/{platform}", data=body + b" ", headers=headers, timeout=30)
                answer = requests.post(f"{ingest.url}/webhooks/{platform}", data=body, headers=headers, timeout=30)
            assert (forged.status_code, answer.status_code) == (401, 200), answer.text
            harness.start(generator, input_format="auto")
            (draft,) = harness.drafts(1, timeout_s=300, settle_s=2)
            with Running(settings_for(api, broker, harness.output_topic, harness.dead_letter_topic), broker) as running:
                counts = running.wait_handled(1)
            _, text = review_write(api, platform)
    finally:
        harness.stop_all()
    assert draft["writeback"]["platform"] == platform
    assert text == draft["description"]
    assert counts["applied"] == 1 and counts["applied_live"] == 0, counts  # the default: review field only
