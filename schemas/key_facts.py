"""A product's key facts: which attributes a description should state, and how to say them.

Shared by the prompt builder (the content plan a fine-tuned model is asked to follow), the
trainer (targets that state those facts) and the evaluator (coverage), so the three agree on
what "the product's key facts" are.

Salience rule (deliberately simple, documented in docs/model.md): the attributes in data order,
leaving out internal fields a shopper does not read in copy (ids, codes, prices, stock, dates,
shipping weights, URLs, terms of sale such as a return policy, and the PIM's own data-model
fields: Akeneo's family, Magento's attribute set, which name a template of attributes, not a fact
of the product), also leaving out a yes/no feature the product lacks ("Eco Collection: no" is not
a selling point, and copy that lists absences reads as a spec sheet) and a weight or dimension
given without a unit ("weight: 2" can't be said truthfully), at most six.
"""

from __future__ import annotations

import html
import re

from schemas.events import Product

MAX_KEY_ATTRIBUTES = 6
INTERNAL = re.compile(
    r"\b(?:sku|ean|gtin|upc|mpn|isbn|asin|id|code|ref|reference|price|cost|msrp|tax|vat|stock|qty|quantity in stock|"
    r"release|date|year of release|shipping|url|link|image|photo|barcode|supplier|vendor code|warehouse|parent|"
    r"variant|channel|status|visibility|created|updated|family|attribute set|minimum order|order quantity|moq|"
    r"return policy|returns|refund)\b",
    re.I,
)
MEASURE = re.compile(r"\b(?:weight|dimensions?|wxhxd|length|width|height|depth)\b", re.I)
UNIT = re.compile(r"\d\s*(?:\"|'')|(?:\d|\b)(?:mg|g|kg|lbs?|oz|mm|cm|m|in|inch|inches|ft|kilogram|gram|pound|meter|metre|centimet(?:er|re)|millimet(?:er|re))s?\b", re.I)
YES, NO = {"yes", "true", "y", "ja", "oui", "sí", "si"}, {"no", "false", "n", "nein", "non"}
"""Flag values, in the shop languages whose catalogs we read (German and French PIMs export ja/nein, oui/non)."""


def key_attributes(product: Product) -> list[str]:
    """The attribute names a description should state (see the salience rule above)."""
    names = [name for name, value in product.attributes.items() if is_key(name.replace("_", " "), value)]
    return names[:MAX_KEY_ATTRIBUTES]


def is_key(name: str, value: object) -> bool:
    """Whether the attribute is one a shopper reads (the salience rule), whatever its position."""
    if INTERNAL.search(name):
        return False
    text = format_value(value).strip().lower()
    if value is False or text in NO:  # a feature it lacks
        return False
    unitless_number = any(c.isdigit() for c in text) and not UNIT.search(f"{name} {text}")
    return not (MEASURE.search(name) and unitless_number)  # "weight: 2"; "sleeve length: long" stays


def format_value(value: object) -> str:
    """Attribute values as a person would read them: lists joined, booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def readable_value(value: object) -> str:
    """A value as copy would print it: format_value with entities decoded ("Cocona&reg;" -> "Cocona®")."""
    return html.unescape(format_value(value)).strip()


ABBREVIATIONS = re.compile(r"^(?:max|min|approx|incl|excl|qty|nr|no|ext|int|avg|opt|of|and|or|for|in|on|at|to|per|with|the|an|by|from|into|onto|than|via)$")
"""Short words of a code said in lower case, not acronyms: abbreviations ("max_load") and the
closed class of function words ("country_of_origin"), which no lemma dictionary lists."""


def _acronym(word: str) -> str:
    """A short word of a snake_case code that no dictionary knows is an acronym: tube_od_mm -> "tube OD"."""
    from lemminflect import getAllLemmas

    if re.fullmatch(r"[a-z]{2,4}", word) and not ABBREVIATIONS.match(word) and not getAllLemmas(word):
        return word.upper()
    return word


def readable_name(name: str) -> str:
    """"synthetic.dimensions_wxhxd" -> "dimensions (W x H x D)"; "Display diagonal" -> "display diagonal";
    "tube_od_mm" -> "tube OD" (a short unknown word of a code is an acronym)."""
    coded = "_" in name or name == name.lower()
    name = re.sub(r"^[a-z][a-z0-9_]*\.", "", name).replace("_", " ").strip()  # a namespace: "synthetic."
    name = " ".join(word.lower() if word[1:] == word[1:].lower() else word for word in name.split())
    if coded:
        name = " ".join(_acronym(word) for word in name.split())
    return re.sub(r"\bwxhxd\b", "(W x H x D)", name, flags=re.I)


UNITS = {"mm": "mm", "cm": "cm", "m": "m", "km": "km", "g": "g", "kg": "kg", "mg": "mg", "ml": "ml", "cl": "cl", "l": "l",
         "w": "W", "kw": "kW", "v": "V", "mah": "mAh", "wh": "Wh", "hz": "Hz", "bar": "bar", "psi": "psi", "in": "in", "inch": "in",
         "oz": "oz", "lb": "lb", "c": "°C", "f": "°F", "h": "h", "hrs": "h", "min": "min", "s": "s", "ms": "ms", "db": "dB", "lm": "lm", "nm": "Nm",
         "rpm": "rpm", "k": "K", "pct": "%", "percent": "%", "years": "years", "months": "months", "days": "days", "gsm": "g/m²"}
"""Unit suffixes of attribute codes (``weight_g``) and how copy writes them: units are a closed set."""
SUFFIX = re.compile(r"(?:[\s_]+(?P<unit>[A-Za-z]+)|\s*\((?P<bracketed>[A-Za-z°%]+)\))$")
UNIT_WORDS = {"MILLIMETER": "mm", "CENTIMETER": "cm", "METER": "m", "KILOMETER": "km", "INCH": '"', "FEET": "ft", "MILLIGRAM": "mg",
              "GRAM": "g", "KILOGRAM": "kg", "POUND": "lb", "OUNCE": "oz", "MILLILITER": "ml", "CENTILITER": "cl", "LITER": "l",
              "WATT": "W", "KILOWATT": "kW", "VOLT": "V", "HERTZ": "Hz", "SECOND": "s", "MINUTE": "min", "HOUR": "h"}
"""Unit names as some PIMs export a metric ("24 INCH", "800 GRAM"), and their symbols."""
UNIT_WORD = re.compile(r"^(?P<number>[-+]?\d+(?:[.,]\d+)?)\s*(?P<word>[A-Z]+)S?$")
NUMBER_ONLY = re.compile(r"\s*[-+]?\d+(?:[.,]\d+)*(?:\s*(?:-|to|–)\s*[-+]?\d+(?:[.,]\d+)*)?\s*")


def label_and_unit(name: str, value: object) -> tuple[str, str | None]:
    """("weight", "g") for weight_g with a number; the code's words otherwise, no unit."""
    match = SUFFIX.search(name.strip())
    unit = UNITS.get((match.group("unit") or match.group("bracketed")).lower()) if match else None
    if unit and isinstance(value, (int, float, str)) and not isinstance(value, bool) and NUMBER_ONLY.fullmatch(format_value(value)):
        return readable_name(name[: match.start()]), unit
    return readable_name(name), None


def fact_value(name: str, value: object) -> str:
    """The value as copy writes it, with the unit its code carries: "340 g", "-20 to 180 °C"."""
    _, unit = label_and_unit(name, value)
    text = html.unescape(format_value(value)).strip()
    spelled = UNIT_WORD.match(text)
    if spelled and spelled.group("word") in UNIT_WORDS:  # "24 INCH" -> '24"', "800 GRAM" -> "800 g"
        symbol = UNIT_WORDS[spelled.group("word")]
        return spelled.group("number") + (symbol if symbol == '"' else f" {symbol}")
    return f"{text} {unit}" if unit and unit != "%" else f"{text}%" if unit == "%" else text



FACTS_PER_SENTENCE = 3
"""Facts joined into one sentence. One sentence per fact ("The optical zoom is 32. The sensor
type is CMOS.") reads as a spec sheet and is further from the shop's texts by meaning (MiniLM
cosine to the human text on the valid split, opening plus all key facts: 0.581 one per sentence,
0.607 up to three a sentence); more than three makes sentences a reader has to parse."""


def fact_clause(name: str, value: object) -> tuple[str, str]:
    """(verb, object) that states an attribute's value and nothing beyond it: ("has", "an optical zoom of 32")."""
    label, text = label_and_unit(name, value)[0], fact_value(name, value)
    lowered, key = text.lower(), label.lower()
    if isinstance(value, bool) or lowered in YES | NO:
        return "has", f"{'no ' if (value is False or lowered in NO) else ''}{label}"
    if key in {"tags", "tag", "other categories", "collections"}:
        return "is listed under", text
    if key in {"color", "colour", "colors", "colours"}:
        return "comes in", text
    if key in {"material", "materials", "fabric"}:
        return "is made of", text
    if all(word in lowered for word in key.split()):  # "1 month warranty", "7 days return policy"
        return "comes with", text[:1].lower() + text[1:]
    if key.startswith("dimensions"):
        return "measures", text
    if key.endswith("s") and not key.endswith("ss"):  # "available sizes XS, S, M"
        return "has", f"{label} {text}"
    return "has", f"{'an' if key[:1] in 'aeio' else 'a'} {label} of {text}"


def _joined(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def fact_sentences(facts: list[tuple[str, object]]) -> list[str]:
    """Plain sentences that state these attributes' values, and nothing beyond them.

    Used to complete training targets whose human text leaves key facts out; a template can't
    invent anything, and the model learns to carry the values into prose of its own. Up to
    FACTS_PER_SENTENCE facts a sentence, a verb said once for the facts next to each other that
    share it: "It has an optical zoom of 32, a sensor type of CMOS and total megapixels 3.28."
    """
    sentences = []
    for start in range(0, len(facts), FACTS_PER_SENTENCE):
        groups: list[tuple[str, list[str]]] = []
        for name, value in facts[start : start + FACTS_PER_SENTENCE]:
            verb, obj = fact_clause(name, value)
            if groups and groups[-1][0] == verb:
                groups[-1][1].append(obj)
            else:
                groups.append((verb, [obj]))
        sentences.append(("It " if start == 0 else "It also ") + _joined([f"{verb} {_joined(objects)}" for verb, objects in groups]) + ".")
    return sentences


def fact_sentence(name: str, value: object) -> str:
    """One plain sentence that states one attribute's value: "It has a load capacity of 175 kg per shelf."."""
    return fact_sentences([(name, value)])[0]


KIND_FIELDS = ("family", "category", "product type", "product_type")
"""Fields that name what the product is (Akeneo's family, a shop's category), read for the opening."""


def product_kind(product: Product) -> str | None:
    """What the product is, as a shop would say it: "Laser and LED printers" -> "laser and LED printers"."""
    fields = {name.lower(): value for name, value in product.attributes.items()}
    value = next((fields[name] for name in KIND_FIELDS if fields.get(name)), None) or product.category
    if not value or isinstance(value, (bool, int, float)):
        return None
    kind = readable_value(value).split(">")[-1].strip()  # "Home > Office > Shelving" -> "Shelving"
    return " ".join(word.lower() if word[1:] == word[1:].lower() else word for word in kind.split()) or None


def opening_sentence(product: Product) -> str:
    """A sentence that names the product and, when the data says, what kind of product it is.

    Shoppers (and the human texts) start with what the thing is; a target without it teaches
    the model to open with a spec line ("The maximum print size is A4.").
    """
    title, kind = readable_value(product.title), product_kind(product)
    return f"The {title} is from our {kind} range." if kind else f"This is the {title}."


def plan_item(name: str, value: object) -> str:
    """One fact of the plan as the description should carry it: "voltage: 120 V", "no magnetic hook"."""
    label, text = label_and_unit(name, value)[0], fact_value(name, value)
    if isinstance(value, bool) or text.lower() in YES | NO:
        return f"{'no ' if (value is False or text.lower() in NO) else ''}{label}"
    return f"{label}: {text}"


def content_plan(product: Product) -> list[str]:
    """The key facts, in the order a description should state them."""
    return [plan_item(name, product.attributes[name]) for name in key_attributes(product)]
