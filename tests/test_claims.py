"""The claim checker: every kind, the ways people write numbers and units, and benign look-alikes.

Products here are written for this project. The challenge set (tests/fixtures/claims/) holds
faithful, paraphrase-faithful and one-invented-claim texts; the checker must catch >= 90% of the
invented claims with <= 10% false alarms on the faithful ones.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from consumer.generation.claims.checker import KINDS, extract_claims, unsupported_claims
from schemas import Product
from tests.conftest import FIXTURES

BOTTLE = Product(
    title="Trailhead insulated bottle 750 ml", brand="Hydra", category="Outdoor > Bottles",
    attributes={"capacity": "750 ml", "material": "stainless steel", "weight": "1200 g", "colour": "grey",
                "dishwasher_safe": "no", "waterproof": False, "lid": "screw cap", "height": "12 INCH",
                "length": "1000 mm", "power": "1500 W", "battery life": "3 hours", "sizes": "S, M, L, XL, XXL",
                "range": "2-5 m", "warranty": "2 years", "batteries included": "no"},
)
PLUG = Product(title="Voltbay smart plug", brand="Voltbay", category="Electronics > Smart Home",
               attributes={"energy_monitoring": False, "max load": "1800 W", "wifi": "2.4 GHz", "voice assistants": ["Alexa"]})


def kinds_flagged(text: str, product: Product = BOTTLE) -> set[str]:
    return {claim.kind for claim in unsupported_claims(text, product)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("It holds 900 ml.", "number"),
        ("It holds 750 l.", "unit"),
        ("It charges the Gigaflash in minutes.", "name"),
        ("Its body is made of bamboo.", "material"),
        ("It comes in bright red.", "colour"),
        ("It is fully wireless.", "feature"),
        ("It is BPA-free.", "certification"),
        ("It has a lifetime warranty.", "warranty"),
        ("It works with the Nespresso range.", "compatibility"),
        ("It is made in Italy.", "origin"),
        ("It is machine washable.", "care"),
        ("It comes with a carrying pouch.", "included"),
        ("This pump moves water fast.", "type"),
        ("It is ideal for users with limited mobility.", "use"),
        ("It has a subtle citrus flavour.", "sensory"),
    ],
)
def test_each_kind_of_invented_claim_is_flagged(text, kind):
    assert kind in kinds_flagged(text), extract_claims(text, BOTTLE)


@pytest.mark.parametrize(
    "text",
    [
        "It is 12-inch tall.", 'It is 12" tall.', "It is 12 inches tall.",  # 12 INCH
        "It weighs 1.2 kg.", "It weighs 1,2 kg.", "It weighs 1200 grams.",  # 1200 g
        "It is 1 m long.", "It is 100 cm long.",  # 1000 mm
        "It draws 1,500 W.", "It draws 1.5 kW.",  # 1500 W
        "It lasts three hours.",  # 3 hours
        "Sizes S to XXL.",  # S, M, L, XL, XXL
        "It reaches 2 to 5 m.",  # 2-5 m
        "It holds 0.75 litres.",  # 750 ml
    ],
)
def test_numbers_and_units_written_differently_are_supported(text):
    assert unsupported_claims(text, BOTTLE) == []


@pytest.mark.parametrize(
    "text",
    ["It is not waterproof.", "It is not dishwasher safe.", "Batteries not included.", "Hand wash only.", "It comes in gray."],
)
def test_benign_look_alikes_stated_by_the_data_are_supported(text):
    assert unsupported_claims(text, BOTTLE) == []


def test_contradictions_count_even_when_the_feature_is_named_in_the_data():
    assert "feature" in kinds_flagged("It has built-in energy monitoring.", PLUG)
    assert "care" in kinds_flagged("The bottle is dishwasher safe.")
    assert "feature" in kinds_flagged("The bottle is waterproof.")
    assert kinds_flagged("It works with Alexa.", PLUG) == set()


def test_a_claim_names_its_words_kind_and_sentence():
    [claim] = unsupported_claims("A grey bottle. It has a lifetime warranty.", BOTTLE)
    assert (claim.claim, claim.kind, claim.sentence) == ("lifetime warranty", "warranty", "It has a lifetime warranty.")
    assert claim.kind in KINDS


def challenge_rows() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "claims" / "challenge.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def test_challenge_set_catches_90_percent_with_at_most_10_percent_false_alarms():
    rows = challenge_rows()
    assert len(rows) >= 150
    invented = [row for row in rows if row["label"] == "invented"]
    faithful = [row for row in rows if row["label"] != "invented"]
    assert {row["invented_kind"] for row in invented} == set(KINDS)

    def flagged(row) -> bool:
        return bool(unsupported_claims(row["text"], Product.model_validate(row["product"], strict=False)))

    caught = sum(map(flagged, invented)) / len(invented)
    false_alarms = sum(map(flagged, faithful)) / len(faithful)
    assert caught >= 0.90 and false_alarms <= 0.10, (caught, false_alarms)


def test_check_command_keeps_one_output_line_per_input_line():
    rows = challenge_rows()[:3]
    lines = [json.dumps({"product": rows[0]["product"], "text": rows[0]["text"]}), "{not json", json.dumps({"text": "x"}),
             json.dumps({"product": PLUG.model_dump(mode="json"), "text": "It monitors energy use with built-in energy monitoring."})]
    done = subprocess.run([sys.executable, "-m", "consumer.cli", "check", "--input", "-", "--summary"], input="\n".join(lines),
                          capture_output=True, text=True, timeout=120, check=True)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["supported"] is True and out[0]["claims"] > 0
    assert "error" in out[1] and "error" in out[2]
    assert out[3]["supported"] is False and out[3]["unsupported"][0]["kind"] == "feature"
    assert json.loads(done.stderr.strip().splitlines()[-1])["unsupported_by_kind"]["feature"] >= 1


def test_a_learned_vocabulary_makes_a_catalog_value_a_claim_everywhere(tmp_path):
    from consumer.generation.claims import vocabulary

    catalog = [{"fabric": "Cocona, polyester"}, {"material": "cocona"}, {"upper material": "nubuck"}, {"colour": "heather"}]
    learned = vocabulary.build_vocabulary(catalog)
    assert learned["material"] == ["cocona"]  # seen on two products; nubuck only once; polyester is in the lexicon
    text = "Its lining is Cocona for dry feet."
    try:
        assert vocabulary.activate(None) == 0 and "material" not in kinds_flagged(text.lower())
        vocabulary.write_vocabulary(learned, tmp_path)
        assert vocabulary.activate(tmp_path) == 1
        assert "material" in kinds_flagged(text.lower())
    finally:
        vocabulary.activate(None)


@pytest.mark.parametrize(
    ("product", "text", "kind"),
    [
        (Product(title="6204-2RS ball bearing", attributes={"bore": "20 mm", "outer_diameter": "47 mm", "width": "14 mm"}),
         "It has an outer diameter of 14 mm.", "number"),  # a real value, bound to the wrong attribute
        (Product(title="Mesh office chair", attributes={"adjustable_armrests": False}), "It offers adjustable arm rests.", "feature"),
        (Product(title="5-shelf bookcase", attributes={"shelves": "5"}), "It can be used as a desk or a workstation.", "type"),
        (Product(title="Chamomile herbal tea", attributes={"tea_bags": "20"}), "It helps reduce stress.", "feature"),
        (Product(title="Cast iron skillet", attributes={"dishwasher_safe": False}), "It is dishwasher-friendly.", "care"),
        # the five published drafts of tests/fixtures/own_products.jsonl that stated what their data lacks
        (Product(title="Smart plug", attributes={"energy_monitoring": False, "max_load": "3680 W"}),
         "Easy-to-use features: automatic power supply control; battery management.", "use"),
        (Product(title="65 W USB-C charger", attributes={"ports": "USB-C", "cable_included": "no"}),
         "It can be used with any port, eliminating the need for external cables.", "use"),
        (Product(title="Espresso beans", attributes={"origin": "Brazil, Colombia"}),
         "A blend of beans from Brazil, Colombia and other countries.", "use"),
        (Product(title="Chamomile herbal tea", attributes={"organic": "no"}),
         "It has been used for centuries in traditional healing practices due to its calming properties.", "use"),
        (Product(title="Oak side table", attributes={"material": "solid oak"}),
         "A timeless piece with a wide range of options for different sizes and styles.", "feature"),
        (Product(title="Mesh task office chair", attributes={"seat_height": "44-54 cm"}),
         "The Mesh task office chair is a versatile and comfortable workstation for your office.", "type"),
        (Product(title="10 mm brass push-in straight fitting", attributes={"thread": "G 1/4"}),
         "It is a high-performance design for the pneumatic fittings.", "use"),
        # what a product is, behind a list of adjectives: v1 on a PC monitor (HP LA2206xc)
        (Product(title="HP LA2206xc", category="TVs and projectors > PC Monitors", attributes={"Display diagonal": "21.5 INCH"}),
         "It is a high-end, compact, and versatile laptop with a slim profile.", "type"),
        # a bare number between two facts: v2 on a tee whose price is 29 (it says what it counts nowhere)
        (Product(title="Balboa Persistence Tee", attributes={"price": "29", "pattern": "Solid"}),
         "The climate is Warm. 29. The pattern is Solid.", "number"),
        # a real weight bound to a yes/no attribute: v4 on a scanner (Fujitsu ScanSnap S1300i)
        (Product(title="Fujitsu ScanSnap S1300i", attributes={"Color scanning": "yes", "Weight": "1 KILOGRAM"}),
         "It has a color scanning capacity of 1 KILOGRAM.", "number"),
        (Product(title="Sports watch", attributes={"water_resistant": "yes", "case_diameter": "42 mm"}),
         "It is water resistant to 42 mm.", "number"),
        # camera features the data never names: v4 on a webcam (HP 1300)
        (Product(title="HP 1300", category="Webcams", attributes={"Total megapixels": "0.3"}),
         "It has a wide-angle lens and an advanced image processing system.", "feature"),
        (Product(title="HP 1300", category="Webcams", attributes={"Total megapixels": "0.3"}),
         "It has an advanced image stabilization system for sharp images in low light.", "feature"),  # its retry, US spelling
    ],
)
def test_paraphrased_and_misattributed_claims_seen_in_real_drafts(product, text, kind):
    assert kind in kinds_flagged(text, product), extract_claims(text, product)


def test_how_a_garment_is_worn_is_no_claim_about_the_range_on_sale():
    jacket = Product(title="Jacket and trousers", attributes={"colour": "navy"})
    assert unsupported_claims("It can be worn in various styles depending on the occasion.", jacket) == []
    assert kinds_flagged("It is available in various styles.", jacket) == {"feature"}


def test_a_value_named_by_its_own_attribute_is_supported():
    bearing = Product(title="6204-2RS ball bearing", attributes={"outer_diameter": "47 mm", "width": "14 mm"})
    assert unsupported_claims("It has an outer diameter of 47 mm and a width of 14 mm.", bearing) == []


def test_camera_features_are_supported_by_the_data_that_names_them():
    camcorder = Product(title="Camcorder with wide-angle lens", attributes={"Autofocus": "yes", "Image stabilizer": "optical"})
    assert unsupported_claims("It has a wide-angle lens, autofocus and image stabilisation.", camcorder) == []


def test_a_value_after_a_flag_is_kept_when_an_attribute_of_that_measure_holds_it():
    """A flag's name next to a measure that another attribute gives is a paraphrase, not a swap."""
    speaker = Product(title="Party speaker", attributes={"Bluetooth": "yes", "Wireless range": "10 m", "Weight": "1 kg"})
    assert unsupported_claims("It has a bluetooth range of 10 m and a weight of 1 kg.", speaker) == []
    assert unsupported_claims("It has Bluetooth. The weight is 1 kg.", speaker) == []


def test_html_entities_in_the_data_support_the_characters_they_stand_for():
    """Magento's data says "&frac14; zip" and "HeatTech&trade;"; a draft prints "¼ zip" and "HeatTech™"."""
    jacket = Product(title="Mars HeatTech&trade; Pullover", attributes={"Style General": "Soft Shell, &frac14; zip", "Price": "66"})
    assert unsupported_claims("The Mars HeatTech™ Pullover has a style general of Soft Shell, ¼ zip.", jacket) == []
    assert kinds_flagged("It has a ½ zip.", jacket) == {"number"}
