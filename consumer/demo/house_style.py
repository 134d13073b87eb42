"""The demo merchant's house style, and the scripted editor who applies it.

`copydesk demo --retrain` plays a merchant whose editors follow a written style guide the
shipped default has not learned, so the learning loop has something to learn and the gate
something to see. The editor is deterministic and works only from the draft and the product's
data: it restyles what the draft says and adds no fact.

The style guide (what the editor enforces on a draft's lead; the bullets are built from the
data and left as they are):

1. **Name first.** The lead opens with the brand and the product's name as the PIM has it,
   then a colon: "DELL U2412M: a 24-inch PC monitor with 8 ms response time." (the brand is
   put in front when the name lacks it; "A 24" PC monitor ...: the DELL U2412M." is turned round).
2. **One sentence.** The lead is one sentence; the facts are in the bullets, so later
   sentences are cut.
3. **Inches and degrees in words.** `24"` is written "24-inch" and `60°` "60 degrees": no
   symbols a shopper's screen reader or a feed may mangle.
4. **Nothing the data does not say.** A draft whose first sentence makes a claim the claim
   checker does not support is rejected (the editor clears it), not rewritten: an editor fixes
   style, not facts.

A draft that already follows every rule is approved unchanged. The verdicts are what the
demo's PIM updates carry (pim_updates.py), so serve derives ``approved_unchanged``,
``approved_edited`` and ``rejected`` approvals from them as it would from a person.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

from consumer.generation.claims.checker import unsupported_claims
from consumer.generation.sentences import split_sentences
from schemas.copy_fields import disassemble
from schemas.events import Product

RULES = ("name first", "one sentence", "inches and degrees in words", "nothing the data does not say")
INCH = re.compile(r"(\d(?:[.,]\d+)?)\s?(?:\"|″|''|”)")
DEGREE = re.compile(r"(\d(?:[.,]\d+)?)\s?°(?![CF]\b)")
ARTICLE = re.compile(r"^(A|An|The)\b")


@dataclass(frozen=True)
class Verdict:
    action: Literal["unchanged", "edited", "rejected"]
    lead: str
    """The lead the editor publishes ('' when the draft is rejected)."""
    broken: tuple[str, ...] = ()
    """The rules the draft's lead broke, in RULES order."""


def product_name(product: Product) -> str:
    """The brand and the name as the PIM has them: "DELL U2412M", "Acme Kestrel 2" for brand Acme."""
    title = " ".join(html.unescape(product.title).split()).rstrip(".")
    brand = " ".join((product.brand or "").split())
    return f"{brand} {title}" if brand and not title.lower().startswith(brand.lower()) else title


def _mention(name: str, title: str) -> str:
    """A regex for the product named in a sentence: with or without the brand, with or without "the"."""
    names = sorted({re.escape(name), re.escape(title)}, key=len, reverse=True)
    return rf"(?:the\s+)?(?:{'|'.join(names)})"


def name_first(sentence: str, product: Product) -> str:
    """"A 24" PC monitor with 8 ms response time: the DELL U2412M." -> "DELL U2412M: a 24" PC monitor with 8 ms response time."."""
    name = product_name(product)
    mention = _mention(name, " ".join(html.unescape(product.title).split()).rstrip("."))
    body = sentence.strip().rstrip(".!?").strip()
    opened = re.match(rf"^{mention}\s*(?::|\s(?:is|are)\b)\s*", body, re.IGNORECASE)
    if opened:
        body = body[opened.end():]
    else:
        body = re.sub(rf"\s*[:,–—-]?\s*{mention}$", "", body, flags=re.IGNORECASE)  # "...: the DELL U2412M"
    body = ARTICLE.sub(lambda m: m.group(1).lower(), body.strip(" :,"))
    return f"{name}: {body}." if body else f"{name}."


def words_for_symbols(text: str) -> str:
    return DEGREE.sub(r"\1 degrees", INCH.sub(r"\1-inch", text))


def edit_lead(lead: str, product: Product) -> Verdict:
    """What the editor makes of a lead: the same text, the house style's version, or a rejection."""
    sentences = split_sentences(lead or "")
    if not sentences or unsupported_claims(sentences[0], product):
        return Verdict("rejected", "", RULES[3:])
    styled = words_for_symbols(name_first(sentences[0], product))
    broken = []
    if name_first(sentences[0], product).strip() != sentences[0].strip():
        broken.append(RULES[0])
    if len(sentences) > 1:
        broken.append(RULES[1])
    if words_for_symbols(sentences[0]) != sentences[0]:
        broken.append(RULES[2])
    if not broken:
        return Verdict("unchanged", lead.strip())
    return Verdict("edited", styled, tuple(broken))


def edit_description(description: str, product: Product) -> tuple[Verdict, str]:
    """(the verdict on the lead, the description the editor saves: their lead, the bullets as they were)."""
    lead, bullets = disassemble(description)
    verdict = edit_lead(lead, product)
    if verdict.action == "unchanged":
        return verdict, description
    if verdict.action == "rejected":
        return verdict, ""
    return verdict, "\n".join([verdict.lead, *bullets])
