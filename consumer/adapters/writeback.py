"""The draft as ready-to-apply changes in the source platform's own API terms.

Review first: the change at the top level of ``DescriptionGenerated.writeback`` (method, path,
body or graphql) writes the draft where an editor reviews it, never the text shoppers see:

| platform       | review field (default)                                  | live field (opt-in, ``live``)      |
|----------------|---------------------------------------------------------|------------------------------------|
| Shopify        | metafield ``copydesk.description_draft`` (metafieldsSet) | ``descriptionHtml`` (productUpdate) |
| Saleor         | private metadata ``copydesk.description_draft``          | ``description`` (productUpdate)    |
| Akeneo         | attribute ``copydesk_description_draft`` (+ ``copydesk_draft_info``) | the description attribute |
| commercetools  | the staged description (setDescription, staged: true)    | the same, then ``publish``         |
| Adobe Commerce | attribute ``copydesk_description_draft`` (+ info)         | the description attribute          |

Each review write carries the draft's status, failed checks, model version and event id, so an
editor sees why a draft needs review. ``live`` is only rendered for a ``draft``: a
``needs_review`` text has no live change at all, so no connector can put it in the live field.
Where the platform has optimistic concurrency (commercetools' ``version``), the version
copydesk read is sent, so a product changed since answers 409 instead of being overwritten.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from consumer.adapters.common import ORIGIN_COPYDESK, REVIEW_FIELDS, Writeback
from schemas import ProductEvent

REVIEW_KEY = "description_draft"
REVIEW_NAMESPACE = "copydesk"
REVIEW_ATTRIBUTE, REVIEW_INFO_ATTRIBUTE = REVIEW_FIELDS


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n") if part.strip())


def draft_info(draft: dict) -> dict:
    """What travels with the draft into the review field: enough for an editor to decide."""
    return {"text": draft["text"], "status": draft["status"], "failed_checks": draft["failed_checks"],
            "model_version": draft["model_version"], "event_id": draft["event_id"], "input_hash": draft["input_hash"]}


def info_line(draft: dict) -> str:
    """A one-line summary for a plain text attribute (Akeneo, Adobe): status, model, failed checks."""
    failed = ", ".join(draft["failed_checks"]) or "none"
    return f"{draft['status']}; model {draft['model_version']}; failed checks: {failed}; event {draft['event_id']}"[:255]


def akeneo(context: dict, event: ProductEvent, draft: dict) -> tuple[dict, dict]:
    def values(pairs: dict) -> dict:
        return {code: [{"locale": event.locale, "scope": event.channel, "data": data}] for code, data in pairs.items() if code}

    if context.get("uuid"):
        path = f"/api/rest/v1/products-uuid/{quote(context['uuid'])}"
    else:
        path = f"/api/rest/v1/products/{quote(str(context['identifier']), safe='')}"
    review_attribute = context.get("review_attribute") or REVIEW_ATTRIBUTE
    review = {"method": "PATCH", "path": path,
              "body": {"values": values({review_attribute: draft["text"], context.get("review_info_attribute", REVIEW_INFO_ATTRIBUTE): info_line(draft)})}}
    live_values = {context["attribute"]: draft["text"]}
    if context.get("origin_attribute"):
        live_values[context["origin_attribute"]] = ORIGIN_COPYDESK
    return review, {"method": "PATCH", "path": path, "body": {"values": values(live_values)}}


def commercetools(context: dict, event: ProductEvent, draft: dict) -> tuple[dict, dict]:
    # setDescription replaces the whole LocalizedString: keep the other locales' texts.
    description = dict(context.get("description") or {})
    description[context.get("locale_key") or event.locale.replace("_", "-")] = draft["text"]
    path = f"/{{projectKey}}/products/{quote(context['id'])}"
    action = {"action": "setDescription", "description": description, "staged": True}
    review = {"method": "POST", "path": path, "body": {"version": context["version"], "actions": [action]}}
    live = {"method": "POST", "path": path, "body": {"version": context["version"], "actions": [action, {"action": "publish", "scope": "All"}]}}
    return review, live


def shopify(context: dict, event: ProductEvent, draft: dict) -> tuple[dict, dict]:
    review = {"method": "POST", "path": "/admin/api/{apiVersion}/graphql.json", "graphql": {
        "query": "mutation ($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) "
                 "{ metafields { id } userErrors { field message } } }",
        "variables": {"metafields": [{"ownerId": context["admin_graphql_api_id"], "namespace": REVIEW_NAMESPACE,
                                      "key": REVIEW_KEY, "type": "json", "value": json.dumps(draft_info(draft))}]},
    }}
    live = {"method": "POST", "path": "/admin/api/{apiVersion}/graphql.json", "graphql": {
        "query": "mutation ($product: ProductUpdateInput!) { productUpdate(product: $product) { userErrors { field message } } }",
        "variables": {"product": {"id": context["admin_graphql_api_id"], "descriptionHtml": _paragraphs_html(draft["text"])}},
    }}
    return review, live


def saleor(context: dict, event: ProductEvent, draft: dict) -> tuple[dict, dict]:
    review = {"method": "POST", "path": "", "graphql": {
        "query": "mutation ($id: ID!, $input: [MetadataInput!]!) { updatePrivateMetadata(id: $id, input: $input) "
                 "{ errors { field message } } }",
        "variables": {"id": context["id"], "input": [{"key": f"{REVIEW_NAMESPACE}.{REVIEW_KEY}", "value": json.dumps(draft_info(draft))}]},
    }}
    blocks = [{"type": "paragraph", "data": {"text": html.escape(part)}} for part in draft["text"].split("\n") if part.strip()]
    live = {"method": "POST", "path": "", "graphql": {
        "query": "mutation ($id: ID!, $input: ProductInput!) { productUpdate(id: $id, input: $input) { errors { field message } } }",
        "variables": {"id": context["id"], "input": {"description": json.dumps({"blocks": blocks, "version": "2.24.3"})}},
    }}
    return review, live


def adobe_commerce(context: dict, event: ProductEvent, draft: dict) -> tuple[dict, dict]:
    path = f"/rest/{{storeCode}}/V1/products/{quote(str(context['sku']), safe='')}"

    def change(pairs: dict) -> dict:
        attributes = [{"attribute_code": code, "value": value} for code, value in pairs.items()]
        return {"method": "PUT", "path": path, "store_id": context["store_id"],
                "body": {"product": {"sku": context["sku"], "custom_attributes": attributes}}}

    review = change({context.get("review_attribute") or REVIEW_ATTRIBUTE: _paragraphs_html(draft["text"]),
                     context.get("review_info_attribute", REVIEW_INFO_ATTRIBUTE): info_line(draft)})
    return review, change({context["attribute"]: _paragraphs_html(draft["text"])})


RENDERERS = {"akeneo": akeneo, "commercetools": commercetools, "shopify": shopify, "saleor": saleor, "adobe-commerce": adobe_commerce}


def render(writeback: Writeback | None, event: ProductEvent, text: str, status: str = "needs_review", *, failed_checks=(),
           model_version: str = "", event_id: str = "", input_hash: str = "") -> dict | None:
    """``{"platform", "target", <review change>, "live": <live change> | absent}``; None for canonical events.

    ``status`` defaults to needs_review so a caller that forgets it can never get a live change.
    """
    if writeback is None:
        return None
    draft = {"text": text, "status": status, "failed_checks": list(failed_checks), "model_version": model_version,
             "event_id": event_id, "input_hash": input_hash}
    review, live = RENDERERS[writeback.platform](writeback.context, event, draft)
    rendered = {"platform": writeback.platform, "locale": event.locale, "channel": event.channel,
                "target": writeback.context, **review}
    if status == "draft":
        rendered["live"] = live
    return rendered
