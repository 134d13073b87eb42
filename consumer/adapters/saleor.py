"""Saleor: ``PRODUCT_CREATED`` / ``PRODUCT_UPDATED`` / ``PRODUCT_METADATA_UPDATED`` webhooks.

The body is whatever the app's subscription selects, e.g.
``{"issuedAt": ..., "product": {"id", "name", "description", "updatedAt", "category": {"name"},
"productType": {"name"}, "attributes": [{"attribute": {"slug", "name"}, "values": [{"name"}]}]}}``,
so every field but ``product.id`` is optional. A minimal query (``product { id }``) is a thin
event and is read back through the GraphQL API. The event name comes from the
``Saleor-Event`` header (or ``__typename``: ``ProductCreated`` / ``ProductUpdated``).

Ids are base64 global ids (``UHJvZHVjdDo3Mg==`` = ``Product:72``); they are kept as they are
(the API takes them back) after checking they name a Product. Descriptions are EditorJS JSON.
Saleor has no per-product counter: ordered by ``product.updatedAt``, else ``issuedAt`` (epoch ms).
"""

from __future__ import annotations

import base64
import binascii
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
    truthy,
)

PLATFORM = "saleor"
DEFAULT_CHANNEL = "default-channel"
# PRODUCT_METADATA_UPDATED is how an editor's change to the review field (private metadata)
# arrives; its prompt inputs are unchanged, so the router skips it and only the approval
# deriver reads it.
EVENTS = {"product_created": "product.created", "product_updated": "product.updated", "product_metadata_updated": "product.updated"}
TYPENAMES = {"ProductCreated": "product_created", "ProductUpdated": "product_updated", "ProductMetadataUpdated": "product_metadata_updated"}


def decode_global_id(global_id: str) -> tuple[str, str]:
    """'UHJvZHVjdDo3Mg==' -> ('Product', '72'); anything else is not a Saleor id."""
    try:
        kind, _, local = base64.b64decode(global_id, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise AdapterError(f"product.id {global_id!r} is not a base64 Saleor global id") from error
    if not local:
        raise AdapterError(f"product.id {global_id!r} decodes to no 'Type:id' pair")
    return kind, local


def editorjs_text(raw: object) -> str | None:
    """EditorJS JSON (a string or an object) -> plain text, one block per line."""
    if raw in (None, ""):
        return None
    document = raw
    if isinstance(raw, str):
        try:
            document = json.loads(raw)
        except json.JSONDecodeError:
            return strip_html(raw) or None
    if not isinstance(document, dict):
        return None
    lines = []
    for block in document.get("blocks") or []:
        data = block.get("data") if isinstance(block, dict) else None
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("text"), str):
            lines.append(strip_html(data["text"]))
        for item in data.get("items") or []:
            lines.append(strip_html(item if isinstance(item, str) else str((item or {}).get("content", ""))))
    text = "\n".join(line for line in lines if line)
    return text or None


def event_name(payload: dict, headers: dict) -> str | None:
    name = headers.get("saleor-event") or headers.get("x-saleor-event")
    if name is None and payload.get("__typename") in TYPENAMES:
        name = TYPENAMES[payload["__typename"]]
    return name.lower() if isinstance(name, str) else None


def adapt(payload: dict, config: AdapterConfig, fetcher=None, headers: dict | None = None) -> list[Adapted]:
    headers = headers or {}
    name = event_name(payload, headers)
    if name is not None and name not in EVENTS:
        if name.startswith("product_"):
            return []  # deleted, metadata-only, variant events: not description inputs
        raise AdapterError(f"Saleor event {name!r} is not PRODUCT_CREATED / PRODUCT_UPDATED")
    product = require(payload, "product", "the Saleor payload")
    global_id = str(require(product, "id", "product"))
    kind, _ = decode_global_id(global_id)
    if kind != "Product":
        raise AdapterError(f"product.id names a {kind}, not a Product")
    thin = not ({"description", "attributes"} & product.keys())
    if thin and fetcher is not None:  # a minimal subscription query (`product { id name }`): read the product back
        product = {**product, **fetcher.fetch(PLATFORM, global_id), "id": global_id}
    elif "name" not in product:
        raise AdapterError("the payload has only product.id: set COPYDESK_SALEOR_API_URL and COPYDESK_SALEOR_TOKEN "
                           "so copydesk reads the product, or add name/description/attributes to the subscription query")
    issued = payload.get("issuedAt")
    moment = parse_time(product.get("updatedAt") or issued or fallback_time(headers), "product.updatedAt")
    occurred_at = parse_time(issued, "issuedAt") if issued else moment
    attributes: dict = {}
    brand_slug = config.pick("brand_attribute", "brand")
    brand = None
    locked = False
    origin = None
    for item in product.get("attributes") or []:
        attribute = (item or {}).get("attribute") or {}
        slug, label = attribute.get("slug"), attribute.get("name") or attribute.get("slug")
        values = [value.get("name") for value in (item.get("values") or []) if isinstance(value, dict) and value.get("name")]
        if not slug or not values:
            continue
        if slug == brand_slug:
            brand = values[0]
        elif slug == config.locked_attribute:
            locked = truthy(values[0])
        elif slug == config.origin_attribute:
            origin = values[0]
        elif slug not in config.exclude_attributes:
            put_attribute(attributes, label, values if len(values) > 1 else values[0])
    description = editorjs_text(product.get("description"))
    category = (product.get("category") or {}).get("name") or (product.get("productType") or {}).get("name")
    event = build_event(
        event_id=headers.get("saleor-event-id") or derived_event_id(PLATFORM, global_id, moment.isoformat(), name),
        event_type=EVENTS.get(name or "", "product.updated"),
        occurred_at=occurred_at,
        source=PLATFORM,
        product_id=global_id,
        sequence=time_sequence(moment),
        locale=config.locales[0],
        channel=config.pick("channel", DEFAULT_CHANNEL),
        product={
            "title": str(require(product, "name", "product"))[:300],
            "category": category,
            "brand": brand,
            "attributes": attributes,
            "description": description,
            "description_origin": origin_of(description, origin),
            "description_locked": locked,
            "max_chars": config.max_chars,
        },
    )
    return [Adapted(event, Writeback(PLATFORM, {"id": global_id}), editor=principal(payload), review_text=review_text(product))]


def principal(payload: dict) -> str | None:
    """`issuingPrincipal { __typename ... on User { email } ... on App { name } }`, where the query selects it."""
    who = payload.get("issuingPrincipal")
    if not isinstance(who, dict):
        return None
    return f"{who.get('__typename') or 'principal'}:{who.get('email') or who.get('name') or who.get('id') or '?'}"


def review_text(product: dict) -> str | None:
    """The draft writeback keeps in private metadata, where the query selects ``privateMetadata``."""
    entries = product.get("privateMetadata")
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if isinstance(entry, dict) and entry.get("key") == "copydesk.description_draft":
            try:
                return str((json.loads(entry.get("value") or "{}") or {}).get("text") or "")
            except (ValueError, AttributeError):
                return str(entry.get("value") or "")
    return ""  # selected, and the draft is not (or no longer) there
