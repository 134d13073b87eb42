"""Minimal payloads exactly as the vendors document them: accepted, or refused naming the setting to add."""

from __future__ import annotations

import json
import subprocess
import sys

from consumer.adapters import AdapterConfig, adapt_record, detect
from consumer.service.validate import Rejected
from tests.test_adapters import adapt, only, payload


def test_minimal_payloads_without_an_update_time_are_ordered_by_the_record_timestamp():
    saleor = {"product": {"id": "UHJvZHVjdDo3Mg==", "name": "Apple juice"}}  # subscription `product { id name }`
    adobe = payload("adobe_commerce_webhook")
    del adobe["data"]["product"]["updated_at"]
    for document, headers in ((saleor, [("Saleor-Event", b"product_updated")]), (adobe, [])):
        (item,) = adapt_record(None, json.dumps(document).encode(), headers, "auto", AdapterConfig(), record_timestamp_ms=1_760_000_000_123)
        assert item.event.sequence == 1_760_000_000_123
        (later,) = adapt_record(None, json.dumps(document).encode(), headers, "auto", AdapterConfig(), record_timestamp_ms=1_760_000_000_124)
        assert later.event.sequence > item.event.sequence


def test_a_thin_saleor_payload_without_a_fetcher_names_the_settings_to_add():
    rejected = adapt({"product": {"id": "UHJvZHVjdDo3Mg=="}})
    assert isinstance(rejected, Rejected) and "COPYDESK_SALEOR_API_URL" in rejected.message


def test_a_shopify_product_body_without_headers_or_graphql_id_is_recognised_by_its_shape():
    document = payload("shopify_products_update")
    del document["admin_graphql_api_id"]
    assert detect(document, {}) == "shopify"
    assert only(adapt(document)).event.product_id == "9007199254740993"
    assert detect({"id": 5, "title": "A page", "body_html": "<p>x</p>"}, {}) is None  # a title and body alone are not a product


def test_adapt_cli_reads_the_documented_minimal_payloads(tmp_path):
    adobe = payload("adobe_commerce_webhook")
    del adobe["data"]["product"]["updated_at"]
    shopify = payload("shopify_products_update")
    del shopify["admin_graphql_api_id"]
    cases = {"saleor.json": ({"product": {"id": "UHJvZHVjdDo3Mg==", "name": "Apple juice"}}, 0), "adobe.json": (adobe, 0),
             "shopify.json": (shopify, 0), "thin.json": ({"product": {"id": "UHJvZHVjdDo3Mg=="}}, 1)}
    for name, (document, code) in cases.items():
        (tmp_path / name).write_text(json.dumps(document))
        done = subprocess.run([sys.executable, "-m", "consumer.cli", "adapt", "--from", "auto", str(tmp_path / name)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == code, (name, done.stderr)
        if code:
            assert "COPYDESK_SALEOR_API_URL" in done.stderr
        else:
            assert json.loads(done.stdout.splitlines()[0])["product"]["title"]


def test_the_review_fields_writeback_fills_are_never_given_to_the_model():
    """Writeback's own PATCH comes back as a product.updated event: its draft must not become a fact."""
    document = payload("akeneo_events_api")
    values = document["events"][0]["data"]["resource"]["values"]
    values["copydesk_description_draft"] = [{"locale": "en_US", "scope": "ecommerce", "data": "Our earlier draft."}]
    values["copydesk_draft_info"] = [{"locale": "en_US", "scope": "ecommerce", "data": "draft; model m-1"}]
    event = only(adapt(document, "akeneo")).event
    assert not {"copydesk description draft", "copydesk draft info"} & set(event.product.attributes)
    adobe = payload("adobe_commerce_webhook")
    adobe["data"]["product"]["copydesk_description_draft"] = "<p>Our earlier draft.</p>"
    assert "copydesk description draft" not in only(adapt(adobe)).event.product.attributes
