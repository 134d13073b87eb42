"""One claim checker: every claim of a text, aligned to the product's data, with a verdict.

Used by the serving guard, the decode-time bans, the sentence reduction, the trainer's target
reduction, the evaluator and `copydesk check`, so "grounded" means one thing everywhere.

It works from the data's side, in a closed world: each sentence is split into claims
(quantities, dates, and runs of content words; clauses.py), and each claim is aligned to the
attribute that can explain it (facts.py). Three verdicts:
- ``supported``, with the attribute it aligned to;
- ``contradicted``: the data says otherwise: a false flag stated as present (or a true one
  denied), a denial the data writes in words, another value for the same attribute, one
  attribute's value said of another, a hedge dropped ("may contain" -> "contains"), "all" for
  a list the data gives;
- ``unsupported``: nothing in the data explains it. No list names what may not be said: a
  content word the data cannot explain is unsupported, whatever it is. Only the framing
  vocabulary (framing.py) is allowed without the data.
"""

from __future__ import annotations

import re
from collections import Counter

from consumer.generation.claims.amounts import date_claim, measure_word_length, quantity_claim
from consumer.generation.claims.claim import KINDS, VERDICTS, Claim
from consumer.generation.claims.clauses import clauses
from consumer.generation.claims.facts import DENIAL, TEXT_DATE, Facts
from consumer.generation.claims.phrases import explanations, run_claim, without_binding_verbs
from consumer.generation.claims.framing import measures
from consumer.generation.claims.quantities import Quantity, quantities
from consumer.generation.claims.words import HEDGES, is_function_word, tokens
from consumer.generation.sentences import split_sentences
from schemas.events import Product

__all__ = ["KINDS", "VERDICTS", "Claim", "extract_claims", "unsupported_claims", "unsupported_phrases"]
BARE_NUMBER = re.compile(r"[^A-Za-z]*\d[^A-Za-z]*")
"""A sentence of digits and no word ("29."): a number that says what it counts nowhere."""
PERIODS = frozenset({"second", "minute", "hour", "day", "week"})


def extract_claims(text: str, product: Product, facts: Facts | None = None) -> list[Claim]:
    """Every claim of every sentence of text, in order, judged against the product's data."""
    facts = facts or Facts(product)
    return [claim for sentence in split_sentences(text) for claim in sentence_claims(sentence, facts)]


def unsupported_claims(text: str, product: Product) -> list[Claim]:
    """The claims that are not supported: unsupported and contradicted ones."""
    return [claim for claim in extract_claims(text, product) if not claim.supported]


def sentence_claims(sentence: str, facts: Facts) -> list[Claim]:
    if BARE_NUMBER.fullmatch(sentence):
        return [Claim(sentence.strip(" .!?"), "number", sentence, "unsupported")]
    claims: list[tuple[int, Claim]] = []
    taken: list[tuple[int, int]] = []
    supported_starts: list[int] = []
    measured: list[tuple[int, int, Quantity, Claim]] = []  # supported quantities: what a label beside one names
    for match in TEXT_DATE.finditer(sentence):
        claim = date_claim(match.group(0), sentence, facts)
        claims.append((match.start(), claim))
        taken.append(match.span())
        if claim.supported:
            supported_starts.append(match.start())
    hedged = any(t.lower in HEDGES for t in tokens(sentence))
    for quantity in quantities(sentence):
        if any(a <= quantity.start < b for a, b in taken):
            continue
        if quantity.unit in PERIODS and any(sentence[b:quantity.start] == "/" for a, b in taken):
            taken.append((quantity.start, quantity.end))  # "8000 g/m²/24h": the rate's period, part of the amount before it
            continue
        claim = quantity_claim(quantity, sentence, facts)
        claims.append((quantity.start, claim))
        end = quantity.end + measure_word_length(sentence[quantity.end:])
        taken.append((quantity.start, end))
        if claim.supported:
            supported_starts.append(quantity.start)
            measured.append((quantity.start, end, quantity, claim))
    pair_words = {w for a in facts.attributes for w in a.value_words + a.name_words}
    for clause in clauses(sentence, taken, pair_words):
        explained = [explanations(run, facts) for run in clause.runs]
        for index, run in enumerate(clause.runs):
            found = without_binding_verbs(run, explained, index, clause, sentence, supported_starts)
            if found is None:
                continue
            context = Counter(p for pairs in explained for word in pairs for p in {q for q, _ in word})
            claim = run_claim(run, found, sentence, facts, hedged, context)
            if claim.verdict == "unsupported" and claim.kind == "phrase":
                claim = _as_label(claim, run, found, sentence, measured, facts)
            claims.append((run.start, claim))
    return [claim for _, claim in sorted(claims, key=lambda item: item[0])]


LABEL_BEFORE = re.compile(r"\s*(?:-|:|\bof|\bis|\bat|\bup to|\babout|\baround|\broughly|\bapprox\.?|\bjust|\s)*\s*", re.I)
DETERMINER_BEFORE = re.compile(r"\b(?:a|an|the|this|that|these|those|its|their|your|our|each|every)\s*$", re.I)
"""Before a quantity, a determiner makes the noun after it a thing ("the 27-inch *TV*"), not a measure's name ("520 lm *output*")."""
LABEL_AFTER = re.compile(r"[\s-]*(?:of\s+(?:the\s+)?)?", re.I)


def _as_label(claim: Claim, run, found: list, sentence: str, measured: list[tuple[int, int, Quantity, Claim]], facts: Facts) -> Claim:
    """A measure noun the data does not use, naming a supported amount of its dimension beside it, is that amount's label.

    "520 lm *output*", "41 inches of *headroom*", "a *headroom* of 105 cm": the claim is the amount,
    which the data holds; the noun is the copywriter's name for it, and must be a noun for a
    magnitude of the amount's own dimension (framing.MEASURE_NOUNS: "headroom" measures a length,
    "output" light or power), so "50 ml of *retinol*", "2 years of *warranty*" or "the 27-inch
    *TV*" stay claims. Only the run's head may be unexplained ("a 420 mm *aluminium* arm" keeps its
    claim), a noun that names another attribute is explained and never a label, and the title,
    brand and category hold no amount a label may name.
    """
    missing = [i for i, pairs in enumerate(found) if not pairs]
    if missing != [len(found) - 1]:
        return claim
    head = run.words[-1].lower
    for start, end, quantity, verdict in measured:
        if verdict.kind != "quantity" or verdict.attribute is None or facts.attribute_named(verdict.attribute).pseudo:
            continue  # a bare number labels nothing: "3 *drawers*" is a count of drawers, checked as one
        if not measures(head, quantity.unit):
            continue
        after = end <= run.start and LABEL_AFTER.fullmatch(sentence[end:run.start]) and (
            "of" in sentence[end:run.start] or not DETERMINER_BEFORE.search(sentence[:start]))
        before = run.end <= start and LABEL_BEFORE.fullmatch(sentence[run.end:start])
        if after or before:
            return Claim(claim.claim, "phrase", claim.sentence, "supported", verdict.attribute)
    return claim


# --- what a row may not write ---------------------------------------------------------------

def unsupported_phrases(product: Product) -> list[str]:
    """Phrases this product's data denies: what its row may not write while decoding.

    From the data, not from a list: a false flag bans its name ("energy monitoring",
    "dishwasher safe", "dishwasher-safe") and the words of that name no other attribute
    explains ("Alexa" for ``alexa_support: no``); a denial written in a value bans what it
    denies ("Not microwave safe." bans "microwave safe").
    """
    facts = Facts(product)
    phrases: list[str] = []
    for attribute in facts.attributes:
        if attribute.flag is False and attribute.name_words:
            name = " ".join(attribute.name_words)
            phrases += [name, "-".join(attribute.name_words)] if len(attribute.name_words) > 1 else [name]
            for word in attribute.name_words:
                others = {p for p, _ in facts.explain(word)} - {facts.attributes.index(attribute)}
                if not others and len(word) >= 4 and len(attribute.name_words) > 1:
                    phrases.append(word)
        for text in attribute.texts:  # "Not microwave safe." bans "microwave safe", as written
            for match in DENIAL.finditer(text):
                words = [t.text for t in tokens(match.group("what")) if t.kind == "word" and not is_function_word(t.lower)]
                if len(words) > 1 or (words and len(words[0]) >= 5):
                    phrases.append(" ".join(words))
    return list(dict.fromkeys(p for p in phrases if p))
