"""Approvals from what editors do in their own PIM: a product update that changes the description.

No PIM sends an "AI draft approved" event. An editor's decision arrives as an ordinary product
update, so ``serve`` (which sees every update and knows the last draft per product, locale and
channel) derives ``DescriptionApproved`` records for the trainer:

- ``approved_unchanged``: the new live text is the draft, after normalising markup and whitespace;
- ``approved_edited``: the new text is an edit of the draft (rapidfuzz ``ratio`` >= ``threshold``,
  default 0.5: more than half the characters kept in order);
- ``written_by_human``: the text is unrelated to the draft, or appeared where there was no draft;
- ``rejected``: the review field writeback filled came back empty (an editor cleared the draft),
  the live text unchanged.

One approval per draft: the drafts that already have one are read back from the approvals topic
at start, so a restart or a redelivered update adds nothing, and each approval's ``event_id`` is
uuid5(the product event, the draft), so even a race yields the same record. A change copydesk
made itself is none: its origin attribute says ``copydesk``, its editor is one of ``own_editors``
(the API user writeback uses), or it is the draft's text on a platform writeback writes live.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from rapidfuzz import fuzz

from consumer.adapters.common import Adapted, strip_html
from consumer.kafka.topic_tail import assign_from_beginning, read_to_end
from consumer.ops.logs import get_logger
from consumer.service.lru import BoundedDict
from consumer.service.routing import Key, state_key
from schemas import DescriptionApproved

log = get_logger("copydesk.approvals")
_MISSING = object()


@dataclass(frozen=True)
class LastDraft:
    event_id: str
    text: str
    model_version: str


def as_written(text: str | None) -> str:
    """The text as the editor left it, markup stripped and spaces collapsed, its lines kept: a
    description's bullets ("lead\n- Weight: 320 g") stay bullets in what the trainer learns from."""
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in strip_html(text or "").split("\n"))
    return "\n".join(line for line in lines if line)


def normalise(text: str | None) -> str:
    """Markup and spacing never make two texts different (HTML and EditorJS arrive as text already)."""
    return re.sub(r"\s+", " ", strip_html(text or "")).strip()


class ApprovalDeriver:
    def __init__(self, threshold: float = 0.5, own_editors: frozenset[str] = frozenset(), live_platforms: frozenset[str] = frozenset(),
                 max_entries: int = 200_000):
        self.threshold = threshold
        self.own_editors = own_editors
        self.live_platforms = live_platforms
        # all bounded (lru.py): a long-running consumer over a large catalog keeps a ceiling
        self.drafts: BoundedDict[Key, LastDraft] = BoundedDict(max_entries)
        self.resolved: BoundedDict[str, None] = BoundedDict(max_entries)  # draft event ids that have their approval
        self.live_text: BoundedDict[Key, str | None] = BoundedDict(max_entries)
        self.review_filled: BoundedDict[Key, None] = BoundedDict(max_entries)  # the review field was seen holding a draft

    # -- what is known -------------------------------------------------------------------

    def remember_draft(self, outcome: dict) -> None:
        """A published draft (live, or replayed from the descriptions topic at start)."""
        if outcome.get("event_type", "description.generated") == "description.generated":
            key = (outcome["product_id"], outcome["locale"], outcome["channel"])
            self.drafts[key] = LastDraft(outcome["event_id"], outcome["description"], outcome["model_version"])

    def remember_approval(self, approval: dict) -> None:
        if approval.get("causation_id"):
            self.resolved[approval["causation_id"]] = None

    def load_resolved(self, client_config: dict, topic: str) -> int:
        """Read the approvals topic once at start: which drafts already have their approval."""
        consumer = assign_from_beginning(client_config, topic, consumer_timeout_ms=1000)
        count = [0]

        def apply(record) -> None:
            try:
                self.remember_approval(json.loads(record.value))
                count[0] += 1
            except (ValueError, TypeError, AttributeError):
                log.warning("unreadable_approval_record", offset=record.offset)

        try:
            read_to_end(consumer, apply, timeout_seconds=60, idle_seconds=0.5)
        finally:
            consumer.close()
        return count[0]

    # -- one product update ----------------------------------------------------------------

    def observe(self, item: Adapted) -> DescriptionApproved | None:
        """The approval this update stands for, or None; a failure here never stops the enrichment."""
        try:
            return self._observe(item)
        except Exception:  # noqa: BLE001 - an approval is a by-product; the event still gets its draft or skip
            log.exception("approval_derivation_failed", product_id=item.event.product_id, event_id=item.event.event_id)
            return None

    def _observe(self, item: Adapted) -> DescriptionApproved | None:
        """The approval this update stands for, or None (no editor decision in it)."""
        event = item.event
        key = state_key(event)
        text = normalise(event.product.description)
        previous = self.live_text.get(key, _MISSING)
        if previous is _MISSING and item.previous_text is not None:  # the platform said (Akeneo's delta)
            previous = normalise(item.previous_text)
        self.live_text[key] = text
        draft = self.drafts.get(key)
        if draft is not None and draft.event_id in self.resolved:
            return None
        if item.editor and item.editor in self.own_editors:
            return None
        if item.review_text or item.previous_review_text:
            self.review_filled[key] = None
        cleared = item.review_text == "" and key in self.review_filled
        if draft is not None and cleared and (not text or text == previous):
            return self._approval(item, draft, "rejected", None)
        if not text or event.product.description_origin == "copydesk" or text == previous:
            return None
        if draft is None:
            if previous is _MISSING or previous:  # unknown before, or a person's text edited again
                return None
            return self._approval(item, None, "written_by_human", text)
        same = text == normalise(draft.text)
        if same and event.source in self.live_platforms and not item.editor:
            return None  # writeback put this very text live; nobody says a person did
        if same:
            action = "approved_unchanged"
        elif fuzz.ratio(text, normalise(draft.text)) / 100 >= self.threshold:
            action = "approved_edited"
        else:
            action = "written_by_human"
        return self._approval(item, draft, action, text)

    def _approval(self, item: Adapted, draft: LastDraft | None, action: str, text: str | None) -> DescriptionApproved:
        event = item.event
        if draft is not None:
            self.resolved[draft.event_id] = None
        product = event.product.model_copy(update={"description": None, "description_origin": None})
        return DescriptionApproved(
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"copydesk:approval:{event.event_id}:{draft.event_id if draft else '-'}")),
            occurred_at=event.occurred_at if event.occurred_at.tzinfo else datetime.now(UTC),
            product_id=event.product_id, locale=event.locale,
            causation_id=draft.event_id if draft else None, model_version=draft.model_version if draft else None,
            product=product, generated_text=draft.text if draft else None,
            approved_text=as_written(event.product.description) if text is not None else None,
            editor=(item.editor or f"{event.source} editor")[:200], action=action,
        )
