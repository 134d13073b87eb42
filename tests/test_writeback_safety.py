"""Write-back never overwrites a person's text, never makes a draft live unasked, never writes a stale draft.

Against loopback PIMs that keep products, versions and fields (tests/fake_pims.py), one per
platform, through the writeback service's own `handle` (the Kafka loop around it is covered in
test_writeback.py). The people around copydesk are played by writing to the fakes directly:
an editor edits the live description or the review field, someone publishes, an import changes
the data.
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from consumer.adapters import AdapterConfig
from consumer.adapters.common import Adapted
from consumer.writeback.client import PlatformClient
from consumer.writeback.ownership import plain_text
from consumer.writeback.service import WritebackService
from consumer.writeback.settings import WritebackSettings
from tests.fake_pims import FakePIMs
from tests.test_adapters import GRINDER_ID, TENT_UUID, adapt, only, payload
from tests.test_writeback import draft_of

PLATFORMS = ("akeneo", "commercetools", "shopify", "saleor", "adobe-commerce")
ADOBE = AdapterConfig(store_locales={"1": "en_GB"})


def settings(pims: FakePIMs, live: str = "", **overrides) -> WritebackSettings:
    overrides.setdefault("bootstrap_servers", "127.0.0.1:1")  # handle() alone needs no broker
    return WritebackSettings(**pims.api_settings(), akeneo_token="ak", adobe_store_codes="1=default", store_locales="1=en_GB",
                             live_platforms=live, health_port=0, **overrides)


def service(pims: FakePIMs, live: str = "", **overrides) -> WritebackService:
    s = settings(pims, live, **overrides)
    return WritebackService(s, {}, PlatformClient(s, s.fetcher(), backoff_seconds=0.01))


def seed(pims: FakePIMs, platform: str) -> Adapted:
    """Put the fixture product into the fake platform; returns the event a PIM would have sent for it."""
    if platform == "akeneo":
        resource = copy.deepcopy(payload("akeneo_events_api")["events"][0]["data"]["resource"])
        pims.akeneo[TENT_UUID] = {**resource, "updated": "2026-12-01T00:00:00Z"}
        return only(adapt("akeneo_events_api", "akeneo"))
    if platform == "commercetools":
        from datetime import UTC, datetime

        from consumer.adapters.commercetools import product_events, projection_of

        rest = copy.deepcopy(payload("commercetools_rest_product"))
        rest["masterData"]["current"].setdefault("masterVariant", {}).setdefault("attributes", [])
        staged = copy.deepcopy(rest["masterData"]["current"])  # an unrelated staged change: the name
        staged["name"] = rest["masterData"]["staged"]["name"]
        rest["masterData"]["staged"] = staged
        rest["version"] = 12
        pims.ct[GRINDER_ID] = rest
        projection, _ = projection_of(rest)
        return product_events(projection, 12, config=AdapterConfig(), event_id="m-12", event_type="product.updated",
                              occurred_at=datetime.now(UTC))[0]
    if platform == "shopify":
        rest = payload("shopify_products_update")
        pims.shopify[str(rest["id"])] = {"gid": rest["admin_graphql_api_id"], "rest": copy.deepcopy(rest), "metafields": {}}
        return only(adapt("shopify_products_update", "shopify", headers={"X-Shopify-Topic": "products/update"}))
    if platform == "saleor":
        product = copy.deepcopy(payload("saleor_product_updated")["product"])
        pims.saleor[product["id"]] = {**product, "privateMetadata": []}
        return only(adapt("saleor_product_updated", "auto", headers={"Saleor-Event": "product_updated"}))
    flat = payload("adobe_commerce_io_event")["data"]["value"]
    top = {"id": int(flat["entity_id"]), "sku": flat["sku"], "name": flat["name"], "updated_at": flat["updated_at"]}
    custom = [{"attribute_code": k, "value": v} for k, v in flat.items() if k not in ("entity_id", "sku", "name", "updated_at")
              and not isinstance(v, (dict, list))]
    pims.adobe[flat["sku"]] = {**top, "custom_attributes": custom}
    return only(adapt("adobe_commerce_io_event", "auto", ADOBE))


def fields(pims: FakePIMs, platform: str) -> dict[str, str]:
    """The review and live fields as the platform holds them now, as plain text."""
    if platform == "akeneo":
        values = pims.akeneo[TENT_UUID]["values"]
        pick = lambda code: next((e["data"] for e in values.get(code, []) if e.get("locale") == "en_US"), None)  # noqa: E731
        return {"review": plain_text(pick("copydesk_description_draft")), "live": plain_text(pick("description"))}
    if platform == "commercetools":
        current = pims.ct[GRINDER_ID]["masterData"]["current"]
        review = next((a["value"] for a in current["masterVariant"]["attributes"] if a["name"] == "copydesk-description-draft"), {})
        return {"review": plain_text(review.get("en-GB") or review.get("en-US")),
                "live": plain_text((current.get("description") or {}).get("en-GB") or (current.get("description") or {}).get("en-US"))}
    if platform == "shopify":
        product = next(iter(pims.shopify.values()))
        return {"review": plain_text(product["metafields"].get("description_draft")), "live": plain_text(product["rest"]["body_html"])}
    if platform == "saleor":
        product = next(iter(pims.saleor.values()))
        metadata = {item["key"]: item["value"] for item in product["privateMetadata"]}
        return {"review": plain_text(metadata.get("copydesk.description_draft")), "live": plain_text(product["description"])}
    custom = {a["attribute_code"]: a["value"] for a in next(iter(pims.adobe.values()))["custom_attributes"]}
    return {"review": plain_text(custom.get("copydesk_description_draft")), "live": plain_text(custom.get("description"))}


def person_writes(pims: FakePIMs, platform: str, field: str, text: str) -> None:
    """An editor types into the live description or the review field, in the PIM's own UI."""
    if platform == "akeneo":
        code = "description" if field == "live" else "copydesk_description_draft"
        pims.akeneo_set(TENT_UUID, {code: [{"locale": "en_US", "scope": "ecommerce", "data": text}]})
    elif platform == "commercetools":
        key = next(iter(pims.ct[GRINDER_ID]["masterData"]["current"]["name"]))
        current = pims.ct[GRINDER_ID]["masterData"]["current"]
        if field == "live":
            pims.ct_apply(GRINDER_ID, [{"action": "setDescription", "description": {**(current.get("description") or {}), key: text}, "staged": False}])
        else:
            pims.ct_apply(GRINDER_ID, [{"action": "setAttributeInAllVariants", "name": "copydesk-description-draft", "value": {key: text}, "staged": False}])
    elif platform == "shopify":
        product = next(iter(pims.shopify.values()))
        if field == "live":
            product["rest"]["body_html"] = f"<p>{text}</p>"
        else:
            product["metafields"]["description_draft"] = json.dumps({"text": text})
    elif platform == "saleor":
        product = next(iter(pims.saleor.values()))
        if field == "live":
            product["description"] = json.dumps({"blocks": [{"type": "paragraph", "data": {"text": text}}]})
        else:
            product["privateMetadata"] = [m for m in product["privateMetadata"] if m["key"] != "copydesk.description_draft"] + [
                {"key": "copydesk.description_draft", "value": json.dumps({"text": text})}]
    else:
        sku = next(iter(pims.adobe))
        pims.adobe_set(sku, {"description" if field == "live" else "copydesk_description_draft": f"<p>{text}</p>"})


def change_an_input(pims: FakePIMs, platform: str) -> None:
    """An import renames the product: the draft's input is not the product's any more."""
    if platform == "akeneo":
        pims.akeneo[TENT_UUID]["values"]["name"][0]["data"] += " (2027 edition)"
    elif platform == "commercetools":
        key = next(iter(pims.ct[GRINDER_ID]["masterData"]["current"]["name"]))
        pims.ct[GRINDER_ID]["masterData"]["current"]["name"][key] += " v2"
        pims.ct[GRINDER_ID]["version"] += 1
    elif platform == "shopify":
        next(iter(pims.shopify.values()))["rest"]["title"] += " v2"
    elif platform == "saleor":
        next(iter(pims.saleor.values()))["name"] += " v2"
    else:
        product = next(iter(pims.adobe.values()))
        product["name"] += " v2"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_person_who_edits_the_live_text_after_the_draft_keeps_it(platform):
    with FakePIMs() as pims:
        item = seed(pims, platform)
        draft = draft_of(item, "draft", text="A generated description.")
        person_writes(pims, platform, "live", "Written by our editor.")
        before = len(pims.writes)
        assert service(pims, live=platform).handle(draft) == "skipped_human_text"
        assert fields(pims, platform)["live"] == "Written by our editor." and len(pims.writes) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_person_who_edits_the_review_field_after_copydesk_keeps_it(platform):
    with FakePIMs() as pims:
        item = seed(pims, platform)
        writer = service(pims)
        assert writer.handle(draft_of(item, "draft", text="First draft.", version="m-1")) == "applied"
        assert fields(pims, platform)["review"] == "First draft."
        assert writer.handle(draft_of(item, "draft", text="Second draft.", version="m-2")) == "applied"  # its own text: replaced
        person_writes(pims, platform, "review", "The editor's rewrite.")
        assert writer.handle(draft_of(item, "draft", text="Third draft.", version="m-3")) == "skipped_human_text"
        assert fields(pims, platform)["review"] == "The editor's rewrite."


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_draft_for_data_that_changed_since_is_not_written(platform):
    with FakePIMs() as pims:
        item = seed(pims, platform)
        draft = draft_of(item, "draft", text="About the old data.")
        change_an_input(pims, platform)
        before = len(pims.writes)
        assert service(pims, live=platform).handle(draft) == "skipped_changed_since"
        assert len(pims.writes) == before and fields(pims, platform) == {"review": "", "live": plain_text(fields(pims, platform)["live"])}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_live_writes_replace_only_copydesks_own_text_and_never_a_needs_review_one(platform):
    with FakePIMs() as pims:
        item = seed(pims, platform)
        person_writes(pims, platform, "live", "")  # an empty live field may be filled
        writer = service(pims, live=platform)
        assert writer.handle(draft_of(item, "needs_review", text="Unchecked text.", version="m-0")) == "applied"
        assert fields(pims, platform)["live"] == ""  # needs_review went to the review field only
        assert writer.handle(draft_of(item, "draft", text="Live one.", version="m-1")) == "applied_live"
        assert writer.handle(draft_of(item, "draft", text="Live two.", version="m-2")) == "applied_live"
        assert fields(pims, platform)["live"] == "Live two."


def test_a_commercetools_review_draft_stays_off_the_shop_when_someone_publishes():
    with FakePIMs() as pims:
        item = seed(pims, "commercetools")
        live_before = copy.deepcopy(pims.ct[GRINDER_ID]["masterData"]["current"].get("description"))
        assert service(pims).handle(draft_of(item, "draft", text="A review draft.")) == "applied"
        pims.ct_apply(GRINDER_ID, [{"action": "publish", "scope": "All"}])  # someone publishes an unrelated change
        assert pims.ct[GRINDER_ID]["masterData"]["current"].get("description") == live_before
        assert fields(pims, "commercetools")["review"] == "A review draft."
        assert all('"publish"' not in json.dumps(body) and "setDescription" not in json.dumps(body) for _, _, body in pims.writes)


def test_a_commercetools_live_write_sends_only_its_locale_and_waits_for_unpublished_edits():
    with FakePIMs() as pims:
        item = seed(pims, "commercetools")
        key = next(iter(pims.ct[GRINDER_ID]["masterData"]["current"]["name"]))
        draft = draft_of(item, "draft", text="Our live text.")
        # after the draft was made, an editor writes another locale's description, published
        pims.ct_apply(GRINDER_ID, [{"action": "setDescription", "description": {"de-DE": "Deutscher Text."}, "staged": False}])
        assert service(pims, live="commercetools").handle(draft) == "applied_live"
        assert pims.ct[GRINDER_ID]["masterData"]["current"]["description"] == {"de-DE": "Deutscher Text.", key: "Our live text."}
        # an unpublished edit of the description: a live write would publish it or wipe it
        pims.ct_apply(GRINDER_ID, [{"action": "setDescription", "description": {"de-DE": "Entwurf."}, "staged": True}])
        assert service(pims, live="commercetools").handle(draft_of(item, "draft", text="Next.", version="m-9")) == "skipped_staged_changes"


def test_a_conflict_between_read_and_write_is_read_again_not_overwritten(monkeypatch):
    with FakePIMs() as pims:
        item = seed(pims, "commercetools")
        writer = service(pims)
        original = writer.client.send
        calls = []

        def meddling(platform, change):  # a person edits the review field between our read and our write
            if change.get("method") == "POST" and not calls:
                calls.append(1)
                person_writes(pims, "commercetools", "review", "Typed in between.")
            return original(platform, change)

        monkeypatch.setattr(writer.client, "send", meddling)
        assert writer.handle(draft_of(item, "draft", text="Ours.")) == "skipped_human_text"
        assert fields(pims, "commercetools")["review"] == "Typed in between."


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_draft_for_a_product_deleted_since_is_skipped_not_retried_forever(platform):
    with FakePIMs() as pims:
        item = seed(pims, platform)
        for products in (pims.akeneo, pims.ct, pims.shopify, pims.saleor, pims.adobe):
            products.clear()
        assert service(pims).handle(draft_of(item, "draft")) == "skipped_changed_since" and pims.writes == []


# -- the SEO fields (the copy issue): each platform's own, never over a person's ---------------------

SEO = {"seo_title": "Trail tent 2P, 1.9 kg", "meta_description": "A two-person trail tent that weighs 1.9 kg.",
       "lead": "A two-person trail tent.", "bullets": ["Weight: 1.9 kg"], "description_html": "<p>A two-person trail tent.</p><ul><li>Weight: 1.9 kg</li></ul>"}
AKENEO_SEO = {"seo_attributes": "seo_title=meta_title,meta_description=meta_description"}
TEXT = "A two-person trail tent.\n- Weight: 1.9 kg"


def seed_without_seo(pims: FakePIMs, platform: str) -> Adapted:
    """The fixture product with its live description and SEO fields empty (Adobe's fixture has a meta title)."""
    item = seed(pims, platform)
    person_writes(pims, platform, "live", "")
    if platform == "adobe-commerce":
        pims.adobe_set(next(iter(pims.adobe)), {"meta_title": "", "meta_description": ""})
    return item


def seo_of(pims: FakePIMs, platform: str) -> dict[str, str | None]:
    """The platform's live SEO title and meta description now."""
    if platform == "akeneo":
        values = pims.akeneo[TENT_UUID]["values"]
        pick = lambda code: next((e["data"] for e in values.get(code, []) if e.get("locale") == "en_US"), None)  # noqa: E731
        return {"seo_title": pick("meta_title"), "meta_description": pick("meta_description")}
    if platform == "commercetools":
        current = pims.ct[GRINDER_ID]["masterData"]["current"]
        first = lambda value: next(iter((value or {}).values()), None)  # noqa: E731
        return {"seo_title": first(current.get("metaTitle")), "meta_description": first(current.get("metaDescription"))}
    if platform == "shopify":
        seo = next(iter(pims.shopify.values())).get("seo") or {}
        return {"seo_title": seo.get("title"), "meta_description": seo.get("description")}
    if platform == "saleor":
        product = next(iter(pims.saleor.values()))
        return {"seo_title": product.get("seoTitle"), "meta_description": product.get("seoDescription")}
    custom = {a["attribute_code"]: a["value"] for a in next(iter(pims.adobe.values()))["custom_attributes"]}
    return {"seo_title": custom.get("meta_title"), "meta_description": custom.get("meta_description")}


def person_writes_seo_title(pims: FakePIMs, platform: str, text: str) -> None:
    if platform == "akeneo":
        pims.akeneo_set(TENT_UUID, {"meta_title": [{"locale": "en_US", "scope": "ecommerce", "data": text}]})
    elif platform == "commercetools":
        key = next(iter(pims.ct[GRINDER_ID]["masterData"]["current"]["name"]))
        pims.ct_apply(GRINDER_ID, [{"action": "setMetaTitle", "metaTitle": {key: text}, "staged": False}])
    elif platform == "shopify":
        next(iter(pims.shopify.values())).setdefault("seo", {})["title"] = text
    elif platform == "saleor":
        next(iter(pims.saleor.values()))["seoTitle"] = text
    else:
        pims.adobe_set(next(iter(pims.adobe)), {"meta_title": text})


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_live_draft_writes_the_platforms_own_seo_fields(platform):
    with FakePIMs() as pims:
        item = seed_without_seo(pims, platform)
        writer = service(pims, live=platform, **(AKENEO_SEO if platform == "akeneo" else {}))
        text = TEXT
        assert writer.handle(draft_of(item, "draft", text=text, fields=SEO)) == "applied_live"
        assert seo_of(pims, platform) == {"seo_title": SEO["seo_title"], "meta_description": SEO["meta_description"]}
        assert fields(pims, platform)["live"] == "A two-person trail tent. Weight: 1.9 kg"
        # its own SEO text is copydesk's to replace
        newer = {**SEO, "seo_title": "Trail tent for two"}
        assert writer.handle(draft_of(item, "draft", text=text, version="m-2", fields=newer)) == "applied_live"
        assert seo_of(pims, platform)["seo_title"] == "Trail tent for two"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_persons_seo_title_is_kept_while_the_rest_of_the_draft_is_written(platform):
    with FakePIMs() as pims:
        item = seed_without_seo(pims, platform)
        person_writes_seo_title(pims, platform, "Our own SEO title")
        writer = service(pims, live=platform, **(AKENEO_SEO if platform == "akeneo" else {}))
        assert writer.handle(draft_of(item, "draft", text=TEXT, fields=SEO)) == "applied_live"
        assert seo_of(pims, platform) == {"seo_title": "Our own SEO title", "meta_description": SEO["meta_description"]}
        assert fields(pims, platform)["live"] == "A two-person trail tent. Weight: 1.9 kg"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_review_mode_shows_the_editor_every_field_and_writes_no_live_seo(platform):
    with FakePIMs() as pims:
        item = seed(pims, platform)
        before = seo_of(pims, platform)
        assert service(pims, **(AKENEO_SEO if platform == "akeneo" else {})).handle(
            draft_of(item, "draft", text="A two-person trail tent.", fields=SEO)) == "applied"
        assert seo_of(pims, platform) == before and SEO["seo_title"] not in before.values()
        if platform in ("shopify", "saleor"):  # the review JSON carries each field
            product = next(iter((pims.shopify if platform == "shopify" else pims.saleor).values()))
            raw = (product["metafields"]["description_draft"] if platform == "shopify"
                   else {m["key"]: m["value"] for m in product["privateMetadata"]}["copydesk.description_draft"])
            assert json.loads(raw)["fields"]["seo_title"] == SEO["seo_title"]
        else:  # one text: the description, then the SEO drafts
            assert fields(pims, platform)["review"] == f"A two-person trail tent. SEO title: {SEO['seo_title']} Meta description: {SEO['meta_description']}"


def test_writeback_readiness_speaks_of_no_model():
    """Its /readyz said model_loaded=True though write-back loads no model (a new user's papercut)."""
    with FakePIMs() as pims:
        health = service(pims).health
    assert not health.ready and "model" not in health.detail()
    health.assigned = True
    assert health.ready and health.detail().startswith("assigned=True")


def test_write_back_reads_the_product_the_way_serve_read_it():
    """serve ran with --max-chars 300 and write-back with its defaults: the input_hash of every re-read
    differed, so every draft was skipped as stale, silently. The draft now carries how serve read the
    product (failed before: skipped_changed_since)."""
    from consumer.adapters.common import with_reading

    with FakePIMs() as pims:
        seed(pims, "akeneo")
        serve_reading = AdapterConfig(max_chars=300)
        item = only(adapt("akeneo_events_api", "akeneo", serve_reading))
        item = dataclasses.replace(item, writeback=with_reading(item.writeback, serve_reading))
        assert item.writeback.context["reading"]["max_chars"] == 300
        assert service(pims).handle(draft_of(item, "draft", text="A review draft.")) == "applied"
        assert AdapterConfig.from_reading(serve_reading.as_reading()) == serve_reading
