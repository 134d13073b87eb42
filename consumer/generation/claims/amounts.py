"""Quantities, numbers and dates in a sentence, each bound to the attribute that holds it.

A quantity is supported when an attribute holds the same amount (quantities.agrees: any unit
of the same dimension, within the rounding its decimals allow). The words next to it may name
the attribute ("a *seat height* of 44 cm", "13 mm *chuck*", "45 cm *wide*"): then that
attribute must hold it, and a real value of another attribute is a contradiction ("an outer
diameter of 14 mm" for a bearing 14 mm wide), as is a measure given to a yes/no flag. A bare
number counts the noun after it ("12 glass *marbles*"). A date is compared at the precision
the text states ("March 2021" for 2021-03-15).
"""

from __future__ import annotations

import re

from lemminflect import getAllLemmas

from consumer.generation.claims.claim import Claim
from consumer.generation.claims.facts import Facts, dates_in
from consumer.generation.claims.framing import DIMENSIONS
from consumer.generation.claims.quantities import agrees, is_physical, known_unit, quantities
from consumer.generation.claims.words import forms, is_function_word, tokens


def measure_word_length(after: str) -> int:
    """Characters of a measure word right after a quantity ("45 cm *wide*", "1.5 m *long*"), part of its claim."""
    match = re.match(r"\s+(?:in\s+)?([a-z]+)", after, re.I)
    return match.end() if match and (match.group(1).lower() in DIMENSIONS or match.group(1).lower() == "overall") else 0


def date_claim(text: str, sentence: str, facts: Facts) -> Claim:
    said = dates_in(text, True)
    matching = [(p, d) for p, d in facts.dates if any(d.agrees(s) for s in said)]
    if matching:
        return Claim(text, "date", sentence, "supported", facts.attribute(matching[0][0]).name)
    verdict = "contradicted" if facts.dates else "unsupported"
    return Claim(text, "date", sentence, verdict, facts.attribute(facts.dates[0][0]).name if facts.dates else None)


BINDING_WORDS = frozenset({"of", "is", "are", "at", "to", "up", "about", "approx", "around", "rated", "a", "an", "the",
                           "its", "their", "with", "has", "have", "than", "just", "only", "for"})
"""Words between an attribute's name and the value a sentence gives it: "a width *of* 14 mm"."""


def _named_attributes(sentence: str, quantity, facts: Facts) -> list[int]:
    """Attributes the words next to a quantity name: "a *seat height* of 44 cm", "13 mm *chuck*", "45 cm *wide*".

    Before it, the name must end within the binding words right before the quantity; after it,
    the name must follow at once (the head of "80 mm throat depth"). Nothing across a comma,
    a conjunction or another quantity is a name of this one.
    """
    before_text = re.split(r"[,;:()]|\band\b|\bor\b|\d", sentence[:quantity.start])[-1]
    after_text = after_amount(sentence, quantity.end)
    before = [t.lower for t in tokens(before_text) if t.kind == "word"]
    while before and before[-1] in BINDING_WORDS:
        before.pop()
    after = []
    for token in tokens(after_text):
        if token.kind != "word" or token.lower in BINDING_WORDS:
            break
        after.append(token.lower)
    measures = {DIMENSIONS[w] for w in after[:1] + before[-1:] if w in DIMENSIONS}
    named = []
    for position, attribute in enumerate(facts.attributes):
        if attribute.pseudo or not attribute.name_words:
            continue
        names = attribute.name_words
        tail = before[-len(names) - 2:] if before else []
        ends_before = bool(before) and bool(forms(names[-1]) & forms(before[-1])) and all(
            any(forms(w) & forms(t) for t in tail) for w in names)
        starts_after = bool(after) and all(any(forms(w) & forms(t) for t in after) for w in names)
        if ends_before or ((starts_after or set(names) & measures) and attribute.flag is None):
            named.append(position)  # a flag names no amount after it ("2,000-watt ionic dryer")
    return named


def _numbers_of(attribute) -> set[float]:
    """Every number an attribute's value gives ("12 glass marbles (included)" -> 12)."""
    return {v for q in attribute.quantities for v in q.values} | {
        v for text in attribute.texts for n in re.findall(r"\d+(?:[.,]\d+)*", text) for v in quantities(n)[0].values}


def _counted_attributes(sentence: str, quantity, facts: Facts) -> dict[int, set[float]]:
    """Attributes that count what a bare number counts, with their counts of it: "12 glass *marbles*".

    The counted noun is the last word of the words right after the number. An attribute counts it
    when the noun is in its name ("60 pieces" for piece_count: 60), or when its value puts a number
    right before the noun ("12 glass marbles (included)"); "88 keys" is not counted by a value that
    only says "hammer action keys (3 sensors)".
    """
    glued = re.match(r"[\w-]", sentence[quantity.end:quantity.end + 1]) or re.search(r"[\w-]$", sentence[:quantity.start])
    if glued or quantity.values == (1.0,):
        return {}  # "6204-2RS", "LM-100", "6-in-1": part of a code, not a count
    after = []
    for token in tokens(after_amount(sentence, quantity.end)):
        if token.kind != "word" or is_function_word(token.lower):
            break
        if after and token.text.islower() and token.lower.endswith("ed") and set(getAllLemmas(token.lower)) <= {"VERB", "ADJ"}:
            break  # "2-4 players *aged* 10": a participle starts another phrase (a noun such as "seed" does not)
        after.append(token.lower)
    if not after:
        return {}
    noun = forms(after[-1])
    counted: dict[int, set[float]] = {}
    for position, attribute in enumerate(facts.attributes):
        if attribute.pseudo or not _numbers_of(attribute):
            continue
        if any(noun & forms(w) for w in attribute.name_words):
            counted[position] = _numbers_of(attribute)
            continue
        for text in attribute.texts:
            parts = tokens(text)
            for index, part in enumerate(parts):
                if part.kind == "number" and any(t.kind == "word" and noun & forms(t.lower) for t in parts[index + 1:index + 4]):
                    counted.setdefault(position, set()).update(v for q in quantities(part.text) for v in q.values)
    return counted


def after_amount(sentence: str, end: int) -> str:
    """The words right after an amount, up to the next punctuation, conjunction or number."""
    return re.split(r"[,;:()]|\band\b|\bor\b|\d", sentence[end:])[0]


def _qualifier(text: str) -> set[str]:
    """The words that say which part of a value an amount belongs to: "22 mm *heel*", "30 hours with *ANC off*".

    Content words, and a function word only right after one ("ANC *off*"): "on a single charge" or
    "with it on" name no part.
    """
    words: set[str] = set()
    previous_content = False
    for token in tokens(text):
        if token.kind != "word":
            previous_content = False
            continue
        content = not is_function_word(token.lower) and not known_unit(token.lower)
        if content or previous_content:
            words |= forms(token.lower) | {token.lower}
        previous_content = content
    return words


def _said_of_another_part(quantity, sentence: str, attribute) -> bool:
    """Whether the text gives this amount to the part of the value that holds another amount.

    A value can hold several amounts, each with its own words: "28 heel / 22 forefoot", "up to
    40 (ANC off), up to 30 (ANC on)". Each part (split at , ; /) with one amount is matched by the
    words that tell the parts apart ("heel", "off"); the text's words right after its amount,
    up to the next punctuation, say which part it means. "22 mm heel" gives the forefoot's amount
    to the heel: swapped, though both numbers are in the data.
    """
    parts = []
    for text in attribute.texts:
        for part in re.split(r"[,;/]", text):
            found = quantities(part)
            amounts = {v for q in found for v in q.values}
            if len(found) == 1 and amounts:
                parts.append((amounts, _qualifier(re.sub(r"\d+(?:[.,]\d+)*", " ", part))))  # digits out: "up to 40" names no part
    if len(parts) < 2:
        return False
    said = _qualifier(after_amount(sentence, quantity.end))
    shared = set.intersection(*(words for _, words in parts))
    telling = {w for w in said - shared if any(w in words for _, words in parts)}
    if not telling:
        return False
    meant = [amounts for amounts, words in parts if telling & words]
    holding = [amounts for amounts, _ in parts if set(quantity.values) & amounts]
    return bool(holding) and all(not set(quantity.values) & amounts for amounts in meant)


def quantity_claim(quantity, sentence: str, facts: Facts) -> Claim:
    kind = "quantity" if quantity.unit else "number"
    text = quantity.text
    if quantity.unit is None and len(quantity.values) == 1 and 1900 <= quantity.values[0] <= 2100 and facts.dates:
        year = int(quantity.values[0])
        matching = [p for p, d in facts.dates if d.year == year]
        if matching:
            return Claim(text, "date", sentence, "supported", facts.attribute(matching[0]).name)
    if quantity.unit and quantity.unit.startswith("~"):  # "32 teeth" for "11-32T": the data abbreviates the noun
        spelled_out = facts.abbreviation_holding(quantity.unit[1:], quantity.values)
        if spelled_out is not None:
            named = _named_attributes(sentence, quantity, facts)
            if not named or spelled_out in named:
                return Claim(text, kind, sentence, "supported", facts.attribute(spelled_out).name)
            # "a 32 tooth chainring" for cassette: 11-32T, chainring: 34T: the named part holds another count
            return Claim(text, "binding", sentence, "contradicted", facts.attribute(named[0]).name)
    matches = [p for p, data in facts.quantities if agrees(quantity, data)]
    if quantity.unit is None:
        counted = _counted_attributes(sentence, quantity, facts)
        if counted:  # "12 beech wood pieces" for piece_count: 60
            holding = [p for p, numbers in counted.items() if set(quantity.values) & numbers]
            if holding:
                return Claim(text, kind, sentence, "supported", facts.attribute(holding[0]).name)
            return Claim(text, "binding", sentence, "contradicted", facts.attribute(next(iter(counted))).name)
    named = _named_attributes(sentence, quantity, facts)
    if named:
        holding = [p for p in named if p in matches and not _said_of_another_part(quantity, sentence, facts.attribute(p))]
        if holding:
            return Claim(text, kind, sentence, "supported", facts.attribute(holding[0]).name)
        same_dimension = [p for p in named for q in facts.attribute(p).quantities if agrees(quantity, q) is False]
        if same_dimension:
            return Claim(text, "binding", sentence, "contradicted", facts.attribute(same_dimension[0]).name)
        flags = [p for p in named if facts.attribute(p).flag is not None]
        if flags and len(named) == len(flags):  # "a color scanning capacity of 1 kg": a flag holds no amount
            return Claim(text, "binding", sentence, "contradicted", facts.attribute(flags[0]).name)
    if matches:
        swapped = [p for p in matches if _said_of_another_part(quantity, sentence, facts.attribute(p))]
        if swapped and len(swapped) == len(matches):
            return Claim(text, "binding", sentence, "contradicted", facts.attribute(swapped[0]).name)
        return Claim(text, kind, sentence, "supported", facts.attribute(matches[0]).name)
    if quantity.unit is None or not is_physical(quantity.unit):
        if quantity.unit is None and (set(quantity.values) & facts.numbers or quantity.values == (1.0,)):
            return Claim(text, kind, sentence, "supported", None)
        unit_word = re.findall(r"[^\W\d_]+", quantity.text)
        if set(quantity.values) & facts.numbers and unit_word and facts.explain(unit_word[-1]):
            return Claim(text, kind, sentence, "supported", None)  # "72-tooth" for ratchet_teeth: 72
    same_number = [p for p, data in facts.quantities if set(quantity.values) & set(data.values) and data.unit and data.unit != quantity.unit]
    if same_number:  # the data gives this number with another unit
        return Claim(text, "quantity", sentence, "contradicted", facts.attribute(same_number[0]).name)
    return Claim(text, kind, sentence, "unsupported")
