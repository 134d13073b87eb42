"""Words as the claim checker compares them: tokens, function words, and each word's family.

The checker's world is closed: every content word of a draft must be explained by the
product's data. So it needs two things about a word, and neither needs a statistical model:
- whether it is a *function word* (articles, pronouns, prepositions, conjunctions, auxiliaries,
  quantifiers: the closed classes of English grammar, listed below once). Everything else is
  content and carries a claim;
- which data words count as the same word: every lemma lemminflect's lexicon gives it (any part
  of speech: "rims" -> rim, "weighs" -> weigh), its Snowball stem, and its *root*: the stem
  without derivational suffixes ("foldable" and "folds" -> fold, "adjustment" -> adjust), with
  British and American spellings brought together by rule (-our/-or, -ise/-ize, -tre/-ter,
  orthopaedic/orthopedic).

Prefixes are never stripped: "unscented" is no support for "scented", nor "recycled" for "cycling".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from lemminflect import getAllLemmas

FUNCTION_WORDS = frozenset("""
a an the this that these those some any each every either neither no all both half several many much more most few fewer
less least other another such own same
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs itself themselves
yourself yourselves ourselves himself herself one's
who whom whose which what whatever whichever whoever where when why how wherever whenever
and or but nor so yet if then than as because while whereas although though unless until since whether
of in on at to for from by with without within into onto upon over under above below across through throughout
between among around about against along beside besides beyond behind near off out up down via per plus minus
inside outside toward towards after before during except like unlike despite
be am is are was were been being have has had having do does did doing done
can could may might must shall should will would need dare ought
not n't never also too very just only even still already again ever else quite rather really almost nearly
here there now today then once twice
approx approximately roughly circa ca etc eg ie x
anywhere everywhere somewhere nowhere anything anyone someone everyone nobody whatever
s t ll re ve d m
""".split())
"""The closed classes of English: grammar, not product words. A word here never carries a claim."""

NEGATORS = frozenset({"not", "no", "never", "without", "non", "nor", "cannot", "n't", "isn't", "aren't", "doesn't",
                      "don't", "won't", "can't", "lacks", "lack"})
"""Words that deny what follows them ("not waterproof", "no Bluetooth", "BPA free" denies BPA)."""

FLAG_PREDICATES = frozenset({"included", "include", "includes", "required", "require", "requires", "supported", "available",
                             "compatible", "present", "enabled", "function", "feature", "with", "has", "have", "needed",
                             "claim", "claims"})
"""Words a PIM's yes/no names use for the relation, not the feature: "Charger Included", "batteries_required".
A run denies such a flag by its feature words alone ("ships with a charger", "it needs batteries")."""

HEDGES = frozenset({"may", "might", "could", "possibly", "traces", "trace", "can"})
"""Words that weaken a statement ("may contain nuts"): a draft that drops them overstates the data."""

SPELLING_IRREGULAR = {"gray": "grey", "aluminum": "aluminium", "tire": "tyre", "mold": "mould", "jewelry": "jewellery",
                      "plow": "plough", "pajamas": "pyjamas", "cozy": "cosy", "donut": "doughnut", "program": "programme"}
"""British and American spellings no suffix rule brings together."""

_SUFFIX_SPELLING = [(re.compile(r"our$"), "or"), (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
                    (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"), (re.compile(r"(?<=[bcdfgkmpstv])re$"), "er"),
                    (re.compile(r"(?<=[bcdfgkmpstv])res$"), "ers"), (re.compile(r"ogue$"), "og"),
                    (re.compile(r"ll(ed|ing|er)$"), r"l\1"), (re.compile(r"(?<=[dhmnp])ae(?=[bcdfglmnprstv])"), "e")]
_DERIVATION = re.compile(r"(?:abl|ibl|ment|ness|ation|ion|ing|ed|er|iv|aci|i)$")
"""Suffixes that keep a word's meaning; "-less" and negative prefixes are kept, they reverse it."""

TOKEN = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)*(?:/\d+)?[½¼¾⅓]?|[½¼¾⅓])"
    r"|(?P<word>[^\W\d_](?:[\w'’]*\w)?)"
    r"|(?P<symbol>[°%\"”″×+&/-])"
    r"|(?P<punct>[.,;:!?()\[\]{}•·])"
)

_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    kind: str  # word, number, symbol, punct

    @property
    def lower(self) -> str:
        return self.text.lower().replace("’", "'")

    @property
    def is_content(self) -> bool:
        return self.kind == "word" and not is_function_word(self.lower)


def tokens(text: str) -> list[Token]:
    """Words (hyphenated words split: "tubeless-ready" is two claims), numbers, symbols, punctuation."""
    return [Token(m.group(0), m.start(), m.end(), m.lastgroup) for m in TOKEN.finditer(text)]


def is_function_word(word: str) -> bool:
    word = word.lower().replace("’", "'")
    if word in FUNCTION_WORDS:
        return True
    if "'" in word:  # it's, we'll, product's: judged by the word before the apostrophe
        head, _, tail = word.partition("'")
        return head in FUNCTION_WORDS or (tail in {"s", "ll", "re", "ve", "d", "m", "t"} and head in FUNCTION_WORDS)
    return False


def spelling(word: str) -> str:
    """One spelling for British and American variants ("colour" and "color" -> "color")."""
    word = SPELLING_IRREGULAR.get(word, word)
    for pattern, replacement in _SUFFIX_SPELLING:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=65536)
def forms(word: str) -> frozenset[str]:
    """Every form a data word may take in a text and still be the same word: lemmas, stem, root."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    word = SPELLING_IRREGULAR.get(word, word)
    found = {word, spelling(word)}
    lemmas_of = getAllLemmas(word)
    for lemmas in lemmas_of.values():
        found.update(lemmas)
    if not lemmas_of and 3 <= len(word) <= 5 and word.endswith("s") and not word.endswith("ss"):
        found.add(word[:-1])  # an acronym's plural the dictionary does not know: "tvs", "pcs", "leds"
    found |= {spelling(w) for w in list(found)}
    found |= {root(w) for w in list(found)}
    return frozenset(found)


def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


@lru_cache(maxsize=65536)
def root(word: str) -> str:
    """The Snowball stem without derivational suffixes: fold, foldable, folding -> fold."""
    stem = _STEMMER.stemWord(word.lower())
    bare = _DERIVATION.sub("", stem)
    if len(bare) >= 4 and bare != stem:
        stem = bare[:-1] if bare[-1] == bare[-2] and bare[-1] not in "aeiouls" else bare  # dimm(able) -> dim
    return stem


def same_word(text_word: str, data_forms: frozenset[str] | set[str]) -> bool:
    return bool(forms(text_word) & data_forms)


def compound_splits(word: str, shortest_tail: int = 3) -> list[tuple[str, str]]:
    """The ways a closed compound splits into two English words: "fly|sheet", "fret|board"."""
    return [(word[:cut], word[cut:]) for cut in range(3, len(word) - shortest_tail + 1)
            if getAllLemmas(word[:cut]) and getAllLemmas(word[cut:]) and not is_function_word(word[:cut]) and not is_function_word(word[cut:])]


def closed_compound_heads(word: str) -> list[str]:
    """The heads of a closed compound: "board" of "fretboard" (a word of 3+ letters, then one of 4+)."""
    return [tail for _, tail in compound_splits(word, shortest_tail=4)]
