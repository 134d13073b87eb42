"""Approvals derived from product updates, per platform: (a) the draft kept as is, (b) edited,
(c) the review field cleared; each exactly once, even delivered twice; copydesk's own writes none."""

from __future__ import annotations

import copy
import json

import pytest

from consumer.adapters import AdapterConfig
from consumer.service.approvals import ApprovalDeriver
from tests.test_adapters import adapt, payload

DRAFT = "A light two-person tent with a waterproof flysheet. It packs small and pitches fast."
EDITED = "A light two-person tent with a waterproof flysheet. It packs small, pitches in minutes and survives storms."


def editorjs(text: str) -> str:
    return json.dumps({"blocks": [{"type": "paragraph", "data": {"text": text}}], "version": "2.24.3"})


def akeneo(description: str | None, review: str | None, n: int, author: str = "julia", author_type: str = "ui") -> tuple[dict, dict]:
    document = payload("akeneo_events_api")
    event = document["events"][0]
    event.update(event_id=f"ev-{n}", event_datetime=f"2026-03-02T10:{10 + n}:00+00:00", author=author, author_type=author_type)
    values = event["data"]["resource"]["values"]
    values["description"] = [{"locale": "en_US", "scope": "ecommerce", "data": description}] if description else []
    if review is not None:
        values["copydesk_description_draft"] = [{"locale": "en_US", "scope": "ecommerce", "data": review or None}]
    document["events"] = [event]
    return document, {}


def shopify(description: str | None, review: str | None, n: int, **_) -> tuple[dict, dict]:
    document = payload("shopify_products_update")
    document.update(body_html=f"<p>{description}</p>" if description else "", updated_at=f"2026-03-02T08:{30 + n}:00-05:00")
    if review is not None:  # a subscription with metafieldNamespaces: ["copydesk"]
        document["metafields"] = [{"namespace": "copydesk", "key": "description_draft", "type": "json",
                                   "value": json.dumps({"text": review, "status": "draft"})}] if review else []
    return document, {"X-Shopify-Topic": "products/update", "X-Shopify-Webhook-Id": f"wh-{n}"}


def saleor(description: str | None, review: str | None, n: int, **_) -> tuple[dict, dict]:
    document = payload("saleor_product_updated")
    product = document["product"]
    product.update(description=editorjs(description) if description else None, updatedAt=f"2026-03-02T12:{10 + n}:00+00:00")
    if review is not None:
        product["privateMetadata"] = [{"key": "copydesk.description_draft", "value": json.dumps({"text": review})}] if review else []
    document["issuingPrincipal"] = {"__typename": "User", "email": "julia@example.com"}
    return document, {"Saleor-Event": "product_updated"}


def commercetools(description: str | None, review: str | None, n: int, **_) -> tuple[dict, dict]:
    document = payload("commercetools_product_published")
    document.update(id=f"msg-{n}", resourceVersion=12 + n, sequenceNumber=3 + n, createdBy={"user": {"typeId": "user", "id": "u-julia"}})
    description_map = dict(document["productProjection"].get("description") or {})
    description_map.pop("en-US", None)
    if description:
        description_map["en-US"] = description
    document["productProjection"]["description"] = description_map
    return document, {}


def adobe(description: str | None, review: str | None, n: int, **_) -> tuple[dict, dict]:
    document = payload("adobe_commerce_webhook")
    product = document["data"]["product"]
    product.update(description=f"<p>{description}</p>" if description else "", updated_at=f"2026-03-02 13:{10 + n}:00")
    if review is not None:
        product["copydesk_description_draft"] = f"<p>{review}</p>" if review else ""
    return document, {}


PLATFORMS = {"akeneo": akeneo, "shopify": shopify, "saleor": saleor, "commercetools": commercetools, "adobe-commerce": adobe}
REVIEW_FIELD = {"akeneo", "saleor", "adobe-commerce", "shopify"}  # where the update payload carries writeback's review field


def adapted(platform: str, description: str | None, review: str | None, n: int, **kwargs):
    document, headers = PLATFORMS[platform](description, review, n, **kwargs)
    items = adapt(copy.deepcopy(document), platform, AdapterConfig(), headers=headers)
    assert not hasattr(items, "message"), items
    return [item for item in items if item.event.locale == "en_US"][0]


def deriver_with_draft(platform: str, **kwargs) -> tuple[ApprovalDeriver, object]:
    """A draft published for the product, then writeback's review write coming back as an update."""
    deriver = ApprovalDeriver(**kwargs)
    first = adapted(platform, None, None, 0)
    event = first.event
    deriver.remember_draft({"event_type": "description.generated", "event_id": "draft-1", "product_id": event.product_id,
                            "locale": event.locale, "channel": event.channel, "description": DRAFT, "model_version": "m-1"})
    assert deriver.observe(first) is None
    review_back = adapted(platform, None, DRAFT if platform in REVIEW_FIELD else None, 1, author="copydesk", author_type="api")
    assert deriver.observe(review_back) is None  # writeback's own write is no decision
    return deriver, event


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_the_draft_approved_as_is_once_even_delivered_twice(platform):
    deriver, _ = deriver_with_draft(platform)
    update = adapted(platform, DRAFT, DRAFT if platform in REVIEW_FIELD else None, 2)
    approval = deriver.observe(update)
    assert approval.action == "approved_unchanged" and approval.causation_id == "draft-1" and approval.model_version == "m-1"
    assert approval.approved_text == DRAFT and approval.generated_text == DRAFT
    assert approval.product.description is None  # the training input never contains its answer
    assert deriver.observe(update) is None  # the redelivery adds nothing
    again = ApprovalDeriver()  # a restarted consumer: the same update gives the same record id
    again.remember_draft({"event_type": "description.generated", "event_id": "draft-1", "product_id": update.event.product_id,
                          "locale": update.event.locale, "channel": update.event.channel, "description": DRAFT, "model_version": "m-1"})
    assert again.observe(update).event_id == approval.event_id
    again.remember_approval(approval.model_dump(mode="json"))
    assert again.observe(adapted(platform, EDITED, None, 3)) is None  # one approval per draft


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_an_edited_draft_and_an_unrelated_text(platform):
    deriver, _ = deriver_with_draft(platform)
    approval = deriver.observe(adapted(platform, EDITED, None, 2))
    assert approval.action == "approved_edited" and approval.approved_text == EDITED and approval.generated_text == DRAFT
    deriver, _ = deriver_with_draft(platform)
    rewritten = deriver.observe(adapted(platform, "Our own words about this product, nothing like the draft at all.", None, 2))
    assert rewritten.action == "written_by_human" and rewritten.causation_id == "draft-1"


@pytest.mark.parametrize("platform", sorted(REVIEW_FIELD))
def test_a_cleared_review_field_is_a_rejection(platform):
    deriver, _ = deriver_with_draft(platform)
    cleared = adapted(platform, None, "", 2)
    approval = deriver.observe(cleared)
    assert approval.action == "rejected" and approval.generated_text == DRAFT and approval.approved_text is None
    assert deriver.observe(cleared) is None


def test_copydesk_own_live_write_is_no_approval():
    # named editor (Akeneo's connection user that writeback uses)
    deriver, _ = deriver_with_draft("akeneo", own_editors=frozenset({"api:copydesk"}))
    assert deriver.observe(adapted("akeneo", DRAFT, DRAFT, 2, author="copydesk", author_type="api")) is None
    # no editor in the payload, but the platform is written live by writeback: the draft's text there is ours
    deriver, _ = deriver_with_draft("shopify", live_platforms=frozenset({"shopify"}))
    assert deriver.observe(adapted("shopify", DRAFT, None, 2)) is None
    assert deriver.observe(adapted("shopify", EDITED, None, 3)).action == "approved_edited"  # then a person edits it


def test_the_derivers_memory_is_bounded():
    deriver = ApprovalDeriver(max_entries=3)
    for n in range(10):
        deriver.remember_draft({"event_type": "description.generated", "event_id": f"d-{n}", "product_id": f"p-{n}",
                                "locale": "en_US", "channel": "ecommerce", "description": DRAFT, "model_version": "m-1"})
    assert len(deriver.drafts) == 3 and ("p-9", "en_US", "ecommerce") in deriver.drafts
