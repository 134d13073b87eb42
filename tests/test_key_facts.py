"""Key facts: the salience rule, the sentences that state them, coverage, the content plan in the
prompt, training targets that carry the facts, and the prompt style an adapter is served with."""

from __future__ import annotations

import json

import pytest

from consumer.generation.claims.checker import extract_claims
from consumer.generation.claims.coverage import stated_attributes
from consumer.generation.generator import adapter_prompt_style
from schemas import Product
from schemas.key_facts import FACTS_PER_SENTENCE, content_plan, fact_sentence, fact_sentences, key_attributes, opening_sentence
from schemas.prompt import build_messages
from tests.conftest import FIXTURES
from trainer.dataset import clean_description, example_from_pair, fact_target, load_examples, read_voice_sentences, voice_sentence
from trainer.retrain import LiveModel, live_training_recipe

SHELF = Product(
    title="Steel shelving unit",
    brand="Rackwell",
    category="Storage > Shelving",
    attributes={
        "sku": "RW-5512",
        "load capacity": "175 kg per shelf",
        "material": "galvanised steel",
        "Release date": "2024-02-01",
        "colour": "grey",
        "dimensions_wxhxd": "90 x 180 x 40 cm",
        "boltless assembly": True,
        "shipping weight": "21 kg",
        "country of origin": "Poland",
        "warranty": "5 year warranty",
        "price": "89.00",
        "shelves": 5,
    },
)


def test_salience_leaves_out_internal_fields_and_keeps_data_order_up_to_six():
    assert key_attributes(SHELF) == ["load capacity", "material", "colour", "dimensions_wxhxd", "boltless assembly", "country of origin"]
    printer = Product(title="Printer", attributes={"family": "Laser printers", "Attribute set": "Default", "Maximum print size": "A4"})
    assert key_attributes(printer) == ["Maximum print size"]  # the PIM's data-model fields are no facts


def test_salience_leaves_out_terms_of_sale_absent_features_and_measures_without_a_unit():
    """v2 wrote "The return policy is 90 days return policy. The weight is 4." and "It has no
    eco collection."; none of them is a fact a shopper reads copy for."""
    headphones = Product(title="Headphones", attributes={
        "tags": "electronics, over-ear headphones", "synthetic.weight": 2, "synthetic.dimensions_wxhxd": "24.88 x 14.9 x 27.54",
        "synthetic.warranty": "1 year warranty", "synthetic.return_policy": "30 days return policy",
    })
    assert key_attributes(headphones) == ["tags", "synthetic.warranty"]
    tee = Product(title="Tee", attributes={"Eco Collection": "No", "Performance Fabric": "Yes", "Weight": "1 KILOGRAM",
                                           "weight_kg": 3, "dimensions_wxhxd": "90 x 180 x 40 cm", "Size": "M"})
    assert key_attributes(tee) == ["Performance Fabric", "Weight", "weight_kg", "dimensions_wxhxd", "Size"]
    coat = Product(title="Coat", attributes={"Sleeve length": "long", "width": '24"', "height": "2"})
    assert key_attributes(coat) == ["Sleeve length", "width"]  # a word or an inch mark is no bare number


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("load capacity", "175 kg per shelf"),
        ("material", "galvanised steel"),
        ("colour", "grey"),
        ("dimensions_wxhxd", "90 x 180 x 40 cm"),
        ("boltless assembly", True),
        ("boltless assembly", False),
        ("Color scanning", "yes"),
        ("Color scanning", "no"),
        ("Display sRGB", "no"),  # the checker once called "sRGB" an invented name here
        ("Camera type", "Compact"),
        ("synthetic.warranty", "1 month warranty"),
        ("Climate", ["Indoor", "Warm"]),
        ("Material", "Cocona&reg; performance fabric, Organic Cotton"),
    ],
)
def test_a_fact_sentence_states_its_value_and_nothing_else(name, value):
    product = Product(title="Item", attributes={name: value})
    sentence = fact_sentence(name, value)
    assert sentence.endswith(".") and sentence[0].isupper()
    lacks = value is False or value == "no"  # a feature it lacks is no key fact, but its sentence must still be true
    assert stated_attributes(sentence, product)[1] == ([] if lacks else [name]), sentence
    assert all(claim.supported for claim in extract_claims(sentence, product)), sentence


def test_key_facts_are_joined_into_few_sentences_that_state_each_and_nothing_else():
    """One sentence per fact ("The colour is grey. The country of origin is Poland.") is a spec
    sheet; the joined form states the same facts, a shared verb said once."""
    facts = [(name, SHELF.attributes[name]) for name in key_attributes(SHELF)]
    sentences = fact_sentences(facts)
    assert sentences == [
        "It has a load capacity of 175 kg per shelf, is made of galvanised steel and comes in grey.",
        "It also measures 90 x 180 x 40 cm and has boltless assembly and a country of origin of Poland.",
    ]
    assert len(sentences) == -(-len(facts) // FACTS_PER_SENTENCE)
    text = " ".join(sentences)
    assert stated_attributes(text, SHELF)[1] == key_attributes(SHELF)
    assert all(claim.supported for claim in extract_claims(text, SHELF)), text
    camera = Product(title="Camera", attributes={"Optical zoom": "32", "Sensor type": "CMOS", "Total megapixels": "3.28"})
    assert fact_sentences(list(camera.attributes.items())) == ["It has an optical zoom of 32, a sensor type of CMOS and total megapixels 3.28."]


def test_coverage_counts_what_a_draft_states_and_misses_what_it_does_not():
    generic = "Designed to keep your office tidy and organised, with a wide choice of storage."
    informative = "This grey unit in galvanised steel holds 175 kg per shelf and measures 90 x 180 x 40 cm. Made in Poland."
    assert stated_attributes(generic, SHELF)[1] == []
    assert stated_attributes(informative, SHELF)[1] == ["load capacity", "material", "colour", "dimensions_wxhxd", "country of origin"]


def test_the_plan_prompt_lists_the_key_facts_in_order_and_the_plain_prompt_does_not():
    plain = build_messages(SHELF)[1]["content"]
    planned = build_messages(SHELF, style="plan")[1]["content"]
    assert "State the key facts" not in plain
    plan = "; ".join(content_plan(SHELF))
    assert f"State the key facts in this order: {plan}." in planned
    assert plan.startswith("load capacity: 175 kg per shelf; material: galvanised steel")
    assert "dimensions (W x H x D): 90 x 180 x 40 cm; boltless assembly;" in plan  # readable names; a flag by its name
    assert "sku" not in plan and "price" not in plan
    with pytest.raises(ValueError, match="unknown prompt style"):
        build_messages(SHELF, style="fancy")


def test_fact_targets_state_the_key_facts_the_human_text_leaves_out():
    human = (
        "Keep your garage tidy with this steel unit. It is the best shelf on the market. "
        "Its galvanised steel frame holds 175 kg per shelf. Rated for 300 kg in total."
    )
    grounded = clean_description(human, SHELF)
    target = fact_target(human, SHELF)
    keys, stated = stated_attributes(target, SHELF)
    assert stated == keys  # every key fact, the ones the human text left out included
    assert len(stated_attributes(grounded, SHELF)[1]) < len(keys)
    assert "300 kg" not in target  # ungrounded, as in the grounded targets
    assert all(claim.supported for claim in extract_claims(target, SHELF)), target
    assert target.startswith("Keep your garage tidy with this steel unit. ")  # an opening that names the product stays first


def test_a_target_opens_with_what_the_product_is():
    assert opening_sentence(SHELF) == "The Steel shelving unit is from our shelving range."  # the category's last level
    printer = Product(title="OKI B4100", attributes={"family": "Laser and LED printers", "Maximum print size": "A4"})
    assert opening_sentence(printer) == "The OKI B4100 is from our laser and LED printers range."
    assert opening_sentence(Product(title="Quest Lumaflex&trade; Band")) == "This is the Quest Lumaflex™ Band."
    target = fact_target("It prints on A4. Quiet enough for any office.", printer)
    assert target.startswith("The OKI B4100 is from our laser and LED printers range. It prints on A4. It has a maximum print size of A4.")
    assert "Quiet" not in target  # a claim the data lacks
    assert all(claim.supported for claim in extract_claims(target, printer)), target


def test_fact_targets_cover_more_fixture_rows_than_grounded_ones():
    grounded, _ = load_examples(FIXTURES / "products.jsonl", targets="grounded")
    facts, _ = load_examples(FIXTURES / "products.jsonl", targets="facts")
    assert len(facts) >= len(grounded)
    for example in facts:
        keys, stated = stated_attributes(example.target, example.product)
        assert stated == keys, example.target
    with pytest.raises(ValueError, match="unknown target kind"):
        load_examples(FIXTURES / "products.jsonl", targets="nonsense")


def test_a_voice_target_puts_an_earlier_drafts_first_sentence_after_the_opening():
    printer = Product(title="OKI B4100", attributes={"family": "Laser and LED printers", "Maximum print size": "A4"})
    draft = "The OKI B4100 is a laser printer for A4. It prints fast."
    assert voice_sentence(draft, printer) == "It is a laser printer for A4."
    target = fact_target("It prints on A4.", printer, voice=voice_sentence(draft, printer))
    assert target.startswith("The OKI B4100 is from our laser and LED printers range. It is a laser printer for A4. It prints on A4.")
    assert "It has a maximum print size of A4." in target  # the key facts still follow
    # a first sentence with a claim the data lacks, or a fragment, is no voice: the target is the facts target
    assert voice_sentence("The OKI B4100 prints 30 pages per minute.", printer) is None
    assert voice_sentence("The OKI B4100 is a compact and quiet desktop printer.", printer) is None  # praise the data lacks
    assert voice_sentence("The OKI B4100, a printer", printer) is None
    assert voice_sentence("The OKI B4100 desktop laser printer.", printer) is None  # names the product, says nothing
    assert voice_sentence("", printer) is None
    facts = example_from_pair("1", printer, "Print more for less.", "facts")
    assert example_from_pair("1", printer, "Print more for less.", "voice", "The OKI B4100 prints 30 pages per minute.") == facts
    assert example_from_pair("1", printer, "Print more for less.", "voice") == facts  # replay-train has no earlier drafts


def test_voice_sentences_are_read_by_product_id_from_eval_output(tmp_path):
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text(json.dumps({"model": "v1", "id": "p-1", "title": "OKI B4100", "text": "A printer."}) + "\n"
                      + json.dumps({"model": "v1", "id": "p-2", "title": "X", "text": ""}) + "\n")
    assert read_voice_sentences(drafts) == {"p-1": "A printer."}


def test_an_adapter_is_asked_the_way_its_card_says_it_was_trained(tmp_path):
    assert adapter_prompt_style(None) == "plain"
    assert adapter_prompt_style(tmp_path) == "plain"  # no card
    (tmp_path / "model_card.json").write_text(json.dumps({"model_version": "x", "hyperparameters": {"prompt_style": "plan"}}))
    assert adapter_prompt_style(tmp_path) == "plan"


def test_a_retrained_candidate_keeps_the_live_adapters_recipe(tmp_path):
    assert live_training_recipe(LiveModel("base", None, None)) == {"prompt_style": "plain", "targets": "grounded"}
    (tmp_path / "model_card.json").write_text(json.dumps({"hyperparameters": {"prompt_style": "plan", "targets": "facts"}}))
    assert live_training_recipe(LiveModel("v2", tmp_path, None)) == {"prompt_style": "plan", "targets": "facts"}


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("The caffeine free is no.", False),  # v2 wrote this of a caffeine-free tea; it was published
        ("The alcohol is no.", False),  # a flag the data never mentions
        ("The caffeine free is yes.", True),
        ("The organic is no.", True),
        ("The organic is yes.", False),
        ("The caffeine free is no longer available.", False),  # v2 wrote this of the same tea on 2026-12-01
        ("The caffeine free is not included.", False),
        ("The organic is not certified.", False),  # organic: no, but nothing in the data says "certified"
    ],
)
def test_a_yes_no_statement_must_match_the_datas_flag(sentence, supported):
    tea = Product(title="Herbal tea", attributes={"caffeine_free": True, "organic": "no"})
    assert all(claim.supported for claim in extract_claims(sentence, tea)) is supported, extract_claims(sentence, tea)


def test_true_as_an_adjective_is_no_yes_no_statement():
    """The one false alarm on the challenge set's faithful texts: "are true" read as a flag value."""
    buds = Product(title="Orra Pulse Buds 2 True Wireless Earbuds", attributes={"connectivity": "Bluetooth 5.3", "noise cancelling": False})
    assert [c for c in extract_claims("The Orra Pulse Buds 2 are true wireless earbuds.", buds) if not c.supported] == []
    assert [c.verdict for c in extract_claims("The noise cancelling is true.", buds)] == ["contradicted"]
