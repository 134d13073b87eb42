"""Platform adapters: documented payload shapes -> ProductEvents, detection, errors, fetchers."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from consumer.adapters import AdapterConfig, adapt_json, adapt_record, detect, header_map
from consumer.adapters.fetch import FetchSettings, ProductFetcher
from consumer.adapters.writeback import render
from consumer.service.validate import Rejected
from tests.platform_api import PlatformAPI

PLATFORMS = Path(__file__).parent / "fixtures" / "platforms"
TENT_UUID = "4b6f3c2e-9a1d-4e8f-b7c5-2d1a0e9f8c77"
GRINDER_ID = "7c1e5a3b-2d4f-4a6b-8c9d-0e1f2a3b4c5d"


def payload(name: str) -> dict:
    return json.loads((PLATFORMS / f"{name}.json").read_text())


def adapt(name_or_doc, fmt: str = "auto", config: AdapterConfig | None = None, headers=None, fetcher=None):
    document = payload(name_or_doc) if isinstance(name_or_doc, str) else name_or_doc
    return adapt_json(json.dumps(document), fmt, config or AdapterConfig(), headers, fetcher)


def only(result):
    assert not isinstance(result, Rejected), result
    assert len(result) == 1, result
    return result[0]


# -- Akeneo --------------------------------------------------------------------------------


def test_akeneo_events_api_becomes_one_event_per_locale_with_readable_values():
    result = adapt("akeneo_events_api", "akeneo", AdapterConfig(locales=("en_US", "fr_FR")))
    assert not isinstance(result, Rejected), result
    assert [item.event.locale for item in result] == ["en_US", "fr_FR"]  # product.removed adds none
    english, french = (item.event for item in result)
    assert english.product_id == TENT_UUID and english.channel == "ecommerce" and english.source == "akeneo"
    assert english.event_id == "1f2a9c64-7d3e-4c1b-9a55-0d6c2f1e8b01:en_US:ecommerce"
    assert english.sequence == 1772446529000  # resource.updated 2026-03-02T10:15:29Z in epoch ms
    assert english.product.title == "Ridgeline 2-person trekking tent"
    assert french.product.title == "Tente de trekking Ridgeline 2 places"
    assert english.product.brand == "NorthPeak"  # the option label from linked_data, not the code
    assert english.product.category == "camping tents"
    attributes = english.product.attributes
    assert attributes["weight"] == "1.85 kg" and attributes["packed length"] == "45 cm"  # metric: amount + unit
    assert attributes["price"] == ["249 EUR"]  # price collection for the ecommerce scope
    assert attributes["season"] == ["three season"] and attributes["waterproof"] is True
    assert "print catalog note" not in attributes  # another channel's value
    assert english.product.description is None and english.product.description_origin is None
    assert french.product.description_origin == "human"  # someone wrote it: routing never replaces it


def test_akeneo_origin_and_lock_attributes_are_configurable():
    document = payload("akeneo_events_api")
    values = document["events"][0]["data"]["resource"]["values"]
    values["description"].append({"locale": "en_US", "scope": "ecommerce", "data": "Our earlier draft."})
    values["description_source"] = [{"locale": "en_US", "scope": "ecommerce", "data": "copydesk"}]
    values["copy_locked"] = [{"locale": None, "scope": None, "data": True}]
    config = AdapterConfig(origin_attribute="description_source", locked_attribute="copy_locked")
    event = only(adapt(document, "akeneo", config)).event
    assert event.product.description_origin == "copydesk" and event.product.description_locked is True
    assert "description source" not in event.product.attributes and "copy locked" not in event.product.attributes


def test_akeneo_knows_its_own_live_text_by_the_fingerprint_write_back_recorded():
    """With no origin attribute configured, a live write left nothing saying the text was copydesk's,
    so its own draft counted as a person's forever (failed before: 'human' both times)."""
    from consumer.writeback.ownership import fingerprint

    document = payload("akeneo_events_api")
    values = document["events"][0]["data"]["resource"]["values"]
    values["description"] = [{"locale": "en_US", "scope": "ecommerce", "data": "<p>A light tent.</p>"}]
    values["copydesk_draft_info"] = [{"locale": "en_US", "scope": "ecommerce",
                                      "data": f"draft; model m-1; failed checks: none; event e-1; live {fingerprint('A light tent.')}"}]
    assert only(adapt(document, "akeneo")).event.product.description_origin == "copydesk"
    values["description"][0]["data"] = "<p>A light tent, pitched in a minute.</p>"  # a person edited it since
    assert only(adapt(document, "akeneo")).event.product.description_origin == "human"


def test_akeneo_writeback_goes_to_the_review_attribute_and_live_only_for_a_draft():
    item = only(adapt("akeneo_events_api", "akeneo", AdapterConfig(origin_attribute="description_source")))
    change = render(item.writeback, item.event, "A light tent.", "draft", model_version="m-1", event_id="e-1")
    assert change["method"] == "PATCH" and change["path"] == f"/api/rest/v1/products-uuid/{TENT_UUID}"
    values = change["body"]["values"]
    assert set(values) == {"copydesk_description_draft", "copydesk_draft_info"}  # never the live description
    assert values["copydesk_description_draft"] == [{"locale": "en_US", "scope": "ecommerce", "data": "A light tent."}]
    assert values["copydesk_draft_info"][0]["data"].startswith("draft; model m-1")
    live = change["live"]["body"]["values"]
    assert live["description"] == [{"locale": "en_US", "scope": "ecommerce", "data": "A light tent."}]
    assert live["description_source"][0]["data"] == "copydesk"


def test_akeneo_thin_cloudevent_is_read_through_the_rest_api(tmp_path):
    with PlatformAPI() as api:
        api.answer("POST", "/api/oauth/v1/token", (200, {"access_token": "tok-1", "expires_in": 3600}))
        api.answer("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}", (503, {"message": "busy"}), (200, payload("akeneo_rest_product")))
        fetcher = ProductFetcher(FetchSettings(akeneo_url=api.url, akeneo_client_id="c", akeneo_secret="s",
                                               akeneo_username="u", akeneo_password="p", backoff_seconds=0.01))
        event = only(adapt("akeneo_cloudevent_updated", "auto", fetcher=fetcher)).event
        gets = api.calls("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}")
        token_call = api.calls("POST", "/api/oauth/v1/token")[0]
    assert len(gets) == 2  # the 503 was retried
    assert gets[-1]["headers"]["authorization"] == "Bearer tok-1"
    assert gets[-1]["query"]["with_attribute_options"] == ["true"]
    assert json.loads(token_call["body"])["grant_type"] == "password"
    assert token_call["headers"]["authorization"].startswith("Basic ")
    assert event.product_id == TENT_UUID and event.product.title == "Ridgeline 2-person trekking tent"
    assert event.event_id.startswith("018f2b7c-5d6e-7f80-9a1b-2c3d4e5f6071:")
    assert event.sequence == 1772446531000  # the fetched product's updated time
    assert event.changed_fields is None


def test_akeneo_delta_names_the_changed_fields_and_fetches_the_product():
    with PlatformAPI() as api:
        api.answer("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}", (200, payload("akeneo_rest_product")))
        fetcher = ProductFetcher(FetchSettings(akeneo_url=api.url, akeneo_token="ready-token"))
        event = only(adapt("akeneo_cloudevent_delta", "auto", fetcher=fetcher)).event
        assert api.calls("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}")[0]["headers"]["authorization"] == "Bearer ready-token"
    assert event.changed_fields == ["packed length", "weight"]
    assert event.product.attributes["weight"] == "1.85 kg"


# -- commercetools -------------------------------------------------------------------------


def test_commercetools_product_published_message():
    result = adapt("commercetools_product_published", "commercetools", AdapterConfig(locales=("en_US", "de_DE")))
    english, german = (item.event for item in result)
    assert english.product_id == GRINDER_ID and english.sequence == 12  # resourceVersion orders a product's messages
    assert english.event_type == "product.updated" and english.source == "commercetools"
    assert english.product.title == "Conical burr espresso grinder E60"
    assert english.product.brand == "Baristo" and english.product.category == "Coffee grinders"
    attributes = english.product.attributes
    assert attributes["burr diameter mm"] == 60 and attributes["color"] == "Black"  # localized enum label
    assert attributes["hopper material"] == "Tritan" and attributes["included"] == ["cleaning brush", "dosing cup"]
    assert attributes["sku"] == "E60-BLK"
    assert german.product.attributes["color"] == "Schwarz" and german.product.description_origin == "human"


def test_commercetools_writeback_reviews_in_an_attribute_keeps_other_locales_and_never_publishes():
    item = adapt("commercetools_product_published", "commercetools")[0]
    change = render(item.writeback, item.event, "Grinds evenly.", "draft")
    info, review = change["body"]["actions"]
    assert change["body"]["version"] == 12
    assert (review["action"], review["name"], review["staged"]) == ("setAttributeInAllVariants", "copydesk-description-draft", False)
    assert review["value"] == {"en-US": "Grinds evenly."} and info["name"] == "copydesk-draft-info"
    live = change["live"]["body"]["actions"][1]  # live: the description, written to both projections, no publish
    assert (live["action"], live["staged"]) == ("setDescription", False)
    assert live["description"] == {"de-DE": "Von unserem Team geschrieben.", "en-US": "Grinds evenly."}
    assert "publish" not in json.dumps(change)


def test_commercetools_resource_updated_fetches_the_current_projection():
    with PlatformAPI() as api:
        api.answer("POST", "/oauth/token", (200, {"access_token": "ct-1"}))
        path = f"/example-shop/products/{GRINDER_ID}"
        api.answer("GET", path, (401, {"message": "expired"}), (200, payload("commercetools_rest_product")))
        fetcher = ProductFetcher(FetchSettings(commercetools_api_url=api.url, commercetools_auth_url=api.url,
                                               commercetools_project_key="example-shop", commercetools_client_id="c",
                                               commercetools_client_secret="s", backoff_seconds=0.01))
        event = only(adapt("commercetools_resource_updated", "auto", fetcher=fetcher)).event
        assert len(api.calls("POST", "/oauth/token")) == 2  # the 401 refreshed the token once
        assert api.calls("GET", path)[-1]["query"]["expand"] == ["masterData.current.categories[*]"]
    assert event.sequence == 13 and event.product.title == "Conical burr espresso grinder E60"  # current, not staged
    assert event.product.category == "Coffee grinders"


def test_commercetools_other_messages_and_resources_are_ignored():
    document = payload("commercetools_product_published")
    assert adapt({**document, "type": "ProductPriceChanged"}, "commercetools") == []
    assert adapt({**document, "resource": {"typeId": "order", "id": "x"}}, "commercetools") == []


# -- Saleor, Shopify, Adobe Commerce --------------------------------------------------------


def test_saleor_subscription_payload_keeps_the_global_id():
    event = only(adapt("saleor_product_updated", "auto", headers={"Saleor-Event": "product_updated"})).event
    assert event.product_id == "UHJvZHVjdDo3Mg==" and event.source == "saleor"
    assert event.product.title == "Merino crew-neck sweater" and event.product.brand == "Fjellwool"
    assert event.product.category == "Knitwear" and event.product.attributes["Sizes"] == ["S", "M", "L"]
    assert event.sequence == 1772452798000  # product.updatedAt, not issuedAt
    assert event.product.description is None  # EditorJS with no blocks is empty


def test_saleor_minimal_query_is_read_back_through_graphql():
    with PlatformAPI() as api:
        api.answer("POST", "/graphql/", (200, payload("saleor_graphql_product")))
        fetcher = ProductFetcher(FetchSettings(saleor_api_url=f"{api.url}/graphql/", saleor_token="app-token"))
        event = only(adapt("saleor_product_minimal", "auto", headers={"Saleor-Event": "PRODUCT_UPDATED"}, fetcher=fetcher)).event
        request = api.calls("POST", "/graphql/")[0]
    assert json.loads(request["body"])["variables"]["id"] == "UHJvZHVjdDo3Mg=="
    assert request["headers"]["authorization"] == "Bearer app-token"
    assert event.product.title == "Merino crew-neck sweater" and event.product.attributes["Material"] == "100% merino wool"


def test_saleor_id_of_another_type_is_an_adapter_error():
    document = payload("saleor_product_updated")
    document["product"]["id"] = "Q2F0ZWdvcnk6NQ=="  # Category:5
    result = adapt(document, "saleor")
    assert isinstance(result, Rejected) and result.error_type == "adapter" and "Category" in result.message


def test_shopify_ids_above_2_53_survive_and_vendor_is_the_brand():
    event = only(adapt("shopify_products_update", "auto", headers={"X-Shopify-Topic": "products/update",
                                                                  "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"})).event
    assert event.product_id == "9007199254740993"  # 2**53 + 1: a float would have made it ...992
    assert event.event_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert event.product.brand == "Kilnworks" and event.product.category == "Coffee brewers"
    assert event.product.attributes["tags"] == ["ceramic", "pour-over", "handmade"]
    assert event.product.attributes["Glaze"] == ["Sand", "Slate"]
    assert event.sequence == 1772458200000  # updated_at 08:30-05:00 = 13:30Z


def test_shopify_tags_that_are_stock_codes_are_no_product_facts():
    """'APR-LIN-SAGE' became a fact and the copy said "a tag of APR-LIN-SAGE" (failed before: every tag was kept)."""
    document = payload("shopify_products_update")
    document["tags"] = "ceramic, APR-LIN-SAGE, SKU1042, USB-C, 4K, kw-77"
    document["variants"][0]["sku"] = "KW-77"
    event = only(adapt(document, "auto", headers={"X-Shopify-Topic": "products/update"})).event
    assert event.product.attributes["tags"] == ["ceramic", "USB-C", "4K"]


def test_shopify_writeback_is_a_draft_metafield_and_live_html_only_on_request():
    item = only(adapt("shopify_products_update", "shopify", headers={"X-Shopify-Topic": "products/create"}))
    assert item.event.event_type == "product.created"
    change = render(item.writeback, item.event, "Pours slowly & evenly.", "draft", model_version="m-1", event_id="e-1")
    metafield = next(m for m in change["graphql"]["variables"]["metafields"] if m["key"] == "description_draft")
    assert "metafieldsSet" in change["graphql"]["query"] and "productUpdate" not in change["graphql"]["query"]
    assert (metafield["ownerId"], metafield["namespace"], metafield["key"], metafield["type"]) == (
        "gid://shopify/Product/9007199254740993", "copydesk", "description_draft", "json")
    assert json.loads(metafield["value"])["text"] == "Pours slowly & evenly." and json.loads(metafield["value"])["event_id"] == "e-1"
    assert change["live"]["graphql"]["variables"]["product"]["descriptionHtml"] == "<p>Pours slowly &amp; evenly.</p>"


@pytest.mark.parametrize("name", ["akeneo_events_api", "commercetools_product_published", "shopify_products_update",
                                  "saleor_product_updated", "adobe_commerce_io_event"])
def test_a_needs_review_draft_has_no_live_change_on_any_platform(name):
    items = adapt(name, "auto", AdapterConfig(store_locales={"1": "en_GB"}),
                  headers={"X-Shopify-Topic": "products/update"} if name.startswith("shopify") else None)
    for item in items:
        change = render(item.writeback, item.event, "Text.", "needs_review")
        assert "live" not in change
        assert "Text." in json.dumps(change)  # the text still reaches the review field
        assert "live" not in render(item.writeback, item.event, "Text.")  # the default status is the safe one


def test_adobe_commerce_io_event_and_webhook():
    config = AdapterConfig(store_locales={"1": "en_GB"})
    event = only(adapt("adobe_commerce_io_event", "auto", config)).event
    assert event.product_id == "2041" and event.locale == "en_GB" and event.channel == "store_1"
    assert event.product.title == "Oak desk lamp with linen shade" and event.product.brand == "Lumen & Grain"
    assert event.product.attributes["cable length m"] == "1.8" and event.product.attributes["sku"] == "LAMP-OAK-01"
    assert "price" not in event.product.attributes and "url key" not in event.product.attributes
    assert event.sequence == 1772456401000  # updated_at, UTC
    hook = only(adapt("adobe_commerce_webhook", "auto", config)).event
    assert hook.product.description == "Hand-finished by our workshop." and hook.product.description_origin == "human"
    assert hook.locale == "en_US" and hook.channel == "store_0"


# -- detection and errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "headers", "expected"),
    [
        ("akeneo_events_api", {}, "akeneo"),
        ("akeneo_cloudevent_updated", {}, "akeneo"),
        ("akeneo_cloudevent_delta", {}, "akeneo"),
        ("commercetools_product_published", {}, "commercetools"),
        ("commercetools_resource_updated", {}, "commercetools"),
        ("saleor_product_updated", {"saleor-event": "product_updated"}, "saleor"),
        ("saleor_product_updated", {}, "saleor"),
        ("shopify_products_update", {"x-shopify-topic": "products/update"}, "shopify"),
        ("shopify_products_update", {}, "shopify"),
        ("adobe_commerce_io_event", {}, "adobe-commerce"),
        ("adobe_commerce_webhook", {}, "adobe-commerce"),
    ],
)
def test_auto_picks_the_right_adapter(name, headers, expected):
    assert detect(payload(name), headers) == expected


def test_auto_reads_our_own_contract_too():
    from tests.conftest import product_event

    event = product_event()
    assert detect(event, {}) == "copydesk"
    assert only(adapt(event, "auto")).event.event_id == event["event_id"]


def test_cloudevents_binary_mode_headers_are_read():
    document = payload("akeneo_cloudevent_delta")
    headers = [(f"ce_{name}", str(document[name]).encode()) for name in ("specversion", "id", "type", "time", "source")]
    with PlatformAPI() as api:
        api.answer("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}", (200, payload("akeneo_rest_product")))
        fetcher = ProductFetcher(FetchSettings(akeneo_url=api.url, akeneo_token="t"))
        result = adapt_record(None, json.dumps(document["data"]).encode(), headers, "auto", AdapterConfig(), fetcher)
    assert only(result).event.changed_fields == ["packed length", "weight"]


@pytest.mark.parametrize(
    ("document", "fmt", "error_type", "needle"),
    [
        ({"hello": "world"}, "auto", "adapter", "no adapter recognises"),
        ({"events": [{"action": "product.updated"}]}, "akeneo", "adapter", "event_datetime is missing"),
        ({"events": [{"action": "product.updated", "event_id": "e", "event_datetime": "yesterday", "data": {"resource": {}}}]},
         "akeneo", "adapter", "not a date-time"),
        ({"notificationType": "Message", "resource": {"typeId": "product", "id": "x"}, "type": "ProductPublished",
          "resourceVersion": 2, "createdAt": "2026-01-01T00:00:00Z", "id": "m", "productProjection": {"id": "x", "name": {}}},
         "commercetools", "adapter", "no name in any configured locale"),
        ({"id": 1.5e16, "title": "x", "updated_at": "2026-01-01T00:00:00Z"}, "shopify", "adapter", "above 2^53"),
        ({"product": {"id": "not base64!"}}, "saleor", "adapter", "not a base64 Saleor global id"),
        ({"eventName": "observer.sales_order_save_after", "data": {}}, "adobe-commerce", "adapter", "not catalog_product_save_after"),
        ({"events": "not-a-list"}, "akeneo", "adapter", "'events' array"),
        ({"events": [[]]}, "akeneo", "adapter", "must be an object"),
        ({"notificationType": "ResourceUpdated", "resource": {"typeId": "product", "id": "x"}, "version": 3,
          "modifiedAt": "2026-01-01T00:00:00Z"}, "commercetools", "adapter", "configure the commercetools fetcher"),
    ],
)
def test_broken_payloads_are_rejected_with_the_reason(document, fmt, error_type, needle):
    result = adapt(document, fmt)
    assert isinstance(result, Rejected), result
    assert result.error_type == error_type and needle in result.message, result.message


def test_a_fetch_that_keeps_failing_is_a_fetch_rejection_after_the_configured_attempts():
    with PlatformAPI() as api:
        api.answer("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}", (500, {"message": "down"}))
        fetcher = ProductFetcher(FetchSettings(akeneo_url=api.url, akeneo_token="t", attempts=3, backoff_seconds=0.01))
        result = adapt("akeneo_cloudevent_updated", "auto", fetcher=fetcher)
        assert len(api.calls("GET", f"/api/rest/v1/products-uuid/{TENT_UUID}")) == 3
    assert isinstance(result, Rejected) and result.error_type == "fetch" and "HTTP 500" in result.message


def test_a_deleted_product_is_not_retried():
    with PlatformAPI() as api:  # no route: 404
        fetcher = ProductFetcher(FetchSettings(akeneo_url=api.url, akeneo_token="t", backoff_seconds=0.01))
        result = adapt("akeneo_cloudevent_updated", "auto", fetcher=fetcher)
        assert len(api.requests) == 1
    assert isinstance(result, Rejected) and result.error_type == "fetch" and "404" in result.message


def test_a_timeout_is_retried_then_reported():
    with PlatformAPI() as api:
        path = f"/api/rest/v1/products-uuid/{TENT_UUID}"
        api.answer("GET", path, (200, payload("akeneo_rest_product")))
        api.delay_s[("GET", path)] = 0.5
        fetcher = ProductFetcher(FetchSettings(akeneo_url=api.url, akeneo_token="t", timeout_seconds=0.1, attempts=2, backoff_seconds=0.01))
        result = adapt("akeneo_cloudevent_updated", "auto", fetcher=fetcher)
        assert len(api.calls("GET", path)) == 2
    assert isinstance(result, Rejected) and result.error_type == "fetch" and "Timeout" in result.message


def test_header_names_are_case_insensitive():
    assert header_map([("X-Shopify-Topic", b"products/update"), ("n", None)]) == {"x-shopify-topic": "products/update"}


def test_hostile_variants_of_every_example_never_raise():
    """Every example with each field replaced by a wrong type: a Rejected or events, never an exception."""
    wrong = [None, 7, "x", [], {}, True, [None], {"a": None}]
    checked = 0
    for path in sorted(PLATFORMS.glob("*.json")):
        original = payload(path.stem)
        for key in list(original):
            for value in wrong:
                document = copy.deepcopy(original)
                document[key] = value
                result = adapt_json(json.dumps(document), "auto")
                assert isinstance(result, (Rejected, list))
                checked += 1
    assert checked > 500


def test_adapt_cli_prints_events_and_errors():
    ok = subprocess.run([sys.executable, "-m", "consumer.cli", "adapt", "--from", "commercetools",
                         str(PLATFORMS / "commercetools_product_published.json")], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    event = json.loads(ok.stdout.splitlines()[0])
    assert event["product_id"] == GRINDER_ID and event["sequence"] == 12
    assert '"setDescription"' in ok.stderr  # the writeback it would carry
    bad = subprocess.run([sys.executable, "-m", "consumer.cli", "adapt", "--from", "saleor", "-"], input='{"product": {"id": "eA=="}}',
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "adapter" in bad.stderr and "Type:id" in bad.stderr

