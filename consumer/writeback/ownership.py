"""Whose text is in a field: empty, copydesk's own, or a person's. Only the first two may be written.

copydesk records a fingerprint of every text it writes - into the review field or, when asked,
the live one - next to it on the product, in the same request (platforms.py says where). At
write time the field is read again: empty, or holding exactly the text whose fingerprint copydesk
recorded, it may be replaced; anything else was written or edited by a person (or an import)
since, and is left alone with the outcome ``skipped_human_text``. A fingerprint is the sha256 of
the text as a shopper reads it (markup stripped, whitespace collapsed), so a platform that
re-serialises HTML or EditorJS blocks does not make copydesk's own text look foreign.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field

FIELDS = ("review", "live", "seo_title", "meta_description")
MARK = re.compile(r"\b(review|live|seo_title|meta_description) ([0-9a-f]{16})\b")
LIST_MARKER = re.compile(r"^\s*[-•*]\s+", re.M)


def plain_text(value: str | None) -> str:
    """The text a shopper reads: EditorJS blocks and HTML reduced to words, whitespace collapsed."""
    if not value:
        return ""
    text = value
    if text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("blocks"), list):  # Saleor's EditorJS: paragraphs and lists
            text = "\n".join(str(item) for block in parsed["blocks"] if isinstance(block, dict)
                             for item in ([block.get("data", {}).get("text", "")] if "text" in block.get("data", {})
                                          else block.get("data", {}).get("items") or []))
        elif isinstance(parsed, dict) and isinstance(parsed.get("text"), str):  # copydesk's review JSON
            text = parsed["text"]
    text = LIST_MARKER.sub("", re.sub(r"<[^>]+>", " ", text))  # "- AISI 316 body" and <li>AISI 316 body</li> read the same
    return " ".join(html.unescape(text).split())


def fingerprint(value: str | None) -> str | None:
    """16 hex characters of sha256 over plain_text; None for an empty field."""
    text = plain_text(value)
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else None


def marks_in(line: str | None) -> dict[str, str]:
    """The fingerprints recorded in an info line ("...; review 1a2b...; live 9f8e...")."""
    return dict(MARK.findall(line or ""))


def marks_line(marks: dict[str, str]) -> str:
    return "; ".join(f"{name} {marks[name]}" for name in FIELDS if marks.get(name))


@dataclass
class TargetState:
    """A product as write-back finds it right before writing."""

    inputs: object  # freshness.Current: its prompt inputs now, for the staleness check (None: not read)
    fields: dict[str, str | None]  # "review" / "live" / "seo_title" / "meta_description" -> the text there now
    marks: dict[str, str] = field(default_factory=dict)  # what copydesk recorded it wrote there
    version: object = None  # what the conditional write sends back (commercetools version, Shopify digests)
    extra: dict = field(default_factory=dict)  # what a platform's change needs (commercetools' other locales)

    def owner(self, name: str) -> str:
        """"empty", "copydesk" or "person" for the review or live field, or a live SEO field."""
        now = fingerprint(self.fields.get(name))
        if now is None:
            return "empty"
        return "copydesk" if self.marks.get(name) == now else "person"
