"""A claim: words of a text, what kind of claim they make, and the data's verdict on them."""

from __future__ import annotations

from dataclasses import dataclass

VERDICTS = ("supported", "contradicted", "unsupported")
KINDS = ("quantity", "number", "date", "phrase", "flag", "hedge", "binding")


@dataclass(frozen=True)
class Claim:
    claim: str  # the words as in the text
    kind: str
    sentence: str
    verdict: str
    attribute: str | None = None  # the attribute it aligned to (supported or contradicted)
    unexplained: str | None = None  # the words of an unsupported run the data cannot explain ("carbon" of "carbon fork")

    @property
    def supported(self) -> bool:
        return self.verdict == "supported"
