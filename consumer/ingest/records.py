"""A verified webhook request -> the Kafka records it is stored as (key, value, headers).

The body is stored as received, so ``serve --input-format auto`` reads exactly what the
platform sent, with the headers it needs to recognise it (``X-Shopify-Topic``,
``Saleor-Event``...). Records are keyed by product id where the payload has one, so every
change of one product lands on one partition, in order. An Akeneo request carries up to 10
events about different products: each becomes its own record (``{"events": [event]}``), keyed
by its product, so one product's events stay ordered without holding up the others.
"""

from __future__ import annotations

import json
from typing import Any

KEPT_HEADER_PREFIXES = ("x-shopify-", "saleor-", "x-saleor-", "x-akeneo-", "x-adobe-", "ce-", "ce_")
"""Headers an adapter may read (topic, event name, webhook id, timestamps); never Authorization or cookies."""
SIGNATURE_HEADERS = {"x-shopify-hmac-sha256", "saleor-signature", "x-saleor-signature", "x-akeneo-request-signature",
                     "x-adobe-digital-signature-1", "x-adobe-digital-signature-2"}

Record = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


class UnreadableBody(ValueError):
    """The body is not the JSON object the platform documents (answered 400)."""


def _headers(headers: dict[str, str], keep_signatures: bool) -> list[tuple[str, bytes]]:
    kept = []
    for name, value in headers.items():
        if name.startswith(KEPT_HEADER_PREFIXES) and (keep_signatures or name not in SIGNATURE_HEADERS):
            kept.append((name, value.encode()))
    return kept


def _key(value: Any) -> bytes | None:
    return str(value).encode() if value not in (None, "") else None


def _saleor_product_id(document: dict) -> Any:
    for holder in (document, document.get("data") or {}, (document.get("data") or {}).get("event") or {}, document.get("event") or {}):
        product = holder.get("product") if isinstance(holder, dict) else None
        if isinstance(product, dict) and product.get("id"):
            return product["id"]
    return None


def _adobe_product_id(document: dict) -> Any:
    data = document.get("data") or (document.get("event") or {}).get("data") or {}
    value = data.get("value") if isinstance(data, dict) else None
    if isinstance(value, dict):
        return value.get("sku") or value.get("id") or value.get("entity_id")
    return None


def to_records(platform: str, body: bytes, headers: dict[str, str]) -> list[Record]:
    """What one verified request is stored as; raises UnreadableBody for a body that is not a JSON object."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UnreadableBody(f"the body is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise UnreadableBody(f"the body is a JSON {type(document).__name__}, not an object")
    if platform == "akeneo":
        events = document.get("events")
        if not isinstance(events, list):
            raise UnreadableBody("an Akeneo Events API body has an 'events' list")
        kept = _headers(headers, keep_signatures=False)  # the split bodies are no longer what was signed
        records = []
        for event in events:
            resource = ((event or {}).get("data") or {}).get("resource") or {} if isinstance(event, dict) else {}
            key = resource.get("uuid") or resource.get("identifier")
            records.append((_key(key), json.dumps({"events": [event]}).encode(), kept))
        return records
    key = {"shopify": lambda: document.get("id"), "saleor": lambda: _saleor_product_id(document),
           "adobe-commerce": lambda: _adobe_product_id(document)}[platform]()
    return [(_key(key), body, _headers(headers, keep_signatures=True))]
