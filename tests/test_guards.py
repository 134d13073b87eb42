"""Guards on generated text: pure functions, checked on hand-made cases."""

from __future__ import annotations

import pytest

from consumer.guards import check_description, markup_found, repeated_ngram, trim_to_sentences, ungrounded_terms
from schemas import Product

BOTTLE = Product(
    title="Trail bottle 750 ml",
    brand="Hydra",
    category="Outdoor > Bottles",
    attributes={"material": "stainless steel", "weight_g": 320, "capacity": "1.5 l", "price": "1,299"},
)


def test_grounded_text_passes_every_check():
    report = check_description("This Hydra bottle holds 750 ml. It weighs 320 g and is stainless steel.", BOTTLE, 300)
    assert report.passed, report.failures


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("It holds 2 litres of water.", "2"),
        ("It holds 750 l of water.", "750 l"),
        ("Made by GoPro for hikers.", "GoPro"),
        ("Charges over USB in no time.", "USB"),
        ("The model X200 is light.", "X200"),
    ],
)
def test_invented_numbers_units_and_names_are_ungrounded(text, culprit):
    assert culprit in ungrounded_terms(text, BOTTLE)


def test_numbers_written_differently_but_present_are_grounded():
    assert ungrounded_terms("Yours for 1299, or 1,299 as the label says; 1.5 l inside.", BOTTLE) == []


def test_loop_detection():
    assert repeated_ngram("the best bottle ever, the best bottle ever, the best bottle ever") == "the best bottle ever"
    assert repeated_ngram("the best bottle ever, the best bottle ever.") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [("<b>Bold</b> claims.", "html"), ("See www.hydra.com now.", "url"), ("Mail sales@hydra.io today.", "email"),
     ("Call +44 20 7946 0958 today.", "phone")],
)
def test_markup_and_contact_details_are_found(text, kind):
    assert any(found.startswith(kind) for found in markup_found(text))


def test_trim_cuts_at_last_full_sentence_within_limit():
    text = "First sentence here. Second one is longer than the limit allows"
    assert trim_to_sentences(text, 40) == "First sentence here."
    assert trim_to_sentences("A 1.5 l bottle. Done.", 16) == "A 1.5 l bottle."
    assert trim_to_sentences("No sentence end at all", 100) == ""


def test_draft_over_the_limit_is_trimmed_not_failed():
    report = check_description("A steel bottle from Hydra. " * 20, BOTTLE, 60)
    assert len(report.text) <= 60
    assert report.text.endswith(".")
    assert all(check.passed for check in report.checks if check.name == "length")


def test_no_full_sentence_fails_as_empty():
    report = check_description("A steel bottle that keeps going without", BOTTLE, 300)
    assert not report.passed
    assert [check.name for check in report.failures] == ["empty"]


def test_a_draft_that_only_repeats_the_title_is_not_publishable():
    report = check_description("Trail bottle 750 ml: trail bottle, 750 ml trail bottle.", BOTTLE, 300)
    assert [check.reason for check in report.failures] == ["only repeats the title"]
