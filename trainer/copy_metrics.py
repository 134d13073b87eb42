"""Measures of copy a merchant would publish: one template for every product, leaked codes, lost units.

These count what the copy issue found by reading drafts, so a model can be compared on them:

- **template repetition**: the opening pattern of a draft is the first three words of its first
  sentence with the product's name (title, brand) masked and numbers as "#"; a pattern shared
  by more than 10% of the drafts is a template ("the <name> is" opens 8.5% of the valid
  split's human descriptions: the most shared opening a person's text has);
- **the label frame**: drafts that say "has a <label> of <value>";
- **leaked codes**: an attribute code written as a code (``capacity_l``) or with its unit suffix
  as a word ("a capacity l of 2");
- **lost units**: a number of an attribute whose code carries its unit (``length_mm: 250``)
  written without any unit ("a length of 250");
- **limits** of the SEO fields and **language** of every field.
"""

from __future__ import annotations

import re
from collections import Counter

from consumer.generation.claims.quantities import quantities
from consumer.generation.language import detect, language_of_locale
from schemas.copy_fields import limit
from schemas.key_facts import SUFFIX, format_value, label_and_unit

TEMPLATE_SHARE = 0.10
LABEL_FRAME = re.compile(r"\bhas an? (?:[\w°%/().-]+ ){1,4}of\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def opening_pattern(text: str, names: list[str], words: int = 3) -> str:
    """"The OKI B4100 is a compact printer." -> "the <name> is"."""
    first = SENTENCE_END.split(" ".join(text.split()))[0]
    for name in sorted(filter(None, names), key=len, reverse=True):
        first = re.sub(re.escape(name), "<name>", first, flags=re.I)
    first = re.sub(r"\d+(?:[.,]\d+)*", "#", first)
    return " ".join(re.findall(r"<name>|[\w#'-]+", first.lower())[:words])


def template_repetition(texts: list[str], names: list[list[str]]) -> dict:
    """The share of drafts whose opening pattern more than TEMPLATE_SHARE of the drafts share, and the top pattern."""
    patterns = [opening_pattern(text, name) for text, name in zip(texts, names) if text.strip()]
    if not patterns:
        return {"template_share": float("nan"), "top_opening": None, "top_opening_share": float("nan")}
    counts = Counter(patterns)
    shared = {pattern for pattern, count in counts.items() if count / len(patterns) > TEMPLATE_SHARE}
    top, top_count = counts.most_common(1)[0]
    return {"template_share": sum(p in shared for p in patterns) / len(patterns), "top_opening": top,
            "top_opening_share": top_count / len(patterns)}


def label_frame(text: str) -> bool:
    return bool(LABEL_FRAME.search(text))


def leaked_codes(text: str, product) -> list[str]:
    """Attribute codes the text writes as codes ("capacity_l"), or with the unit suffix as a word ("capacity l of")."""
    found = []
    lowered = text.lower()
    for name, value in product.attributes.items():
        if "_" in name and re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", lowered):
            found.append(name)
            continue
        label, unit = label_and_unit(name, value)
        suffix = SUFFIX.search(name)
        if unit and suffix and suffix.group("unit") and re.search(
                rf"\b{re.escape(label.lower())} {re.escape(suffix.group('unit').lower())}\b(?! ?\d)", lowered):
            found.append(name)
    return found


def lost_units(text: str, product) -> list[str]:
    """Attributes whose code carries a unit and whose number the text writes with no unit at all."""
    written = quantities(text)
    lost = []
    for name, value in product.attributes.items():
        _, unit = label_and_unit(name, value)
        if not unit or unit == "%":
            continue
        numbers = {float(n.replace(",", ".")) for n in re.findall(r"\d+(?:[.,]\d+)?", format_value(value))}
        same = [q for q in written if numbers & set(q.values)]
        if same and all(q.unit is None for q in same):
            lost.append(name)
    return lost


def copy_measures(texts: list[str], items) -> dict:
    """The measures above over ``texts`` (one per item: raw or published); items carry product, fields, locale."""
    names = [[item.product.title, item.product.brand or ""] for item in items]
    n = len(items) or 1
    measures = template_repetition(texts, names)
    measures["label_frame"] = sum(label_frame(t) for t in texts) / n
    measures["leaked_codes"] = sum(bool(leaked_codes(t, item.product)) for t, item in zip(texts, items)) / n
    measures["lost_units"] = sum(bool(lost_units(t, item.product)) for t, item in zip(texts, items)) / n
    return measures


def field_measures(items) -> dict:
    """Limits of the SEO fields and the language of every written field (lead, bullets, meta description)."""
    with_fields = [item for item in items if item.fields is not None]
    if not with_fields:
        return {}
    within = wrong = fields_seen = 0
    for item in with_fields:
        f = item.fields
        within += (len(f.seo_title or "") <= limit(item.product, "seo_title")
                   and len(f.meta_description or "") <= limit(item.product, "meta_description"))
        if not item.publishable:
            continue
        wanted = language_of_locale(item.locale)
        # the SEO title is the PIM's own title and brand, not written here (a name such as "Hyperspace
        # Turquoise Paint" reads as French to any detector): the written fields are measured
        for text in (f.lead, "\n".join(f.bullets or []), f.meta_description):
            if text:
                fields_seen += 1
                language = detect(text).language
                wrong += bool(language and language != wanted)
    return {"seo_fields_within_limits": within / len(with_fields), "fields_in_wrong_language": wrong,
            "published_fields": fields_seen}
