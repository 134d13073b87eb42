"""Approvals from the update events that say more than the product: Akeneo's Event Platform delta
(previous values and the author) and Saleor's PRODUCT_METADATA_UPDATED (the review field)."""

from __future__ import annotations

import copy
import json

from consumer.adapters import AdapterConfig
from consumer.adapters.fetch import FetchSettings, ProductFetcher
from consumer.service.approvals import ApprovalDeriver
from tests.platform_api import PlatformAPI
from tests.test_adapters import TENT_UUID, adapt, payload
from tests.test_approvals import DRAFT, adapted

PRODUCT_PATH = f"/api/rest/v1/products-uuid/{TENT_UUID}"


def delta_event(n: int, changes: dict, author: dict | None = None) -> dict:
    document = payload("akeneo_cloudevent_delta")
    document.update(id=f"018f2b7c-0000-7000-8000-00000000000{n}", time=f"2026-03-02T10:{20 + n}:00Z")
    document["data"]["product"]["changes"] = {"values": changes}
    document["data"]["author"] = author or {"identifier": "julia", "type": "user"}
    return document


def fetched(description: str | None, review: str | None) -> dict:
    product = copy.deepcopy(payload("akeneo_rest_product"))
    if description is not None:
        product["values"]["description"] = [{"locale": "en_US", "scope": "ecommerce", "data": description}]
    if review is not None:
        product["values"]["copydesk_description_draft"] = [{"locale": "en_US", "scope": "ecommerce", "data": review or None}]
    return product


def through_event_platform(document: dict, product: dict):
    with PlatformAPI() as api:
        api.answer("GET", PRODUCT_PATH, (200, product))
        fetcher = ProductFetcher(FetchSettings(akeneo_url=api.url, akeneo_token="t"))
        items = adapt(document, "auto", AdapterConfig(), fetcher=fetcher)
    return [item for item in items if item.event.locale == "en_US"][0]


def with_draft(item, deriver: ApprovalDeriver) -> ApprovalDeriver:
    event = item.event
    deriver.remember_draft({"event_type": "description.generated", "event_id": "draft-1", "product_id": event.product_id,
                            "locale": event.locale, "channel": event.channel, "description": DRAFT, "model_version": "m-1"})
    return deriver


def description_change(previous: str | None, new: str | None) -> dict:
    return {"description": [{"locale": "en_US", "scope": "ecommerce", "previous": previous, "new": new}]}


def test_the_delta_says_who_changed_what_the_description_was_before():
    update = through_event_platform(delta_event(1, description_change(None, DRAFT)), fetched(DRAFT, None))
    assert update.editor == "user:julia" and update.previous_text == ""
    # a consumer that never saw this product's live text: the delta tells it the field was empty
    approval = with_draft(update, ApprovalDeriver()).observe(update)
    assert approval.action == "approved_unchanged" and approval.editor == "user:julia" and approval.causation_id == "draft-1"
    # text written into an empty field with no draft at all: a person's own description
    written = ApprovalDeriver().observe(update)
    assert written.action == "written_by_human" and written.approved_text == DRAFT


def test_the_delta_of_copydesks_own_connection_is_no_approval():
    update = through_event_platform(delta_event(2, description_change(None, DRAFT), {"identifier": "copydesk", "type": "api"}),
                                    fetched(DRAFT, None))
    assert with_draft(update, ApprovalDeriver(own_editors=frozenset({"api:copydesk"}))).observe(update) is None


def test_a_review_field_cleared_in_the_delta_is_a_rejection_once():
    changes = {"copydesk_description_draft": [{"locale": "en_US", "scope": "ecommerce", "previous": DRAFT, "new": None}]}
    update = through_event_platform(delta_event(3, changes), fetched(None, ""))
    assert update.previous_review_text == DRAFT and update.review_text == ""
    deriver = with_draft(update, ApprovalDeriver())  # never saw the draft in the review field: the delta says it was there
    approval = deriver.observe(update)
    assert approval.action == "rejected" and approval.generated_text == DRAFT
    assert deriver.observe(update) is None


def test_saleor_metadata_updated_carries_the_cleared_review_field():
    document = payload("saleor_product_updated")
    document["product"].update(description=None, updatedAt="2026-03-02T12:30:00+00:00", privateMetadata=[])
    document["issuingPrincipal"] = {"__typename": "User", "email": "julia@example.com"}
    items = adapt(copy.deepcopy(document), "saleor", AdapterConfig(), headers={"Saleor-Event": "product_metadata_updated"})
    assert len(items) == 1 and items[0].review_text == ""
    deriver = with_draft(items[0], ApprovalDeriver())
    filled = adapted("saleor", None, DRAFT, 1)  # writeback's own metadata write came back earlier
    assert deriver.observe(filled) is None
    approval = deriver.observe(items[0])
    assert approval.action == "rejected" and approval.editor == "User:julia@example.com"
    assert json.loads(approval.model_dump_json())["causation_id"] == "draft-1"
