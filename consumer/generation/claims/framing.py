"""The few content words copy may use without the data saying them: framing, not facts.

In a closed world every content word of a draft must be explained by the product's data. Copy
still needs words to hang facts on: a verb that binds a value to the product ("weighs",
"comes in"), a noun that stands for the product ("design", "choice"), the shop's own voice
("from our range"). Those words state nothing a shopper could find false, so they are
allowed here, grouped by job. Nothing here names a feature, material, component, use or
benefit: a word that could be false of a product does not belong in this file, and praise
that says nothing ("high-quality", "durable", "perfect") is not framing either: it is left
unsupported, so a draft built on it is dropped or retried.

Sizes are reported by `copydesk check --vocabulary` and in docs/pipeline.md.
"""

from __future__ import annotations

from functools import lru_cache

from lemminflect import getAllLemmas

from consumer.generation.claims.quantities import convert, is_physical
from consumer.generation.claims.words import spelling

LIGHT_VERBS = """
be have come offer feature give make keep let get take use provide add bring put go sit run work find choose
need want look expect note show say call describe know see help allow enable mean remain stay become pair combine
finish rate measure weigh hold size set fit suit build support supply ship
suitable compatible designed intended
"""
"""Verbs that bind what follows to the product: "comes in navy", "weighs 340 g", "is rated to 63 bar".

What they bind is checked (the colour, the quantity); the verb itself claims nothing."""

PRODUCT_NOUNS = """
product item piece model version design range collection section choice option pick addition way thing one kind type
detail details feature features spec specs specification specifications fact facts everything something
touch companion start function
"""
"""Nouns that stand for the product or its description, never for a part or property of it."""

VOICE = """
practical handy useful welcome neat simple easy everyday daily classic favourite favorite good nice great fun
tidy staple please note just full whole real truly simply
"""
"""Mild words of the shop's voice that no shopper could check ("a practical choice", "a full kilo").

Kept to what the existing challenge set's faithful texts need; measured praise ("premium",
"high-quality", "durable", "best", "innovative") stays out and is flagged."""

SETTINGS = """
home house office kitchen room bathroom bedroom hallway workshop pantry garden garage outfit
everyday use day days morning evening weekend occasion time year job task project
"""
"""Ordinary settings a product is placed in by framing ("a welcome addition to any kitchen")."""

PLACES = """
desk table shelf bag toolbox cupboard wardrobe car bike drawer counter worktop
"""
"""Settings that are also products: framing only as the buyer's ("on any desk", "in your bag"), else a claim."""
PLACE_DETERMINERS = frozenset({"any", "every", "your"})

HYPERNYMS = {
    "metal": "steel stainless iron aluminium aluminum brass copper bronze zinc titanium chrome nickel tungsten",
    "wood": "oak walnut pine beech birch teak acacia maple cherry mango ash plywood veneer bamboo timber rosewood",
    "wooden": "oak walnut pine beech birch teak acacia maple cherry mango ash plywood veneer bamboo timber wood",
    "plastic": "polypropylene polyethylene polycarbonate abs pvc acrylic tritan nylon resin polyamide",
    "fabric": "cotton wool linen polyester nylon silk velvet fleece canvas merino cashmere",
    "glass": "borosilicate",
    "battery": "aa aaa li ion lithium mah",
    "batteries": "aa aaa li ion lithium mah",
}
"""A general word is supported by a specific one in the data ("metal" by "steel"), never the reverse.

The one semantic table: English has no rule for it and no lexicon with hypernyms ships in a wheel."""

DIMENSIONS = {"wide": "width", "broad": "width", "tall": "height", "high": "height", "deep": "depth", "long": "length",
              "thick": "thickness", "heavy": "weight", "weighs": "weight", "weigh": "weight", "across": "diameter",
              "diameter": "diameter"}
"""Measure words after or before a quantity and the attribute name they bind it to ("45 cm wide")."""

MEASURE_NOUNS = {
    "m": "height length width depth thickness diameter headroom reach drop travel clearance span gap",
    "g": "weight load mass",
    "second": "runtime life duration",
    "lumen": "output brightness",
    "W": "output power draw",
    "l": "capacity volume",
    "degC": "temperature",
    "": "step steps increment increments resolution",
}
"""Nouns for a magnitude, by a unit of the dimension they measure ("" any): a label of an amount the data holds.

"41 inches of *headroom*" names a length; a noun outside this class next to an amount is a claim
of its own ("50 ml of retinol")."""


def measures(noun: str, unit: str | None) -> bool:
    """Whether noun names a magnitude of this unit's dimension ("headroom" of inches, "output" of lumens)."""
    if not is_physical(unit):
        return False
    noun_lemmas = lemmas(noun)
    for reference, words in MEASURE_NOUNS.items():
        if noun_lemmas & set(words.split()) and (not reference or convert(1.0, unit, reference) is not None):
            return True
    return False


IDIOMS = ("in the box", "in the pack", "in the package", "on board", "out of the box", "wide range of", "wide variety of",
          "variety of", "range of")
"""Fixed phrases that frame a fact ("a wall anchor in the box" says it is included, which is checked)."""


def _words(block: str) -> frozenset[str]:
    return frozenset(word for word in block.split())


FRAMING_WORDS = _words(LIGHT_VERBS) | _words(PRODUCT_NOUNS) | _words(VOICE) | _words(SETTINGS)


@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """The word and its inflectional lemmas only: framing never reaches a derived word ("shower" is no "show")."""
    word = spelling(word.lower())
    return frozenset({word} | {lemma for found in getAllLemmas(word).values() for lemma in found})


FRAMING_LEMMAS = frozenset(lemma for word in FRAMING_WORDS for lemma in lemmas(word))


def is_framing(word: str) -> bool:
    return bool(lemmas(word) & FRAMING_LEMMAS)


def hypernym_of(word: str) -> frozenset[str]:
    """The specific words that support a general one ("steel" for "metal"); empty for any other word."""
    return next((frozenset(HYPERNYMS[lemma].split()) for lemma in lemmas(word) if lemma in HYPERNYMS), frozenset())


def vocabulary_sizes() -> dict[str, int]:
    return {"light_verbs": len(_words(LIGHT_VERBS)), "product_nouns": len(_words(PRODUCT_NOUNS)), "voice": len(_words(VOICE)),
            "settings": len(_words(SETTINGS)), "places": len(_words(PLACES)), "hypernyms": len(HYPERNYMS),
            "dimensions": len(DIMENSIONS), "measure_nouns": len({w for words in MEASURE_NOUNS.values() for w in words.split()}),
            "idioms": len(IDIOMS)}


PLACE_LEMMAS = frozenset(lemma for word in _words(PLACES) for lemma in lemmas(word))


def is_place(word: str) -> bool:
    return bool(lemmas(word) & PLACE_LEMMAS)
