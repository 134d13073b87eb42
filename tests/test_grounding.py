"""The number-grounding logits processor: its state machine, and on the real model."""

from __future__ import annotations

import re

import pytest
import torch

from consumer.generation.grounding import NumberGroundingProcessor, allowed_numbers
from schemas import Product


class DigitTokenizer:
    """Vocabulary of the ten digits, '.', ',' and two words: enough for the state machine."""

    vocab = {**{str(d): d for d in range(10)}, ".": 10, ",": 11, " ml": 12, " and": 13}

    def get_vocab(self):
        return self.vocab


def allowed_after(processor: NumberGroundingProcessor, generated: list[str]) -> set[str]:
    """Feed tokens one step at a time; return the tokens left allowed after the last one."""
    ids = torch.tensor([[13]])
    processor(ids, torch.zeros(1, 14))
    for token in generated:
        ids = torch.cat([ids, torch.tensor([[DigitTokenizer.vocab[token]]])], dim=1)
        scores = processor(ids, torch.zeros(1, 14))
    if not generated:
        scores = NumberGroundingProcessor(DigitTokenizer(), processor.numbers)(torch.tensor([[13]]), torch.zeros(1, 14))
    names = {v: k for k, v in DigitTokenizer.vocab.items()}
    return {names[i] for i in range(14) if scores[0, i] > float("-inf")}


def test_only_digits_that_start_a_known_number_may_start():
    allowed = allowed_after(NumberGroundingProcessor(DigitTokenizer(), [frozenset({"750", "1.5"})]), [])
    assert allowed & set("0123456789") == {"7", "1"}
    assert {" ml", " and", ".", ","} <= allowed


def test_a_strict_prefix_must_be_completed():
    processor = NumberGroundingProcessor(DigitTokenizer(), [frozenset({"750"})])
    assert allowed_after(processor, ["7", "5"]) == {"0"}  # "75" can't be left standing


def test_a_decimal_continues_through_its_separator():
    processor = NumberGroundingProcessor(DigitTokenizer(), [frozenset({"1.5"})])
    assert allowed_after(processor, ["1"]) == {"."}
    processor = NumberGroundingProcessor(DigitTokenizer(), [frozenset({"1.5"})])
    assert allowed_after(processor, ["1", "."]) == {"5"}


def test_a_complete_number_may_end_or_go_on():
    processor = NumberGroundingProcessor(DigitTokenizer(), [frozenset({"7", "75"})])
    assert {"5", " ml", " and"} <= allowed_after(processor, ["7"])
    assert "3" not in allowed_after(NumberGroundingProcessor(DigitTokenizer(), [frozenset({"7", "75"})]), ["7"])


def test_rows_are_constrained_independently():
    processor = NumberGroundingProcessor(DigitTokenizer(), [frozenset({"3"}), frozenset()])
    scores = processor(torch.tensor([[13], [13]]), torch.zeros(2, 14))
    assert scores[0, 3] == 0 and scores[0, 4] == float("-inf")
    assert torch.all(scores[1, :10] == float("-inf"))


def test_allowed_numbers_come_from_every_fact():
    product = Product(title="Bottle 750 ml", attributes={"weight": 320, "price": "1,299", "sizes": ["38", "40"]}, keywords=["2024"])
    assert {"750", "320", "1,299", "1299", "38", "40", "2024"} <= allowed_numbers(product)


@pytest.mark.model
def test_processor_keeps_the_real_model_from_writing_an_absent_number(base_model_dir):
    from consumer.generation.generator import Decoding, Generator, Request

    generator = Generator.load(base_model_dir, max_new_tokens=48)
    # Unconstrained, the base model gives this laptop a screen size the data never states.
    product = Product(title="Gaming laptop", attributes={"screen": "large"})
    request = Request(product)
    numbers = allowed_numbers(product)
    [(grounded_text, _)] = generator.generate_texts([request], Decoding(), [48])
    assert all(n.rstrip(".,") in numbers for n in re.findall(r"\d+(?:[.,]\d+)*", grounded_text)), grounded_text

    # The same prompt without the processor: the model does invent numbers, so the test above can fail.
    import consumer.generation.generator as module

    original = module.NumberGroundingProcessor
    module.NumberGroundingProcessor = lambda tokenizer, rows: (lambda ids, scores: scores)
    try:
        [(free_text, _)] = generator.generate_texts([request], Decoding(), [48])
    finally:
        module.NumberGroundingProcessor = original
    invented = [n for n in re.findall(r"\d+(?:[.,]\d+)*", free_text) if n.rstrip(".,") not in numbers]
    assert invented, f"expected the unconstrained model to invent a number here: {free_text!r}"


def test_banned_terms_are_never_completed_on_their_row_only():
    from consumer.generation.grounding import BannedTermsProcessor

    class Words:
        vocab = {"A": 0, "C": 1, "OE": 2, " US": 3, "x": 4}

        def __call__(self, text, add_special_tokens=False):
            pieces = {"ACOE": [0, 1, 2], " ACOE": [0, 1, 2], "US": [3], " US": [3]}
            return {"input_ids": pieces[text]}

    processor = BannedTermsProcessor(Words(), [["ACOE", "US"], []])
    scores = processor(torch.tensor([[4, 0, 1], [4, 0, 1]]), torch.zeros(2, 5))
    assert scores[0, 2] == float("-inf") and scores[0, 3] == float("-inf")  # "AC" + "OE" and " US" banned
    assert scores[0, 4] == 0 and torch.all(scores[1] == 0)  # other tokens, other rows untouched
