"""Adapters at the edge: each platform's own event payloads -> canonical ProductEvents.

``adapt_record`` is the one entry point the consumer (and ``copydesk adapt``) calls. It returns
the events a record stands for (zero for a deletion or a message type that is not a
description input, several for an Akeneo product in several locales) or a Rejected that names
the reason; the consumer dead-letters those with the whole record, as for any bad input.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from collections.abc import Callable

from consumer.adapters import adobe_commerce, akeneo, commercetools, saleor, shopify
from consumer.adapters.common import RECORD_TIME_HEADER, Adapted, AdapterConfig, AdapterError, FetchError, Writeback
from consumer.service.validate import Rejected, decode_document, parse_product_event

FORMATS = ("copydesk", "akeneo", "commercetools", "saleor", "shopify", "adobe-commerce")
"""What --input-format accepts, besides ``auto``."""

_ADAPTERS: dict[str, Callable[..., list[Adapted]]] = {
    "akeneo": akeneo.adapt,
    "commercetools": commercetools.adapt,
    "saleor": saleor.adapt,
    "shopify": shopify.adapt,
    "adobe-commerce": adobe_commerce.adapt,
}
"""Every adapter takes (payload, config, fetcher, headers); each uses what its platform sends."""


def header_map(headers) -> dict[str, str]:
    """Kafka headers (name, bytes) -> lower-cased names, text values (HTTP header names are case-insensitive)."""
    found = {}
    for name, raw in headers or []:
        if isinstance(name, str) and raw is not None:
            found[name.lower()] = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return found


def binary_cloudevent(document: dict, headers: dict[str, str]) -> dict:
    """CloudEvents' Kafka binary mode puts the attributes in ce_* headers and the data in the value."""
    if "ce_specversion" not in headers or "specversion" in document:
        return document
    envelope = {name.removeprefix("ce_"): value for name, value in headers.items() if name.startswith("ce_")}
    return {**envelope, "data": document}


def _is_saleor_product_id(value: object) -> bool:
    try:
        return isinstance(value, str) and base64.b64decode(value, validate=True).decode().startswith("Product:")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False


SHOPIFY_PRODUCT_KEYS = {"body_html", "handle", "vendor", "product_type", "variants", "published_scope", "template_suffix"}


def _looks_like_shopify_product(document: dict) -> bool:
    """A Shopify product resource: a numeric id, a title and at least three of its own field names."""
    numeric_id = isinstance(document.get("id"), int) or str(document.get("id", "")).isdigit()
    return numeric_id and isinstance(document.get("title"), str) and len(SHOPIFY_PRODUCT_KEYS & document.keys()) >= 3


def detect(document: dict, headers: dict[str, str]) -> str | None:
    """Which adapter reads this payload, from its headers and shape; None when nothing fits."""
    kind = document.get("type") if isinstance(document.get("type"), str) else ""
    if "specversion" in document:
        if kind.startswith("com.akeneo.pim."):
            return "akeneo"
        if kind.startswith("com.adobe.commerce.") or kind.endswith(adobe_commerce.EVENT_SUFFIX):
            return "adobe-commerce"
        return None
    if "x-shopify-topic" in headers:
        return "shopify"
    if "saleor-event" in headers or "x-saleor-event" in headers:
        return "saleor"
    if isinstance(document.get("events"), list) and all(isinstance(item, dict) and "action" in item for item in document["events"]):
        return "akeneo"
    if "notificationType" in document or ("sequenceNumber" in document and "resourceVersion" in document):
        return "commercetools"
    if {"event_id", "event_type", "product_id", "product"} <= document.keys():
        return "copydesk"
    if str(document.get("admin_graphql_api_id", "")).startswith("gid://shopify/Product/"):
        return "shopify"
    if _looks_like_shopify_product(document):  # a products/* body relayed without its X-Shopify-* headers
        return "shopify"
    if isinstance(document.get("eventName"), str) or isinstance((document.get("event") or {}).get("data") if isinstance(document.get("event"), dict) else None, dict):
        return "adobe-commerce"
    product = document.get("product")
    if isinstance(product, dict) and _is_saleor_product_id(product.get("id")):
        return "saleor"
    return None


def adapt_record(
    key: bytes | None, value: bytes | None, headers, input_format: str, config: AdapterConfig, fetcher=None,
    record_timestamp_ms: int | None = None,
) -> list[Adapted] | Rejected:
    """One Kafka record -> its canonical events, or the reason it has none.

    ``record_timestamp_ms`` (the Kafka record's timestamp) orders payloads that carry no update time.
    """
    if input_format == "copydesk":
        parsed = parse_product_event(key, value)
        if isinstance(parsed, Rejected):
            return parsed
        target = parsed.writeback  # set by copydesk backfill, which read the product from its platform
        return [Adapted(parsed, Writeback(target.platform, dict(target.context)) if target else None)]
    document = decode_document(value)
    if isinstance(document, Rejected):
        return document
    named = header_map(headers)
    if record_timestamp_ms is not None and record_timestamp_ms >= 0:
        named[RECORD_TIME_HEADER] = datetime.fromtimestamp(record_timestamp_ms / 1000, UTC).isoformat()
    document = binary_cloudevent(document, named)
    fmt = detect(document, named) if input_format == "auto" else input_format
    if fmt is None:
        keys = ", ".join(sorted(document)[:12])
        return Rejected("adapter", f"no adapter recognises this payload (top-level keys: {keys}); set --input-format")
    if fmt == "copydesk":
        return adapt_record(key, value, headers, "copydesk", config, fetcher, record_timestamp_ms)
    try:
        return _ADAPTERS[fmt](document, config, fetcher, named)
    except AdapterError as error:
        return Rejected("adapter", f"{fmt}: {error}")
    except FetchError as error:
        return Rejected("fetch", f"{fmt}: {error}")
    except (KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError) as error:
        return Rejected("adapter", f"{fmt}: malformed payload ({type(error).__name__}: {error})"[:500])


def adapt_json(payload: str | bytes, input_format: str, config: AdapterConfig | None = None, headers=None, fetcher=None) -> list[Adapted] | Rejected:
    """For the CLI and tests: a payload as text, headers as a {name: value} dict."""
    raw = payload.encode() if isinstance(payload, str) else payload
    pairs = [(name, str(value).encode()) for name, value in (headers or {}).items()]
    key = None
    if input_format in ("copydesk", "auto"):
        try:
            document = json.loads(raw)
            key = str(document.get("product_id", "")).encode() if isinstance(document, dict) else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            key = None
    return adapt_record(key, raw, pairs, input_format, config or AdapterConfig(), fetcher)


__all__ = ["FORMATS", "Adapted", "AdapterConfig", "AdapterError", "FetchError", "Writeback", "adapt_json", "adapt_record", "detect", "header_map"]
