"""What a backfill reads: an export file (JSONL or CSV) or a platform's catalog listing.

Every item names where it came from (``file:line`` or the platform's product id, for the error
report) and the position a run resumes from once it is handled: ``{"line": n}`` for a file,
``{"cursor": c, "index": i}`` (the page read at cursor ``c``, its first ``i`` products handled)
for a listing. A row or product that cannot become a valid event is an item with an error: the
run reports it and goes on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from consumer.adapters.common import Adapted, AdapterConfig, AdapterError, build_event
from consumer.adapters.listing import CatalogLister, events_of
from consumer.catalog import _flatten
from schemas.events import MAX_ATTRIBUTE_NAME_CHARS, MAX_ATTRIBUTES, MAX_TITLE_CHARS

ROW_FIELDS = ("id", "title", "description", "category", "brand", "locale", "channel")


@dataclass(frozen=True)
class Item:
    where: str
    position: dict
    adapted: list[Adapted]
    error: str | None = None


# -- export files -----------------------------------------------------------------------------


def count_rows(path: Path) -> int:
    """Rows in the file (lines with content; a CSV's header excluded), for the progress bar's total."""
    with open(path, encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            return max(0, sum(1 for _ in csv.reader(handle)) - 1)
        return sum(1 for line in handle if line.strip())


def file_items(path: Path, columns: dict[str, str], origin: str, config: AdapterConfig, start_line: int = 0) -> Iterator[Item]:
    """Rows after ``start_line`` (lines of the file; 1 is the first data row) as items."""
    with open(path, encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            rows = ((number, row, None) for number, row in enumerate(csv.DictReader(handle), start=1))
        else:
            rows = (_json_row(number, line) for number, line in enumerate(handle, start=1) if line.strip())
        for number, row, error in rows:
            if number <= start_line:
                continue
            where = f"{path.name}:{number + 1 if path.suffix.lower() == '.csv' else number}"  # a CSV's header is line 1
            if error is not None:
                yield Item(where, {"line": number}, [], error)
                continue
            try:
                adapted = row_event(row, columns, origin, config)
            except AdapterError as problem:
                yield Item(where, {"line": number}, [], str(problem))
                continue
            yield Item(where, {"line": number}, [adapted])


def _json_row(number: int, line: str) -> tuple[int, dict | None, str | None]:
    try:
        row = json.loads(line)
    except ValueError as error:
        return number, None, f"not JSON: {error}"
    return (number, row, None) if isinstance(row, dict) else (number, None, f"a row is a JSON object, got {type(row).__name__}")


def row_event(row: dict, columns: dict[str, str], origin: str, config: AdapterConfig) -> Adapted:
    """An export row as the ProductEvent serve reads; every other column (or JSONL's 'attributes') is an attribute."""
    mapped = {field: row.get(columns.get(field, field)) for field in ROW_FIELDS}
    used = {columns.get(field, field) for field in ROW_FIELDS}
    if isinstance(row.get("attributes"), dict):
        raw_attributes = row["attributes"]
    else:
        raw_attributes = {name: value for name, value in row.items() if name not in used and value not in (None, "")}
    attributes = {name[:MAX_ATTRIBUTE_NAME_CHARS]: value for name, value in list(_flatten(raw_attributes))[:MAX_ATTRIBUTES]}
    if mapped["id"] in (None, ""):
        raise AdapterError(f"no product id (column {columns.get('id', 'id')!r}; map another with --columns id=COLUMN)")
    if mapped["title"] in (None, ""):
        raise AdapterError(f"no title (column {columns.get('title', 'title')!r}; map another with --columns title=COLUMN)")
    description = str(mapped["description"]).strip() if mapped["description"] not in (None, "") else None
    event = build_event(
        event_id="backfill", event_type="product.updated", occurred_at="2000-01-01T00:00:00+00:00", source="backfill",
        product_id=str(mapped["id"]), sequence=0,
        locale=str(mapped["locale"] or config.locales[0]), channel=str(mapped["channel"] or config.channel or "default"),
        product={"title": str(mapped["title"])[:MAX_TITLE_CHARS], "category": _text(mapped["category"]), "brand": _text(mapped["brand"]),
                 "attributes": attributes, "description": description, "description_origin": origin if description else None,
                 "max_chars": config.max_chars},
    )
    return Adapted(event)


def _text(value) -> str | None:
    return None if value in (None, "") else str(value)


# -- platform listings ------------------------------------------------------------------------


def platform_items(lister: CatalogLister, config: AdapterConfig, cursor: str | None = None, skip: int = 0) -> Iterator[Item]:
    """Products from ``cursor`` on (its first ``skip`` already handled), page by page."""
    for page_cursor, page in lister.pages(cursor):
        for index, resource in enumerate(page.resources):
            if page_cursor == cursor and index < skip:
                continue
            position = {"cursor": page_cursor, "index": index + 1}
            if index + 1 == len(page.resources):  # the page is done: resume at the next one
                position = {"cursor": page.next_cursor, "index": 0, "done": page.next_cursor is None}
            identifier = resource.get("uuid") or resource.get("id") or resource.get("sku") or resource.get("entity_id") or f"#{index}"
            where = f"{lister.platform} product {identifier}"
            try:
                yield Item(where, position, events_of(lister.platform, resource, config))
            except (AdapterError, KeyError, TypeError, ValueError, AttributeError) as error:
                yield Item(where, position, [], f"{type(error).__name__}: {error}"[:500])
