"""The demo plays the PIM: an editor replaces each draft with the catalog's human text and saves.

No PIM sends "draft approved"; it sends a product update (see consumer/service/approvals.py).
So the retrain demo publishes what a PIM would: for most products a canonical ProductEvent with
the new description, and for every third one (English rows) an Akeneo Events API body, the
platform's own format, with the editor as ``author``. ``serve`` turns each into a
DescriptionApproved on the approvals topic, and the trainer learns from those.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

from consumer.catalog import event_from_row
from consumer.kafka.topic_tail import assign_from_beginning, read_to_end

EDITOR = "demo-editor"


def _akeneo_body(row: dict, draft: dict) -> dict:
    now = datetime.now(UTC).isoformat()
    values = {"name": [{"locale": None, "scope": None, "data": row["title"]}],
              "description": [{"locale": draft["locale"], "scope": draft["channel"], "data": row["description"]}]}
    if row.get("brand"):
        values["brand"] = [{"locale": None, "scope": None, "data": row["brand"]}]
    for code, value in (row.get("attributes") or {}).items():
        values[str(code)] = [{"locale": None, "scope": None, "data": value}]
    return {"events": [{
        "action": "product.updated", "event_id": str(uuid.uuid4()), "event_datetime": now, "author": EDITOR, "author_type": "ui",
        "pim_source": "https://pim.demo.invalid",
        "data": {"resource": {"uuid": str(row["id"]), "identifier": str(row["id"]), "enabled": True, "updated": now, "values": values}},
    }]}


def editor_updates(pairs: list[tuple[dict, dict]]) -> list[tuple[bytes, bytes, str]]:
    """(key, value, format) per (catalog row, its draft): the product update an editor's save sends."""
    updates = []
    for index, (row, draft) in enumerate(pairs):
        if index % 3 == 2 and draft["locale"] == "en_US" and draft["channel"] == "ecommerce":
            updates.append((str(row["id"]).encode(), json.dumps(_akeneo_body(row, draft)).encode(), "akeneo"))
        else:
            event = event_from_row({**row, "channel": draft["channel"]}, sequence=2, event_type="product.updated", source="copydesk-demo",
                                   description=row["description"], description_origin="human")
            updates.append((event["product_id"].encode(), json.dumps(event).encode(), "copydesk"))
    return updates


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
