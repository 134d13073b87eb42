"""Numbers and quantities the way people write them, compared by value (pint does the units).

"12 INCH", '12-inch' and '12"' are one quantity; "1.2 kg" is "1200 g"; "1,500 W" is 1500 W and
"2,5 kg" is 2.5 kg; "three hours" is 3 h; "2-5 m" is 2 m and 5 m. A claimed quantity is supported
when the data holds the same amount in any unit of the same dimension (within 1%); a claimed
number whose unit the data gives differently is a wrong *unit*, not a wrong number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# spelling in text -> pint unit (None: compare by name only, e.g. GB or persons)
UNIT_ALIASES: dict[str, str | None] = {
    "mm": "mm", "millimetre": "mm", "millimeter": "mm", "cm": "cm", "centimetre": "cm", "centimeter": "cm",
    "m": "m", "metre": "m", "meter": "m", "km": "km", "in": "inch", "inch": "inch", '"': "inch", "”": "inch",
    "″": "inch", "ft": "ft", "foot": "ft", "feet": "ft", "'": "ft", "g": "g", "gram": "g", "gramme": "g",
    "kg": "kg", "kilo": "kg", "kilogram": "kg", "mg": "mg", "lb": "lb", "lbs": "lb", "pound": "lb", "oz": "oz",
    "ounce": "oz", "t": "tonne", "tonne": "tonne", "ml": "ml", "millilitre": "ml", "milliliter": "ml", "cl": "cl",
    "dl": "dl", "l": "l", "litre": "l", "liter": "l", "w": "W", "watt": "W", "kw": "kW", "kilowatt": "kW",
    "v": "V", "volt": "V", "a": "A", "amp": "A", "ampere": "A", "ma": "mA", "mah": "mA*h", "ah": "A*h",
    "wh": "W*h", "kwh": "kW*h", "hz": "Hz", "khz": "kHz", "mhz": "MHz", "ghz": "GHz", "bar": "bar", "psi": "psi",
    "kpa": "kPa", "mpa": "MPa", "pa": "Pa", "n": "N", "kn": "kN", "nm": "N*m", "newton": "N", "°c": "degC",
    "ºc": "degC", "c": "degC", "°f": "degF", "f": "degF", "°": None, "degree": None,
    "h": "hour", "hr": "hour", "hour": "hour", "min": "minute", "minute": "minute", "s": "second", "sec": "second",
    "second": "second", "day": "day", "week": "week", "month": "month", "year": "year", "yr": "year",
    "rpm": "rpm", "lm": "lumen", "lumen": "lumen", "gallon": "gallon", "gal": "gallon", "quart": "quart",
    "fl oz": "floz", "mph": "mph", "km/h": "km/hour", "kmh": "km/hour", "kph": "km/hour", "m/s": "m/s", "db": None, "gb": None, "tb": None, "mb": None, "kb": None,
    "mp": None, "megapixel": None, "px": None, "pixel": None, "dpi": None, "ppm": None, "fps": None, "%": None,
    "pcs": None, "piece": None, "pack": None, "pair": None, "person": None, "people": None, "seater": None,
    "cup": None, "serving": None, "bag": None, "sheet": None, "kcal": None, "cal": None, "iu": None,
    "gsm": None, "g/m²": None, "g/m2": None,
}
_UNIT_WORDS = sorted({key for key in UNIT_ALIASES if key not in ('"', "”", "″", "'", "a")}, key=len, reverse=True)
_UNIT_PATTERN = "|".join(re.escape(u) + ("(?:e?s)?" if u.isalpha() and len(u) > 2 else "") for u in _UNIT_WORDS) + "|(?-i:A)"
NUMBER = r"\d+/\d+|\d+(?:[.,]\d+)*|\d*[½¼¾⅓]"
CHAIN = re.compile(rf"(?<![\w.,/])(?P<nums>(?:{NUMBER})(?:\s*(?:x|×|-|–|to)\s*(?:{NUMBER}))+)\s?-?\s?(?P<unit>{_UNIT_PATTERN})(?![a-z])", re.I)
QUANTITY = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s*(?:-|to|–|x|×)\s*(?P<num2>{NUMBER}))?"
    rf"(?:(?P<quote>[\"”″])|\s?-?\s?(?P<unit>{_UNIT_PATTERN})(?![a-z]))?",
    re.IGNORECASE,
)
SPELLED = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
    "dozen": 12, "half": 0.5, "single": 1, "double": 2, "twin": 2, "pair": 2,
}
SPELLED_QUANTITY = re.compile(
    rf"\b(?P<word>{'|'.join(SPELLED)})(?P<half>\s+and\s+a\s+half)?[\s-]+(?:an?\s+)?(?P<unit>{_UNIT_PATTERN})(?![a-z])", re.IGNORECASE
)
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3}


@dataclass(frozen=True)
class Quantity:
    text: str  # as written
    values: tuple[float, ...]  # every reading of the number ("1,500" -> 1500; "1,5" -> 1.5)
    unit: str | None  # the canonical alias target or the unit word itself


def number_readings(text: str) -> tuple[float, ...]:
    """Every value a written number can mean: thousands separators and decimal commas both."""
    if "/" in text:
        numerator, denominator = (int(part) for part in text.split("/"))
        return tuple(sorted({numerator / denominator if denominator else float("nan"), float(numerator), float(denominator)}))
    if text and text[-1] in FRACTIONS:
        return ((float(text[:-1]) if text[:-1] else 0.0) + FRACTIONS[text[-1]],)
    readings = set()
    plain = text.replace(",", "")
    if re.fullmatch(r"\d+(\.\d+)?", plain):
        readings.add(float(plain))
    if text.count(",") == 1 and "." not in text:
        readings.add(float(text.replace(",", ".")))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 1.500 as German thousands
        readings.add(float(text.replace(".", "")))
    return tuple(sorted(readings)) or (float("nan"),)


SAME_NAMED = {"g/m²": "gsm", "g/m2": "gsm", "°": "degree", "degree": "degree"}


def canonical_unit(word: str | None) -> str | None:
    """The pint unit, or "~name" for units pint doesn't measure (GB, persons): compared by name."""
    if not word:
        return None
    word = word.lower()
    for candidate in (word, word[:-2] if word.endswith("es") else None, word[:-1] if word.endswith("s") else None):
        if candidate and candidate in UNIT_ALIASES:
            return UNIT_ALIASES[candidate] or "~" + SAME_NAMED.get(candidate, candidate)
    return "~" + word


def quantities(text: str) -> list[Quantity]:
    """Every number in text with the unit written after it (a range or 'A x B x C cm' shares the unit)."""
    found = []
    for match in CHAIN.finditer(text):  # "80 x 30 x 180 cm", "2-5 m", "12 to 22 mm": every number gets the unit
        unit = canonical_unit(match.group("unit"))
        for number in re.findall(NUMBER, match.group("nums")):
            found.append(Quantity(match.group(0), number_readings(number), unit))
    rest = CHAIN.sub(lambda m: " " * len(m.group(0)), text)
    for match in QUANTITY.finditer(rest):
        unit = '"' if match.group("quote") else match.group("unit")
        if unit and unit.lower() == "in" and re.match(r"\s+[a-z]", rest[match.end():]):
            unit = None  # "5 in the box": a preposition, not inches
        canon = canonical_unit(unit)
        for key in ("num", "num2"):
            if match.group(key):
                found.append(Quantity(text[match.start():match.end()], number_readings(match.group(key)), canon))
    for match in SPELLED_QUANTITY.finditer(text):
        value = float(SPELLED[match.group("word").lower()]) + (0.5 if match.group("half") else 0.0)
        found.append(Quantity(match.group(0), (value,), canonical_unit(match.group("unit"))))
    return found


@cache
def _registry():
    import pint

    return pint.UnitRegistry()


def same_amount(value: float, unit: str, other_value: float, other_unit: str) -> bool | None:
    """True/False when both units are physical and comparable; None when pint can't compare them."""
    if unit == other_unit:
        return abs(value - other_value) <= 0.01 * max(abs(value), abs(other_value), 1e-9)
    try:
        registry = _registry()
        converted = registry.Quantity(other_value, other_unit).to(unit).magnitude
    except Exception:  # noqa: BLE001 - undefined or incompatible units: not comparable
        return None
    return abs(value - converted) <= 0.01 * max(abs(value), abs(converted), 1e-9)


def is_physical(unit: str | None) -> bool:
    return unit is not None and not unit.startswith("~")
