"""Catalog rows (``../shared/data/catalog/*.jsonl`` shape) -> Product / ProductEvent.

A row is ``{id, title, description, category, brand, attributes, locale, ...}``. The demo,
the trainer, the evaluator and the benchmarks all read rows through this one mapping.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from schemas.events import MAX_ATTRIBUTE_VALUE_CHARS, MAX_ATTRIBUTES, MAX_TITLE_CHARS, SCHEMA_VERSION, Product


def read_rows(path: Path, limit: int | None = None) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _flatten(attributes: dict, prefix: str = "") -> Iterator[tuple[str, object]]:
    for name, value in attributes.items():
        name = f"{prefix}{name}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        elif isinstance(value, list):
            yield name, [str(item)[:MAX_ATTRIBUTE_VALUE_CHARS] for item in value[:50]]
        elif isinstance(value, (bool, int, float)) or value is None:
            if value is not None:
                yield name, value
        else:
            yield name, str(value)[:MAX_ATTRIBUTE_VALUE_CHARS]


def product_from_row(row: dict, include_description: bool = False, **overrides) -> Product:
    """The product a row describes; the human description only when asked (it is the target)."""
    attributes = dict(list(_flatten(row.get("attributes") or {}))[:MAX_ATTRIBUTES])
    fields = {
        "title": row["title"][:MAX_TITLE_CHARS],
        "category": row.get("category"),
        "brand": row.get("brand"),
        "attributes": {name[:100]: value for name, value in attributes.items()},
        "max_chars": row.get("max_chars"),
        "tone": row.get("tone"),
        "keywords": row.get("keywords") or [],
    }
    # the copy fields asked for, their limits and the attribute labels in the row's locale, where given
    fields.update({key: row[key] for key in ("fields", "field_limits", "labels") if row.get(key)})
    if include_description:
        fields.update(description=row.get("description"), description_origin="human")
    fields.update(overrides)
    return Product.model_validate(fields)


def event_from_row(row: dict, sequence: int = 1, event_type: str = "product.created", source: str = "demo", **product_overrides) -> dict:
    """A ProductEvent as a JSON-ready dict (what a PIM would put on the topic)."""
    product = product_from_row(row, **product_overrides)
    return {
        "schema_version": SCHEMA_VERSION,
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "source": source,
        "product_id": str(row["id"]),
        "sequence": sequence,
        "locale": row.get("locale") or "en_US",
        "channel": row.get("channel") or "ecommerce",
        "product": json.loads(product.model_dump_json()),
    }


def is_held_out(product_id: str, share: float = 0.2, salt: str = "gate") -> bool:
    """A stable split by product: the same product is always on the same side.

    The salt keeps independent splits independent (the demo's before/after products must not
    decide which approvals the gate holds out)."""
    digest = hashlib.sha256(f"{salt}:{product_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < share
