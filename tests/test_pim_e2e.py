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
from tests.conftest import FAST_GROUP
from tests.fake_pims import FakePIMs
from tests.test_adapters import payload
from tests.test_ingest import AKENEO_SECRET, saleor_keys, saleor_signature
from tests.test_writeback import Running

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
        from datetime import UTC, datetime

        delivery = {**payload("saleor_product_updated"), "issuedAt": datetime.now(UTC).isoformat()}  # sent now, not a replay
        body = json.dumps(delivery).encode()
        return body, {"Saleor-Event": "product_updated", "Saleor-Signature": saleor_signature(key, body)}, {"saleor_jwks_file": tmp_path / "jwks.json"}
    body = json.dumps(payload("akeneo_events_api")).encode()
    stamp = str(int(time.time()))
    headers = {"X-Akeneo-Request-Timestamp": stamp, "X-Akeneo-Request-Signature": hmac_sha256(AKENEO_SECRET, stamp.encode() + b"." + body).hex()}
    return body, headers, {"akeneo_webhook_secret": AKENEO_SECRET}


def review_write(pims: FakePIMs, platform: str) -> tuple[dict, str]:
    """(the request body the platform received, the draft text in it)."""
    ((written_to, _, body),) = pims.writes
    assert written_to == platform
    if platform == "shopify":
        assert "metafieldsSet" in body["query"] and "productUpdate" not in body["query"]
        draft = next(m for m in body["variables"]["metafields"] if m["key"] == "description_draft")
        assert (draft["ownerId"], draft["namespace"], draft["type"]) == ("gid://shopify/Product/9007199254740993", "copydesk", "json")
        return body, json.loads(draft["value"])["text"]
    if platform == "saleor":
        assert "updatePrivateMetadata" in body["query"] and "productUpdate" not in body["query"]
        assert body["variables"]["id"] == "UHJvZHVjdDo3Mg=="
        item = next(m for m in body["variables"]["meta"] if m["key"] == "copydesk.description_draft")
        return body, json.loads(item["value"])["text"]
    assert set(body["values"]) == {"copydesk_description_draft", "copydesk_draft_info"}
    return body, body["values"]["copydesk_description_draft"][0]["data"]


@pytest.mark.parametrize("platform", ["shopify", "saleor", "akeneo"])
def test_a_signed_webhook_ends_as_a_draft_in_the_platforms_review_field(platform, broker, base_model_dir, tmp_path):
    from consumer.generation.generator import Generator
    from tests.harness import Harness
    from tests.test_writeback_safety import seed, settings as writeback_settings

    body, headers, secrets = signed_request(platform, tmp_path)
    harness = Harness(broker)
    generator = Generator.load(base_model_dir, max_new_tokens=8)
    try:
        with FakePIMs() as pims:
            seed(pims, platform)  # the platform holds the product the webhook is about; writeback reads it again
            settings = IngestSettings(bootstrap_servers=broker.bootstrap_servers, topic=harness.input_topic, **secrets)
            with IngestServer(settings) as ingest:
                forged = requests.post(f"{ingest.url}/webhooks/{platform}", data=body + b" ", headers=headers, timeout=30)
                answer = requests.post(f"{ingest.url}/webhooks/{platform}", data=body, headers=headers, timeout=30)
            assert (forged.status_code, answer.status_code) == (401, 200), answer.text
            harness.start(generator, input_format="auto")
            (draft,) = harness.drafts(1, timeout_s=300, settle_s=2)
            config = writeback_settings(pims, bootstrap_servers=broker.bootstrap_servers, input_topic=harness.output_topic,
                                        dead_letter_topic=harness.dead_letter_topic, group_id=f"wb-{platform}", **FAST_GROUP)
            with Running(config, broker) as running:
                counts = running.wait_handled(1)
            _, text = review_write(pims, platform)
    finally:
        harness.stop_all()
    assert draft["writeback"]["platform"] == platform
    if platform == "akeneo":  # one text attribute: the description, then the SEO drafts for the editor
        from consumer.adapters.writeback import review_text

        assert text == review_text({"text": draft["description"], "fields": draft["fields"]}) and "\nSEO title: " in text
    else:  # the review JSON's text; its fields carry the SEO drafts
        assert text == draft["description"]
    assert counts["applied"] == 1 and counts["applied_live"] == 0, counts  # the default: review field only
