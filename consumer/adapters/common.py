"""What every platform adapter shares: the result type, the error, and value rendering.

An adapter's job is narrow: read one platform's payload as that platform documents it and
build canonical ProductEvents, so nothing after the adapter knows which PIM it talks to.
Everything a merchant may name differently (which attribute is the brand, the description,
the lock flag) comes from AdapterConfig; the platform modules only supply defaults.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from html import unescape
from typing import Any

from pydantic import ValidationError

from schemas import ProductEvent, describe_validation_error
from consumer.writeback.ownership import fingerprint, marks_in
from schemas.events import MAX_ATTRIBUTE_VALUE_CHARS, MAX_ATTRIBUTES, MAX_LIST_ITEMS

ORIGIN_COPYDESK = "copydesk"
"""The value an origin attribute holds when copydesk's draft was applied (see writeback)."""

REVIEW_FIELDS = ("copydesk_description_draft", "copydesk_draft_info")
# Copy, not data: the usual names of the SEO fields a write-back may fill (other codes: exclude_attributes).
SEO_COPY_FIELDS = frozenset({"meta_title", "meta_description", "meta_keyword", "meta_keywords", "seo_title", "seo_description",
                             "meta-title", "meta-description", "seo-title", "seo-description"})
"""The review attributes `copydesk writeback` fills (adapters/writeback.py): never product facts,
so never given to the model (a draft would otherwise be written from the previous draft)."""


class AdapterError(ValueError):
    """A payload this adapter cannot turn into a product event; the message says which part."""


class FetchError(RuntimeError):
    """The platform's API did not give us the product (after retries)."""


class ProductNotFound(FetchError):
    """The platform answered 404: the product is gone (deleted since the event or the draft)."""


@dataclass(frozen=True)
class Writeback:
    """The change that applies a generated text in the platform's own terms (see writeback.py)."""

    platform: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Adapted:
    """One canonical event and how to write its draft back to the platform it came from."""

    event: ProductEvent
    writeback: Writeback | None = None
    # What the platform says about who made this change ("ui:julia", "App:copydesk"), where it says it.
    editor: str | None = None
    # The review field writeback fills, as the payload shows it: None when the payload does not
    # carry it, "" when it is there and empty (an editor cleared the draft: a rejection).
    review_text: str | None = None
    # What the fields held before this change, where the platform says (Akeneo's delta event):
    # None when it does not say, "" when they were empty.
    previous_text: str | None = None
    previous_review_text: str | None = None


@dataclass(frozen=True)
class AdapterConfig:
    """Where a platform keeps what the prompt needs; None means the platform's default."""

    locales: tuple[str, ...] = ("en_US",)
    channel: str | None = None
    title_attribute: str | None = None
    description_attribute: str | None = None
    brand_attribute: str | None = None
    locked_attribute: str | None = None
    origin_attribute: str | None = None
    max_chars: int | None = None
    exclude_attributes: tuple[str, ...] = ()
    store_locales: dict[str, str] = field(default_factory=dict)

    def pick(self, name: str, default: str | None) -> str | None:
        value = getattr(self, name)
        return default if value is None else value

    def as_reading(self) -> dict[str, Any]:
        """These options as JSON, carried in each draft's write-back target: how serve read the product
        decides its input_hash, so write-back re-reads it the same way (see from_reading)."""
        return {**{name: getattr(self, name) for name in self.__dataclass_fields__}, "locales": list(self.locales),
                "exclude_attributes": list(self.exclude_attributes), "store_locales": dict(self.store_locales)}

    @classmethod
    def from_reading(cls, reading: dict[str, Any]) -> AdapterConfig:
        known = {name: value for name, value in reading.items() if name in cls.__dataclass_fields__}
        return cls(**{**known, "locales": tuple(known.get("locales") or ("en_US",)),
                      "exclude_attributes": tuple(known.get("exclude_attributes") or ())})


def with_reading(writeback: Writeback | None, config: AdapterConfig) -> Writeback | None:
    """The write-back target plus the reading options serve used (write-back cannot then disagree with it).

    A target that already names its reading keeps it: `copydesk backfill` read the product with
    its own options, and those are the ones write-back must re-read it with.
    """
    return None if writeback is None else Writeback(writeback.platform, {"reading": config.as_reading(), **writeback.context})


# -- rendering values the way a shopper reads them ----------------------------------------

UNIT_SYMBOLS = {
    "MILLIMETER": "mm", "CENTIMETER": "cm", "METER": "m", "KILOMETER": "km", "INCH": "in", "FEET": "ft",
    "MILLIGRAM": "mg", "GRAM": "g", "KILOGRAM": "kg", "POUND": "lb", "OUNCE": "oz",
    "MILLILITER": "ml", "CENTILITER": "cl", "LITER": "l", "CUBIC_METER": "m³",
    "WATT": "W", "KILOWATT": "kW", "VOLT": "V", "AMPERE": "A", "MILLIAMPEREHOUR": "mAh",
    "HERTZ": "Hz", "KILOHERTZ": "kHz", "MEGAHERTZ": "MHz", "GIGAHERTZ": "GHz",
    "SECOND": "s", "MINUTE": "min", "HOUR": "h", "DAY": "days",
    "CELSIUS": "°C", "FAHRENHEIT": "°F", "BYTE": "B", "KILOBYTE": "KB", "MEGABYTE": "MB",
    "GIGABYTE": "GB", "TERABYTE": "TB", "PIXEL": "px", "DECIBEL": "dB", "PERCENT": "%",
}


def humanize(code: str) -> str:
    """An attribute or option code as words: 'max_power' -> 'max power'."""
    return re.sub(r"\s+", " ", code.replace("_", " ").replace("-", " ")).strip()


def number_text(raw: object) -> str:
    """'12.5000' -> '12.5', '3.0000' -> '3': PIMs store decimals as padded strings."""
    try:
        number = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return str(raw)
    if not number.is_finite():
        return str(raw)
    text = format(number.normalize(), "f")
    return text


def strip_html(text: str) -> str:
    """Descriptions often arrive as HTML; the facts and the human-text check need plain text."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h\d>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = unescape(text)
    return re.sub(r"[ \t\r\f\v]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()


def clip(text: str, limit: int = MAX_ATTRIBUTE_VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def attribute_value(value: Any) -> str | bool | int | float | list[str] | None:
    """A platform value -> a contract attribute value, or None when there is nothing to say."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return clip(strip_html(value)) or None
    if isinstance(value, list):
        items = [attribute_value(item) for item in value]
        texts = [clip(str(item) if not isinstance(item, list) else ", ".join(item)) for item in items if item is not None]
        return texts[:MAX_LIST_ITEMS] or None
    if isinstance(value, dict):
        return clip(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return clip(str(value))


def put_attribute(attributes: dict, name: str, value: Any) -> None:
    """Add one attribute if it has a value and there is room (the contract caps the count).

    copydesk's own write-back fields (``copydesk_description_draft``, commercetools'
    ``copydesk-draft-info``, ...) and the SEO copy fields it may write (``meta_title``, ...) are
    never facts of the product: skipped whatever the platform, or a draft would quote the last one.
    """
    rendered = attribute_value(value)
    lowered = name.lower()
    if rendered is None or len(attributes) >= MAX_ATTRIBUTES or lowered.startswith(("copydesk_", "copydesk-")) or lowered in SEO_COPY_FIELDS:
        return
    attributes[clip(humanize(name), 100) or name[:100]] = rendered


# -- ids, times and the final event --------------------------------------------------------


def parse_time(raw: object, what: str) -> datetime:
    """ISO 8601 (with Z or an offset) or Magento's 'YYYY-MM-DD HH:MM:SS' (stored in UTC)."""
    if not isinstance(raw, str) or not raw:
        raise AdapterError(f"{what} must be a date-time string, got {raw!r}"[:300])
    text = raw.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise AdapterError(f"{what} is not a date-time: {raw!r}"[:300]) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


RECORD_TIME_HEADER = "x-copydesk-record-time"
"""Set by adapt_record from the Kafka record's timestamp: the update time of payloads that carry none."""


def fallback_time(headers: dict | None) -> str:
    """When a payload has no update time (a minimal Saleor query, a bare Adobe webhook): the Kafka
    record's timestamp, which follows the order the platform sent them in; `copydesk adapt` reads
    no record, so there it is now."""
    return (headers or {}).get(RECORD_TIME_HEADER) or datetime.now(UTC).isoformat()


def time_sequence(moment: datetime) -> int:
    """Order by update time where a platform has no per-product counter: epoch milliseconds."""
    return max(0, int(moment.timestamp() * 1000))


def derived_event_id(*parts: object) -> str:
    """A stable id for payloads that carry none, so a redelivered webhook keeps its id."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return str(uuid.UUID(digest[:32]))


def origin_of(description: str | None, origin_value: object, info_line: object = None) -> str | None:
    """A description nobody marked as copydesk's is a person's: it must never be replaced.

    Marked means: the origin attribute says copydesk, or copydesk's write-back recorded this very
    text's fingerprint as its live write in the info field (so a live write needs no origin
    attribute configured for copydesk to know its own text; any edit since changes the fingerprint).
    """
    if not description:
        return None
    if isinstance(origin_value, str) and origin_value.strip().lower() == ORIGIN_COPYDESK:
        return "copydesk"
    if isinstance(info_line, str) and (mark := marks_in(info_line).get("live")) and mark == fingerprint(description):
        return "copydesk"
    return "human"


def truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "on")
    return bool(value)


def build_event(**fields: Any) -> ProductEvent:
    """Validate what an adapter built against the contract; a mismatch is the adapter's error."""
    try:
        return ProductEvent.model_validate(fields, strict=False)
    except ValidationError as error:
        raise AdapterError(f"the mapped event is not a valid ProductEvent: {describe_validation_error(error)}") from error


def require(mapping: Any, key: str, what: str) -> Any:
    if not isinstance(mapping, dict):
        raise AdapterError(f"{what} must be an object, got {type(mapping).__name__}")
    value = mapping.get(key)
    if value is None or value == "":
        raise AdapterError(f"{what}.{key} is missing")
    return value


def locale_variants(locale: str) -> list[str]:
    """'en_US' matches 'en_US', 'en-US', 'en' (platforms spell locales differently)."""
    dashed, underscored = locale.replace("_", "-"), locale.replace("-", "_")
    language = re.split(r"[-_]", locale)[0]
    return list(dict.fromkeys([locale, dashed, underscored, language]))


def localized_key(mapping: Any, locale: str) -> str | None:
    """Which key of a {locale: text} map holds the locale (the platform's own spelling)."""
    if isinstance(mapping, dict):
        for candidate in locale_variants(locale):
            if isinstance(mapping.get(candidate), str):
                return candidate
    return None


def localized(mapping: Any, locale: str) -> str | None:
    """A value from a {locale: text} map, trying the locale's other spellings and its language."""
    if not isinstance(mapping, dict):
        return mapping if isinstance(mapping, str) else None
    for candidate in locale_variants(locale):
        if isinstance(mapping.get(candidate), str):
            return mapping[candidate]
    return None
