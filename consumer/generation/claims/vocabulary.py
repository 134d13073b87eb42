"""The claim vocabulary learned from data: attribute values that are claims wherever they appear.

The curated lexicon knows common materials and features; a catalog knows its own ("merino",
"IPX7", "borosilicate", "Li-ion"). Every value of a claim-bearing attribute (material, colour,
connectivity, certification, care, flavour, origin ...) seen in the training rows and approvals
becomes a checkable phrase of that kind: a description that states it for a product whose data
lacks it states something unsupported. The vocabulary is a versioned artifact written next to
each adapter (``claim_vocabulary.json``, its sha256 in the model card) by `fit` and
`replay-train`; the serving process activates the one of the adapter it serves.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from consumer.generation.claims.facts import normalise
from consumer.generation.claims.lexicon import GENERIC_OBJECT_WORDS, LEXICON

FILE_NAME = "claim_vocabulary.json"
KIND_OF_ATTRIBUTE = [
    ("material", re.compile(r"material|fabric|composition|upper|lining|frame|body|blade|shell|filling", re.I)),
    ("colour", re.compile(r"colou?r|shade|finish", re.I)),
    ("certification", re.compile(r"certif|approval|label|standard|norm", re.I)),
    ("sensory", re.compile(r"flavou?r|taste|aroma|scent|note|fragrance", re.I)),
    ("origin", re.compile(r"origin|country|made in|region", re.I)),
]
# Features and care are left to the curated lexicon: their values are often verbs ("print",
# "scan", "hand wash"), which as learned claims would flag ordinary sentences.
NOT_CLAIMS = {"yes", "no", "none", "other", "n a", "standard", "various", "multi", "mixed", "natural", "assorted", "unknown"}
MARKS = {"reg", "trade", "tm", "r"}  # what is left of ® and ™ once normalised
MIN_PRODUCTS = 2  # a value seen on one product only is as likely a typo as a vocabulary word


def build_vocabulary(attribute_sets: Iterable[dict]) -> dict[str, list[str]]:
    """{kind: phrases} from many products' attributes (name -> value, lists allowed)."""
    seen: dict[tuple[str, str], set[int]] = {}
    for index, attributes in enumerate(attribute_sets):
        for name, value in attributes.items():
            kind = next((kind for kind, pattern in KIND_OF_ATTRIBUTE if pattern.search(name)), None)
            if kind is None or isinstance(value, bool):
                continue
            for item in value if isinstance(value, list) else re.split(r"[,;/]| and ", str(value)):
                words = [w for w in normalise(item).split() if w not in MARKS]
                phrase = " ".join(words)
                if (1 <= len(words) <= 3 and all(w.isalpha() for w in words) and len(phrase) >= 3
                        and phrase not in NOT_CLAIMS and not set(words) <= GENERIC_OBJECT_WORDS):
                    seen.setdefault((kind, phrase), set()).add(index)
    known = {normalise(phrase) for phrases in LEXICON.values() for phrase in phrases}
    counts = Counter({key: len(products) for key, products in seen.items() if key[1] not in known})
    vocabulary: dict[str, list[str]] = {}
    for (kind, phrase), products in sorted(counts.items()):
        if products >= MIN_PRODUCTS:
            vocabulary.setdefault(kind, []).append(phrase)
    return vocabulary


def write_vocabulary(vocabulary: dict[str, list[str]], folder: Path) -> str:
    """Write the artifact into an adapter folder; returns its sha256 (for the model card)."""
    text = json.dumps({"version": 1, "phrases": vocabulary}, indent=1, sort_keys=True) + "\n"
    (Path(folder) / FILE_NAME).write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


_ACTIVE: dict[str, list[str]] = {}
GENERATION = [0]  # bumped on every activation, so compiled matchers know to rebuild


def activate(folder: Path | None) -> int:
    """Use the vocabulary of this adapter folder (none: only the curated lexicon). Returns its size."""
    _ACTIVE.clear()
    path = Path(folder) / FILE_NAME if folder else None
    if path is not None and path.is_file():
        _ACTIVE.update(json.loads(path.read_text(encoding="utf-8"))["phrases"])
    GENERATION[0] += 1
    return sum(len(phrases) for phrases in _ACTIVE.values())


def active() -> dict[str, list[str]]:
    return _ACTIVE
