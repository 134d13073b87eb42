"""commercetools: Subscription messages and change notifications.

- Messages (``notificationType: Message``): ``ProductCreated`` (staged projection) and
  ``ProductPublished`` (current projection) carry the whole ``productProjection``; every message
  has ``sequenceNumber`` and ``resourceVersion``, both per product. ``resourceVersion`` is the
  product's version after the change, so it is the event's sequence: it orders messages and
  fetched products on one scale.
- Change notifications (``notificationType: ResourceUpdated`` / ``ResourceCreated``) carry only
  the product id and ``version``: the product is read through ``GET /{projectKey}/products/{id}``.
Other message types of a product (prices, images, ...) are not description inputs: ignored.

Names and descriptions are LocalizedStrings (``{"en-US": ...}``); attributes are
``masterVariant.attributes[]{name, value}`` where a value may be text, a number, a boolean,
an enum ``{key, label}``, a localized enum or text, money, or a set of these.
"""

from __future__ import annotations

from dataclasses import replace

from typing import Any

from consumer.adapters.common import (
    Adapted,
    AdapterConfig,
    AdapterError,
    FetchError,
    Writeback,
    build_event,
    localized,
    localized_key,
    number_text,
    origin_of,
    parse_time,
    put_attribute,
    require,
    truthy,
)

PLATFORM = "commercetools"
DEFAULT_CHANNEL = "default"
MESSAGE_TYPES = {"ProductCreated": "product.created", "ProductPublished": "product.updated"}
CHANGE_TYPES = {"ResourceCreated": "product.created", "ResourceUpdated": "product.updated"}


def attribute_text(value: Any, locale: str) -> Any:
    """One attribute value as a shopper reads it, in the event's locale."""
    if isinstance(value, dict):
        if "centAmount" in value and "currencyCode" in value:
            digits = int(value.get("fractionDigits", 2))
            return f"{number_text(value['centAmount'] / 10 ** digits)} {value['currencyCode']}"
        if "label" in value:  # enum or localized enum
            label = value["label"]
            return localized(label, locale) if isinstance(label, dict) else label
        if "typeId" in value and "id" in value:  # a reference: only readable when expanded
            obj = value.get("obj") or {}
            return localized(obj.get("name"), locale) if obj else None
        return localized(value, locale)  # localized text
    if isinstance(value, list):
        items = [attribute_text(item, locale) for item in value]
        return [item for item in items if item is not None] or None
    return value


def projection_of(document: dict, staged: bool = False) -> tuple[dict, int]:
    """A ProductProjection (messages) or a Product (REST) -> (projection, version)."""
    if "masterData" in document:
        data = document["masterData"]
        projection = dict(data.get("staged" if staged else "current") or {})
        projection.setdefault("id", document.get("id"))
        return projection, int(require(document, "version", "the product"))
    return document, int(require(document, "version", "the productProjection"))


REVIEW_ATTRIBUTE = "copydesk-description-draft"
"""The ltext attribute `copydesk writeback` fills (staged: false, so no publish makes it live)."""


def product_events(projection: dict, version: int, *, config: AdapterConfig, event_id: str, event_type: str, occurred_at) -> list[Adapted]:
    product_id = require(projection, "id", "the product")
    master = projection.get("masterVariant") or {}
    attributes_in = master.get("attributes") or []
    if not isinstance(attributes_in, list):
        raise AdapterError("masterVariant.attributes must be an array of {name, value}")
    named = {item.get("name"): item.get("value") for item in attributes_in if isinstance(item, dict) and item.get("name")}
    brand_name = config.pick("brand_attribute", "brand")
    special = {brand_name, config.locked_attribute, config.origin_attribute, *config.exclude_attributes}
    channel = config.pick("channel", DEFAULT_CHANNEL)
    adapted = []
    for locale in config.locales:
        title = localized(projection.get("name"), locale)
        if not title:
            continue  # not translated into this locale (yet): nothing to describe there
        description = localized(projection.get("description"), locale)
        attributes: dict = {}
        if master.get("sku"):
            put_attribute(attributes, "sku", master["sku"])
        for name in sorted(named):
            if name not in special:
                put_attribute(attributes, name, attribute_text(named[name], locale))
        categories = projection.get("categories") or []
        category = None
        for reference in categories:
            if isinstance(reference, dict) and isinstance(reference.get("obj"), dict):
                category = localized(reference["obj"].get("name"), locale)
                break
        brand = attribute_text(named.get(brand_name), locale)
        event = build_event(
            event_id=f"{event_id}:{locale}",
            event_type=event_type,
            occurred_at=occurred_at,
            source=PLATFORM,
            product_id=str(product_id),
            sequence=version,
            locale=locale,
            channel=channel,
            product={
                "title": title[:300],
                "category": category,
                "brand": brand if isinstance(brand, str) else None,
                "attributes": attributes,
                "description": description,
                "description_origin": origin_of(description, attribute_text(named.get(config.origin_attribute), locale)),
                "description_locked": truthy(named.get(config.locked_attribute)) if config.locked_attribute else False,
                "max_chars": config.max_chars,
            },
        )
        context = {"id": str(product_id), "version": version, "description": projection.get("description") or {},
                   "locale_key": localized_key(projection.get("name"), locale)}
        review = (attribute_text(named[REVIEW_ATTRIBUTE], locale) or "") if REVIEW_ATTRIBUTE in named else None
        adapted.append(Adapted(event, Writeback(PLATFORM, context), review_text=review if isinstance(review, str) else None))
    if not adapted:
        raise AdapterError(f"the product has no name in any configured locale ({', '.join(config.locales)})")
    return adapted


def adapt(payload: dict, config: AdapterConfig, fetcher=None, headers: dict | None = None) -> list[Adapted]:
    kind = payload.get("notificationType")
    resource = require(payload, "resource", "the notification")
    if resource.get("typeId") != "product":
        return []  # a subscription may cover other resources; they are not ours
    if kind == "Message" or (kind is None and "sequenceNumber" in payload):
        message_type = require(payload, "type", "the message")
        if message_type not in MESSAGE_TYPES:
            return []
        projection = require(payload, "productProjection", "the message")
        version = int(require(payload, "resourceVersion", "the message"))
        occurred_at = parse_time(require(payload, "createdAt", "the message"), "createdAt")
        by = payload.get("createdBy") or {}
        editor = f"client:{by['clientId']}" if by.get("clientId") else (f"user:{by['user'].get('id')}" if isinstance(by.get("user"), dict) else None)
        return [replace(one, editor=editor) for one in product_events(
            projection, version, config=config, event_id=str(require(payload, "id", "the message")),
            event_type=MESSAGE_TYPES[message_type], occurred_at=occurred_at)]
    if kind in CHANGE_TYPES:
        if fetcher is None:
            raise AdapterError(f"{kind} carries only the product id; configure the commercetools fetcher (COPYDESK_COMMERCETOOLS_*)")
        product_id = str(require(resource, "id", "resource"))
        notified_version = int(require(payload, "version", "the notification"))
        occurred_at = parse_time(payload.get("modifiedAt") or payload.get("createdAt"), "modifiedAt")
        projection, version = projection_of(fetcher.fetch(PLATFORM, product_id), staged=False)
        if version < notified_version:  # a replica behind the write: reading again will catch up
            raise FetchError(f"commercetools returned product {product_id} at version {version}, older than the notified {notified_version}")
        return product_events(projection, version, config=config,
                              event_id=f"{product_id}:v{notified_version}", event_type=CHANGE_TYPES[kind], occurred_at=occurred_at)
    if kind == "ResourceDeleted":
        return []
    raise AdapterError(f"notificationType {kind!r} is not a commercetools Message or change notification")
