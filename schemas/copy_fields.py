"""The fields a shop has, and the ones built straight from the product's data.

A product page needs more than one block of prose: a lead (a person's 1-3 sentences), scannable
bullets, an SEO title (60 characters) and a meta description (155), and the description itself,
plain and as HTML. The model writes the lead; the rest is built here from the data (bullets,
SEO title) or from the lead (meta description), so each is true by construction, within its
limit, and the same for the consumer that serves and the trainer that scores.

Attribute codes are read as a label and a unit: ``weight_g: 340`` is "Weight: 340 g",
``battery_life_h: 12`` "Battery life: 12 h"; a unit is never lost and a code never leaks.
"""

from __future__ import annotations

import html
import re

from schemas.key_facts import NO, YES, fact_value, is_key, key_attributes, label_and_unit

FIELDS = ("lead", "bullets", "seo_title", "meta_description", "description", "description_html")
LIMITS = {"lead": 320, "seo_title": 60, "meta_description": 155, "bullet": 80}
MIN_BULLETS, MAX_BULLETS = 3, 8
DECIMAL_COMMA = frozenset({"de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "nb", "no", "cs", "ru", "tr"})
"""Languages that write 0,8 l, not 0.8 l (a number the PIM sends as a number is formatted for the shop)."""
NOT_A_BULLET = re.compile(r"\b(?:tags?|collections?|other categories|variants|product type|category|style general|family)\b", re.I)
"""Data a shopper does not read as a fact: the shop's own filing (tags, collections) and the kind
of product, which the lead and the title already say ("Product type: Juice", "Category gear: Gym")."""
MATERIAL_NAMES = re.compile(r"\b(?:material|materials|fabric|composition)\b", re.I)

def limit(product, field: str) -> int:
    """The field's limit: the event's, else the default; a lead never longer than the description's max_chars."""
    value = (product.field_limits or {}).get(field) or LIMITS[field]
    return min(value, product.max_chars) if field == "lead" and product.max_chars else value


def _capitalised(text: str) -> str:
    """The first letter up, unless the first word is cased on purpose ("sRGB", "iPhone", "eBay")."""
    first = text.split()[0] if text.split() else ""
    return text if any(c.isupper() for c in first[1:]) else text[:1].upper() + text[1:]


def bullet(name: str, value: object, label: str | None = None, language: str = "en", max_chars: int = LIMITS["bullet"]) -> str | None:
    """One key fact as a short phrase: "Lockable handle", "AISI 316 body", "Max pressure: 63 bar".

    A yes flag is its name; a no flag says nothing (the salience rule leaves it out); in English
    a material names the part it is of; everything else is "Label: value" (French: "Label : value").
    ``label`` is the PIM's own label in the shop's language (the event's ``labels``), else the code's words.
    """
    label = label or label_and_unit(name, value)[0]
    if NOT_A_BULLET.search(label) or NOT_A_BULLET.search(name.replace("_", " ")):
        return None
    text = fact_value(name, value)  # with the unit its code carries: "Gewicht_g: 58" -> "58 g"
    if isinstance(value, float) and language in DECIMAL_COMMA:
        text = re.sub(r"(?<=\d)\.(?=\d)", ",", text)
    lowered = text.lower()
    if isinstance(value, bool) or lowered in YES | NO:
        return clip(_capitalised(label), max_chars) if value is True or lowered in YES else None
    if language == "en" and MATERIAL_NAMES.search(label):
        part = MATERIAL_NAMES.sub("", label).strip()
        return clip(_capitalised(f"{text} {part}" if part else text), max_chars)
    if label.split() and re.search(rf"\b{re.escape(label.split()[-1])}", text, re.I):
        return clip(_capitalised(text), max_chars)  # "Warranty: 5 year warranty" -> "5 year warranty"
    return clip(f"{_capitalised(label)}{' : ' if language == 'fr' else ': '}{text}", max_chars)


def bullets(product, locale: str = "en_US") -> list[str]:
    """The key facts as bullets, in the data's order (schemas/key_facts.py's salience rule)."""
    language = re.split(r"[_-]", locale)[0].lower()
    max_chars = (product.field_limits or {}).get("bullet") or LIMITS["bullet"]
    labels = product.labels or {}

    def one(name: str) -> str | None:
        return bullet(name, product.attributes[name], labels.get(name), language, max_chars)

    keys = key_attributes(product)
    found = [item for item in map(one, keys) if item]
    if len(found) < MIN_BULLETS:  # few key facts: the other attributes the rule did not leave out as internal
        extra = [one(n) for n, value in product.attributes.items() if n not in keys and is_key(n.replace("_", " "), value)]
        found += [item for item in extra if item and item not in found]
    return list(dict.fromkeys(found))[:MAX_BULLETS]


def clip(text: str, limit: int) -> str:
    """text within limit: whole sentences if they fit, else whole words (no ellipsis glued to a cut word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence) + (1 if kept else 0) > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if kept:
        return kept
    words = text[: limit + 1].split(" ")
    return " ".join(words[:-1]).rstrip(",;:-") if len(words) > 1 else text[:limit]


def seo_title(product, limit: int = LIMITS["seo_title"]) -> str:
    """The title, with the brand in front when the title lacks it and it fits."""
    title = html.unescape(product.title).strip()
    brand = (product.brand or "").strip()
    if brand and brand.lower() not in title.lower() and len(brand) + 1 + len(title) <= limit:
        title = f"{brand} {title}"
    return clip(title, limit)


def meta_description(lead: str, items: list[str], limit: int = LIMITS["meta_description"]) -> str:
    """The lead's first sentences within the limit, or the bullets when there is no lead."""
    text = lead.strip() or "; ".join(items)
    return clip(text, limit)


BULLET_LINE = re.compile(r"^\s*[-•*–]\s+")


def disassemble(description: str) -> tuple[str, list[str]]:
    """(the lead, the bullet lines as written) of a description assemble() made, or an editor's edit of one."""
    lines = [line.strip() for line in (description or "").splitlines() if line.strip()]
    return " ".join(line for line in lines if not BULLET_LINE.match(line)), [line for line in lines if BULLET_LINE.match(line)]


def assemble(lead: str, items: list[str], max_chars: int) -> tuple[str, str]:
    """(description, description_html): the lead, then the bullets, dropping bullets from the end to fit."""
    kept = list(items)
    while True:
        text = "\n".join(([lead.strip()] if lead.strip() else []) + [f"- {item}" for item in kept])
        if len(text) <= max_chars or not kept:
            break
        kept.pop()
    lead_html = f"<p>{html.escape(lead.strip())}</p>" if lead.strip() else ""
    list_html = "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in kept) + "</ul>" if kept else ""
    return text[:max_chars], lead_html + list_html
