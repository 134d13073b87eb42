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


SEO_FIELDS = ("seo_title", "meta_description")
ADOBE_SEO_ATTRIBUTES = {"seo_title": "meta_title", "meta_description": "meta_description"}


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n") if part.strip())


def draft_html(draft: dict) -> str:
    """The description as HTML: the lead as <p>, the bullets as <ul> (schemas/copy_fields.assemble)."""
    return (draft.get("fields") or {}).get("description_html") or paragraphs_html(draft["text"])


def editorjs(draft: dict) -> str:
    """Saleor's rich text: a paragraph block for the lead, a list block for the bullets."""
    lines = [line for line in draft["text"].split("\n") if line.strip()]
    items = [line[2:] for line in lines if line.startswith("- ")]
    blocks = [{"type": "paragraph", "data": {"text": html.escape(line)}} for line in lines if not line.startswith("- ")]
    if items:
        blocks.append({"type": "list", "data": {"style": "unordered", "items": [html.escape(item) for item in items]}})
    return json.dumps({"blocks": blocks, "version": "2.24.3"})


def review_text(draft: dict) -> str:
    """What a one-text review field holds: the description, then the SEO drafts for the editor to see."""
    fields = draft.get("fields") or {}
    seo = [f"{label}: {fields[name]}" for name, label in (("seo_title", "SEO title"), ("meta_description", "Meta description"))
           if fields.get(name)]
    return "\n\n".join([draft["text"], "\n".join(seo)]) if seo else draft["text"]


def seo_writes(state: TargetState, draft: dict, live: bool) -> dict[str, str]:
    """The live SEO fields this write sets: the draft's, where the field is empty or holds copydesk's own text.

    A person's SEO title or meta description is left as it is, like a person's description; the
    rest of the write goes ahead (the description has its own owner check).
    """
    if not live:
        return {}
    fields = draft.get("fields") or {}
    return {name: fields[name] for name in SEO_FIELDS if fields.get(name) and state.owner(name) != "person"}


def info_line(draft: dict, marks: dict[str, str]) -> str:
    """Status, model, failed checks and event for the editor, then copydesk's fingerprints."""
    failed = ", ".join(draft["failed_checks"]) or "none"
    head = f"{draft['status']}; model {draft['model_version']}; failed checks: {failed}; event {draft['event_id']}"
    return "; ".join(part for part in (head[:200], marks_line(marks)) if part)


def draft_json(draft: dict) -> str:
    """What the JSON review fields hold: enough for an editor to decide, every copy field included."""
    keys = ("text", "status", "failed_checks", "model_version", "event_id", "input_hash", "fields")
    return json.dumps({key: draft.get(key) for key in keys if key != "fields" or draft.get("fields")})


def new_marks(state: TargetState, written: dict[str, str]) -> dict[str, str]:
    """The fingerprints after this write: each written field's is of what was written, the others' are kept."""
    marks = {name: mark for name, mark in state.marks.items() if mark}
    marks.update({name: fingerprint(text) for name, text in written.items()})
    return marks


def _akeneo(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    path = (f"/api/rest/v1/products-uuid/{quote(str(target['uuid']))}" if target.get("uuid")
            else f"/api/rest/v1/products/{quote(str(target['identifier']), safe='')}")

    def entry(data: str) -> list[dict]:
        return [{"locale": draft["locale"], "scope": draft["channel"], "data": data}]

    codes = target.get("seo_attributes") or {}  # Akeneo has no SEO attributes of its own: configured codes only
    seo = {name: text for name, text in seo_writes(state, draft, live).items() if codes.get(name)}
    written = {"live": draft["text"], **seo} if live else {"review": review_text(draft)}
    values = {target.get("review_info_attribute") or INFO_ATTRIBUTE: entry(info_line(draft, new_marks(state, written)))}
    if live:
        values[target["attribute"]] = entry(draft["text"])
        values.update({codes[name]: entry(text) for name, text in seo.items()})
        if target.get("origin_attribute"):
            values[target["origin_attribute"]] = entry(ORIGIN_COPYDESK)
    else:
        values[target.get("review_attribute") or REVIEW_ATTRIBUTE] = entry(written["review"])
    return {"method": "PATCH", "path": path, "body": {"values": values}}


def _commercetools(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    # A LocalizedString is replaced whole: merge this locale into what the product holds (state).
    key = state.extra.get("key") or target.get("locale_key") or draft["locale"].replace("_", "-")
    seo = seo_writes(state, draft, live)
    written = {"live": draft["text"], **seo} if live else {"review": review_text(draft)}
    info = {**state.extra.get("info", {}), key: info_line(draft, new_marks(state, written))}
    actions = [{"action": "setAttributeInAllVariants", "name": CT_INFO_ATTRIBUTE, "value": info, "staged": False}]
    if live:
        description = {**state.extra.get("description", target.get("description") or {}), key: draft["text"]}
        actions.append({"action": "setDescription", "description": description, "staged": False})
        for name, action, field in (("seo_title", "setMetaTitle", "metaTitle"), ("meta_description", "setMetaDescription", "metaDescription")):
            if name in seo:  # a LocalizedString too: the other locales are kept
                actions.append({"action": action, field: {**state.extra.get(field, {}), key: seo[name]}, "staged": False})
    else:
        actions.append({"action": "setAttributeInAllVariants", "name": CT_REVIEW_ATTRIBUTE,
                        "value": {**state.extra.get("review", {}), key: written["review"]}, "staged": False})
    version = state.version if state.version is not None else target.get("version")
    return {"method": "POST", "path": f"/{{projectKey}}/products/{quote(str(target['id']))}", "body": {"version": version, "actions": actions}}


def _shopify(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    owner = target["admin_graphql_api_id"]

    def metafield(key: str, value: str) -> dict:
        item = {"ownerId": owner, "namespace": REVIEW_NAMESPACE, "key": key, "type": "json", "value": value}
        if isinstance(state.version, dict):  # read just before: null means "must not exist yet"
            item["compareDigest"] = state.version.get(key)
        return item

    seo = seo_writes(state, draft, live)
    written = {"live": draft_html(draft), **seo} if live else {"review": draft["text"]}
    marks = json.dumps({**state.extra.get("state", {}), draft["locale"]: new_marks(state, written)})
    variables: dict = {"metafields": [metafield(STATE_KEY, marks)] + ([] if live else [metafield(REVIEW_KEY, draft_json(draft))])}
    declared, calls = "$metafields: [MetafieldsSetInput!]!", "metafieldsSet(metafields: $metafields) { metafields { id } userErrors { field message code } }"
    if live:
        declared += ", $product: ProductUpdateInput!"
        calls = "productUpdate(product: $product) { userErrors { field message } } " + calls
        variables["product"] = {"id": owner, "descriptionHtml": draft_html(draft)}
        if seo:  # SEOInput: a field left out keeps its value
            variables["product"]["seo"] = {{"seo_title": "title", "meta_description": "description"}[name]: text for name, text in seo.items()}
    return {"method": "POST", "path": SHOPIFY_GRAPHQL, "graphql": {"query": f"mutation ({declared}) {{ {calls} }}", "variables": variables}}


def _saleor(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    seo = seo_writes(state, draft, live)
    written = {"live": editorjs(draft), **seo} if live else {"review": draft["text"]}
    metadata = [{"key": SALEOR_STATE_KEY, "value": json.dumps({**state.extra.get("state", {}), draft["locale"]: new_marks(state, written)})}]
    if not live:
        metadata.append({"key": SALEOR_DRAFT_KEY, "value": draft_json(draft)})
    variables: dict = {"id": target["id"], "meta": metadata}
    declared, calls = "$id: ID!, $meta: [MetadataInput!]!", "updatePrivateMetadata(id: $id, input: $meta) { errors { field message } }"
    if live:
        declared += ", $input: ProductInput!"
        calls = "productUpdate(id: $id, input: $input) { errors { field message } } " + calls
        variables["input"] = {"description": written["live"]}
        if seo:  # SeoInput
            variables["input"]["seo"] = {{"seo_title": "title", "meta_description": "description"}[name]: text for name, text in seo.items()}
    return {"method": "POST", "path": "", "graphql": {"query": f"mutation ({declared}) {{ {calls} }}", "variables": variables}}


def _adobe_commerce(target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    codes = {**ADOBE_SEO_ATTRIBUTES, **(target.get("seo_attributes") or {})}
    seo = seo_writes(state, draft, live)
    written = {"live": draft_html(draft), **seo} if live else {"review": paragraphs_html(review_text(draft))}
    pairs = {target.get("review_info_attribute") or INFO_ATTRIBUTE: info_line(draft, new_marks(state, written)),
             (target["attribute"] if live else target.get("review_attribute") or REVIEW_ATTRIBUTE): written["live" if live else "review"],
             **{codes[name]: text for name, text in seo.items()}}
    return {"method": "PUT", "path": f"/rest/{{storeCode}}/V1/products/{quote(str(target['sku']), safe='')}",
            "store_id": target.get("store_id"),
            "body": {"product": {"sku": target["sku"], "custom_attributes": [{"attribute_code": k, "value": v} for k, v in pairs.items()]}}}


BUILDERS = {"akeneo": _akeneo, "commercetools": _commercetools, "shopify": _shopify, "saleor": _saleor, "adobe-commerce": _adobe_commerce}


def change_for(platform: str, target: dict, draft: dict, live: bool, state: TargetState) -> dict:
    """The one request that writes ``draft`` (text, status, failed_checks, model_version, event_id,
    input_hash, locale, channel, fields) into the review field, or the live one, of the product as ``state`` found it."""
    return BUILDERS[platform](target, draft, live, state)


def render(writeback: Writeback | None, event: ProductEvent, text: str, status: str = "needs_review", *, failed_checks=(),
           model_version: str = "", event_id: str = "", input_hash: str = "", fields: dict | None = None) -> dict | None:
    """``{"platform", "target", <review change>, "live": <live change> | absent}``; None for canonical events.

    ``status`` defaults to needs_review so a caller that forgets it can never get a live change.
    """
    if writeback is None:
        return None
    draft = {"text": text, "status": status, "failed_checks": list(failed_checks), "model_version": model_version,
             "event_id": event_id, "input_hash": input_hash, "locale": event.locale, "channel": event.channel, "fields": fields or {}}
    as_of_event = TargetState(None, {})
    rendered = {"platform": writeback.platform, "locale": event.locale, "channel": event.channel, "target": writeback.context,
                **change_for(writeback.platform, writeback.context, draft, False, as_of_event)}
    if status == "draft":
        rendered["live"] = change_for(writeback.platform, writeback.context, draft, True, as_of_event)
    return rendered
