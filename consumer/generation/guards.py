"""Post-generation guards: a draft is clean only when every check passes.

The decoder already cannot write an ungrounded number (grounding.py); these checks catch
what a logits processor can't see: any claim the product data does not support or
contradicts (the claim checker, consumer/generation/claims/: every content phrase, quantity
and date aligned to the attribute that explains it), a loop, markup or contact details, and
text that does not fit. The
evaluator runs the very same functions, so its scores describe what the service publishes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from consumer.generation.claims.checker import extract_claims
from consumer.generation.injection import injection_found
from consumer.generation.sentences import split_sentences
from schemas.events import CheckResult, Product

HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&[a-z]+;")
URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|io|shop|store|de|fr|co\.uk)\b", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
PHONE = re.compile(r"(?:\+\d[\d\s().-]{7,}\d|\(\d{2,4}\)\s?\d[\d\s-]{5,}\d|\b\d{3}[-.\s]\d{3}[-.\s]\d{4}\b)")
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
MIN_DESCRIPTION_CHARS = 40


@dataclass
class GuardReport:
    text: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def trim_to_sentences(text: str, max_chars: int) -> str:
    """The longest prefix that ends a full sentence and fits max_chars ('' if none does).

    Whitespace is normalised inside lines; paragraph breaks are kept.
    """
    lines = (" ".join(line.split()) for line in text.strip().splitlines())
    text = "\n".join(line for line in lines if line)
    # +1 so that a sentence ending exactly at max_chars still sees the space after it
    ends = [match.end() for match in SENTENCE_END.finditer(text[: max_chars + 1]) if match.end() <= max_chars]
    return text[: ends[-1]].strip() if ends else ""


def claimed_terms(text: str, product: Product) -> tuple[list[str], list[str]]:
    """(every claim, the ones the product data does not support), as written in the text.

    The claim checker (consumer/generation/claims/) decides, in a closed world: a content
    phrase, quantity or date is supported only when an attribute of the data explains it.
    """
    claims = extract_claims(text, product)
    return [claim.claim for claim in claims], list(dict.fromkeys(claim.claim for claim in claims if not claim.supported))


def ungrounded_terms(text: str, product: Product) -> list[str]:
    """What text claims that the product data lacks or contradicts, as a retry may not write it again.

    For a run of words, each word the data cannot explain ("carbon" of "carbon fork"), so a
    retry can't swap the noun and keep the invention; else the claim as written.
    """
    claims = [claim for claim in extract_claims(text, product) if not claim.supported]
    return list(dict.fromkeys(term for claim in claims for term in (claim.unexplained.split() if claim.unexplained else [claim.claim])))


def keep_grounded_sentences(text: str, product: Product) -> tuple[str, int]:
    """(the text without its sentences that claim something the data lacks, how many went).

    The same reduction the trainer applies to human descriptions (trainer/dataset.py): a draft
    whose third sentence invents a model code is still two good sentences. Dropping whole
    sentences keeps the rest grammatical; dropping words would not.
    """
    sentences = split_sentences(text)
    kept = [s for s in sentences if not ungrounded_terms(s, product) and not markup_found(s)]
    return " ".join(kept), len(sentences) - len(kept)


def repeated_ngram(text: str, n: int = 4, times: int = 3) -> str | None:
    """The first word n-gram that occurs `times` or more (a decoding loop), else None."""
    words = re.findall(r"\w+", text.lower())
    counts = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    for gram, count in counts.items():
        if count >= times:
            return " ".join(gram)
    return None


def markup_found(text: str) -> list[str]:
    found = []
    for name, pattern in (("html", HTML), ("url", URL), ("email", EMAIL), ("phone", PHONE)):
        match = pattern.search(text)
        if match:
            found.append(f"{name} {match.group(0)!r}")
    return found


def check_description(raw_text: str, product: Product, max_chars: int, min_chars: int = MIN_DESCRIPTION_CHARS) -> GuardReport:
    """Trim to whole sentences within max_chars, then run every check on what would be published."""
    text = trim_to_sentences(raw_text, max_chars)
    checks: list[CheckResult] = []
    if len(text) < min_chars:
        reason = f"no full sentence of {min_chars}+ characters within {max_chars}"
        checks.append(CheckResult(name="empty", passed=False, reason=reason))
        text = text or raw_text.strip()[:max_chars]
    elif _words(text) <= _words(product.title):
        checks.append(CheckResult(name="empty", passed=False, reason="only repeats the title"))
    else:
        checks.append(CheckResult(name="empty", passed=True))
    checks.append(
        CheckResult(name="length", passed=len(text) <= max_chars, reason=None if len(text) <= max_chars else f"{len(text)} > {max_chars} characters")
    )
    invented = list(dict.fromkeys(f"{claim.claim} ({claim.verdict}{': ' + claim.attribute if claim.attribute else ''})"
                                  for claim in extract_claims(text, product) if not claim.supported))
    checks.append(
        CheckResult(name="grounding", passed=not invented, reason=f"not in the product data: {', '.join(invented[:10])}" if invented else None)
    )
    loop = repeated_ngram(text)
    checks.append(CheckResult(name="loops", passed=loop is None, reason=f"repeated 3+ times: {loop!r}" if loop else None))
    markup = markup_found(text)
    checks.append(CheckResult(name="markup", passed=not markup, reason="; ".join(markup) if markup else None))
    suspicious = injection_found(product)
    checks.append(CheckResult(name="injection", passed=not suspicious, reason="; ".join(suspicious)[:500] if suspicious else None))
    return GuardReport(text=text, checks=checks)
