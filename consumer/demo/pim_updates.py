"""The demo plays the PIM: its editors act on each draft and save.

Two editors (`--retrain-editor`):
- ``house-style`` (the default): the scripted editor of house_style.py keeps a draft that follows
  the shop's style guide, restyles one that does not, and clears one that states a claim the
  data does not support;
- ``catalog``: the editor replaces every draft with the catalog's human text.

No PIM sends "draft approved"; it sends a product update (see consumer/service/approvals.py).
So the retrain demo publishes what a PIM would: for most products a canonical ProductEvent with
the new description, and for every third one (English rows) an Akeneo Events API body, the
platform's own format, with the editor as ``author``. A rejection is Akeneo's: the review
attribute writeback filled, then saved empty. ``serve`` turns each into a DescriptionApproved on
the approvals topic, and the trainer learns from those.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

from consumer.adapters.common import REVIEW_FIELDS
from consumer.catalog import event_from_row, product_from_row
from consumer.demo.house_style import edit_description
from consumer.kafka.topic_tail import assign_from_beginning, read_to_end

EDITOR = "demo-editor"


def _akeneo_body(row: dict, draft: dict, description: str | None, review: str | None = None) -> dict:
    now = datetime.now(UTC).isoformat()
    values = {"name": [{"locale": None, "scope": None, "data": row["title"]}]}
    if description is not None:
        values["description"] = [{"locale": draft["locale"], "scope": draft["channel"], "data": description}]
    if review is not None:
        values[REVIEW_FIELDS[0]] = [{"locale": draft["locale"], "scope": draft["channel"], "data": review}]
    if row.get("brand"):
        values["brand"] = [{"locale": None, "scope": None, "data": row["brand"]}]
    for code, value in (row.get("attributes") or {}).items():
        values[str(code)] = [{"locale": None, "scope": None, "data": value}]
    return {"events": [{
        "action": "product.updated", "event_id": str(uuid.uuid4()), "event_datetime": now, "author": EDITOR, "author_type": "ui",
        "pim_source": "https://pim.demo.invalid",
        "data": {"resource": {"uuid": str(row["id"]), "identifier": str(row["id"]), "enabled": True, "updated": now, "values": values,
                              "categories": [row["category"]] if row.get("category") else []}},
    }]}


EDITORS = ("house-style", "catalog")


def _akeneo_format(index: int, draft: dict) -> bool:
    return draft["locale"] == "en_US" and draft["channel"] == "ecommerce" and index % 3 == 2


def editor_updates(pairs: list[tuple[dict, dict]], editor: str = "house-style") -> tuple[list[tuple[bytes, bytes, str]], Counter]:
    """(the product updates an editor's saves send as (key, value, format), the editor's verdicts by action).

    One decision per (catalog row, its draft): a rejection takes two updates (the review field
    filled, then cleared), every other decision one."""
    if editor not in EDITORS:
        raise ValueError(f"unknown editor {editor!r}: one of {', '.join(EDITORS)}")
    updates, verdicts = [], Counter()
    for index, (row, draft) in enumerate(pairs):
        key = str(row["id"]).encode()
        if editor == "catalog":
            action, text = "written_by_human", row["description"]
        else:
            verdict, text = edit_description(draft["description"], product_from_row(row))
            action = verdict.action
        verdicts[action] += 1
        if action == "rejected":
            if draft["locale"] == "en_US" and draft["channel"] == "ecommerce":  # Akeneo's review attribute carries it
                updates.append((key, json.dumps(_akeneo_body(row, draft, None, review=draft["description"])).encode(), "akeneo"))
                updates.append((key, json.dumps(_akeneo_body(row, draft, None, review="")).encode(), "akeneo"))
            continue
        if _akeneo_format(index, draft):
            updates.append((key, json.dumps(_akeneo_body(row, draft, text)).encode(), "akeneo"))
        else:
            event = event_from_row({**row, "channel": draft["channel"]}, sequence=2, event_type="product.updated", source="copydesk-demo",
                                   description=text, description_origin="human")
            updates.append((event["product_id"].encode(), json.dumps(event).encode(), "copydesk"))
    return updates, verdicts


def wait_for_approvals(client_config: dict, topic: str, expected: int, timeout_s: float = 300) -> list[dict]:
    """Every approval on the topic, once `expected` are there (or the timeout passed)."""
    deadline = time.monotonic() + timeout_s
    found: list[dict] = []
    while time.monotonic() < deadline:
        consumer = assign_from_beginning(client_config, topic, consumer_timeout_ms=1000)
        found = []
        try:
            read_to_end(consumer, lambda record: found.append(json.loads(record.value)), timeout_seconds=30, idle_seconds=0.5)
        finally:
            consumer.close()
        if len(found) >= expected:
            break
        time.sleep(1)
    return found
