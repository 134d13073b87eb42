"""Adobe Commerce (Magento): ``observer.catalog_product_save_after``.

Three documented envelopes carry the same flat product (``entity_id``, ``sku``, ``name``,
``description``, ``store_id``, ``updated_at`` and the custom attributes, values as strings):
- an I/O Events CloudEvent: ``type: com.adobe.commerce.observer.catalog_product_save_after``,
  product in ``data.value``;
- the App Builder action's parameters: ``{"event": {"data": {"value": {...}}}}``;
- a webhook body: ``{"eventName": "...catalog_product_save_after", "data": {"product": {...}}}``.
Adobe Commerce keeps no per-product counter: ordered by ``updated_at`` (stored in UTC, no
offset), in epoch ms. ``store_id`` maps to a locale through ``store_locales`` ("0" is the admin
store view, i.e. the default values); the store id is the channel.
"""

from __future__ import annotations

from consumer.adapters.common import (
    REVIEW_FIELDS,
    Adapted,
    AdapterConfig,
    AdapterError,
    Writeback,
    build_event,
    derived_event_id,
    number_text,
    origin_of,
    parse_time,
    put_attribute,
    require,
    strip_html,
    fallback_time,
    time_sequence,
    truthy,
)

PLATFORM = "adobe-commerce"
EVENT_SUFFIX = "catalog_product_save_after"
TECHNICAL_FIELDS = {
    "_edit_mode", "_isNew", "_origData", "entity_id", "row_id", "attribute_set_id", "type_id", "has_options",
    "required_options", "created_at", "updated_at", "created_in", "updated_in", "store_id", "website_ids",
    "status", "visibility", "tax_class_id", "url_key", "url_path", "page_layout", "options_container",
    "msrp_display_actual_price_type", "gift_message_available", "gift_wrapping_available", "is_returnable",
    "options", "media_gallery", "image", "small_image", "thumbnail", "swatch_image", "quantity_and_stock_status",
    "stock_data", "category_ids", "extension_attributes", "meta_title", "meta_keyword", "meta_description",
    "price", "special_price", "cost", "tier_price", "is_salable", "product_has_weight", "news_from_date",
    "custom_design", "custom_layout", "data_object", "short_description", "sku_type", "weight_type", "price_type",
}
"""Admin and storefront plumbing, prices (they change daily; copy must not state them) and SEO fields."""


def product_of(payload: dict) -> tuple[dict, str | None, str | None]:
    """(product, event id, event time) from whichever envelope this is."""
    if "specversion" in payload:
        kind = str(require(payload, "type", "the CloudEvent"))
        if not kind.endswith(EVENT_SUFFIX):
            raise AdapterError(f"CloudEvent type {kind!r} is not observer.catalog_product_save_after")
        data = require(payload, "data", "the CloudEvent")
        return require(data, "value", "data"), payload.get("id"), payload.get("time")
    if isinstance(payload.get("event"), dict):
        value = require(require(payload["event"], "data", "event"), "value", "event.data")
        return value, payload["event"].get("id"), None
    name = payload.get("eventName")
    if isinstance(name, str):
        if not name.endswith(EVENT_SUFFIX):
            raise AdapterError(f"eventName {name!r} is not catalog_product_save_after")
        return require(require(payload, "data", "the webhook"), "product", "data"), None, None
    raise AdapterError("not an Adobe Commerce catalog_product_save_after payload")


def adapt(payload: dict, config: AdapterConfig, fetcher=None, headers: dict | None = None) -> list[Adapted]:
    product, source_id, event_time = product_of(payload)
    entity_id = str(require(product, "entity_id", "the product"))
    store_id = str(product.get("store_id", "0"))
    locale = config.store_locales.get(store_id) or config.locales[0]
    updated = parse_time(product.get("updated_at") or event_time or fallback_time(headers), "updated_at")
    occurred_at = parse_time(event_time, "time") if event_time else updated
    title_code = config.pick("title_attribute", "name")
    description_code = config.pick("description_attribute", "description")
    brand_code = config.pick("brand_attribute", "brand")
    special = {title_code, description_code, brand_code, config.locked_attribute, config.origin_attribute, *config.exclude_attributes, *REVIEW_FIELDS}
    attributes: dict = {}
    for code in sorted(product):
        value = product[code]
        if code in TECHNICAL_FIELDS or code in special or isinstance(value, dict):
            continue
        if isinstance(value, str) and value.replace(".", "", 1).isdigit() and "." in value:
            value = number_text(value)
        put_attribute(attributes, code, value)
    description = strip_html(product.get(description_code) or "") or None
    event = build_event(
        event_id=str(source_id or derived_event_id(PLATFORM, entity_id, store_id, updated.isoformat())),
        event_type="product.created" if product.get("_isNew") in (True, "1", 1) else "product.updated",
        occurred_at=occurred_at,
        source=PLATFORM,
        product_id=entity_id,
        sequence=time_sequence(updated),
        locale=locale,
        channel=config.pick("channel", None) or f"store_{store_id}",
        product={
            "title": str(require(product, title_code, "the product"))[:300],
            "brand": product.get(brand_code) or None,
            "attributes": attributes,
            "description": description,
            "description_origin": origin_of(description, product.get(config.origin_attribute) if config.origin_attribute else None),
            "description_locked": truthy(product.get(config.locked_attribute)) if config.locked_attribute else False,
            "max_chars": config.max_chars,
        },
    )
    context = {"sku": product.get("sku"), "store_id": store_id, "attribute": description_code}
    review = strip_html(str(product.get(REVIEW_FIELDS[0]) or "")) if REVIEW_FIELDS[0] in product else None
    return [Adapted(event, Writeback(PLATFORM, context), review_text=review)]
