"""Validate: raw Kafka record -> ProductEvent, or a DeadLetter that says exactly why not.

Nothing is dropped without a record: every way a payload can be wrong (too big, not UTF-8,
not JSON, a schema from the future, a wrong field) maps to a dead letter carrying the whole
original record, so it can be inspected and replayed once the cause is fixed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from schemas import DeadLetter, ProductEvent, describe_validation_error
from schemas.events import SCHEMA_VERSION

MAX_RECORD_BYTES = 1_000_000


@dataclass(frozen=True)
class Rejected:
    error_type: str
    message: str


def _text_or_base64(raw: bytes | None) -> tuple[str | None, str]:
    if raw is None:
        return None, "utf-8"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), "base64"


def dead_letter(record, rejected: Rejected) -> DeadLetter:
    """Keep the original record whole (key, headers, value), with the reason."""
    key, key_encoding = _text_or_base64(record.key)
    value, value_encoding = _text_or_base64(record.value)
    headers = [
        {"key": str(name), "value": base64.b64encode(raw).decode("ascii") if raw is not None else None}
        for name, raw in (record.headers or [])
    ]
    return DeadLetter(
        original_topic=record.topic,
        original_partition=record.partition,
        original_offset=record.offset,
        original_key=key,
        key_encoding=key_encoding,
        original_headers=headers,
        value=value,
        value_encoding=value_encoding,
        error_type=rejected.error_type,
        error_message=rejected.message[:10_000],
        failed_at=datetime.now(UTC),
    )


NAME_FIELDS_UP_TO_BYTES = 16 * MAX_RECORD_BYTES
"""An oversized record is still parsed up to this size to name the field that made it so (a
millisecond per megabyte); beyond it, only its size is reported."""


def largest_field(value: bytes) -> str:
    """'; the largest field is product.title (999,980 characters)': what to shorten, when it can be told cheaply."""
    if len(value) > NAME_FIELDS_UP_TO_BYTES:
        return ""
    try:
        document = json.loads(value)
    except (ValueError, RecursionError):
        return ""
    best: tuple[int, str] = (0, "")
    pending = [("", document)]
    while pending:
        path, node = pending.pop()
        if isinstance(node, dict):
            pending += [(f"{path}.{key}" if path else str(key), child) for key, child in node.items()]
        elif isinstance(node, list):
            pending += [(f"{path}[{index}]", child) for index, child in enumerate(node)]
        elif isinstance(node, str) and len(node) > best[0]:
            best = (len(node), path)
    return f"; the largest field is {best[1]} ({best[0]:,} characters)" if best[1] else ""


def decode_document(value: bytes | None, what: str = "an event") -> dict | Rejected:
    """Bytes -> a JSON object, cheapest checks first, so a 1 MB blob is refused before parsing."""
    if value is None:
        return Rejected("validation", "record value is null (a tombstone is not a product event)")
    if len(value) > MAX_RECORD_BYTES:
        return Rejected("oversized", f"record value is {len(value)} bytes; the limit is {MAX_RECORD_BYTES}{largest_field(value)}")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as error:
        return Rejected("invalid_utf8", f"record value is not UTF-8: {error}")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        return Rejected("invalid_json", f"record value is not JSON: {error}"[:500])
    if not isinstance(document, dict):
        return Rejected("validation", f"{what} is a JSON object, got {type(document).__name__}")
    return document


def parse_product_event(key: bytes | None, value: bytes | None) -> ProductEvent | Rejected:
    """The checks run cheapest first, so a 1 MB blob is refused before anything parses it."""
    document = decode_document(value, "a ProductEvent")
    if isinstance(document, Rejected):
        return document
    version = document.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        return Rejected(
            "unsupported_schema",
            f"schema_version {version} is newer than this copydesk understands ({SCHEMA_VERSION}); upgrade the consumer",
        )
    try:
        event = ProductEvent.model_validate_json(value)
    except ValidationError as error:
        oversized = any(item["type"] in ("string_too_long", "too_long") for item in error.errors())
        return Rejected("oversized" if oversized else "validation", describe_validation_error(error))
    expected_key = event.product_id.encode()
    if key != expected_key:
        return Rejected(
            "validation",
            f"record key {key!r} must equal product_id {event.product_id!r}: the key keeps one product's events in order",
        )
    return event
