"""Whether two attribute values are the same kind of thing, by meaning (MiniLM).

Binding needs it: "steel frame" for ``frame: aluminium, fork: steel`` puts one material where
the data has another (a contradiction), while "Colombian beans" for ``bean: Arabica, origin:
Colombia`` adds an origin to a variety (both true). No word list tells a material from an
origin; sentence embeddings do, roughly: measured on all-MiniLM-L6-v2, materials with
materials and colours with colours score 0.45-0.75 ("steel"/"aluminium" 0.65, "red"/"blue"
0.73), different kinds 0.15-0.35 ("Arabica"/"Colombia" 0.28, "Type F"/"white" 0.22).
Only called for a run that already binds a value to another attribute's name (rare), and
cached, so the embedder is loaded only when a draft makes such a claim.
"""

from __future__ import annotations

from functools import lru_cache

SAME_KIND = 0.45


@lru_cache(maxsize=4096)
def similarity(first: str, second: str) -> float:
    from consumer.models.embedder import cosine_similarities

    return cosine_similarities([first], [second])[0]


def same_kind(first: str, second: str) -> bool:
    return similarity(first.lower(), second.lower()) >= SAME_KIND
