"""A draft's fields: the model's lead plus what is built from the data, each checked and within its limit.

The model writes one thing, the lead. The bullets and the SEO title come from the data
(schemas/copy_fields.py), the meta description from the lead, and the description and its HTML
are the lead followed by the bullets. Every field then goes through the same checks:

- the claim checker, bullet by bullet (a bullet it cannot support is left out, not published);
- the language guard (language.py): the lead in another language than the event's locale makes
  the draft ``needs_review``; a field built from the data that reads as another language (an
  English label in a German shop) is left out;
- the limits: each field within its own (clip() cuts at a sentence or a word, never mid-word);
- keywords and tone, advisory: the checks say when a keyword is missing or a tone was asked of a
  model that was not trained to follow one, without holding the draft back.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from consumer.generation.claims.checker import extract_claims
from consumer.generation.claims.coverage import stated_attributes
from consumer.generation.claims.words import forms, tokens
from consumer.generation.language import wrong_language
from schemas.copy_fields import LIMITS, assemble, bullets, clip, limit, meta_description, seo_title
from schemas.events import CheckResult, CopyFields, Product
from schemas.key_facts import SUFFIX, label_and_unit
from schemas.lead_prose import lead as data_lead
from schemas.lead_prose import lead_plan_names
from schemas.prompt import DEFAULT_MAX_CHARS

ALL_FIELDS = ("lead", "bullets", "seo_title", "meta_description", "description_html")
MIN_PLANNED_FACTS = 3
"""Of the facts the prompt planned for the lead, how many the model's lead must state (all, when fewer)."""


@dataclass
class Copy:
    fields: CopyFields
    description: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed and check.blocking]


def supported_bullets(product: Product, locale: str) -> tuple[list[str], list[str]]:
    """(bullets the claim checker supports, the ones it does not): a data bullet that fails is left out."""
    shown = as_labelled(product)
    kept, dropped = [], []
    for item in bullets(product, locale):
        (dropped if any(not claim.supported for claim in extract_claims(item, shown)) else kept).append(item)
    return kept, dropped


def as_labelled(product: Product) -> Product:
    """The product with its attributes named by their labels, so "Leistung: 30 W" is checked against
    the attribute the PIM shows as "Leistung" (code ``output_power``)."""
    if not product.labels:
        return product
    def shown(name: str, value) -> str:
        label = product.labels.get(name)
        if not label:
            return name
        unit = label_and_unit(name, value)[1] and SUFFIX.search(name)
        return f"{label}_{unit.group('unit') or unit.group('bracketed')}" if unit else label  # weight_g as "Gewicht_g": the unit stays

    renamed = {shown(name, value): value for name, value in product.attributes.items()}
    return product.model_copy(update={"attributes": renamed})


def compose(product: Product, locale: str, lead: str | None, follows_tone: bool = False) -> Copy:
    """The fields of one draft from its lead (None: the model did not write one) and the product's data."""
    wanted = set(product.fields or ALL_FIELDS)
    lead = (lead or "").strip()
    items, dropped = supported_bullets(product, locale)
    fields = {"lead": lead, "bullets": items, "seo_title": seo_title(product, limit(product, "seo_title")),
              "meta_description": meta_description(lead, items, limit(product, "meta_description"))}
    # the SEO title is the merchant's own title (and brand), as the PIM has it: not read for language
    foreign = wrong_language({"lead": lead, "bullets": "\n".join(items), "meta_description": fields["meta_description"]}, locale)
    checks = [_language_check(foreign, locale)]
    for name in foreign:
        if name != "lead":
            fields[name] = [] if name == "bullets" else ""
    if "meta_description" not in foreign and "bullets" in foreign and not lead:
        fields["meta_description"] = ""  # it was made of those bullets
    shown_bullets = fields["bullets"] if "bullets" in wanted or not wanted & {"lead", "bullets"} else []
    shown_lead = fields["lead"] if "lead" in wanted or not wanted & {"lead", "bullets"} else ""
    description, html = assemble(shown_lead, shown_bullets, product.max_chars or DEFAULT_MAX_CHARS)
    copy_fields = CopyFields(
        lead=(fields["lead"] or None) if "lead" in wanted else None,
        bullets=fields["bullets"] if "bullets" in wanted else None,
        seo_title=(fields["seo_title"] or None) if "seo_title" in wanted else None,
        meta_description=(fields["meta_description"] or None) if "meta_description" in wanted else None,
        description_html=(html or None) if "description_html" in wanted else None,
    )
    checks.append(_limits_check(product, copy_fields, description))
    if dropped:
        checks.append(CheckResult(name="grounding", passed=True, blocking=False,
                                  reason=f"bullets left out, the data does not support them: {'; '.join(dropped)[:300]}"))
    if product.keywords:
        checks.append(_keywords_check(product.keywords, description, copy_fields))
    if product.tone:
        checks.append(CheckResult(name="tone", passed=follows_tone, blocking=False,
                                  reason=None if follows_tone else f"not applied: this model was not trained to follow a tone ({product.tone!r})"))
    return Copy(copy_fields, description, checks)


def choose_lead(model_lead: str, product: Product, max_chars: int) -> tuple[str, CheckResult | None]:
    """The model's lead, or the one written from the data when the model's leaves out the facts it was asked for.

    A 135M model asked for "a speaker with 10 W output power, 12 h battery life, IPX7" sometimes
    writes "a bluetooth speaker with an 10 W battery life: the Pebblewick." - every word in the
    data, the facts lost or swapped. A lead that states fewer than MIN_PLANNED_FACTS of its plan
    is replaced by the data's own lead (schemas/lead_prose.py: true by construction), and the
    draft's checks say so: the share of model leads is a measure (eval), not hidden.
    """
    planned = lead_plan_names(product)
    need = min(MIN_PLANNED_FACTS, len(planned))
    stated = set(stated_attributes(model_lead, product)[1]) & set(planned)
    named = misnamed(model_lead, product)
    if len(stated) >= need and not named:
        return model_lead, None
    why = f"it names the product {named!r}" if named else f"it stated {len(stated)} of {len(planned)} planned facts"
    return lead_from_data(product, max_chars, why) or (model_lead, None)


def lead_from_data(product: Product, max_chars: int, why: str) -> tuple[str, CheckResult] | None:
    """The lead written from the data (schemas/lead_prose.py), in place of a model lead that failed
    for ``why``; None when the data gives no lead or the claim checker would not pass it."""
    written = clip(data_lead(product), max_chars)
    if not written or any(not claim.supported for claim in extract_claims(written, product)):
        return None
    return written, CheckResult(name="lead", passed=True, blocking=False, reason=f"written from the data: the model's lead failed, {why}")


NAMED = re.compile(r":\s+the\s+(?P<name>[^.:]+?)\.?\s*$", re.I)
NAMED_FIRST = re.compile(r"^(?!(?:a|an|the)\s)(?P<name>[^.:]{2,120}?):\s+(?:a|an|the)\s", re.I)
"""A lead that opens with the product's name ("DELL U2412M: a 24-inch PC monitor ..."), the way
some shops' house styles want it; v5's own leads open with an article ("A 24" PC monitor ...")."""


def misnamed(text: str, product: Product) -> str | None:
    """The name a lead gives the product ("...: the Seatwell.", "Pretend to be a dress: a printed
    dress.") when it is not the product's title (with or without its brand).

    The lead targets end by naming the product when the data calls it by a name ("A digital
    camera ...: the Sony DSC-WX50."), an editor's house style may open with it; a model that
    copies that name wrong has lost track of it."""
    title = " ".join(html.unescape(product.title).lower().split()).rstrip(".")
    brand = (product.brand or "").lower().strip()
    for match in (NAMED.search(text.strip()), NAMED_FIRST.match(text.strip())):
        if match:
            said = " ".join(match.group("name").lower().split())
            if said not in (title, f"{brand} {title}".strip()):
                return match.group("name")
    return None


def _language_check(foreign: dict[str, str], locale: str) -> CheckResult:
    if "lead" in foreign:
        return CheckResult(name="language", passed=False, reason=f"the lead reads as {foreign['lead']!r}, the event asks {locale}")
    if foreign:
        left = ", ".join(f"{name} ({language})" for name, language in foreign.items())
        return CheckResult(name="language", passed=True, reason=f"left out, not in {locale}: {left}")
    return CheckResult(name="language", passed=True)


def _limits_check(product: Product, fields: CopyFields, description: str) -> CheckResult:
    over = []
    for name, text in (("lead", fields.lead), ("seo_title", fields.seo_title), ("meta_description", fields.meta_description)):
        if text and len(text) > limit(product, name):
            over.append(f"{name} {len(text)} > {limit(product, name)}")
    bullet_limit = (product.field_limits or {}).get("bullet") or LIMITS["bullet"]
    over += [f"bullet {len(item)} > {bullet_limit}" for item in fields.bullets or [] if len(item) > bullet_limit]
    max_chars = product.max_chars or DEFAULT_MAX_CHARS
    if len(description) > max_chars:
        over.append(f"description {len(description)} > {max_chars}")
    return CheckResult(name="limits", passed=not over, reason="; ".join(over) or None)


def _keywords_check(keywords: list[str], description: str, fields: CopyFields) -> CheckResult:
    """A keyword counts as used when each of its words appears, in any form ("trail shoe" in "trail shoes")."""
    text = " ".join([description, fields.seo_title or "", fields.meta_description or ""])
    said = {f for token in tokens(text) if token.kind == "word" for f in forms(token.lower)}
    missing = [k for k in keywords if not all(forms(t.lower) & said for t in tokens(k) if t.kind == "word")]
    return CheckResult(name="keywords", passed=not missing, blocking=False, reason=f"not used: {', '.join(missing)}" if missing else None)
