"""Training examples: (prompt, target) pairs built exactly as the consumer builds its prompts.

The target is the human description, cleaned to what we want the model to imitate:
- only sentences whose numbers, units and brand-like names occur in the product data (the
  guards' own check). Roughly half of the catalog's sentences state facts the attributes don't
  hold; training on them would teach the model to invent specs, the very thing we guard against;
- cut at the last full sentence within TARGET_MAX_CHARS. The 90th percentile description is
  ~2,400 characters while most shop fields hold a few hundred: the long tail would teach the
  model to ramble and cost most of the CPU time. Truncating at a sentence boundary (rather than
  chunking) keeps every target a complete, publishable text;
- the prompt's length limit is the smallest bucket that fits the target, so the model learns
  what "At most N characters" means.

Two kinds of target (`--targets`):
- ``grounded``: what survives that reduction. It is mostly the generic sentences (specs are
  what humans state beyond the data), so a model trained on it alone writes empty praise;
- ``facts``: the human sentences whose every claim the claim checker supports, opened by what
  the product is (the human opening when it names the product, else "The OKI B4100 is from our
  laser and LED printers range."), then plain sentences for the key attributes those
  sentences leave out, up to three a sentence ("It has an optical zoom of 32, a sensor type of
  CMOS and total megapixels 3.28."; schemas/key_facts.py), then the rest of the human text, so the length
  cut drops style before facts. The model learns to state the product's own facts in the
  shop's voice, and nothing the data lacks;
- ``voice``: the ``facts`` target with one sentence of the shop's voice after the opening: the
  first sentence of an earlier adapter's published draft for that product (`eval --output`,
  given as ``--voice-sentences``), kept only when the claim checker supports it and made
  product-relative ("The OKI B4100 is a compact printer." -> "It is a compact printer."). The
  human sentences that survive the claim check are too product-specific for a 135M model to
  learn a voice from, so a ``facts`` model loses the shop's generic voice; copydesk-default-v1
  learned that voice from the whole train split, and its own sentences are ones a model can
  learn back. Products with no voice sentence (and every approval in replay-train) get the
  ``facts`` target;
- ``lead``: the lead alone (asked with the "lead" prompt style): one sentence written from the
  data by attribute kind (schemas/lead_prose.py: "A 24" PC monitor from LG with 5 ms response
  time."), then the human sentences the claim checker supports, cut at 320 characters. No fixed
  opening and no "has a <label> of": the bullets and SEO fields are built from the data at
  serving time (schemas/copy_fields.py), so the model writes only the prose. An approval of an
  edited or kept draft (replay-train) is the exception: its lead is the target as the editor
  wrote it, when the claim checker supports all of it (edited_lead), since its style is what the
  loop is there to learn.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from consumer.generation.claims.checker import extract_claims
from consumer.generation.claims.coverage import stated_attributes
from consumer.generation.guards import markup_found, trim_to_sentences, ungrounded_terms
from consumer.generation.sentences import split_sentences
from consumer.catalog import product_from_row, read_rows
from schemas.copy_fields import disassemble
from schemas.events import Product
from schemas.key_facts import fact_sentences, opening_sentence, readable_value
from schemas.lead_prose import lead

TARGET_KINDS = ("grounded", "facts", "voice", "lead")
LEAD_BUCKETS = (160, 240, 320)
MIN_LEAD_CHARS = 20

TARGET_MAX_CHARS = 500
MIN_TARGET_CHARS = 40
LENGTH_BUCKETS = (200, 300, 400, 500, 600)
DECORATION = re.compile(r"^[\s\-–—=_*•·#~]+$")
MIN_VOICE_WORDS = 5
FINITE_VERB = re.compile(r"\b(?:is|are|has|have|offers?|features?|provides?|comes?|makes?|gives?|delivers?|lets?|helps?|can|will|keeps?|brings?|adds?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    product_id: str
    product: Product
    target: str
    reference: str = ""
    """The whole text the target was made from (human or approved): what the gate compares drafts
    with. The target is our reduction of it for training; grading drafts against it would grade
    them against the trainer's own construction instead of what the editor wrote."""
    action: str = ""
    """The approval's action (replay-train only): the gate leaves ``approved_unchanged`` out of its
    effort measure, since that reference is the live model's own draft (trainer/gate.py)."""


def _grounded_sentences(text: str, product: Product) -> list[str]:
    lines = [line.strip(" -•*\t") for line in text.splitlines() if line.strip() and not DECORATION.match(line)]
    sentences = split_sentences(" ".join(lines))
    return [s for s in sentences if s[-1] in ".!?" and not ungrounded_terms(s, product) and not markup_found(s)]


def clean_description(text: str, product: Product, max_chars: int = TARGET_MAX_CHARS) -> str:
    """Grounded, markup-free sentences of a human description, cut within max_chars."""
    return trim_to_sentences(" ".join(_grounded_sentences(text, product)), max_chars)


def fact_target(text: str, product: Product, max_chars: int = TARGET_MAX_CHARS, voice: str | None = None) -> str:
    """The human sentences with only supported claims, completed with the key facts they leave out.

    Order: what the product is (the human opening when it names the product, else
    opening_sentence), the voice sentence if one is given (already checked: voice_sentence), the
    human opening that does not name the product, the missing key facts, then the rest of the
    human text, so the length cut drops style before facts.
    """
    kept = [s for s in _grounded_sentences(text, product) if _supported(s, product)]
    names_product = bool(kept) and _names_product(kept[0], product)
    opening = kept[:1] if names_product else [opening_sentence(product), *kept[:1]]
    voiced = [voice] if voice and voice not in opening else []
    keys, stated = stated_attributes(" ".join(kept + voiced), product)
    missing = fact_sentences([(name, product.attributes[name]) for name in keys if name not in stated])
    return trim_to_sentences(" ".join(opening[:1] + voiced + opening[1:] + missing + kept[1:]), max_chars)


def lead_target(text: str, product: Product, max_chars: int = LEAD_BUCKETS[-1]) -> str:
    """The data's lead sentence, then the human sentences whose every claim the checker supports."""
    written = lead(product)
    kept = [s for s in _grounded_sentences(text, product) if _supported(s, product) and s != written]
    if written and not _supported(written, product):
        written = ""  # never teach a claim the checker rejects, even one of our own phrasing
    return trim_to_sentences(" ".join([written, *kept] if written else kept), max_chars)


def edited_lead(text: str, product: Product, max_chars: int = LEAD_BUCKETS[-1]) -> str | None:
    """An editor's lead kept as written: the prose of an approved draft, when it fits and the claim
    checker supports every claim in it; None otherwise (then lead_target reduces it).

    An editor who edits a draft writes in the shop's style; reducing their lead to the data's
    sentence plus whatever survives (lead_target) would throw away the very style to learn."""
    prose, _ = disassemble(text)
    if not MIN_LEAD_CHARS <= len(prose) <= max_chars or markup_found(prose):
        return None
    return prose if all(_supported(sentence, product) for sentence in split_sentences(prose)) else None


def _supported(sentence: str, product: Product) -> bool:
    return all(c.supported for c in extract_claims(sentence, product))


def voice_sentence(draft: str, product: Product) -> str | None:
    """The first sentence of a published draft, product-relative, if it is a grounded full sentence.

    "The OKI B4100 is a compact printer." -> "It is a compact printer.", so the target names the
    product once (in its opening) and the voice sentence reads as the second sentence.
    """
    sentences = split_sentences(draft or "")
    if not sentences or sentences[0][-1] not in ".!?" or ungrounded_terms(sentences[0], product) or markup_found(sentences[0]):
        return None
    first = sentences[0]
    if len(first.split()) < MIN_VOICE_WORDS or not FINITE_VERB.search(first):
        return None  # "The Kodak i2800 for Govt." names the product and says nothing
    title = re.escape(product.title.strip())
    relative = re.sub(rf"^(?:the\s+)?{title}(?!\w)(?:\s*,)?\s+(?=is\b|are\b|has\b|offers\b|features\b|provides\b|comes\b)", "It ", first, flags=re.IGNORECASE)
    if relative.startswith("It are "):
        relative = "It is " + relative[len("It are "):]
    return relative if _supported(relative, product) else None


def read_voice_sentences(path: Path) -> dict[str, str]:
    """Product id -> draft text, from `copydesk-trainer eval --output` (rows carry "id" and "text")."""
    drafts = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            if row.get("id") and row.get("text"):
                drafts[str(row["id"])] = row["text"]
    return drafts


def _names_product(sentence: str, product: Product) -> bool:
    """Whether a sentence names the product: the title's first word ("OKI", "Balboa") is in it."""
    words = readable_value(product.title).split()
    return bool(words) and words[0].lower() in sentence.lower()


def length_bucket(chars: int) -> int:
    return next((bucket for bucket in LENGTH_BUCKETS if chars <= bucket), LENGTH_BUCKETS[-1])


EDITS = ("approved_edited", "approved_unchanged")
"""Approvals whose text is a draft an editor kept or edited: their lead is learned as written."""


def example_from_pair(product_id: str, product: Product, text: str, targets: str = "grounded", voice_draft: str | None = None,
                      action: str = "") -> Example | None:
    """None when nothing publishable is left of the text.

    ``voice_draft`` (``voice`` targets only): an earlier adapter's draft for this product; without
    one a ``voice`` target is the ``facts`` target. ``action``: the approval's, when the text is
    one (an edited draft's lead is the target as written: edited_lead).
    """
    if targets not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {targets!r}: one of {', '.join(TARGET_KINDS)}")
    if targets == "lead":
        target = (edited_lead(text, product) if action in EDITS else None) or lead_target(text, product)
        if len(target) < MIN_LEAD_CHARS:
            return None
        bucket = next(b for b in (*LEAD_BUCKETS, len(target)) if len(target) <= b)
        product = product.model_copy(update={"field_limits": {"lead": bucket}, "max_chars": None, "description": None, "description_origin": None})
        return Example(product_id, product, target, text, action)
    if targets == "grounded":
        target = clean_description(text, product)
    else:
        voice = voice_sentence(voice_draft, product) if targets == "voice" and voice_draft else None
        target = fact_target(text, product, voice=voice)
    if len(target) < MIN_TARGET_CHARS:
        return None
    product = product.model_copy(update={"max_chars": length_bucket(len(target)), "description": None, "description_origin": None})
    return Example(product_id, product, target, text, action)


def examples_from_rows(rows: list[dict], targets: str = "grounded", voice_drafts: dict[str, str] | None = None) -> tuple[list[Example], int]:
    """(examples, rows dropped because no grounded sentence was left)."""
    examples = []
    for row in rows:
        product_id = str(row["id"])
        example = example_from_pair(product_id, product_from_row(row), row.get("description") or "", targets, (voice_drafts or {}).get(product_id))
        if example:
            examples.append(example)
    return examples, len(rows) - len(examples)


def load_examples(path: Path, limit: int | None = None, targets: str = "grounded", voice_drafts: dict[str, str] | None = None) -> tuple[list[Example], int]:
    return examples_from_rows(read_rows(path, limit), targets, voice_drafts)


def file_fingerprint(path: Path) -> dict:
    data = Path(path).read_bytes()
    return {"path": str(path), "sha256": hashlib.sha256(data).hexdigest(), "rows": data.count(b"\n")}


def dataset_hash(examples: list[Example]) -> str:
    """Same examples in the same order -> same hash (recorded in the model card)."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.product_id, example.product.model_dump(mode="json"), example.target], sort_keys=True).encode())
    return digest.hexdigest()
