"""Grounding during decoding: the model may only write numbers that occur in the product data.

A 135M model happily invents "1200 W" or "5-year warranty". Catching that after the fact only
lets us mark the draft for review; constraining the decoder stops it from being written at all.
SmolLM2's tokenizer has exactly ten digit tokens (0-9) and splits "1.5" into "1" "." "5", so a
number can be steered digit by digit: at each step a row may only start or extend a digit run
that is a prefix of one of its product's numbers, and may not stop in the middle of one.
"""

from __future__ import annotations

import re

import torch
from transformers import LogitsProcessor

from schemas.events import Product
from schemas.key_facts import format_value

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
SEPARATORS = (".", ",")


def fact_text(product: Product) -> str:
    """Every fact the prompt states, as one string (what a draft may draw on)."""
    parts = [product.title, product.brand or "", product.category or "", " ".join(product.keywords)]
    for name, value in product.attributes.items():
        parts.append(f"{name}: {format_value(value)}")
    return "\n".join(parts)


def allowed_numbers(product: Product) -> frozenset[str]:
    """Numbers as written in the data, plus the same without thousands separators (1,299 -> 1299)."""
    numbers = set()
    for match in NUMBER.findall(fact_text(product)):
        numbers.add(match)
        numbers.add(match.replace(",", ""))
        if "," in match and "." not in match:
            numbers.add(match.replace(",", "."))  # decimal comma, as many locales write it
    return frozenset(numbers)


class NumberGroundingProcessor(LogitsProcessor):
    """Per row of a batch: forbid digits that would start or extend a number absent from the data.

    State is one string per row, the digit run the row is in ("", "7", "75", "1."), updated
    from the last generated token each step. The rules:
    - no run: a digit may start only if some allowed number starts with it;
    - inside a run that is a strict prefix but not itself an allowed number: only tokens that
      extend it towards an allowed number (digits or a separator) are allowed, so "75" can't
      be left standing when only "750" is in the data;
    - a run that is already a whole allowed number may end (any non-digit) or go on.
    """

    def __init__(self, tokenizer, numbers_per_row: list[frozenset[str]]):
        self.numbers = numbers_per_row
        self.runs = [""] * len(numbers_per_row)
        self.started = False
        vocab = tokenizer.get_vocab()
        self.digit_ids = {str(d): vocab[str(d)] for d in range(10)}
        self.separator_ids = {sep: vocab[sep] for sep in SEPARATORS if sep in vocab}
        self.id_to_char = {token_id: char for char, token_id in {**self.digit_ids, **self.separator_ids}.items()}
        self.all_digit_ids = torch.tensor(sorted(self.digit_ids.values()))

    def _advance(self, row: int, token_id: int) -> None:
        char = self.id_to_char.get(token_id)
        run = self.runs[row]
        if char is None:
            self.runs[row] = ""
        elif char in SEPARATORS:
            self.runs[row] = run + char if run and not run.endswith(SEPARATORS) else ""
        else:
            self.runs[row] = run + char

    def _next_chars(self, row: int) -> tuple[set[str], bool]:
        """Characters that keep the run on an allowed number, and whether it may end here."""
        run = self.runs[row]
        if not run:
            return {number[0] for number in self.numbers[row]}, True
        # "750." may end a sentence as much as start "750.5": judge the run without the separator
        complete = run.rstrip(".,") in self.numbers[row]
        nexts = {number[len(run)] for number in self.numbers[row] if len(number) > len(run) and number.startswith(run)}
        return nexts, complete

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self.started:
            for row, token_id in enumerate(input_ids[:, -1].tolist()):
                self._advance(row, token_id)
        self.started = True
        for row in range(scores.shape[0]):
            nexts, may_end = self._next_chars(row)
            if may_end or not nexts:
                banned = [token_id for char, token_id in self.digit_ids.items() if char not in nexts]
                scores[row, banned] = float("-inf")
            else:
                keep = [self.digit_ids.get(char, self.separator_ids.get(char)) for char in nexts]
                keep = [token_id for token_id in keep if token_id is not None]
                row_scores = torch.full_like(scores[row], float("-inf"))
                row_scores[keep] = scores[row, keep]
                scores[row] = row_scores
        return scores


def term_token_ids(tokenizer, term: str) -> list[list[int]]:
    """The token sequences a term can be written as: alone or after a space, lower or capitalised.

    Cached on the tokenizer: a term is tokenised once per process, not per batch.
    """
    cache = tokenizer.__dict__.setdefault("_copydesk_term_ids", {})
    if term not in cache:
        variants = {term, f" {term}", term[:1].upper() + term[1:], f" {term[:1].upper()}{term[1:]}"}
        if len(term) <= 5 and term.isalpha():
            variants |= {term.upper(), f" {term.upper()}"}
        sequences = []
        for variant in sorted(variants):
            ids = tokenizer(variant, add_special_tokens=False)["input_ids"]
            if ids and ids not in sequences:
                sequences.append(ids)
        cache[term] = sequences
    return cache[term]


class BannedTermsProcessor(LogitsProcessor):
    """Per row: never complete a term that row may not write.

    Two uses: the phrases a row's product data denies (claims/checker.unsupported_phrases: a
    bottle whose data says ``dishwasher_safe: no`` can't write "dishwasher safe"), and on the
    retry the claims a guard found unsupported in the first attempt ("HDMI", "carbon fork"). A term's last token is banned
    whenever the row's text so far ends with the term's other tokens; a one-token term is banned
    outright. Terms are indexed by their prefix, so a step costs a few dict look-ups per row
    however many terms are banned.
    """

    def __init__(self, tokenizer, terms_per_row: list[list[str]]):
        self.always: list[torch.Tensor | None] = []
        self.after: list[dict[tuple[int, ...], list[int]]] = []
        self.prefix_lengths: list[list[int]] = []
        for terms in terms_per_row:
            always: set[int] = set()
            after: dict[tuple[int, ...], set[int]] = {}
            for term in terms:
                for ids in term_token_ids(tokenizer, term):
                    if len(ids) == 1:
                        always.add(ids[0])
                    else:
                        after.setdefault(tuple(ids[:-1]), set()).add(ids[-1])
            self.always.append(torch.tensor(sorted(always)) if always else None)
            self.after.append({prefix: sorted(last) for prefix, last in after.items()})
            self.prefix_lengths.append(sorted({len(prefix) for prefix in after}))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        longest = max((lengths[-1] for lengths in self.prefix_lengths if lengths), default=0)
        tails = input_ids[:, -longest:].tolist() if longest else None
        for row, always in enumerate(self.always):
            if always is not None:
                scores[row, always] = float("-inf")
            if self.prefix_lengths[row]:
                tail = tails[row]
                for length in self.prefix_lengths[row]:
                    banned = self.after[row].get(tuple(tail[-length:]))
                    if banned:
                        scores[row, banned] = float("-inf")
        return scores
