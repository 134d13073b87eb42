"""Akeneo: the Events API (batched webhooks) and the Event Platform (CloudEvents).

- Events API: ``{"events": [{action, event_id, event_datetime, pim_source, data: {resource}}]}``
  where ``resource`` is the full product as the REST API returns it.
- Event Platform: CloudEvents ``com.akeneo.pim.v1.product.created|updated`` carry only the
  product uuid (thin: the product is read through ``GET /api/rest/v1/products-uuid/{uuid}``);
  ``...product.updated.delta`` adds ``changes.values.<attr>[]{locale, scope, previous, new}``,
  which names what changed but not the whole product, so it is fetched too and the delta's
  attribute codes become ``changed_fields``; its ``previous`` description and review-field
  values, and ``data.author`` {identifier, type}, tell the approval deriver what an editor did.

Akeneo keeps no per-product counter, so events are ordered by the product's ``updated``
time (the event time when the resource has none), in epoch milliseconds.
One product becomes one ProductEvent per configured locale, for the configured channel (scope).
"""

from __future__ import annotations

from dataclasses import replace

from typing import Any

from consumer.adapters.common import (
    REVIEW_FIELDS,
    Adapted,
    AdapterConfig,
    AdapterError,
    Writeback,
    build_event,
    humanize,
    number_text,
    origin_of,
    parse_time,
    put_attribute,
    require,
    time_sequence,
    truthy,
    UNIT_SYMBOLS,
)

PLATFORM = "akeneo"
DEFAULT_CHANNEL = "ecommerce"
CLOUDEVENT_PREFIX = "com.akeneo.pim.v1.product."
ACTIONS = {"product.created": "product.created", "product.updated": "product.updated"}
IGNORED_ACTIONS = ("product.removed", "product.deleted")


def entry_for(values: dict, code: str | None, locale: str, scope: str) -> dict | None:
    """The value entry of one attribute for a locale and scope; unlocalised/unscoped values apply to all."""
    if code is None:
        return None
    entries = values.get(code)
    if not isinstance(entries, list):
        return None
    best, best_score = None, -1
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        entry_locale, entry_scope = entry.get("locale"), entry.get("scope")
        if entry_locale not in (None, locale) or entry_scope not in (None, scope):
            continue
        score = (entry_locale is not None) + (entry_scope is not None)
        if score > best_score:
            best, best_score = entry, score
    return best


def value_for(values: dict, code: str | None, locale: str, scope: str) -> Any:
    entry = entry_for(values, code, locale, scope)
    return None if entry is None else entry.get("data")


OPTION_TYPES = ("pim_catalog_simpleselect", "pim_catalog_multiselect")


def readable_entry(entry: dict | None, locale: str) -> Any:
    """Prefer the option labels Akeneo sends as linked_data; humanize bare option codes."""
    if entry is None:
        return None
    data, linked = entry.get("data"), entry.get("linked_data")
    labels = linked.get("labels") if isinstance(linked, dict) else None
    if isinstance(labels, dict) and isinstance(labels.get(locale), str):
        return labels[locale]
    if isinstance(linked, list):  # multi-select: one linked_data per option
        names = [(item.get("labels") or {}).get(locale) for item in linked if isinstance(item, dict)]
        if names and all(isinstance(name, str) for name in names):
            return names
    if entry.get("attribute_type") in OPTION_TYPES:
        return [humanize(item) for item in data] if isinstance(data, list) else humanize(str(data)) if data else None
    return readable(data)


def readable(data: Any) -> Any:
    """Akeneo value data -> what a shopper reads: metrics with units, prices, option codes."""
    if isinstance(data, dict) and "amount" in data and "unit" in data:
        unit = str(data.get("unit") or "")
        return f"{number_text(data['amount'])} {UNIT_SYMBOLS.get(unit.upper(), humanize(unit).lower())}".strip()
    if isinstance(data, dict) and "amount" in data and "currency" in data:
        return f"{number_text(data['amount'])} {data['currency']}"
    if isinstance(data, list) and data and all(isinstance(item, dict) and "currency" in item for item in data):
        return [readable(item) for item in data if item.get("amount") is not None]
    if isinstance(data, list):
        return [readable(item) for item in data]
    if isinstance(data, str) and "." in data and data.replace(".", "", 1).isdigit():
        return number_text(data)
    return data


def product_events(
    resource: dict, *, config: AdapterConfig, event_id: str, event_type: str, occurred_at, changed_fields=None
) -> list[Adapted]:
    """A REST-shaped Akeneo product -> one event per configured locale."""
    if not isinstance(resource, dict):
        raise AdapterError("the Akeneo product must be an object")
    product_id = resource.get("uuid") or resource.get("identifier")
    if not product_id:
        raise AdapterError("the Akeneo product has neither uuid nor identifier")
    values = resource.get("values") or {}
    if not isinstance(values, dict):
        raise AdapterError("the Akeneo product's values must be an object of attribute codes")
    channel = config.pick("channel", DEFAULT_CHANNEL)
    title_code = config.pick("title_attribute", "name")
    description_code = config.pick("description_attribute", "description")
    brand_code = config.pick("brand_attribute", "brand")
    locked_code, origin_code = config.locked_attribute, config.origin_attribute
    special = {title_code, description_code, brand_code, locked_code, origin_code, *config.exclude_attributes, *REVIEW_FIELDS}
    updated = resource.get("updated")
    sequence = time_sequence(parse_time(updated, "resource.updated") if updated else occurred_at)
    categories = resource.get("categories") or []
    category = humanize(categories[0]) if categories and isinstance(categories[0], str) else None
    if category is None and isinstance(resource.get("family"), str):
        category = humanize(resource["family"])
    adapted = []
    for locale in config.locales:
        title = value_for(values, title_code, locale, channel) or resource.get("identifier") or str(product_id)
        description = value_for(values, description_code, locale, channel)
        brand = readable_entry(entry_for(values, brand_code, locale, channel), locale)
        attributes: dict = {}
        for code in sorted(values):
            if code not in special:
                put_attribute(attributes, code, readable_entry(entry_for(values, code, locale, channel), locale))
        event = build_event(
            event_id=f"{event_id}:{locale}:{channel}",
            event_type=event_type,
            occurred_at=occurred_at,
            source=PLATFORM,
            product_id=str(product_id),
            sequence=sequence,
            locale=locale,
            channel=channel,
            changed_fields=changed_fields,
            product={
                "title": str(title)[:300],
                "category": category,
                "brand": brand if isinstance(brand, str) else None,
                "attributes": attributes,
                "description": description if isinstance(description, str) else None,
                "description_origin": origin_of(description if isinstance(description, str) else None,
                                                value_for(values, origin_code, locale, channel) if origin_code else None,
                                                value_for(values, REVIEW_FIELDS[1], locale, channel)),
                "description_locked": truthy(value_for(values, locked_code, locale, channel)) if locked_code else False,
                "max_chars": config.max_chars,
            },
        )
        context = {"uuid": resource.get("uuid"), "identifier": resource.get("identifier"),
                   "attribute": description_code, "origin_attribute": origin_code}
        review = (value_for(values, REVIEW_FIELDS[0], locale, channel) or "") if REVIEW_FIELDS[0] in values else None
        adapted.append(Adapted(event, Writeback(PLATFORM, context), review_text=review))
    return adapted


def adapt_events_api(payload: dict, config: AdapterConfig) -> list[Adapted]:
    """The Events API webhook body: a batch of events, each with the whole product."""
    events = payload.get("events")
    if not isinstance(events, list):
        raise AdapterError("an Akeneo Events API payload has an 'events' array")
    adapted: list[Adapted] = []
    for index, item in enumerate(events):
        what = f"events[{index}]"
        action = require(item, "action", what)
        if action in IGNORED_ACTIONS:
            continue
        if action not in ACTIONS:
            raise AdapterError(f"{what}.action {action!r} is not a product event (product.created/updated/removed)")
        occurred_at = parse_time(require(item, "event_datetime", what), f"{what}.event_datetime")
        resource = require(require(item, "data", what), "resource", f"{what}.data")
        editor = f"{item.get('author_type') or 'user'}:{item['author']}" if item.get("author") else None  # "ui:julia", "api:copydesk"
        adapted += [replace(one, editor=editor) for one in product_events(
            resource, config=config, event_id=str(require(item, "event_id", what)), event_type=ACTIONS[action], occurred_at=occurred_at
        )]
    return adapted


def delta_fields(data: dict) -> list[str] | None:
    changes = (data.get("product") or {}).get("changes")
    if not isinstance(changes, dict):
        return None
    fields = [key for key in changes if key != "values"]
    fields += list((changes.get("values") or {}).keys())
    return sorted(humanize(field) for field in fields)


def adapt_cloudevent(envelope: dict, config: AdapterConfig, fetcher) -> list[Adapted]:
    """Event Platform CloudEvents: the uuid only (plus a delta), so the product is fetched."""
    kind = require(envelope, "type", "the CloudEvent")
    if not kind.startswith(CLOUDEVENT_PREFIX):
        raise AdapterError(f"CloudEvent type {kind!r} is not an Akeneo product event")
    action = kind.removeprefix("com.akeneo.pim.v1.")
    if action.startswith(IGNORED_ACTIONS):
        return []
    base_action = action.removesuffix(".delta")
    if base_action not in ACTIONS:
        raise AdapterError(f"CloudEvent type {kind!r} is not product.created / product.updated")
    data = require(envelope, "data", "the CloudEvent")
    uuid = require(require(data, "product", "data"), "uuid", "data.product")
    occurred_at = parse_time(require(envelope, "time", "the CloudEvent"), "time")
    if fetcher is None:
        raise AdapterError(
            f"{kind} carries only the product uuid; configure the Akeneo fetcher (COPYDESK_AKENEO_URL and credentials)"
        )
    resource = fetcher.fetch(PLATFORM, str(uuid))
    adapted = product_events(
        resource, config=config, event_id=str(require(envelope, "id", "the CloudEvent")),
        event_type=ACTIONS[base_action], occurred_at=occurred_at, changed_fields=delta_fields(data),
    )
    author = data.get("author") if isinstance(data.get("author"), dict) else {}
    editor = f"{author.get('type') or 'user'}:{author['identifier']}" if author.get("identifier") else None  # "user:<uuid>", "api:copydesk"
    changes = ((data.get("product") or {}).get("changes") or {}).get("values") or {}
    description_code = config.pick("description_attribute", "description")
    return [replace(one, editor=editor,
                    previous_text=delta_previous(changes, description_code, one.event.locale, one.event.channel),
                    previous_review_text=delta_previous(changes, REVIEW_FIELDS[0], one.event.locale, one.event.channel))
            for one in adapted]


def delta_previous(changes: dict, code: str, locale: str, scope: str) -> str | None:
    """The delta's ``previous`` value of one attribute ("" when it was empty), None when it did not change."""
    entry = entry_for(changes if isinstance(changes, dict) else {}, code, locale, scope)
    if entry is None:
        return None
    previous = entry.get("previous")
    return previous if isinstance(previous, str) else ""


def adapt(payload: dict, config: AdapterConfig, fetcher=None, headers: dict | None = None) -> list[Adapted]:
    if "specversion" in payload:
        return adapt_cloudevent(payload, config, fetcher)
    return adapt_events_api(payload, config)
