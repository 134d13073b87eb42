"""What a product's data says, indexed so a claim can be aligned to the attribute that explains it.

The data is the title, brand, category, keywords and every attribute. Each attribute keeps
its name words (a unit suffix such as ``weight_g`` becomes the unit of its bare numbers, not a
word), its value words, and what kind of fact it is: a yes/no flag (true or false), quantities,
dates, countries (an ISO code explains the country's name and demonym), a hedge ("may contain
traces of nuts") or a denial written in words ("Not microwave safe.", "3 x AAA (not included)").
Every word is indexed by all its forms (words.forms), so "folds" finds "foldable".
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from consumer.generation.claims.countries import country_words
from consumer.generation.claims.quantities import Quantity, canonical_unit, known_unit, name_unit, number_readings, quantities, signed

from consumer.generation.claims.words import HEDGES, NEGATORS, closed_compound_heads, compound_splits, forms, is_function_word, tokens
from schemas.events import Product

YES = {"yes", "true", "y", "ja", "oui", "included", "supported", "available"}
NO = {"no", "false", "n", "none", "nein", "non", "not included", "n/a", "without", "not available", "not supported", "-"}

ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)(?:-(?P<month>[01]\d)(?:-(?P<day>[0-3]\d))?)?\b")
MONTHS = {name.lower(): index for index, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"], 1)}
MONTHS.update({name[:3]: index for name, index in list(MONTHS.items())} | {"sept": 9})
TEXT_DATE = re.compile(rf"\b(?:(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+)?(?P<month>{'|'.join(sorted(MONTHS, key=len, reverse=True))})\.?"
                       rf"(?:\s+(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?,?)?\s+(?P<year>(?:19|20)\d\d)\b", re.I)
DATE_NAME = re.compile(r"date|released?|launch|year|season|collection", re.I)
DENIAL = re.compile(r"\b(?:not|no|non|without|never)\b[\s-]+(?P<what>[^.;,()]+)", re.I)
PSEUDO = ("title", "brand", "category", "keywords")
GLUED_LETTERS = re.compile(r"(?<![\w.,])(?:(?P<first>\d+)[-–])?(?P<last>\d+)(?P<letters>[A-Za-z]{1,2})\b")
""""11-32T", "20D": a number (or range) with an abbreviation glued on."""


@dataclass(frozen=True)
class Date:
    year: int
    month: int | None = None
    day: int | None = None

    def agrees(self, other: Date) -> bool:
        """Same year, and same month and day where both state them."""
        return (self.year == other.year and (self.month is None or other.month is None or self.month == other.month)
                and (self.day is None or other.day is None or self.day == other.day))


def dates_in(text: str, dated_attribute: bool) -> list[Date]:
    found = [Date(int(m["year"]), MONTHS[m["month"].lower().rstrip(".")], int(m["day"] or m["day2"]) if (m["day"] or m["day2"]) else None)
             for m in TEXT_DATE.finditer(text)]
    for match in ISO_DATE.finditer(text):
        if match["month"] or dated_attribute:
            try:
                date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
            except ValueError:
                continue
            found.append(Date(int(match["year"]), int(match["month"]) if match["month"] else None, int(match["day"]) if match["day"] else None))
    return found


def value_texts(value) -> list[str]:
    if isinstance(value, list):
        return [html.unescape(str(item)) for item in value]
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, float) and value.is_integer():
        return [str(int(value))]
    return [html.unescape(str(value))]


def content_words(text: str) -> list[str]:
    return [t.lower for t in tokens(text) if t.is_content]


@dataclass
class Attribute:
    """One attribute (or the title, brand, category, keywords) as the checker sees it."""

    name: str
    texts: list[str]
    pseudo: bool = False
    name_words: list[str] = field(default_factory=list)
    unit: str | None = None

    def __post_init__(self):
        if not self.pseudo:
            bare = self.name.strip()
            numeric = any(re.search(r"\d", t) for t in self.texts)
            unit = name_unit(bare) if numeric else None
            if unit:
                self.unit = unit  # weight_g: 340, wheel_size_in: 29, energy_kcal_per_bar; "Total megapixels" keeps its word
                for part in unit.split("/"):
                    if len(part) <= 3:
                        bare = re.sub(rf"(?:^|[\s_(\[]){re.escape(part)}(?=$|[\s_)\]])", " ", bare, count=1)
            self.name_words = [w for w in content_words(bare.replace("_", " ")) if w not in {"is", "has"}]

    @cached_property
    def flag(self) -> bool | None:
        """True/False for a yes/no attribute ("Bluetooth: yes", "energy_monitoring: false", "lining: none")."""
        if self.pseudo or len(self.texts) != 1:
            return None
        text = self.texts[0].strip().lower().rstrip(".")
        return True if text in YES else False if text in NO else None

    @cached_property
    def value_words(self) -> list[str]:
        if self.flag is not None:
            return []
        return [w for text in self.texts for w in content_words(text)]

    @cached_property
    def name_forms(self) -> frozenset[str]:
        return frozenset(f for w in self.name_words for f in forms(w))

    @cached_property
    def value_forms(self) -> frozenset[str]:
        found = {f for w in self.value_words for f in forms(w)}
        for text in self.texts:
            found |= country_words(text, self.name)
        return frozenset(found)

    @cached_property
    def quantities(self) -> list[Quantity]:
        found = [q for text in self.texts for q in quantities(text)]
        if self.unit:  # every number the value gives without a unit of its own: "28 heel / 22 forefoot" in stack_height_mm
            for text in self.texts:
                own = [q for q in quantities(text) if q.unit]
                for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
                    if not any(q.start <= match.start() < q.end for q in own):
                        readings = signed(text, match.start(), number_readings(match.group(0)))
                        found.append(Quantity(match.group(0), readings, canonical_unit(self.unit)))
        return found

    @cached_property
    def dates(self) -> list[Date]:
        return [d for text in self.texts for d in dates_in(text, bool(DATE_NAME.search(self.name)))]

    @cached_property
    def hedged_forms(self) -> frozenset[str]:
        """Forms of the words the value says only under a hedge: "contains almonds; *may contain traces of peanuts*"."""
        hedged, plain = set(), set()
        for text in self.texts:
            for clause in re.split(r"[;.,(]|\bbut\b", text):
                words = {f for w in content_words(clause) for f in forms(w)}
                (hedged if set(re.findall(r"[a-z]+", clause.lower())) & HEDGES else plain).update(words)
        return frozenset(hedged - plain)

    @cached_property
    def absence_word(self) -> str | None:
        """"free" of ``nickel_free``, "less" of ``sugar_less``: a yes/no name whose yes means the thing is absent."""
        return self.name_words[-1] if self.flag is not None and len(self.name_words) > 1 and self.name_words[-1] in ("free", "less") else None

    def denies(self, said: set[str]) -> bool:
        """Whether this yes/no attribute denies what a run saying these word forms asserts.

        ``energy_monitoring: no`` denies "energy monitoring"; ``nickel_free: yes`` denies "nickel"
        but not "nickel-free", and ``nickel_free: no`` denies "nickel-free".
        """
        if self.flag is None:
            return False
        if self.absence_word and not forms(self.absence_word) & said:
            return self.flag is True
        return self.flag is False

    @cached_property
    def denials(self) -> list[frozenset[str]]:
        """What the value denies in words: "Not microwave safe." -> {microwave, safe}."""
        found = []
        for text in self.texts:
            for match in DENIAL.finditer(text):
                words = [w for w in content_words(match.group("what")) if w not in NEGATORS]
                if words:
                    found.append(frozenset(words))
        return found

    @cached_property
    def conditions(self) -> list[frozenset[str]]:
        """Denials that are the condition of a measure, not of the product: ``weight_kg: 2.6 (without battery)``.

        Only "without"/"excluding" in brackets: "18 (not included)" in ``battery_v`` still denies.

        They support "weighs 2.6 kg without the battery" but contradict nothing ("battery-powered")."""
        if not self.unit:
            return []
        inside = [m.group(0) for text in self.texts for m in re.finditer(r"\(\s*(?:without|excl\.?|excluding|w/o)\b[^)]*\)", text, re.I)]
        return [denial for denial in self.denials if any(denial <= set(content_words(part)) for part in inside)]

    @property
    def label(self) -> str:
        return self.name


class Facts:
    """The product's data, indexed once per product, asked many times."""

    def __init__(self, product: Product):
        self.product = product
        self.attributes: list[Attribute] = []
        for name, value in (("title", product.title), ("brand", product.brand), ("category", product.category)):
            if value:
                self.attributes.append(Attribute(name, [html.unescape(value)], pseudo=True))
        if product.keywords:
            self.attributes.append(Attribute("keywords", [html.unescape(k) for k in product.keywords], pseudo=True))
        for name, value in product.attributes.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            self.attributes.append(Attribute(html.unescape(name), value_texts(value)))
        self.index: dict[str, set[tuple[int, str]]] = {}
        for position, attribute in enumerate(self.attributes):
            for form in attribute.name_forms:
                self.index.setdefault(form, set()).add((position, "name"))
            for form in attribute.value_forms:
                self.index.setdefault(form, set()).add((position, "value"))
        joined = {}
        for position, attribute in enumerate(self.attributes):  # "wi fi" explains "wifi", "non-stick" "nonstick"
            for words, role in ((attribute.name_words, "name"), (attribute.value_words, "value")):
                for first, second in zip(words, words[1:]):
                    joined.setdefault(first + second, set()).add((position, role))
        self.joined = joined
        self.compact = re.sub(r"[\s_-]+", "", "\n".join(t for a in self.attributes for t in a.texts + [a.name]).lower())

    def _direct(self, word: str) -> set[tuple[int, str]]:
        found: set[tuple[int, str]] = set()
        for form in forms(word):
            found |= self.index.get(form, set())
        return found or set(self.joined.get(word.lower(), set()))

    def explain(self, word: str) -> set[tuple[int, str]]:
        """The (attribute position, "name" | "value") pairs a text word is explained by."""
        found = self._direct(word)
        if not found and re.search(r"\d", word) and word.lower() in self.compact:  # "G1" of "G 1/4", "6204" of "6204-2RS"
            found = {(p, "value") for p, a in enumerate(self.attributes) if word.lower() in re.sub(r"[\s_-]+", "", " ".join(a.texts).lower())}
        if not found and len(word) >= 3:  # "fly" for "flysheet", "arms" for "armrests": a component of a data compound
            found = {pair for form in forms(word) if len(form) >= 3 for pair in self.compound_parts.get(form, ())}
        if not found and 8 <= len(word) <= 40:  # "fingerboard" for "finger board": two data words, one level deep
            for cut in range(4, len(word) - 3):
                left = self._direct(word[:cut])
                right = left and not is_function_word(word[cut:]) and self._direct(word[cut:])
                if right:
                    return left | right
        return found

    def explain_pair(self, first: str, second: str) -> set[tuple[int, str]]:
        """Two text words the data writes as one ("e-bikes" for "ebike", "finger board")."""
        found: set[tuple[int, str]] = set(self.joined.get((first + second).lower(), set()))
        for form in forms((first + second).lower()):
            found |= self.index.get(form, set())
        return found

    @cached_property
    def compound_parts(self) -> dict[str, set[tuple[int, str]]]:
        """The first part of each data word that is two English words ("fly" of flysheet, "arm" of armrests)."""
        parts: dict[str, set[tuple[int, str]]] = {}
        for position, role, word in self._data_words():
            for head, _ in compound_splits(word):
                for form in forms(head):
                    parts.setdefault(form, set()).add((position, role))
        return parts

    @cached_property
    def compound_tails(self) -> dict[str, set[tuple[int, str]]]:
        """The last part of each data word that is two English words ("board" of fingerboard)."""
        tails: dict[str, set[tuple[int, str]]] = {}
        for position, role, word in self._data_words():
            for tail in closed_compound_heads(word):
                tails.setdefault(tail, set()).add((position, role))
        return tails

    def _data_words(self):
        """Every name and value word of the data, with its attribute's position and role."""
        for position, attribute in enumerate(self.attributes):
            for words, role in ((attribute.name_words, "name"), (attribute.value_words, "value")):
                for word in words:
                    yield position, role, word

    def explain_by_head(self, word: str, neighbours: set[int]) -> set[tuple[int, str]]:  # neighbours: attributes whose values the run says
        """A compound that shares its head with an attribute's name when the rest of its run is that attribute's value.

        "Indian laurel *fretboard*" for ``fingerboard: Indian laurel``: "fret|board" is taken for the
        same kind of board as "finger|board" because the values agree. Without that agreement the head
        alone proves nothing ("keyboard" is no fingerboard); with it, a different board of the same
        wood still passes ("walnut soundboard" for ``fingerboard: walnut``), and a yes/no attribute
        never lends its name ("shockproof case" for ``waterproof: yes``).
        """
        return {(position, role) for tail in closed_compound_heads(word.lower()) for position, role in self.compound_tails.get(tail, ())
                if position in neighbours and role == "name" and not self.attributes[position].pseudo
                and self.attributes[position].flag is None}

    @cached_property
    def acronyms(self) -> dict[str, set[tuple[int, str]]]:
        """Initials of the data's phrases ("active noise cancelling" -> anc) and its capitalised codes (ANC)."""
        found: dict[str, set[tuple[int, str]]] = {}
        for position, attribute in enumerate(self.attributes):
            for words, role in ((attribute.name_words, "name"), *((content_words(t), "value") for t in attribute.texts)):
                if len(words) >= 2:
                    found.setdefault("".join(w[0] for w in words), set()).add((position, role))
        return found

    def explain_initials(self, words: list[str]) -> set[tuple[int, str]]:
        """Words whose initials spell an acronym of the data, or an acronym that spells the data's words.

        Whole acronyms of three to five letters only: part of one ("noise cancelling" for ANC) or a
        two-letter one ("AC", "OD") matches too many phrases by chance ("fast charging" for NFC).
        """
        if len(words) >= 2:  # "active noise cancelling" for anc: true
            initials = "".join(w[0].lower() for w in words)
            return set(self.index.get(initials, set())) if len(initials) >= 3 else set()
        word = words[0]  # "ANC" for "active noise cancelling"
        if word.isupper() and 3 <= len(word) <= 5:
            return set(self.acronyms.get(word.lower(), set()))
        return set()

    @cached_property
    def quantities(self) -> list[tuple[int, Quantity]]:
        return [(position, q) for position, attribute in enumerate(self.attributes) for q in attribute.quantities]

    @cached_property
    def numbers(self) -> set[float]:
        numbers = {value for _, quantity in self.quantities for value in quantity.values}
        for attribute in self.attributes:
            if not attribute.pseudo and len(attribute.texts) > 1:
                numbers.add(float(len(attribute.texts)))  # "three modes" for a list of three
            elif not attribute.pseudo and attribute.texts and ", " in attribute.texts[0] and not re.search(r"\d", attribute.texts[0]):
                numbers.add(float(len(attribute.texts[0].split(", "))))
        return numbers

    @cached_property
    def dates(self) -> list[tuple[int, Date]]:
        return [(position, d) for position, attribute in enumerate(self.attributes) for d in attribute.dates]

    @cached_property
    def abbreviated_counts(self) -> list[tuple[int, str, set[float]]]:
        """Numbers the data writes with a letter glued on that is no unit: "11-32T" (teeth), "20D" (denier).

        The letters abbreviate what the number counts, so "32 teeth" or "11-32 tooth" in a text is
        the data's "11-32T" spelled out: (attribute position, the letters, the numbers they follow).
        """
        found = []
        for position, attribute in enumerate(self.attributes):
            for text in attribute.texts:
                for match in GLUED_LETTERS.finditer(text):
                    if known_unit(match["letters"]):
                        continue
                    numbers = {v for part in (match["first"], match["last"]) if part for v in number_readings(part)}
                    found.append((position, match["letters"].lower(), numbers))
        return found

    def abbreviation_holding(self, noun: str, values: tuple[float, ...]) -> int | None:
        """The attribute whose glued letters abbreviate this counted noun and hold these numbers ("32 teeth" for "11-32T")."""
        for position, letters, numbers in self.abbreviated_counts:
            if noun.lower().startswith(letters) and set(values) <= numbers and not self.attributes[position].pseudo:
                return position  # never the title's: "Base Camp 6P" is no 6-pack
        return None

    def attribute(self, position: int) -> Attribute:
        return self.attributes[position]

    def attribute_named(self, name: str) -> Attribute:
        return next(attribute for attribute in self.attributes if attribute.name == name)
