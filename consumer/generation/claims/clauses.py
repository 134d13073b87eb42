"""A sentence's shallow structure: clauses, the runs of content words in them, and negation scope.

A *run* is a maximal sequence of content words (words.is_content, not framing, not part of a
quantity or date): "carbon fork", "tubeless ready rims", "supports Alexa". Each run is one
claim. A *clause* ends at punctuation, a contrastive conjunction, or "and"/"or" before a new
verb ("is waterproof and has Bluetooth"), so "no" and "not" reach only what they can deny:
- "no", "without", "non": the runs after them ("It has Wi-Fi and no Bluetooth");
- "not", "n't", "never": the whole clause, subject included ("battery and charger not included",
  "the handle does not fold"), except that after a copula before an adjective or noun it denies
  only the predicate ("this Fairtrade bar is not organic").
Two runs joined by a copula or "made of" ("its frame is steel") are kept as a *pair*, so a value
can be bound to the attribute the other run names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lemminflect import getAllLemmas as pos_lemmas

from consumer.generation.claims.framing import IDIOMS, LIGHT_VERBS, PLACE_DETERMINERS, is_framing, is_place, lemmas
from consumer.generation.claims.words import FLAG_PREDICATES, FUNCTION_WORDS, Token, is_function_word, tokens

DETERMINER_NEGATORS = frozenset({"no", "without", "non", "nor"})
PREDICATE_NEGATORS = frozenset({"not", "n't", "never", "cannot", "can't", "don't", "doesn't", "isn't", "aren't", "won't",
                                "wasn't", "weren't", "lack", "lacks", "neither"})
CONTRAST = frozenset({"but", "while", "whereas", "although", "though", "yet", "however", "except"})
COPULAS = frozenset({"is", "are", "was", "were", "made"})
UNIVERSAL = frozenset({"all", "any", "every", "most", "universal", "universally"})
FLAG_VALUES = frozenset({"yes", "no", "true", "false"})
RELATION_WORDS = frozenset({"with", "for", "fits", "fit", "supports", "support", "on"})
"""After these, "all"/"any" widens a claim ("compatible with all drivetrains"); elsewhere it is
grammar ("all Arabica", "all-polyester")."""
CLAUSE_PUNCTUATION = set(",;:()[]{}•·!?.")
_VERB_STARTS = frozenset(LIGHT_VERBS.split()) | {"is", "are", "has", "have", "can", "will", "does", "do"}


@dataclass
class Run:
    words: list[Token]
    negated: bool = False
    directly_negated: bool = False  # "no Bluetooth", "not cotton": the negator stands right before it
    universal: bool = False  # "compatible with *all* ...": a quantifier right before it
    quantifier: str = "all"
    pair: Run | None = None  # the run a copula joins it to ("frame" is "steel")
    stated_value: bool | None = None  # "The organic is no.": what a flag is said to be

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end

    def text(self, sentence: str) -> str:
        return sentence[self.start:self.end]


@dataclass
class Clause:
    tokens: list[Token]
    runs: list[Run] = field(default_factory=list)


def _starts_verb(token: Token) -> bool:
    return token.lower in _VERB_STARTS or bool(lemmas(token.lower) & _VERB_STARTS)


def clauses(sentence: str, taken: list[tuple[int, int]], pair_words: set[str] | None = None) -> list[Clause]:
    """The sentence's clauses with their runs; spans in ``taken`` (quantities, dates) are not words.

    pair_words: words the data writes after "non" ("non stick"), where "non" is part of the
    claim, not a negation.
    """
    found: list[Clause] = []
    current: list[Token] = []
    all_tokens = tokens(sentence)
    for index, token in enumerate(all_tokens):
        following = all_tokens[index + 1] if index + 1 < len(all_tokens) else None
        breaks = token.kind == "punct" and token.text in CLAUSE_PUNCTUATION
        breaks |= token.kind == "word" and token.lower in CONTRAST
        breaks |= token.kind == "word" and token.lower in {"and", "or"} and following is not None and _starts_verb(following)
        if breaks:
            if current:
                found.append(Clause(current))
            current = []
            continue
        current.append(token)
    if current:
        found.append(Clause(current))
    for clause in found:
        _fill_runs(clause, taken, pair_words or set())
    return found


def _is_taken(token: Token, taken: list[tuple[int, int]]) -> bool:
    return any(start <= token.start and token.end <= end for start, end in taken)


def _idiom_spans(clause: Clause) -> set[int]:
    """Token indexes inside a framing idiom ("in the box")."""
    words = [t.lower for t in clause.tokens]
    inside: set[int] = set()
    for idiom in IDIOMS:
        parts = idiom.split()
        for i in range(len(words) - len(parts) + 1):
            if words[i:i + len(parts)] == parts:
                inside |= set(range(i, i + len(parts)))
    return inside


def _fill_runs(clause: Clause, taken: list[tuple[int, int]], pair_words: set[str]) -> None:
    runs: list[Run] = []
    idioms = _idiom_spans(clause)
    current: list[Token] = []
    negate_next = False
    clause_negated = False
    universal_next = False
    quantifier = "all"
    copula_since_run = False
    negator_just_before = False
    negated_from, after_copula = 0, False

    def close() -> None:
        nonlocal current, universal_next, copula_since_run
        if current:
            run = Run(current, negated=negate_next, universal=universal_next, quantifier=quantifier,
                      directly_negated=negator_just_before)
            if runs and copula_since_run:
                run.pair = runs[-1]
            runs.append(run)
            universal_next = False
            copula_since_run = False
        current = []

    for index, token in enumerate(clause.tokens):
        lower = token.lower
        following = clause.tokens[index + 1] if index + 1 < len(clause.tokens) else None
        previous = clause.tokens[index - 1].lower if index else ""
        if index in idioms or (previous in PLACE_DETERMINERS and is_place(lower) and not current):
            close()
            universal_next = False
            continue
        if token.kind == "symbol" and token.text in "-/&" and current:
            continue  # "tubeless-ready", "butane/propane": one run
        if token.kind != "word" or _is_taken(token, taken):
            close()
            continue
        hyphened = index > 0 and clause.tokens[index - 1].text == "-" and clause.tokens[index - 1].start == token.start - 1
        if current and hyphened and (is_function_word(lower) or is_framing(lower)):
            continue  # "click-on", "built-in", "all-in-one": one word, judged by its content part
        if lower == "non" and following is not None and (following.lower in pair_words):
            current.append(token)
            continue
        if lower in FLAG_VALUES and previous in {"is", "are", "of"} and following is None:
            close()  # "The caffeine free is no.": the value a flag is said to have
            if runs:
                runs[-1].stated_value = lower in {"yes", "true"}
            continue
        if lower in DETERMINER_NEGATORS:
            close()
            negate_next = negator_just_before = True
            continue
        if lower in PREDICATE_NEGATORS or lower.endswith("n't"):
            close()
            if not clause_negated:
                negated_from = len(runs)
                after_copula = previous in COPULAS or lower in {"isn't", "aren't", "wasn't", "weren't"}
            clause_negated = negator_just_before = True
            continue
        if lower in UNIVERSAL:
            close()
            universal_next = previous in RELATION_WORDS or lower in {"universal", "universally"}
            quantifier = lower
            continue
        if is_function_word(lower) or lower in FUNCTION_WORDS or is_framing(lower):
            close()
            if lower in COPULAS and runs:
                copula_since_run = True
            if lower not in {"a", "an", "the", "be", "is", "are", "made", "of", "from"}:
                negator_just_before = False
            continue
        if not current:
            pending_direct = negator_just_before
        current.append(token)
        negator_just_before = pending_direct
    close()
    if clause_negated:
        predicate = runs[negated_from:]
        # "This Fairtrade bar is not organic": after a copula, "not" denies the predicate, and the
        # subject keeps its claim; before a participle, a verb or a relation word ("not included", "does
        # not fold", "is not available") the subject is what is denied
        adjectival = after_copula and predicate and all(
            not word.lower.endswith("ed") and word.lower not in FLAG_PREDICATES and "VERB" not in pos_lemmas(word.lower)
            for run in predicate for word in run.words)
        for run in (predicate if adjectival else runs):
            run.negated = True
    for run in runs:
        if run.stated_value is not None:  # "is no" denies, "is yes" affirms, whatever came before
            run.negated = not run.stated_value
            run.directly_negated = run.negated
    clause.runs = runs
