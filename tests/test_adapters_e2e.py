"""Platform payloads through the real consumer and broker: drafts with writebacks, bad ones dead-lettered."""

from __future__ import annotations

import json

import pytest

from consumer.adapters import AdapterConfig
from consumer.adapters.fetch import FetchSettings, ProductFetcher
from tests.platform_api import PlatformAPI
from tests.test_adapters import GRINDER_ID, TENT_UUID, payload

# -- end to end: platform payloads through the real consumer ---------------------------------


@pytest.mark.kafka
@pytest.mark.model
def test_platform_payloads_become_drafts_with_writebacks_and_bad_ones_dead_letters(broker, base_model_dir):
    """One `auto` input topic carrying five platforms' payloads, a thin event, an ignorable
    message and junk: every record is accounted for, drafts carry the platform's change."""
    from consumer.generation.generator import Generator
    from tests.harness import Harness

    generator = Generator.load(base_model_dir, max_new_tokens=8)
    harness = Harness(broker)
    shopify_headers = [("X-Shopify-Topic", b"products/update"), ("X-Shopify-Webhook-Id", b"wh-1")]
    price_message = {**payload("commercetools_product_published"), "type": "ProductPriceChanged"}
    records = [
        (TENT_UUID.encode(), payload("akeneo_events_api"), []),  # en_US drafted, fr_FR human -> skipped
        (b"9007199254740993", payload("shopify_products_update"), shopify_headers),
        (GRINDER_ID.encode(), payload("commercetools_product_published"), []),  # en_US only (default locales)
        (GRINDER_ID.encode(), price_message, []),  # ignored
        (b"UHJvZHVjdDo3Mg==", payload("saleor_product_updated"), [("Saleor-Event", b"product_updated")]),
        (b"2041", payload("adobe_commerce_io_event"), []),
        (GRINDER_ID.encode(), {**payload("commercetools_resource_updated"), "version": 14}, []),  # thin: fetched
        (b"junk", {"hello": "world"}, []),  # adapter dead letter
    ]
    try:
        with PlatformAPI() as api:
            rest = payload("commercetools_rest_product")
            api.answer("POST", "/oauth/token", (200, {"access_token": "t"}))
            api.answer("GET", f"/example-shop/products/{GRINDER_ID}", (200, {**rest, "version": 14}))
            fetcher = ProductFetcher(FetchSettings(commercetools_api_url=api.url, commercetools_project_key="example-shop",
                                                   commercetools_client_id="c", commercetools_client_secret="s"))
            service = harness.start(generator, fetcher=fetcher, input_format="auto",
                                    adapter=AdapterConfig(locales=("en_US", "fr_FR")))
            for key, document, headers in records:
                harness.publish_raw(key, json.dumps(document).encode(), headers)
            drafts = harness.drafts(6, timeout_s=300)
            letters = harness.dead_letters(1)
            harness.wait_accounted(service, 9)
    finally:
        harness.stop_all()
    by_platform = {}
    for draft in drafts:
        by_platform.setdefault(draft["writeback"]["platform"], []).append(draft)
    assert sorted(by_platform) == ["adobe-commerce", "akeneo", "commercetools", "saleor", "shopify"]
    assert [d["locale"] for d in by_platform["akeneo"]] == ["en_US"]  # fr_FR has human text
    akeneo_draft = by_platform["akeneo"][0]
    review = akeneo_draft["writeback"]["body"]["values"]["copydesk_description_draft"][0]["data"]
    fields = akeneo_draft["fields"]
    assert review.startswith(akeneo_draft["description"])  # then the SEO drafts, for the editor to see
    assert f"SEO title: {fields['seo_title']}" in review and len(fields["seo_title"]) <= 60
    for draft in drafts:  # the live change exists for a clean draft only
        assert ("live" in draft["writeback"]) == (draft["status"] == "draft")
    assert {d["sequence"] for d in by_platform["commercetools"]} == {12, 14}  # message + fetched thin event
    assert by_platform["shopify"][0]["product_id"] == "9007199254740993"
    assert [letter["error_type"] for letter in letters] == ["adapter"]
    assert json.loads(letters[0]["value"]) == {"hello": "world"}
    assert service.stats.skipped == 2  # akeneo fr_FR (human text) + the price message; commercetools has no fr name
    assert service.stats.dead_lettered == 1 and service.stats.drafts + service.stats.needs_review == 6
