"""One claim checker: every factual claim of a text, each with its kind and whether the data supports it.

Used by the serving guard, the sentence reduction, the trainer's target reduction, the
evaluator and `copydesk check`, so "grounded" means one thing everywhere. A claim is
supported when the product's data (title, brand, category, attribute names and values) states
it; a claim of something the data denies (``dishwasher_safe: no``) is a contradiction, and a
negated claim ("not waterproof") is supported unless the data affirms the feature.

Kinds: number, unit, name, material, colour, feature, certification, warranty, compatibility,
origin, care, included, type, use, sensory. See lexicon.py for the words behind each kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consumer.generation.claims.facts import Facts, normalise, value_texts
from consumer.generation.claims import vocabulary
from consumer.generation.claims.facts import DEMONYMS
from consumer.generation.claims.lexicon import (
    ACRONYMS, DECODE_KINDS, DECODE_SKIP, GENERIC_OBJECT_WORDS, IMPLIED_BY, IMPLIED_BY_DENIAL, LEXICON, NAME_STOP_WORDS, SENSORY_DATA_WORDS, SENSORY_NOUNS,
)
from consumer.generation.claims.quantities import SPELLED, UNIT_ALIASES, is_physical, quantities, same_amount
from consumer.generation.sentences import split_sentences
from schemas.events import Product
from schemas.key_facts import NO, YES, readable_name

KINDS = ("number", "unit", "name", "material", "colour", "feature", "certification", "warranty", "compatibility",
         "origin", "care", "included", "type", "use", "sensory")


@dataclass(frozen=True)
class Claim:
    claim: str  # the words as in the text
    kind: str
    sentence: str
    supported: bool


NEGATORS = re.compile(r"\b(?:not|no|non|without|isn't|aren't|doesn't|don't|cannot|can't|never|nor|lacks?)\b[\w\s-]{0,25}$", re.I)
TYPE_CONTEXT = re.compile(r"(?:^\W*(?:this|these|the|our|its)\s+(?:(?!(?:to|for|in|on|of|with|at|any|your|from)\b)[\w'’-]+\s+){0,4}|\b(?:is|are)\s+(?:a|an|the)\s+(?:[\w-]+,?\s+(?:(?:and|or)\s+)?){0,5})$", re.I)
OBJECT = r"(?P<obj>[^.;:,()!?]+)"
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("warranty", re.compile(r"\b(?:(?:\d+|one|two|three|five|ten)[\s-]*(?:years?|yrs?|months?)[\s-]+)?(?:lifetime\s+|limited\s+)*(?:warranty|guarantee)\b", re.I)),
    ("compatibility", re.compile(rf"\b(?:compatible with|works? (?:with|on)|fits|designed to fit|for use with|pairs? with|connects? to|syncs? with)\s+{OBJECT}", re.I)),
    ("origin", re.compile(r"\b(?:made|manufactured|produced|crafted|built|assembled|grown|harvested|roasted|bottled|woven|printed|sourced)\s+(?:in|from)\s+(?P<obj>(?:the\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)")),
    ("origin", re.compile(r"\b(?P<obj>Italian|French|German|Spanish|Swiss|Japanese|Chinese|British|English|American|Swedish|Danish|Greek|Portuguese|Belgian|Dutch|Polish|Turkish|Indian|Korean|Mexican|Brazilian|Colombian)\b")),
    ("included", re.compile(rf"\b(?:comes? with|includes?|including|supplied with|shipped with|bundled with|packed with|complete with|with a free)\s+{OBJECT}", re.I)),
    ("included", re.compile(r"\b(?P<obj>(?:(?!(?:not|is|are)\b)[\w-]+\s+){0,3}(?!(?:not|is|are)\b)[\w-]+),?\s+(?:(?:is|are)\s+)?(?P<neg>not\s+)?(?:included|in the box)(?=\s*(?:[.,;:!?)]|$|\s+(?:in|with|as|for)\b))", re.I)),
    ("use", re.compile(rf"\b(?:ideal|perfect|great|suitable|designed|intended|recommended|best|tailored|engineered|made)\s+for\s+{OBJECT}", re.I)),
    ("use", re.compile(rf"\b(?:can|could|may)\s+(?:also\s+|even\s+)?be\s+used\s+(?:for|to|in|with)\s+{OBJECT}", re.I)),
    # "can be used as a desk": calling the product something else
    ("type", re.compile(r"\b(?:can|could|may)\s+(?:also\s+|even\s+)?(?:be\s+used|serve|double)\s+as\s+(?P<obj>[^.;:()!?]+)", re.I)),
    # "dishwasher-friendly", "oven-proof", "microwave compatible": any spelling of a care claim
    ("care", re.compile(r"\b(?P<obj>dishwasher|microwave|oven|freezer|fridge|induction|machine)[\s-]*(?:safe|friendly|proof|compatible|suitable|ready|washable)\b", re.I)),
    # "available in various sizes": a choice the data must show
    ("feature", re.compile(r"\b(?:(?:available|comes?|offered|sold|supplied|made)\s+in\s+(?:various|different|multiple|several|many|all|a\s+(?:wide\s+)?(?:range|variety|choice)\s+of)|(?:wide|large|broad|great)\s+(?:range|variety|choice|selection)\s+of(?:\s+options\s+for)?(?:\s+different)?|options\s+for\s+(?:different|various|all))\s+(?P<obj>sizes|colou?rs|shapes|styles|finishes|lengths|capacities|designs|patterns|flavou?rs|models|versions)\b", re.I)),
    ("use", re.compile(r"\b(?:handles?|carries|withstands?|takes)\s+(?P<obj>heavy[\w\s-]*)|\b(?P<obj2>heavy[- ]duty|professional[- ]grade|commercial[- ]grade|industrial[- ]grade)\b", re.I)),
]
ADJECTIVE_COUNTRY = DEMONYMS
ARTICLES = {"a", "an", "the", "any", "your", "its", "our", "their", "even", "also", "well"}
NAME_TOKEN = re.compile(r"(?<![\w-])(?:[A-Za-z]*[a-z][A-Z][A-Za-z]*|[A-Z]{2,}[A-Za-z0-9]*|[A-Za-z]+\d+[A-Za-z\d]*|\d+[A-Za-z]+[A-Za-z\d]*|[A-Z][a-z]+)(?:-[A-Za-z\d]*\d[A-Za-z\d]*|-[A-Z]{2,}[A-Za-z\d]*)*(?![\w])")
BARE_NUMBER = re.compile(r"[^A-Za-z]*\d[^A-Za-z]*")
"""A sentence of digits and no word ("29."): a number that says what it counts nowhere. v2 wrote
the price this way between two facts; the value is in the data, but no reader can tell what it is."""
SPELLED_COUNT = re.compile(rf"\b(?P<word>{'|'.join(w for w in SPELLED if w not in ('half', 'single', 'double', 'twin', 'pair'))})\s+(?P<noun>[a-z]+)", re.I)


def _lexicon_regex(phrase: str) -> re.Pattern:
    words = [re.escape(word) + r"(?:e?s)?" for word in phrase.split()]
    return re.compile(r"(?<![\w])" + r"[\s\-_/]*".join(words) + r"(?![\w])", re.I)


_LEXICON = sorted(((kind, phrase, _lexicon_regex(phrase)) for kind, items in LEXICON.items() for phrase in items),
                  key=lambda item: -len(item[1]))
_WITH_VOCABULARY: dict[int, list] = {}


def _phrase_matchers() -> list[tuple[str, str, re.Pattern]]:
    """The curated lexicon plus the active learned vocabulary (vocabulary.py), longest first."""
    generation = vocabulary.GENERATION[0]
    if generation not in _WITH_VOCABULARY:
        learned = [(kind, phrase, _lexicon_regex(phrase)) for kind, items in vocabulary.active().items() for phrase in items]
        _WITH_VOCABULARY.clear()
        _WITH_VOCABULARY[generation] = sorted(_LEXICON + learned, key=lambda item: -len(item[1]))
    return _WITH_VOCABULARY[generation]


def _supported_phrase(facts: Facts, phrase: str) -> bool:
    norm = normalise(phrase)
    if facts.denies(norm):
        return False
    if facts.states(norm):
        return True
    if phrase in IMPLIED_BY_DENIAL and facts.denies(normalise(IMPLIED_BY_DENIAL[phrase])):
        return True
    if phrase in SENSORY_NOUNS:
        return bool(facts.words & SENSORY_DATA_WORDS)
    implied = IMPLIED_BY.get(phrase) or IMPLIED_BY.get(norm)
    return bool(implied) and any(facts.states(normalise(word)) for word in implied.split())


def _negated(sentence: str, start: int, end: int) -> bool:
    return bool(NEGATORS.search(sentence[max(0, start - 30):start]))


def _judge(facts: Facts, phrase: str, negated: bool) -> bool:
    """A positive claim needs the data's support; a negated one only the data's silence or denial."""
    if negated:
        norm = normalise(phrase)
        return facts.denies(norm) or not facts.states(norm)
    return _supported_phrase(facts, phrase)


def _object_supported(facts: Facts, obj: str) -> bool:
    words = [w for w in normalise(obj).split() if w not in GENERIC_OBJECT_WORDS and not w[0].isdigit()]
    return all(word in facts.words or _supported_phrase(facts, word) for word in words)


FLAG_STATEMENT = re.compile(r"\b(?:the|its)\s+(?P<name>[A-Za-z][\w /&-]{1,40}?)\s+(?:is|are)\s+(?P<flag>yes|no|true|false)\b(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|but|or)\b)", re.I)


FLAG_NEGATION = re.compile(r"\b(?:the|its)\s+(?P<name>[A-Za-z][\w /&-]{1,40}?)\s+(?:is|are)\s+(?P<neg>not|no longer|no)\b", re.I)
"""'The caffeine free is no longer available.': a negation of one of the product's own flags."""


def _is_flag(value) -> bool:
    """A yes/no attribute's value: True/False or a word like "yes" or "no"."""
    return isinstance(value, bool) or str(value).strip().lower() in YES | NO


def _is_flag_of(facts: Facts, name: str) -> bool:
    for attribute, value in facts.product.attributes.items():
        if normalise(readable_name(attribute)) == normalise(name):
            return _is_flag(value)
    return False


def _flag_supported(facts: Facts, name: str, flag: str) -> bool:
    """"The caffeine free is no.": true only when the data has that yes/no attribute with that value.

    A model taught "It has no X." sometimes writes "The X is no." of a flag the data sets to yes,
    or of one the data never mentions; both are claims about the product, and both are wrong.
    """
    said = flag.lower() in YES
    for attribute, value in facts.product.attributes.items():
        if normalise(readable_name(attribute)) != normalise(name):
            continue
        text = str(value).strip().lower()
        truth = value if isinstance(value, bool) else True if text in YES else False if text in NO else None
        return truth is not None and truth == said
    return False


def _sentence_claims(sentence: str, facts: Facts) -> list[Claim]:
    if BARE_NUMBER.fullmatch(sentence):
        return [Claim(sentence.strip(" .!?"), "number", sentence, False)]
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str, supported: bool) -> None:
        claims.append(Claim(sentence[start:end].strip(), kind, sentence, supported))
        taken.append((start, end))

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in FLAG_STATEMENT.finditer(sentence):
        add(match.start("name"), match.end(), "feature", _flag_supported(facts, match.group("name"), match.group("flag")))
    for match in FLAG_NEGATION.finditer(sentence):  # "is no longer ...", "is not ..." of a flag the data has
        if free(match.start("name"), match.end()) and _is_flag_of(facts, match.group("name")):
            add(match.start("name"), match.end(), "feature", _flag_supported(facts, match.group("name"), "no"))

    for kind, pattern in PATTERNS:
        for match in pattern.finditer(sentence):
            group = "obj2" if "obj2" in pattern.groupindex and match.group("obj2") else "obj" if "obj" in pattern.groupindex else None
            if kind == "warranty":
                text = match.group(0).lower()
                ok = facts.states("warranty") or facts.states("guarantee")
                ok = ok and ("lifetime" not in text or facts.states("lifetime"))
                add(match.start(), match.end(), kind, ok)
                continue
            obj = match.group(group) or ""
            obj = re.split(r"\s+(?:is|are|has|have|can|will|it|which|that|while)\b", obj)[0]
            if kind not in ("included", "type"):
                obj = re.split(r"\s+(?:and|or|but|so|with)\s+", obj)[0]
            if ("neg" in pattern.groupindex and match.group("neg")) or _negated(sentence, match.start(), match.start() + 1):
                ok = True  # "batteries not included", "not compatible with ...": no claim the data must back
            elif kind == "origin" and obj.lower() in ADJECTIVE_COUNTRY:
                ok = facts.states(normalise(obj))
            elif kind == "included":
                items = [item for item in re.split(r",|\band\b|\bplus\b", obj) if item.strip()]
                ok = all(_object_supported(facts, item) and not facts.denies(normalise(item)) for item in items)
            elif kind == "type":  # every thing it is said to serve as must be in the data
                items = [item for item in re.split(r",|\bor\b|\band\b|\beven\b", obj) if item.strip()]
                ok = all(all(w in facts.words for w in normalise(item).split() if w not in ARTICLES) for item in items)
            elif kind == "care":  # judged as the canonical "<thing> safe" claim
                canonical = "machine washable" if obj.lower() == "machine" else f"{obj.lower()} safe"
                ok = _supported_phrase(facts, canonical)
            elif kind == "feature":  # a choice of sizes, colours ...: the data must name the dimension
                ok = normalise(obj) in facts.words or normalise(obj).rstrip("s") in facts.words
            elif kind == "use" and group == "obj2":
                ok = _supported_phrase(facts, normalise(obj)) or facts.states("load")
            else:
                ok = _object_supported(facts, obj)
            skip = ARTICLES if kind == "type" else GENERIC_OBJECT_WORDS  # "used as a desk": desk is the claim
            if not normalise(obj).strip() or all(w in skip for w in normalise(obj).split()):
                continue
            add(match.start(), match.end() if kind in ("care", "feature") or not group else match.start(group) + len(obj), kind, ok)

    for kind, phrase, regex in _phrase_matchers():
        for match in regex.finditer(sentence):
            start, end = match.span()
            if not free(start, end):
                continue
            if phrase in ACRONYMS and match.group(0).islower():
                continue  # "CE", "REACH" are claims as the marks, in capitals; "reaches" is a verb
            if kind == "type":
                if TYPE_CONTEXT.search(sentence[:start]):  # "This pump ...", "... is a pump"
                    add(start, end, kind, _supported_phrase(facts, phrase))
                continue
            next_word = re.match(r"[\s-]*([a-z]+)", sentence[end:], re.I)
            negated = _negated(sentence, start, end)
            ok = _judge(facts, phrase, negated)
            if ok and not negated and next_word and facts.denies(normalise(f"{phrase} {next_word.group(1)}")):
                ok = False  # "a foldable handle" when foldable_handle: no
            add(start, end, kind, ok)

    for quantity in quantities(sentence):
        start = sentence.find(quantity.text)
        if start >= 0 and not free(start, start + len(quantity.text)):
            continue
        kind, ok = _judge_quantity(facts, quantity)
        if ok and quantity.unit and start >= 0 and _names_another_attribute(sentence[max(0, start - 40):start], quantity, facts):
            kind, ok = "number", False  # "an outer diameter of 14 mm" when 14 mm is the width
        claims.append(Claim(quantity.text.strip(), kind, sentence, ok))
    for match in SPELLED_COUNT.finditer(sentence):
        noun = normalise(match.group("noun"))
        if noun in facts.words and free(*match.span()):
            value = float(SPELLED[match.group("word").lower()])
            add(match.start(), match.end(), "number", value in facts.numbers or value == 1 or facts.states(normalise(match.group(0))))
    for start, end in _product_name_words(sentence, facts):
        if free(start, end):
            add(start, end, "type", False)

    for match in NAME_TOKEN.finditer(sentence):
        token, start = match.group(0), match.start()
        plain_word = token[0].isupper() and token[1:].islower()
        before = sentence[:start].rstrip(" \"'(*•-")
        if not free(start, match.end()) or (plain_word and (not before or before.endswith((":", "\n")))):
            continue  # a capitalised word that starts a sentence, a line or a list item is no name
        if (re.fullmatch(r"\d+[A-Za-z]+", token) and quantities(token)) or re.fullmatch(r"[A-Z]{2}", token) or _unit_word(token):
            continue  # "20W" is a quantity, judged above; "OD", "EU": two capitals are too often an abbreviation
        add(start, match.end(), "name", facts.states_raw(token) or facts.states(normalise(token)) or normalise(token) in facts.words
            or token.lower() in facts.attribute_name_words)  # "It has no display sRGB." ("Display sRGB: no")
    return claims


def _unit_word(token: str) -> bool:
    lower = token.lower()
    return lower in UNIT_ALIASES or (lower.endswith("s") and lower[:-1] in UNIT_ALIASES)


def _product_name_words(sentence: str, facts: Facts) -> list[tuple[int, int]]:
    """Words naming the product right after its brand that the data lacks: "Ergon Mesh *gaming* chair".

    What follows the brand up to the first verb or preposition is the product's name; a word
    there that no field of the data has calls the product something it is not said to be.
    """
    brand = facts.product.brand
    if not brand:
        return []
    found = []
    for match in re.finditer(rf"\b{re.escape(brand)}(?:['’]s)?\s+", sentence, re.I):
        tokens = list(re.finditer(r"[A-Za-z][\w'’&-]*|\S", sentence[match.end():]))[:6]
        for index, token in enumerate(tokens):
            word = token.group(0)
            following = tokens[index + 1].group(0) if index + 1 < len(tokens) else "."
            if not word[0].isalpha() or word.lower() in NAME_STOP_WORDS:
                break
            if word.lower().endswith("s") and (following[0].isdigit() or following.lower() in NAME_STOP_WORDS or following.islower()):
                break  # "weighs just", "stores 10000": a verb ends the name
            norm = normalise(word)
            if norm and norm not in facts.words and not facts.states_raw(word) and norm not in GENERIC_OBJECT_WORDS:
                found.append((match.end() + token.start(), match.end() + token.end()))
    return found


def _same_quantity(a, b) -> bool:
    if a.unit and b.unit and is_physical(a.unit) and is_physical(b.unit):
        return any(same_amount(x, a.unit, y, b.unit) for x in a.values for y in b.values)
    return bool(set(a.values) & set(b.values))


BINDING_WORDS = ("of", "is", "are", "at", "to", "up", "about", "approx", "around", "rated")
"""Words between an attribute's name and the value a sentence gives it: "a width *of* 14 mm"."""
_BINDING = "(?: (?:" + "|".join(BINDING_WORDS) + "))*"


def _names_another_attribute(before: str, quantity, facts: Facts) -> bool:
    """True when the words right before a quantity name an attribute that does not hold it.

    The value check alone accepts a number that belongs to another attribute ("outer diameter
    of 14 mm" for a bearing 14 mm wide): binding it to the attribute the sentence names catches
    the swap. Names shorter than five letters ("size", "cap") are too vague to bind.
    """
    window = f" {normalise(before)} "
    named = []
    for name, value in facts.product.attributes.items():
        words = normalise(name)
        if len(words) >= 5 and re.search(rf"(?:^| ){re.escape(words)}{_BINDING} $", window):
            held = [q for text in value_texts(value) for q in quantities(text)
                    if is_physical(quantity.unit) and q.unit and is_physical(q.unit)
                    and same_amount(q.values[0], q.unit, quantity.values[0], quantity.unit) is not None]  # same dimension
            if held:
                named.append(any(_same_quantity(quantity, other) for other in held))
    if named:
        return not any(named)
    return _bound_to_a_flag(window, quantity, facts)


def _bound_to_a_flag(window: str, quantity, facts: Facts) -> bool:
    """True when a measure is said of a yes/no attribute: "a color scanning capacity of 1 kg".

    A flag holds no amount, so the value belongs elsewhere (the scanner weighs 1 kg) and the
    sentence says something the data does not. One word may follow the flag's name
    ("capacity"); when an attribute named with that word holds the value, the sentence
    paraphrases that attribute ("a bluetooth range of 10 m" for "Wireless range: 10 m").
    """
    attributes = facts.product.attributes
    for name, value in attributes.items():
        words = normalise(name)
        if len(words) < 5 or not _is_flag(value):
            continue
        match = re.search(rf"(?:^| ){re.escape(words)}(?: (?P<noun>[a-z]+))?{_BINDING} $", window)
        if not match:
            continue
        noun = match.group("noun")
        if noun and noun not in BINDING_WORDS and any(
            noun in normalise(other).split() and any(_same_quantity(quantity, q) for text in value_texts(held) for q in quantities(text))
            for other, held in attributes.items()
        ):
            continue
        return True
    return False


def _judge_quantity(facts: Facts, quantity) -> tuple[str, bool]:
    values = quantity.values
    if quantity.unit and is_physical(quantity.unit):
        for other in facts.quantities:
            if other.unit and is_physical(other.unit):
                if any(same_amount(v, quantity.unit, o, other.unit) for v in values for o in other.values):
                    return "unit", True
    if quantity.unit == "~degree":  # "30 degrees" / "360°": temperature or angle, as the data has it
        if any(o.unit in ("degC", "degF", "~degree") and set(o.values) & set(values) for o in facts.quantities):
            return "unit", True
    if quantity.unit and not is_physical(quantity.unit):
        if any(o.unit == quantity.unit and set(o.values) & set(values) for o in facts.quantities):
            return "unit", True
    if not set(values) & facts.numbers:
        return "number", values == (1.0,)
    if quantity.unit is None:
        return "number", True
    units_with_number = {o.unit for o in facts.quantities if set(o.values) & set(values)}
    if units_with_number - {None}:
        return "unit", False  # the data gives this number with another unit
    return "unit", quantity.unit in facts.units or normalise(quantity.unit) in facts.words


def extract_claims(text: str, product: Product, facts: Facts | None = None) -> list[Claim]:
    """Every claim of every sentence of text, in order, judged against the product's data."""
    facts = facts or Facts(product)
    return [claim for sentence in split_sentences(text) for claim in _sentence_claims(sentence, facts)]


def unsupported_claims(text: str, product: Product) -> list[Claim]:
    return [claim for claim in extract_claims(text, product) if not claim.supported]


def unsupported_phrases(product: Product) -> list[str]:
    """Lexicon phrases this product's data does not support: what its row may not write.

    The decode-time twin of the checker (a BannedTermsProcessor per row): a claim that is
    never written needs no sentence dropped and no retry.
    """
    facts = Facts(product)
    return [phrase for kind in DECODE_KINDS for phrase in LEXICON[kind]
            if phrase not in DECODE_SKIP and not _supported_phrase(facts, phrase)]
