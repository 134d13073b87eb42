"""Split text into sentences: the unit that guards drop and the trainer keeps.

One splitter for the serving guard, the trainer's target reduction and the claim checker, so
a sentence means the same thing when a draft is published as when a target is learned.
A sentence ends at . ! or ? followed by whitespace; that is crude for "approx. 5 cm", but it
only ever makes a sentence shorter, and a dropped short sentence is cheaper than a kept claim.
"""

from __future__ import annotations

import re

SENTENCE_SPLIT = re.compile(r"(?<!\bapprox\.)(?<!\bca\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bincl\.)(?<!\bno\.)(?<=[.!?])\s+")
"""A sentence ends at . ! or ? and whitespace, except after "approx.", "ca.", "e.g.", "i.e.", "incl.", "no.":
"contains approx. 30 seeds" is one sentence, and its number keeps the words that say what it counts."""


LIST_ITEM = re.compile(r"\n\s*(?=[-•*–]\s)|\n\s*\n")
"""A list item (a draft's bullets: "lead\n- Weight: 340 g") or a paragraph is a sentence of its own,
however it ends: "Compact" and "- Sensor: CMOS" are two facts, not the phrase "Compact - Sensor"."""
MARKER = re.compile(r"^[-•*–]\s+")


def split_sentences(text: str) -> list[str]:
    """The non-empty sentences of text, stripped, in order (a list item's marker dropped)."""
    parts = [piece for block in LIST_ITEM.split(text) for piece in SENTENCE_SPLIT.split(block)]
    return [MARKER.sub("", sentence.strip()) for sentence in parts if MARKER.sub("", sentence.strip())]
