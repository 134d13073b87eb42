"""Per platform: what the product holds right before a write (consumer/adapters/writeback.py writes it).

Each reader returns a TargetState: the product's prompt inputs now (the staleness check), the
text in the review and live fields, the fingerprints copydesk recorded with its last writes,
and what the write must carry back: commercetools' ``version`` (a change in between answers
409), Shopify's metafield ``compareDigest`` values (a STALE_OBJECT user error), the other
locales of a commercetools LocalizedString. Akeneo, Saleor and Adobe Commerce have no
conditional write in their APIs: their read and write follow each other within milliseconds,
and a change in between that window is the one race left (docs/platforms.md, write-back).
"""

from __future__ import annotations

import dataclasses

import json
from datetime import UTC, datetime
from urllib.parse import quote

from consumer.adapters import AdapterConfig, adobe_commerce, akeneo, commercetools, shopify
from consumer.adapters.common import localized_key
from consumer.adapters.writeback import (ADOBE_SEO_ATTRIBUTES, CT_INFO_ATTRIBUTE, CT_REVIEW_ATTRIBUTE, INFO_ATTRIBUTE, REVIEW_ATTRIBUTE,
                                         REVIEW_KEY, SALEOR_DRAFT_KEY, SALEOR_STATE_KEY, SHOPIFY_GRAPHQL, STATE_KEY)
from consumer.writeback.client import Gone
from consumer.writeback.freshness import Current, reread_saleor
from consumer.writeback.ownership import TargetState, marks_in

SHOPIFY_STATE_QUERY = ('query ($id: ID!) { product(id: $id) { descriptionHtml updatedAt seo { title description } '
                       f'draft: metafield(namespace: "copydesk", key: "{REVIEW_KEY}") {{ value compareDigest }} '
                       f'state: metafield(namespace: "copydesk", key: "{STATE_KEY}") {{ value compareDigest }} }} }}')
SALEOR_STATE_QUERY = "query ($id: ID!) { product(id: $id) { description seoTitle seoDescription updatedAt privateMetadata { key value } } }"


def _json(value: str | None) -> dict:
    try:
        parsed = json.loads(value) if value else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _reread_events(**kwargs) -> dict:
    return {"event_id": "writeback-reread", "event_type": "product.updated", "occurred_at": datetime.now(UTC), **kwargs}


def _akeneo(client, target: dict, draft: dict, config: AdapterConfig) -> TargetState:
    path = (f"/api/rest/v1/products-uuid/{quote(str(target['uuid']))}" if target.get("uuid")
            else f"/api/rest/v1/products/{quote(str(target['identifier']), safe='')}")
    resource = client.read("akeneo", {"method": "GET", "path": path})
    values = resource.get("values") or {}

    def text(code: str | None):
        return akeneo.value_for(values, code, draft["locale"], draft["channel"]) if code else None

    codes = target.get("seo_attributes") or {}
    # the SEO attributes copydesk fills are copy, not facts: not part of the inputs compared
    config = dataclasses.replace(config, exclude_attributes=(*config.exclude_attributes, *codes.values()))
    events = akeneo.product_events(resource, config=config, **_reread_events())
    return TargetState(Current(events), {"review": text(target.get("review_attribute") or REVIEW_ATTRIBUTE), "live": text(target["attribute"]),
                                         "seo_title": text(codes.get("seo_title")), "meta_description": text(codes.get("meta_description"))},
                       marks_in(text(target.get("review_info_attribute") or INFO_ATTRIBUTE)), resource.get("updated"))


def _ct_attribute(projection: dict, name: str) -> dict:
    for attribute in (projection.get("masterVariant") or {}).get("attributes") or []:
        if attribute.get("name") == name and isinstance(attribute.get("value"), dict):
            return dict(attribute["value"])
    return {}


def _commercetools(client, target: dict, draft: dict, config: AdapterConfig) -> TargetState:
    document = client.read("commercetools", {"method": "GET", "path": f"/{{projectKey}}/products/{quote(str(target['id']))}"})
    current, version = commercetools.projection_of(document, staged=False)
    staged, _ = commercetools.projection_of(document, staged=True)
    key = target.get("locale_key") or localized_key(current.get("name"), draft["locale"]) or draft["locale"].replace("_", "-")
    events = commercetools.product_events(current, version, config=config, **_reread_events())
    review, info = _ct_attribute(current, CT_REVIEW_ATTRIBUTE), _ct_attribute(current, CT_INFO_ATTRIBUTE)
    description = current.get("description") or {}
    meta_title, meta_description = current.get("metaTitle") or {}, current.get("metaDescription") or {}
    return TargetState(Current(events, version), {"review": review.get(key), "live": description.get(key), "seo_title": meta_title.get(key),
                                                  "meta_description": meta_description.get(key)}, marks_in(info.get(key)), version,
                       {"key": key, "description": description, "review": review, "info": info, "metaTitle": meta_title,
                        "metaDescription": meta_description,
                        "staged_description_differs": (staged.get("description") or {}) != description})


def _shopify(client, target: dict, draft: dict, config: AdapterConfig) -> TargetState:
    answer = client.read("shopify", {"method": "POST", "path": SHOPIFY_GRAPHQL,
                                     "graphql": {"query": SHOPIFY_STATE_QUERY, "variables": {"id": target["admin_graphql_api_id"]}}})
    product = (answer.get("data") or {}).get("product")
    if not product:
        raise Gone("Shopify has no such product")
    rest = client.read("shopify", {"method": "GET", "path": f"/admin/api/{{apiVersion}}/products/{quote(str(target['id']))}.json"})
    draft_field, state_field = product.get("draft") or {}, product.get("state") or {}
    state = _json(state_field.get("value"))
    return TargetState(Current(shopify.adapt(rest.get("product") or {}, config, None, {})),
                       {"review": _json(draft_field.get("value")).get("text") or draft_field.get("value"), "live": product.get("descriptionHtml"),
                        "seo_title": (product.get("seo") or {}).get("title"), "meta_description": (product.get("seo") or {}).get("description")},
                       state.get(draft["locale"]) or {}, {REVIEW_KEY: draft_field.get("compareDigest"), STATE_KEY: state_field.get("compareDigest")},
                       {"state": state})


def _saleor(client, target: dict, draft: dict, config: AdapterConfig) -> TargetState:
    answer = client.read("saleor", {"method": "POST", "path": "", "graphql": {"query": SALEOR_STATE_QUERY, "variables": {"id": target["id"]}}})
    product = (answer.get("data") or {}).get("product")
    if not product:
        raise Gone("Saleor has no such product")
    metadata = {item["key"]: item["value"] for item in product.get("privateMetadata") or []}
    state = _json(metadata.get(SALEOR_STATE_KEY))
    inputs = reread_saleor(target, client.fetcher, config)
    return TargetState(inputs, {"review": _json(metadata.get(SALEOR_DRAFT_KEY)).get("text") or metadata.get(SALEOR_DRAFT_KEY),
                                "live": product.get("description"), "seo_title": product.get("seoTitle"),
                                "meta_description": product.get("seoDescription")}, state.get(draft["locale"]) or {}, product.get("updatedAt"), {"state": state})


def _adobe_commerce(client, target: dict, draft: dict, config: AdapterConfig) -> TargetState:
    resource = client.read("adobe-commerce", {"method": "GET", "path": f"/rest/{{storeCode}}/V1/products/{quote(str(target['sku']), safe='')}",
                                              "store_id": target.get("store_id")})
    custom = {a.get("attribute_code"): a.get("value") for a in resource.get("custom_attributes") or []}
    flat = {**custom, **{k: v for k, v in resource.items() if not isinstance(v, (dict, list)) and k != "id"},
            "entity_id": resource.get("id"), "store_id": target.get("store_id", "0")}
    events = adobe_commerce.adapt({"eventName": "observer.catalog_product_save_after", "data": {"product": flat}}, config)
    codes = {**ADOBE_SEO_ATTRIBUTES, **(target.get("seo_attributes") or {})}
    return TargetState(Current(events), {"review": custom.get(target.get("review_attribute") or REVIEW_ATTRIBUTE), "live": custom.get(target["attribute"]),
                                         "seo_title": custom.get(codes["seo_title"]), "meta_description": custom.get(codes["meta_description"])},
                       marks_in(custom.get(target.get("review_info_attribute") or INFO_ATTRIBUTE)), resource.get("updated_at"))


READERS = {"akeneo": _akeneo, "commercetools": _commercetools, "shopify": _shopify, "saleor": _saleor, "adobe-commerce": _adobe_commerce}


def read_state(platform: str, client, target: dict, draft: dict, config: AdapterConfig) -> TargetState:
    """The product now; raises Gone when it was deleted, PlatformUnavailable when it can't be read."""
    return READERS[platform](client, target, draft, config)


def conflict(platform: str, answer) -> bool:
    """A refusal because the product changed since it was read: commercetools' 409, Shopify's STALE_OBJECT."""
    if platform == "commercetools":
        return answer.status == 409
    return platform == "shopify" and any(isinstance(e, dict) and e.get("code") == "STALE_OBJECT" for e in answer.graphql_errors)
