"""What a product's data says, in the forms the claim checker compares against.

The data is the title, brand, category, keywords and every attribute name and value. It is
normalised the same way as the text being checked (case, hyphens, plurals, a few spelling
variants), its numbers are kept with their units, and an attribute that says false / no /
none records the feature it names as *denied*: claiming a denied feature is a contradiction.
"""

from __future__ import annotations

import html
import re
from functools import cached_property

from consumer.generation.claims.quantities import Quantity, canonical_unit, number_readings, quantities
from schemas.events import Product

SPELLING = {
    "gray": "grey", "color": "colour", "colors": "colours", "colored": "coloured", "aluminum": "aluminium",
    "flavor": "flavour", "flavors": "flavours", "fiber": "fibre", "fiberglass": "fibreglass", "center": "centre",
    "liter": "litre", "liters": "litres", "meter": "metre", "meters": "metres", "lithium": "li", "canceling": "cancelling",
    "odor": "odour", "orthopedic": "orthopaedic", "moisturizer": "moisturiser", "organize": "organise", "savory": "savoury", "jewelry": "jewellery", "tire": "tyre", "mold": "mould", "favorite": "favourite",
    "nonstick": "non stick", "galvanized": "galvanised", "anodized": "anodised",  "leakproof": "leak proof", "wifi": "wi fi", "lumens": "lm", "lumen": "lm", "grams": "g",
    "stabilization": "stabilisation", "stabilized": "stabilised", "stabilizer": "stabiliser",
}
DEMONYMS = {"italian": "italy", "french": "france", "german": "germany", "spanish": "spain", "swiss": "switzerland",
            "japanese": "japan", "chinese": "china", "british": "uk", "english": "england", "american": "usa",
            "swedish": "sweden", "danish": "denmark", "greek": "greece", "portuguese": "portugal", "belgian": "belgium",
            "dutch": "netherland", "polish": "poland", "turkish": "turkey", "indian": "india", "korean": "korea",
            "mexican": "mexico", "brazilian": "brazil", "colombian": "colombia", "vietnamese": "vietnam", "irish": "ireland"}
SPELLING.update(DEMONYMS)
NO_VALUES = {"no", "none", "false", "not included", "n/a", "without", "nope", "not available", "not supported", "-"}
NEGATING_PREFIX = re.compile(r"^(?:no|not|non|without|do not|does not|don't|never)\s+(.+)$")
NAME_AFFIXES = re.compile(r"^(?:is|has|have|supports?|with|includes?)\s+|\s+(?:included|supported|support|function|feature)$")
UNIT_IN_NAME = re.compile(r"(?:[\s_(\[]|^)(mm|cm|m|kg|g|ml|l|w|v|mah|wh|hz|bar|psi|in|inch|oz|lb|°c|h|min|s)[)\]]?$", re.IGNORECASE)


def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    """Lowercase words, US/UK spellings unified, plurals stemmed, punctuation gone (decimals kept)."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[_/\-–—]", " ", text)
    words = re.findall(r"[a-z0-9°%]+(?:[.,]\d+)*", text)
    out = []
    for word in words:
        word = SPELLING.get(word, word)
        out.extend(stem(part) for part in word.split())
    return " ".join(out)


def value_texts(value) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def _says_no(value) -> bool:
    return value is False or any(text.strip().lower() in NO_VALUES for text in value_texts(value))


class Facts:
    """The product's data, normalised once, asked many times."""

    def __init__(self, product: Product):
        self.product = product
        fields = [product.title, product.brand or "", product.category or "", *product.keywords]
        for name, value in product.attributes.items():
            if not _says_no(value):  # "foldable handle: no" states no foldable handle
                fields.append(name.replace("_", " "))
            fields.extend(text for text in value_texts(value) if text.strip().lower() not in NO_VALUES)
        # PIMs store markup entities ("&frac14; zip", "HeatTech&trade;"); copy prints the characters
        self.fields = [html.unescape(field) for field in fields if field]
        self.raw = "\n".join(self.fields)
        self.norm = " " + " | ".join(normalise(field) for field in self.fields) + " "
        self.words = set(self.norm.split())

    @cached_property
    def attribute_name_words(self) -> set[str]:
        """Words of every attribute's name, a "no" one too: naming a field is no invented name.

        Whether the product has the feature is the feature claims' question (denied below);
        a name claim only asks whether the word comes from the data.
        """
        return {word.lower() for name in self.product.attributes for word in re.split(r"[\s_.:()/-]+", name) if word}

    def states(self, phrase_normalised: str) -> bool:
        return bool(phrase_normalised) and f" {phrase_normalised} " in self.norm

    def states_raw(self, token: str) -> bool:
        token = token.lower()
        return token in self.raw.lower() or token in re.sub(r"\s+", "", self.raw.lower())

    @cached_property
    def denied(self) -> set[str]:
        """Normalised features the data says the product does not have."""
        denied = set()
        for name, value in self.product.attributes.items():
            texts = value_texts(value)
            if _says_no(value):
                base = normalise(name)
                denied |= {base, normalise(NAME_AFFIXES.sub("", name.replace("_", " ").lower()))}
            for text in (part for text in texts for part in re.split(r"[,;]", text)):
                match = NEGATING_PREFIX.match(text.strip().lower())
                if match:
                    denied.add(normalise(match.group(1)))
        return {phrase for phrase in denied if phrase}

    def denies(self, phrase_normalised: str) -> bool:
        bare = phrase_normalised.removesuffix(" included")
        return any(bare == denied.removesuffix(" included") for denied in self.denied)

    @cached_property
    def quantities(self) -> list[Quantity]:
        found = [quantity for field in self.fields for quantity in quantities(field)]
        for name, value in self.product.attributes.items():  # weight_g: 320 -> 320 g
            unit = UNIT_IN_NAME.search(name.strip())
            texts = value_texts(value)
            if unit and not isinstance(value, bool):
                for text in texts:
                    if re.fullmatch(r"\s*\d+(?:[.,]\d+)*\s*", text):
                        found.append(Quantity(text, number_readings(text.strip()), canonical_unit(unit.group(1))))
        return found

    @cached_property
    def numbers(self) -> set[float]:
        numbers = {value for quantity in self.quantities for value in quantity.values}
        for value in self.product.attributes.values():
            if isinstance(value, list):
                numbers.add(float(len(value)))  # "three modes" for a list of three modes
        listed = (str(value) for value in self.product.attributes.values())  # "red, green, blue": three colours
        numbers |= {float(len(text.split(", "))) for text in listed if ", " in text and not any(ch.isdigit() for ch in text)}
        return numbers

    @cached_property
    def units(self) -> set[str]:
        return {quantity.unit for quantity in self.quantities if quantity.unit}
