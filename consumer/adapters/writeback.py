"""The draft as ready-to-apply changes in the source platform's own API terms.

Review first: the change at the top level of ``DescriptionGenerated.writeback`` writes the draft
where an editor reviews it, never the text shoppers see; ``live`` (only for a ``draft``: a
``needs_review`` text has no live change at all) writes the live field:

| platform       | review field                                              | live field                                  |
|----------------|-----------------------------------------------------------|---------------------------------------------|
| Shopify        | metafield ``copydesk.description_draft`` (metafieldsSet)   | ``descriptionHtml`` (productUpdate)         |
| Saleor         | private metadata ``copydesk.description_draft``            | ``description`` (productUpdate)             |
| Akeneo         | attribute ``copydesk_description_draft``                   | the description attribute                   |
| commercetools  | attribute ``copydesk-description-draft`` (``staged: false``) | ``setDescription`` with ``staged: false``, no ``publish`` |
| Adobe Commerce | attribute ``copydesk_description_draft``                   | the description attribute                   |

With each write go copydesk's fingerprints of what it wrote (consumer/writeback/ownership.py):
Akeneo, commercetools and Adobe in the info attribute (``copydesk_draft_info``,
``copydesk-draft-info``) beside the draft's status, model, failed checks and event id;
Shopify and Saleor in ``copydesk.state``. ``copydesk writeback`` re-reads the product and builds
the change again with what it finds (the version, the other locales, the fingerprints): what is
rendered here when the draft is published is the change as of the event.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from consumer.adapters.commercetools import REVIEW_ATTRIBUTE as CT_REVIEW_ATTRIBUTE
from consumer.adapters.common import ORIGIN_COPYDESK, REVIEW_FIELDS, Writeback
from consumer.writeback.ownership import TargetState, fingerprint, marks_line
from schemas import ProductEvent

REVIEW_ATTRIBUTE, INFO_ATTRIBUTE = REVIEW_FIELDS
CT_INFO_ATTRIBUTE = "copydesk-draft-info"
REVIEW_NAMESPACE, REVIEW_KEY, STATE_KEY = "copydesk", "description_draft", "state"
SALEOR_DRAFT_KEY, SALEOR_STATE_KEY = f"{REVIEW_NAMESPACE}.{REVIEW_KEY}", f"{REVIEW_NAMESPACE}.{STATE_KEY}"
SHOPIFY_GRAPHQL = "/admin/api/{apiVersion}/graphql.json"


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n") if part.strip())


def info_line(draft: dict, marks: dict[str, str]) -> str:
    """Status, model, failed checks and event for the editor, then copydesk's fingerprints."""
    failed = ", ".join(draft["failed_checks"]) or "none"
    head = f"{draft['status']}; model {draft['model_version']}; failed checks: {failed}; event {draft['event_id']}"
    return "; ".join(part for part in (head[:200], marks_line(marks)) if part)


def draft_json(draft: dict) -> str:
    """What the JSON review fields hold: enough for an editor to decide."""
    return json.dumps({key: draft[key] for key in ("text", "status", "failed_checks", "model_version", "event_id", "input_hash")})


def new_marks(state: TargetState, draft: dict, live: bool) -> dict[str, str]:
    """The fingerprints after this write: the written field's is the draft's, the other's is kept."""
    marks = {name: mark for name, mark in state.marks.items() if mark}
    marks["live" if live else "review"] = fingerprint(draft["text"])
    return marks


def _akeneo(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    path = (f"/api/rest/v1/products-uuid/{quote(str(target['uuid']))}" if target.get("uuid")
            else f"/api/rest/v1/products/{quote(str(target['identifier']), safe='')}")

    def entry(data: str) -> list[dict]:
        return [{"locale": draft["locale"], "scope": draft["channel"], "data": data}]

    values = {target.get("review_info_attribute") or INFO_ATTRIBUTE: entry(info_line(draft, new_marks(state, draft, live)))}
    if live:
        values[target["attribute"]] = entry(draft["text"])
        if target.get("origin_attribute"):
            values[target["origin_attribute"]] = entry(ORIGIN_COPYDESK)
    else:
        values[target.get("review_attribute") or REVIEW_ATTRIBUTE] = entry(draft["text"])
    return {"method": "PATCH", "path": path, "body": {"values": values}}


def _commercetools(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    # A LocalizedString is replaced whole: merge this locale into what the product holds (state).
    key = state.extra.get("key") or target.get("locale_key") or draft["locale"].replace("_", "-")
    info = {**state.extra.get("info", {}), key: info_line(draft, new_marks(state, draft, live))}
    actions = [{"action": "setAttributeInAllVariants", "name": CT_INFO_ATTRIBUTE, "value": info, "staged": False}]
    if live:
        description = {**state.extra.get("description", target.get("description") or {}), key: draft["text"]}
        actions.append({"action": "setDescription", "description": description, "staged": False})
    else:
        actions.append({"action": "setAttributeInAllVariants", "name": CT_REVIEW_ATTRIBUTE,
                        "value": {**state.extra.get("review", {}), key: draft["text"]}, "staged": False})
    version = state.version if state.version is not None else target.get("version")
    return {"method": "POST", "path": f"/{{projectKey}}/products/{quote(str(target['id']))}", "body": {"version": version, "actions": actions}}


def _shopify(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    owner = target["admin_graphql_api_id"]

    def metafield(key: str, value: str) -> dict:
        item = {"ownerId": owner, "namespace": REVIEW_NAMESPACE, "key": key, "type": "json", "value": value}
        if isinstance(state.version, dict):  # read just before: null means "must not exist yet"
            item["compareDigest"] = state.version.get(key)
        return item

    marks = json.dumps({**state.extra.get("state", {}), draft["locale"]: new_marks(state, draft, live)})
    variables: dict = {"metafields": [metafield(STATE_KEY, marks)] + ([] if live else [metafield(REVIEW_KEY, draft_json(draft))])}
    declared, calls = "$metafields: [MetafieldsSetInput!]!", "metafieldsSet(metafields: $metafields) { metafields { id } userErrors { field message code } }"
    if live:
        declared += ", $product: ProductUpdateInput!"
        calls = "productUpdate(product: $product) { userErrors { field message } } " + calls
        variables["product"] = {"id": owner, "descriptionHtml": paragraphs_html(draft["text"])}
    return {"method": "POST", "path": SHOPIFY_GRAPHQL, "graphql": {"query": f"mutation ({declared}) {{ {calls} }}", "variables": variables}}


def _saleor(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    metadata = [{"key": SALEOR_STATE_KEY, "value": json.dumps({**state.extra.get("state", {}), draft["locale"]: new_marks(state, draft, live)})}]
    if not live:
        metadata.append({"key": SALEOR_DRAFT_KEY, "value": draft_json(draft)})
    variables: dict = {"id": target["id"], "meta": metadata}
    declared, calls = "$id: ID!, $meta: [MetadataInput!]!", "updatePrivateMetadata(id: $id, input: $meta) { errors { field message } }"
    if live:
        blocks = [{"type": "paragraph", "data": {"text": html.escape(part)}} for part in draft["text"].split("\n") if part.strip()]
        declared += ", $input: ProductInput!"
        calls = "productUpdate(id: $id, input: $input) { errors { field message } } " + calls
        variables["input"] = {"description": json.dumps({"blocks": blocks, "version": "2.24.3"})}
    return {"method": "POST", "path": "", "graphql": {"query": f"mutation ({declared}) {{ {calls} }}", "variables": variables}}


def _adobe_commerce(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    pairs = {target.get("review_info_attribute") or INFO_ATTRIBUTE: info_line(draft, new_marks(state, draft, live)),
             (target["attribute"] if live else target.get("review_attribute") or REVIEW_ATTRIBUTE): paragraphs_html(draft["text"])}
    return {"method": "PUT", "path": f"/rest/{{storeCode}}/V1/products/{quote(str(target['sku']), safe='')}",
            "store_id": target.get("store_id"),
            "body": {"product": {"sku": target["sku"], "custom_attributes": [{"attribute_code": k, "value": v} for k, v in pairs.items()]}}}


BUILDERS = {"akeneo": _akeneo, "commercetools": _commercetools, "shopify": _shopify, "saleor": _saleor, "adobe-commerce": _adobe_commerce}


def change_for(platform: str, target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    """The one request that writes ``draft`` (text, status, failed_checks, model_version, event_id,
    input_hash, locale, channel) into the review field, or the live one, of the product as ``state`` found it."""
    return BUILDERS[platform](target, draft, live, state)


def render(writeback: Writeback | None, event: ProductEvent, text: str, status: str = "needs_review", *, failed_checks=(),
           model_version: str = "", event_id: str = "", input_hash: str = "") -> dict | None:
    """``{"platform", "target", <review change>, "live": <live change> | absent}``; None for canonical events.

    ``status`` defaults to needs_review so a caller that forgets it can never get a live change.
    """
    if writeback is None:
        return None
    draft = {"text": text, "status": status, "failed_checks": list(failed_checks), "model_version": model_version,
             "event_id": event_id, "input_hash": input_hash, "locale": event.locale, "channel": event.channel}
    as_of_event = TargetState(None, {})
    rendered = {"platform": writeback.platform, "locale": event.locale, "channel": event.channel, "target": writeback.context,
                **change_for(writeback.platform, writeback.context, draft, False, as_of_event)}
    if status == "draft":
        rendered["live"] = change_for(writeback.platform, writeback.context, draft, True, as_of_event)
    return rendered
