"""Lead targets written from the product's data: what it is and the facts that sell it, as prose.

The human sentences the claim checker supports are too few to learn a lead from (about 2% of
the catalog's sentences: the rest state what the data lacks), so most lead targets are written
here, from the data alone, and nothing in them can be untrue. Two rules keep them from reading
like one template (the copy issue: "The X is from our Y range. It has a Z of W." in 323 of 399
targets):

- **Facts are phrased by their kind**, the way a copywriter would say that kind of fact: a
  material "in 100% merino wool", a colour "in bottle green", a measure as a modifier ("a 24"
  monitor", "45 cm wide"), a quantity before its label ("12 h battery life"), a purpose "for
  running", a feature "with a lockable handle", an adjective before the noun ("waterproof").
  Never "has a <label> of <value>".
- **The opening follows the data**, not a fixed frame: it leads with the first key fact, so a
  jumper opens with its material, a monitor with its size, a charger with its feature. The model
  sees the facts in that order in its prompt (the content plan), so it can learn which opening
  a product calls for; a frame picked at random would teach greedy decoding only the commonest.

Kinds are read from the attribute's label and value (label_and_unit: ``weight_g`` is a weight in
g), a closed set of grammar, not a list of products.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lemminflect import getAllLemmas, getInflection, getLemma

from schemas.events import Product
from schemas.key_facts import NO, YES, fact_value, key_attributes, label_and_unit, plan_item, product_kind, readable_value

MAX_LEAD_FACTS = 4
"""Facts woven into the lead; the bullets carry the rest. More makes a sentence a spec line."""

MATERIAL = re.compile(r"\b(?:material|materials|fabric|composition|made of)\b", re.I)
COLOUR = re.compile(r"\b(?:colou?rs?|shade)\b", re.I)
SIZES = re.compile(r"\bsizes?\b", re.I)
PURPOSE = re.compile(r"\b(?:activity|activities|use|usage|climate|season|occasion|suitable for|ideal for|sport|terrain|room|gender)\b", re.I)
COMPATIBLE = re.compile(r"\b(?:compatib\w*|fits|works with)\b", re.I)
KIND_LIKE = re.compile(r"^(?:style|type|product type|style general|category gear|category|kind|format)\b|\b(?:type|style)$", re.I)
PLAIN_MEASURE = {"net", "total", "product", "overall", "item", "gross"}
"""Words that leave a measure the product's own: "net weight" is its weight, "max user weight" is not."""
MASS_KINDS = {"clothing", "apparel", "footwear", "accessories", "furniture", "equipment", "gear", "jewellery", "jewelry", "deals", "sale", "new"}
"""Category leaves that name no single thing ("A blue clothing"): the title names it instead."""
EMPTY = {"none", "n/a", "na", "-", "nil", "0"}
ORIGIN = re.compile(r"\b(?:origin|country|made in|provenance)\b", re.I)
SCREEN = re.compile(r"\b(?:diagonal|screen size|display size)\b", re.I)
FOR_WHOM = re.compile(r"\b(?:activity|activities|use|usage|suitable for|ideal for|gender|sport|occasion)\b", re.I)
MEASURES = {"width": "wide", "height": "high", "depth": "deep", "length": "long", "thickness": "thick", "diameter": "across"}
NOT_IN_LEAD = re.compile(r"\b(?:tags?|collections?|other categories|variants|model|sku|warranty|guarantee)\b", re.I)
ADJECTIVE_SUFFIX = re.compile(r"(?:able|ible|proof|safe|free|ic|ous|ive|less|ful)$", re.I)


@dataclass(frozen=True)
class Phrase:
    kind: str  # material, colour, sizes, purpose, compatible, measure, quantity, feature, adjective, kind, text
    text: str


def _joined(items: list[str], last: str = "and") -> str:
    return ", ".join(items[:-1]) + f" {last} " + items[-1] if len(items) > 1 else items[0]


def _values(value: object) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"\s*,\s*", readable_value(value))
    return [item.strip() for item in items if str(item).strip()]


def _lower(text: str) -> str:
    """Lower-case the common words of a value ("Bottle Green" -> "bottle green"); acronyms (USB-C, LED),
    mixed case (iPhone) and names the dictionary does not know (Portugal, Sony) keep their capitals."""
    def one(word: str) -> str:
        if word[1:] != word[1:].lower() or (word.isupper() and len(word) <= 5):
            return word
        return word.lower() if getAllLemmas(word.lower().strip(",.")) else word
    return " ".join(one(w) for w in text.split())


def is_adjective(label: str) -> bool:
    """A flag named by an adjective ("waterproof", "machine washable", "caffeine free") is said before
    the noun; one named by a noun ("energy monitoring", "auto shut off") is a feature the product has,
    and so is a participle of a noun ("cable included", "assembly required": not "a cable-included charger")."""
    words = label.lower().split()
    if not words:
        return False
    last, lemmas = words[-1], getAllLemmas(words[-1])
    if last.endswith("ed"):  # "cold extracted", "insulated", but not "cable included"
        return len(words) == 1 or bool({"ADJ", "ADV"} & set(getAllLemmas(words[0])))
    if ADJECTIVE_SUFFIX.search(last):
        return True
    return "ADJ" in lemmas and "NOUN" not in lemmas and "ADV" not in lemmas


def _own_measure(label: str, word: str) -> bool:
    """The label names the product's own measure: "weight", "net weight", "overall height"; not "seat height"."""
    words = set(label.lower().split())
    return word in words and not words - PLAIN_MEASURE - {word}


def _article(phrase: str) -> str:
    first = phrase.split()[0] if phrase.split() else ""
    if re.match(r"[A-Z]{2,}|[A-Z]\b|[A-Z]-", first):  # an acronym is said letter by letter: "an LED", "a USB-C"
        vowel = first[0] in "AEFHILMNORSX"
    else:
        vowel = bool(re.match(r"[aeio]|u(?!s|ni|ti|ro)|8|11\b|18\b", first, re.I))
    return f"{'an' if vowel else 'a'} {phrase}"


def _plural(noun: str) -> str:
    words = noun.split()
    if not words or words[-1].endswith("s"):
        return noun
    return " ".join([*words[:-1], (getInflection(words[-1], "NNS") or (words[-1] + "s",))[0]])


def _countable(label: str) -> bool:
    last = label.split()[-1].lower() if label.split() else ""
    return not last.endswith(("ing", "s")) and getLemma(last, "NOUN")[:1] == (last,)


def phrase(name: str, value: object) -> Phrase | None:
    """How a copywriter says this fact; None for one a lead leaves to the bullets (tags, a false flag)."""
    label, unit = label_and_unit(name, value)
    text = fact_value(name, value)
    low_label, low_text = label.lower(), text.lower()
    if NOT_IN_LEAD.search(low_label):
        return None
    if isinstance(value, bool) or low_text in YES | NO:
        if value is False or low_text in NO:
            return None
        words = _lower(label)
        if is_adjective(label):
            return Phrase("adjective", "-".join(words.split()))  # before a noun: "caffeine-free", "machine-washable"
        return Phrase("feature", _article(words) if _countable(label) else words)
    if low_text in EMPTY:
        return None  # "allergens: none" says nothing to put in a lead
    if MATERIAL.search(low_label):
        part = MATERIAL.sub("", low_label).strip()
        materials = _joined([_lower(v) for v in _values(value)])
        return Phrase("feature", _article(f"{materials} {part}")) if part else Phrase("material", materials)
    if ORIGIN.search(low_label):
        return Phrase("origin", text)
    values = _values(value)
    if COLOUR.search(low_label):
        colours = [_lower(v) for v in values]
        return Phrase("colour_before" if len(colours) == 1 and len(colours[0].split()) <= 2 else "colour", _joined(colours, "or"))
    if SIZES.search(low_label):
        values = [re.sub(r"^size\s+", "", v, flags=re.I) for v in values]  # "Size 40, Size 42"
        return Phrase("sizes", _joined(values)) if len(values) > 1 else Phrase("size", values[0] if values else text)
    if PURPOSE.search(low_label):
        plain = FOR_WHOM.search(low_label)
        return Phrase("purpose", _joined([_lower(v) for v in values]) + ("" if plain else f" {_plural(_lower(label))}"))
    if COMPATIBLE.search(low_label):
        return Phrase("compatible", _joined(values))
    if KIND_LIKE.search(low_label):
        return Phrase("kind", _lower(values[0])) if len(values) == 1 else None  # "skin type: dry, normal": a bullet
    if "," in text or ";" in text:
        return None  # "AC 100-240V, 50/60Hz": a bullet says it better
    if re.search(r"\d", text) and SCREEN.search(low_label):
        return Phrase("measure_before", text)
    if re.search(r"\d", text) and _own_measure(low_label, "weight"):
        return Phrase("weight", f"weighing {text}")
    measure = next((word for key, word in MEASURES.items() if _own_measure(low_label, key)), None)
    if measure and re.search(r"\d", text):
        return Phrase("measure", f"{text} {measure}")
    if re.match(r"^[-+]?\d", text):
        if low_label.split()[-1] in low_text:  # "connector: 1/2 in quick connector"
            return Phrase("text", _article(text))
        with_unit = unit is not None or bool(re.fullmatch(r"[-+]?[\d.,]+(?:\s*(?:-|–|to)\s*[\d.,]+)?\s?[A-Za-zµ°]{1,4}", text))
        worded = len(re.findall(r"[A-Za-z]{2,}", text)) >= 2  # "2.4 GHz Wi-Fi": a value said before its label
        if with_unit or worded or low_label.endswith("s"):
            return Phrase("quantity", f"{text} {_lower(label)}")  # "12 h battery life", "8 total megapixels"
        return None  # "a bluetooth version of 5.3", "a recommended age of 12 months+": the label frame; a bullet says it plainly
    if len(text.split()) <= 3:
        if low_label in low_text:  # "1 year warranty", "Bluetooth 5.3 connectivity"
            return Phrase("text", _lower(text))
        said = f"{_lower(text)} {_lower(label)}"
        return Phrase("text", _article(said) if _countable(label) else said)  # "a solid pattern"
    return None  # a long free-text value reads best as a bullet of its own


def lead_plan_names(product: Product) -> list[str]:
    """The attributes a lead carries, in data order: the first key facts a lead can phrase."""
    return [name for name in key_attributes(product) if phrase(name, product.attributes[name])][:MAX_LEAD_FACTS]


def lead_plan(product: Product) -> list[str]:
    """The facts a lead carries, as the prompt lists them ("material: 100% merino wool"), in data order."""
    return [plan_item(name, product.attributes[name]) for name in lead_plan_names(product)]


def kind_noun(product: Product) -> str | None:
    """What the product is, singular: "LED TVs" -> "LED TV", "Tees" -> "tee"."""
    kind = product_kind(product)
    if not kind or kind.lower() in MASS_KINDS:
        return None
    return _lower(" ".join(_singular(word) for word in kind.replace("-", " ").split()))


def _singular(word: str) -> str:
    """"TVs" -> "TV", "laptops" -> "laptop"; a word that is no plural noun stays."""
    if re.fullmatch(r"[A-Z]+s", word):
        return word[:-1]
    if not word.lower().endswith("s") or word.lower().endswith("ss"):
        return word
    return (getLemma(word.lower(), "NOUN")[:1] or (word,))[0]


def lead(product: Product) -> str:
    """One sentence that says what the product is, with its first key facts woven in.

    It opens with the kind of product, not the page's title ("A 55" LED TV, weighing 23 kg: the
    Sony KDL-55HX820."): modifiers (a flag that is an adjective, a size, a colour) before the
    noun, then its brand, material, measures, features, sizes and purpose, and the title last
    (a lead that never names the product reads further from the shop's texts: MiniLM cosine 0.508
    without it, 0.590 with it, on rows of the train split held out of fitting). Empty when the
    data says nothing beyond the title.
    """
    full_title = readable_value(product.title)
    described = descriptive_title(product)
    kind = None if described else kind_noun(product)
    noun = described or kind or _title_noun(product)
    phrases = [p for name in key_attributes(product) if (p := phrase(name, product.attributes[name]))
               and not (described and _said_in(fact_value(name, product.attributes[name]), described))][:MAX_LEAD_FACTS]
    title = re.split(r"\s*[,(]", full_title)[0]
    brand = readable_value(product.brand) if product.brand else None
    named = f"the {full_title}" if kind else None  # the title said once, at the end (a head taken from the title has it)
    if not phrases and not (noun and brand):
        return ""
    before = [p.text for kind in ("adjective", "measure_before", "colour_before") for p in phrases
              if p.kind == kind and p.text.lower() not in (noun or title).lower()]
    kinds = [p.text for p in phrases if p.kind == "kind" and p.text.lower() != (noun or "").lower()]
    head = " ".join([*before, *(kinds[:1] if not noun else []), noun or title])
    if kinds and noun:
        head = f"{kinds[0]} {head}" if len(kinds[0].split()) == 1 else head
    parts = [_article(head) if not head.split()[0][:1].isdigit() or True else head]
    origins = [f"from {p.text}" for p in phrases if p.kind == "origin"]
    parts += origins[:1]
    if brand and brand.lower() not in head.lower() and not (named and brand.lower() in named.lower()):
        parts.append(f"{'by' if origins else 'from'} {brand}")
    for kind, frame in (("material", "in {}"), ("colour", "in {}"), ("sizes", "in sizes {}"), ("size", "in size {}")):
        parts += [frame.format(p.text) + "," for p in phrases if p.kind == kind]
    parts += origins[1:]
    measures = [p.text for p in phrases if p.kind in {"measure", "weight"}]
    if measures:
        parts[-1] += ","
        parts.append(_joined(measures) + ("," if any(p.kind in {"feature", "quantity", "text"} for p in phrases) else ""))
    compatible = [f"compatible with {p.text}" for p in phrases if p.kind == "compatible"]
    with_parts = [p.text for p in phrases if p.kind in {"feature", "quantity", "text"}]
    if compatible and with_parts:
        compatible[-1] += ","
    parts += compatible
    if with_parts:
        parts.append(f"with {_joined(with_parts)}")
    purposes = [p.text for p in phrases if p.kind == "purpose"]
    if purposes:
        parts.append(f"for {_joined(purposes)}")
    sentence = _cap(" ".join(parts).rstrip(",")).replace(",,", ",")
    return f"{sentence}: {named}." if named else f"{sentence}."


TRAILING_AMOUNT = re.compile(r"(?:\s+[\d.,/]+\s*[-\w%\"'°]*)+$")
TITLE_CLAUSE = re.compile(r"\s*[,(;:]|\s-\s|\s(?:with|for|in|mit|avec|pour)\s")


def descriptive_title(product: Product) -> str | None:
    """The title as the product's noun when it is a description, not a name: "Portable Bluetooth
    speaker" -> "portable Bluetooth speaker", "Extra virgin olive oil 500 ml" -> "extra virgin olive oil".

    A title is a description when its head (its last word, before any clause or trailing amount)
    is a common noun written in lower case; "Joust Duffle Bag" or "Sony DSC-WX50" are names, and
    the category says what they are. A category leaf that names no single thing ("Audio",
    "Skin Care", "Watering") would otherwise become the noun: "An audio from Pebblewick".
    """
    head = TITLE_CLAUSE.split(readable_value(product.title))[0].strip()
    head = TRAILING_AMOUNT.sub("", head).strip(" -")
    if product.brand and head.lower().startswith(product.brand.lower()):
        head = head[len(product.brand):].strip(" -")
    words = head.split()
    if len(words) < 2 or not re.fullmatch(r"[a-z][a-z-]*", words[-1]) or "NOUN" not in getAllLemmas(words[-1]):
        return None
    return _lower(head)


def _said_in(value: str, noun: str) -> bool:
    """The fact's value is already in the noun: "1.7 l" in "1.7 l cordless kettle", "11" in "11-speed chain"."""
    return bool(value) and re.search(rf"(?<![\w.]){re.escape(value.lower())}(?![\w.]*\d)", noun.lower()) is not None


def _title_noun(product: Product) -> str | None:
    """The title without its brand, when the data names no kind: "Pebblewick Portable speaker" -> "portable speaker"."""
    title = re.split(r"\s*[,(]", readable_value(product.title))[0]  # "ball valve 1/2\" BSP, 2-piece" -> before the comma
    if product.brand and title.lower().startswith(product.brand.lower()):
        title = title[len(product.brand):].strip(" -,")
    return _lower(title) or None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
