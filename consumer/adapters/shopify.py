"""Shopify: the ``products/create`` and ``products/update`` webhook bodies (REST product shape).

The topic comes from the ``X-Shopify-Topic`` header (a bridge to Kafka keeps the webhook's
headers); ``vendor`` is the brand, ``product_type`` the category, ``tags`` a comma-separated
string, ``body_html`` the description. Shopify has no per-product counter: events are ordered
by ``updated_at`` (epoch ms). Product ids are 64-bit and exceed 2^53, so they are read as
Python ints (exact) and carried as strings; ``admin_graphql_api_id`` is used when present.
A subscription created with ``metafieldNamespaces: ["copydesk"]`` adds ``metafields`` to the
body: the review field writeback fills (``copydesk.description_draft``) is then seen, so a draft
an editor cleared becomes a rejection.
"""

from __future__ import annotations

import re

import json

from consumer.adapters.common import (
    Adapted,
    AdapterConfig,
    AdapterError,
    Writeback,
    build_event,
    derived_event_id,
    origin_of,
    parse_time,
    put_attribute,
    require,
    strip_html,
    fallback_time,
    time_sequence,
)

PLATFORM = "shopify"
DEFAULT_CHANNEL = "online_store"
TOPICS = {"products/create": "product.created", "products/update": "product.updated"}
IGNORED_TOPICS = ("products/delete",)


def product_id_of(payload: dict) -> str:
    raw = require(payload, "id", "the product")
    if isinstance(raw, float) or isinstance(raw, bool):
        raise AdapterError("product id must be an integer; a float has lost digits above 2^53 somewhere upstream")
    return str(raw)


CODE_TAG = re.compile(r"(?=.*\d)(?=.*[A-Z])[A-Z0-9]+(?:[-_./][A-Z0-9]+)*|[A-Z0-9]+(?:[-_][A-Z0-9]+){2,}")


def is_code_tag(tag: str, skus: list[str]) -> bool:
    """A tag that is a stock code, not a word about the product ('APR-LIN-SAGE', 'SKU1042', a variant's
    SKU): merchants tag products for their own filters, and such a tag read as a fact ended up in the
    copy ("a tag of APR-LIN-SAGE"). Short capitals stay facts: 'USB-C', '4K', 'IP67'."""
    if tag.casefold() in {sku.casefold() for sku in skus}:
        return True
    return len(tag) >= 5 and CODE_TAG.fullmatch(tag) is not None


def adapt(payload: dict, config: AdapterConfig, fetcher=None, headers: dict | None = None) -> list[Adapted]:
    headers = headers or {}
    topic = headers.get("x-shopify-topic")
    if topic in IGNORED_TOPICS:
        return []
    if topic is not None and topic not in TOPICS:
        raise AdapterError(f"X-Shopify-Topic {topic!r} is not products/create or products/update")
    product_id = product_id_of(payload)
    updated = parse_time(payload.get("updated_at") or payload.get("created_at") or fallback_time(headers), "updated_at")
    event_type = TOPICS.get(topic or "", "product.created" if payload.get("created_at") == payload.get("updated_at") else "product.updated")
    title = require(payload, "title", "the product")
    body = strip_html(payload.get("body_html") or "") or None
    attributes: dict = {}
    excluded = set(config.exclude_attributes)
    variants = payload.get("variants") or []
    skus = [variant.get("sku") for variant in variants if isinstance(variant, dict) and variant.get("sku")]
    tags = [tag for tag in (t.strip() for t in str(payload.get("tags") or "").split(",")) if tag and not is_code_tag(tag, skus)]
    if tags and "tags" not in excluded:
        put_attribute(attributes, "tags", tags)
    for option in payload.get("options") or []:
        if isinstance(option, dict) and option.get("name") and option.get("values") and option.get("name") != "Title":
            if option["name"] not in excluded:
                put_attribute(attributes, option["name"], option["values"])
    if skus and "sku" not in excluded:
        put_attribute(attributes, "sku", skus if len(skus) > 1 else skus[0])
    event_id = headers.get("x-shopify-event-id") or headers.get("x-shopify-webhook-id") or derived_event_id(PLATFORM, product_id, updated.isoformat())
    channel = config.pick("channel", DEFAULT_CHANNEL)
    locale = config.locales[0]
    event = build_event(
        event_id=str(event_id),
        event_type=event_type,
        occurred_at=updated,
        source=PLATFORM,
        product_id=product_id,
        sequence=time_sequence(updated),
        locale=locale,
        channel=channel,
        product={
            "title": str(title)[:300],
            "category": payload.get("product_type") or None,
            "brand": payload.get("vendor") or None,
            "attributes": attributes,
            "description": body,
            "description_origin": origin_of(body, None),
            "max_chars": config.max_chars,
        },
    )
    context = {"id": product_id, "admin_graphql_api_id": payload.get("admin_graphql_api_id") or f"gid://shopify/Product/{product_id}"}
    return [Adapted(event, Writeback(PLATFORM, context), review_text=review_text(payload))]


def review_text(payload: dict) -> str | None:
    """The draft's text in metafield ``copydesk.description_draft``; None when the body has no metafields."""
    metafields = payload.get("metafields")
    if not isinstance(metafields, list):
        return None
    for field in metafields:
        if isinstance(field, dict) and field.get("namespace") == "copydesk" and field.get("key") == "description_draft":
            value = field.get("value") or ""
            try:
                parsed = json.loads(value) if isinstance(value, str) else value
            except ValueError:
                return str(value)
            return str(parsed.get("text") or "") if isinstance(parsed, dict) else str(parsed or "")
    return ""  # metafields are sent, and the draft is not (or no longer) among them
