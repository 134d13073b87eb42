"""Numbers and quantities the way people write them, compared by value (pint does the units).

"12 INCH", '12-inch' and '12"' are one quantity; "1.2 kg" is "1200 g"; "1,500 W" is 1500 W and
"2,5 kg" is 2.5 kg; "three hours" is 3 h; "2-5 m" is 2 m and 5 m. A claimed quantity is supported
when the data holds the same amount in any unit of the same dimension, within 1% or the rounding
its written decimals allow (at most 5%); a claimed number whose unit the data gives
differently is a wrong *unit*, not a wrong number. Number words are numbers ("twenty-four",
"a dozen", "half a litre"; text2num does the arithmetic).
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
    "ounce": "oz", "tonne": "tonne", "ml": "ml", "millilitre": "ml", "milliliter": "ml", "cl": "cl",
    "dl": "dl", "l": "l", "litre": "l", "liter": "l", "w": "W", "watt": "W", "kw": "kW", "kilowatt": "kW",
    "v": "V", "volt": "V", "a": "A", "amp": "A", "ampere": "A", "ma": "mA", "mah": "mA*h", "ah": "A*h",
    "wh": "W*h", "kwh": "kW*h", "hz": "Hz", "khz": "kHz", "mhz": "MHz", "ghz": "GHz", "bar": "bar", "psi": "psi",
    "kpa": "kPa", "mpa": "MPa", "pa": "Pa", "n": "N", "kn": "kN", "nm": "N*m", "newton": "N", "°c": "degC",
    "ºc": "degC", "c": "degC", "°f": "degF", "f": "degF", "°": None, "degree": None,
    "h": "hour", "hr": "hour", "hour": "hour", "min": "minute", "minute": "minute", "s": "second", "sec": "second",
    "second": "second", "ms": "millisecond", "millisecond": "millisecond", "day": "day", "week": "week", "month": "month", "year": "year", "yr": "year",
    "rpm": "rpm", "lm": "lumen", "lumen": "lumen", "gallon": "gallon", "gal": "gallon", "quart": "quart",
    "fl oz": "floz", "mph": "mph", "km/h": "km/hour", "kmh": "km/hour", "kph": "km/hour", "m/s": "m/s", "db": None, "gb": None, "tb": None, "mb": None, "kb": None,
    "mp": None, "megapixel": None, "px": None, "pixel": None, "dpi": None, "ppm": None, "fps": None, "%": None,
    "pcs": None, "piece": None, "pack": None, "person": None, "persons": None, "people": None, "seater": None,
    "cup": None, "serving": None, "bag": None, "sheet": None, "kcal": None, "cal": None, "iu": None,
    "gsm": None, "g/m²": None, "g/m2": None,
    "µl": "microliter", "μl": "microliter", "ul": "microliter", "µm": "micrometer", "μm": "micrometer", "µg": "microgram",
    "μg": "microgram", "decibel": None, "ft-lb": "ft*lbf", "ft lb": "ft*lbf", "lb-ft": "ft*lbf", "in-lb": "inch*lbf",
    "ft-lbs": "ft*lbf", "teeth": None, "tooth": None, "pct": None, "percent": None, "calorie": None,
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
NUMBER_WORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
               r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million)")
SPELLED_NUMBER = re.compile(rf"(?<![\w])(?:(?P<dozen>(?:a\s+)?dozen)|{NUMBER_WORD}(?:(?:[\s-]+(?:and\s+)?){NUMBER_WORD})*)"
                            rf"(?P<half>\s+and\s+a\s+half)?(?![\w])|(?<![\w-])(?P<single>single)(?=\s+[a-z])", re.I)
HALF = re.compile(r"(?<![\w-])half(?:\s+an?(?=\s)|(?=-(?:inch|litre|liter|metre|meter)))", re.I)
ONE_UNIT = re.compile(r"(?<![\w-])an?(?:\s+(?:full|whole))?(?=\s+(?:kilo|kilogram|litre|liter|metre|meter|pound|gallon|ounce|hour|minute)s?\b)", re.I)
""""a kilo", "a full litre": one of the unit."""
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3}
HALF_DOZEN = re.compile(r"(?<![\w-])half\s+a\s+dozen(?![\w])", re.I)
UNIT_AND_A_HALF = re.compile(r"(?<![\w-])an?\s+(?P<unit>kilo|kilogram|litre|liter|metre|meter|pound|gallon|ounce|hour|minute|inch)s?\s+and\s+a\s+half\b", re.I)


@dataclass(frozen=True)
class Quantity:
    text: str  # as written
    values: tuple[float, ...]  # every reading of the number ("1,500" -> 1500; "1,5" -> 1.5)
    unit: str | None  # the canonical alias target or the unit word itself
    start: int = -1  # where it stands in the text it was read from
    end: int = -1
    places: int = 0  # decimals written: "4.4 lb" says 4.35 to 4.45, "12 oz" 11.5 to 12.5
    approximate: bool = False  # "about 20.7 lb", "roughly 30 to 155 ft-lb": within 10%
    bound: str | None = None  # "under an ounce" (at most), "over 40 hours" (at least)


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


def _places(number: str) -> int:
    match = re.search(r"[.,](\d{1,2})$", number)
    return len(match.group(1)) if match and not re.fullmatch(r"\d{1,3}(,\d{3})+", number) else 0


SAME_NAMED = {"g/m²": "gsm", "g/m2": "gsm", "°": "degree", "degree": "degree", "people": "person", "persons": "person",
              "db": "decibel", "tooth": "teeth", "pct": "%", "percent": "%", "calorie": "kcal", "cal": "kcal"}


def canonical_unit(word: str | None) -> str | None:
    """The pint unit, or "~name" for units pint doesn't measure (GB, persons): compared by name."""
    if not word:
        return None
    word = word.lower()
    for candidate in (word, word[:-2] if word.endswith("es") else None, word[:-1] if word.endswith("s") else None):
        if candidate and candidate in UNIT_ALIASES:
            return UNIT_ALIASES[candidate] or "~" + SAME_NAMED.get(candidate, candidate)
    return "~" + word


def known_unit(word: str) -> str | None:
    """The canonical unit of a word quantities.py knows as one ("years" -> year, "nm" -> N*m), else None."""
    word = word.lower()
    for candidate in (word, word[:-2] if word.endswith("es") else None, word[:-1] if word.endswith("s") else None):
        if candidate and candidate in UNIT_ALIASES and (candidate == word or len(candidate) > 1):  # "fs" is no plural of °F
            return canonical_unit(candidate)
    return None


def _digits_for_words(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with number words written as digits, right-aligned in the same span ("twenty-four" -> "         24").

    Same length, so every match in it is a span of the original text (the spans replaced come
    with it, to widen a match back to the whole words); text2num does the arithmetic.
    """
    from text_to_num import text2num

    replaced: list[tuple[int, int]] = []

    def digits(match: re.Match) -> str:
        words = match.group(0)
        try:
            if match.group("dozen"):
                value = 12.0
            elif match.group("single"):
                value = 1.0
            else:
                value = float(text2num(re.sub(r"[\s-]+", " ", words.replace(match.group("half") or "\0", "")).strip(), "en"))
        except ValueError:
            return words
        if match.group("half"):
            value += 0.5
        written = f"{value:g}"
        if len(written) > len(words):
            return words
        replaced.append((match.start(), match.end()))
        return written.rjust(len(words))

    def half(match: re.Match) -> str:
        replaced.append((match.start(), match.end()))
        return "0.5".rjust(len(match.group(0)))

    text = HALF_DOZEN.sub(lambda m: (replaced.append((m.start(), m.end())), "6".rjust(len(m.group(0))))[1], text)
    text = SPELLED_NUMBER.sub(digits, text)
    text = UNIT_AND_A_HALF.sub(lambda m: (replaced.append((m.start(), m.end())), f"1.5 {m.group('unit')}".rjust(len(m.group(0))))[1], text)
    text = HALF.sub(half, text)
    return ONE_UNIT.sub(lambda m: (replaced.append((m.start(), m.end())), "1".rjust(len(m.group(0))))[1], text), replaced


MEASURE_WORD = re.compile(r"\s+(?:thick|wide|long|tall|high|deep|across|in\s+diameter)\b", re.I)


def has_sign(text: str, start: int) -> bool:
    """Whether a minus stands before the number at start on its own: "-20 °C", "from −4 °F", "to –10 °C".

    Not in a range or a code ("2-5 m", "PF-08", a loose "36 -46"), where the dash follows a word or a number.
    """
    return (start >= 1 and text[start - 1] in "-−–" and (start == 1 or text[start - 2] in " \t([:=/")
            and not re.search(r"\d\s*$", text[:start - 1]))


def signed(text: str, start: int, readings: tuple[float, ...]) -> tuple[float, ...]:
    """The readings, negative when a minus stands before the number (has_sign)."""
    return tuple(-value for value in readings) if has_sign(text, start) else readings


def quantities(text: str) -> list[Quantity]:
    """Every number in text with the unit written after it (a range or 'A x B x C cm' shares the unit).

    Number words count ("three hours", "a dozen", "half a litre"); each quantity keeps its span.
    """
    shadow, replaced = _digits_for_words(text)

    def widened(start: int) -> int:
        return next((a for a, b in replaced if a <= start < b), start)

    def widened_end(end: int) -> int:
        return next((b for a, b in replaced if a < end <= b), end)

    found = []
    for match in CHAIN.finditer(shadow):  # "80 x 30 x 180 cm", "2-5 m", "12 to 22 mm": every number gets the unit
        unit = canonical_unit(match.group("unit"))
        for index, number in enumerate(re.findall(NUMBER, match.group("nums"))):
            start, end = widened(match.start()), widened_end(match.end())
            readings = signed(text, match.start(), number_readings(number)) if index == 0 else number_readings(number)
            start = start - 1 if has_sign(text, start) else start  # the claim reads "-20 °C", not "20 °C"
            found.append(Quantity(text[start:end].strip(), readings, unit, start, end, _places(number)))
    rest = CHAIN.sub(lambda m: " " * len(m.group(0)), shadow)
    for match in QUANTITY.finditer(rest):
        unit = '"' if match.group("quote") else match.group("unit")
        if unit and unit.lower() == "in" and re.match(r"\s+[a-z]|-", rest[match.end():]) and not MEASURE_WORD.match(rest[match.end():]):
            unit = None  # "5 in the box", "4-in-1": a preposition, not inches ("0.7 in thick" is inches)
        if unit == "A" and re.match(r"\s+[a-z]", rest[match.end():]) and match.group(0).endswith(" A"):
            unit = None
        canon = canonical_unit(unit)
        start, end = widened(match.start()), widened_end(match.end())
        written = text[start:end].strip()
        if has_sign(text, start):
            start -= 1
            written = text[start:end].strip()
        for key in ("num", "num2"):
            if match.group(key):
                readings = number_readings(match.group(key))
                readings = signed(text, match.start(key), readings) if key == "num" else readings
                found.append(Quantity(written, readings, canon, start, end, _places(match.group(key))))
    return [_qualified(text, quantity) for quantity in _compounded(text, found)]


COMPOUND_UNITS = frozenset({("day", "hour"), ("hour", "minute"), ("minute", "second"), ("ft", "inch"), ("lb", "oz")})
"""Units English writes one amount in two of (never metric: "10 cm and 5 mm" are two measures)."""


def _compounded(text: str, found: list[Quantity]) -> list[Quantity]:
    """Amounts written in two units as one: "an hour and twenty minutes" is 80 minutes, "5 ft 10 in" 70 inches."""
    ordered = sorted(found, key=lambda q: q.start)
    merged: list[Quantity] = []
    for quantity in ordered:
        last = merged[-1] if merged else None
        if (last is not None and len(last.values) == 1 and len(quantity.values) == 1 and (last.unit, quantity.unit) in COMPOUND_UNITS
                and 0 <= quantity.start - last.end <= 5
                and re.fullmatch(r"\s*(?:and\s+)?", text[last.end:quantity.start])):
            larger = convert(last.values[0], last.unit, quantity.unit)
            if larger is not None and larger > quantity.values[0]:
                merged[-1] = Quantity(text[last.start:quantity.end], (larger + quantity.values[0],), quantity.unit,
                                      last.start, quantity.end, quantity.places)
                continue
        merged.append(quantity)
    return merged


APPROXIMATE = re.compile(r"\b(?:about|around|roughly|approx\.?|approximately|circa|ca\.|nearly|almost|some|just over|just under)\s*$", re.I)
AT_MOST = re.compile(r"\b(?:under|below|less than|at most|no more than|lighter than|<)\s*$", re.I)
AT_LEAST = re.compile(r"\b(?:over|above|more than|at least|no less than|>|min\.?|minimum)\s*$", re.I)


def _qualified(text: str, quantity: Quantity) -> Quantity:
    """The quantity with the hedge or bound written before it: "about 20.7 lb", "under an ounce"."""
    before = re.sub(r"[-−–]\s*$", "", text[max(0, quantity.start - 20):quantity.start])  # "below -15 °C"
    bound = "most" if AT_MOST.search(before) else "least" if AT_LEAST.search(before) else None
    approximate = bool(APPROXIMATE.search(before))
    if not (bound or approximate):
        return quantity
    return Quantity(quantity.text, quantity.values, quantity.unit, quantity.start, quantity.end, quantity.places, approximate, bound)


@cache
def _registry():
    import pint

    return pint.UnitRegistry()


def convert(value: float, unit: str, to_unit: str) -> float | None:
    """value in unit, expressed in to_unit; None when pint can't compare the two."""
    if unit == to_unit:
        return value
    try:
        return _registry().Quantity(value, unit).to(to_unit).magnitude
    except Exception:  # noqa: BLE001 - undefined or incompatible units: not comparable
        return None


def same_amount(value: float, unit: str, other_value: float, other_unit: str, places: int | None = None,
                approximate: bool = False, bound: str | None = None) -> bool | None:
    """True/False when both units are physical and comparable; None when pint can't compare them.

    The first amount is the one a text wrote. Within 1% always; with ``places`` (the decimals it
    wrote) also within the rounding those decimals allow ("12 oz" for 340 g = 11.99 oz, "4.4 lb"
    for 2 kg), but never more than 5% off ("1 kg" is no rounding of 1.4 kg).
    """
    converted = convert(other_value, other_unit, unit)
    if converted is None:
        return None
    if bound == "most":
        return converted <= value * 1.01
    if bound == "least":
        return converted >= value * 0.99
    tolerance = (0.10 if approximate else 0.01) * max(abs(value), abs(converted), 1e-9)
    if places is not None:
        tolerance = max(tolerance, min(0.5 * 10 ** -places, 0.05 * abs(converted)))
    return abs(value - converted) <= tolerance + 1e-12


def agrees(claimed: Quantity, data: Quantity) -> bool | None:
    """Whether a claimed quantity states the data's amount (None: different dimensions or no units)."""
    if claimed.unit and data.unit and is_physical(claimed.unit) and is_physical(data.unit):
        verdicts = [same_amount(v, claimed.unit, o, data.unit, claimed.places, claimed.approximate, claimed.bound)
                    for v in claimed.values for o in data.values]
        return None if all(v is None for v in verdicts) else any(verdicts)
    if claimed.unit and claimed.unit == data.unit:
        if claimed.bound == "most":
            return any(o <= v for v in claimed.values for o in data.values)
        if claimed.bound == "least":
            return any(o >= v for v in claimed.values for o in data.values)
        return bool(set(claimed.values) & set(data.values))
    degrees = {"~degree", "degC", "degF"}
    if claimed.unit in degrees and data.unit in degrees and "~degree" in (claimed.unit, data.unit):
        return bool(set(claimed.values) & set(data.values))  # "30 degrees" for "30 °C", "360°" for "360 degrees"
    return None


def is_physical(unit: str | None) -> bool:
    return unit is not None and not unit.startswith("~")


NAME_QUALIFIERS = frozenset({"fs", "max", "min", "net", "rms", "avg", "nom", "approx"})
"""Words after a unit in an attribute's name that qualify the amount, not its unit: accuracy_pct_fs, power_w_max."""
PERIOD_WORDS = frozenset({"s", "sec", "min", "h", "hr", "hour", "day", "week", "month", "year"})


def name_unit(name: str) -> str | None:
    """The unit an attribute's name gives its bare numbers.

    Its last word ("weight_g"); a unit before "per" when what follows is a portion, not a period
    ("energy_kcal_per_bar" is kcal, "protein_g_per_serving" g, but "flow_l_per_min" is a rate and
    has none); the unit before a qualifier ("accuracy_pct_fs"); or two words that are one unit
    ("breathability_g_m2_24h": g/m2). Never a word that is also a preposition ("size_in_uk").
    """
    words = [w for w in re.split(r"[\s_()\[\]]+", name) if w]
    if len(words) < 2:
        return None
    lowered = [w.lower() for w in words]
    if "per" in lowered[1:]:
        at = lowered.index("per", 1)
        after = lowered[at + 1] if at + 1 < len(lowered) else ""
        if at > 1 and known_unit(words[at - 1]) and lowered[at - 1] != "in" and after not in PERIOD_WORDS:
            return words[at - 1]
        if after in PERIOD_WORDS:
            return None
    if known_unit(words[-1]):
        return words[-1]
    if len(words) > 2 and lowered[-1] in NAME_QUALIFIERS and known_unit(words[-2]) and lowered[-2] != "in":
        return words[-2]
    for first, second in zip(words[1:], words[2:]):  # "breathability_g_m2_24h": g/m2
        if known_unit(f"{first}/{second}"):
            return f"{first}/{second}"
    return None
