"""The claim checker: claims aligned to the data, three verdicts, no word list behind them.

Products here are written for this project. The cases of the first two tests are the examples
of the issue that asked for this checker; on the old lexicon checker (39ad29c) all the invented
ones but "a yes/no flag given a height" passed unflagged, and the paraphrases of a date, a
rounded conversion, a number in words, a country and an item in other words were flagged.
The challenge sets under tests/fixtures/claims/ are scored in test_challenge_sets.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from consumer.generation.claims.checker import VERDICTS, extract_claims, unsupported_claims, unsupported_phrases
from schemas import Product

BIKE = Product(title="Varo Strada road bike", brand="Varo", category="Sports > Cycling > Bikes",
               attributes={"frame": "aluminium", "fork": "steel", "wheel_size": "700c", "tyres": "28 mm clincher",
                           "weight_kg": 9.4, "tubeless_ready": "no"})
GUITAR = Product(title="Corvell SC-62 electric guitar", attributes={"body": "alder", "neck": "maple", "fingerboard": "Indian laurel"})
CHAIR = Product(title="Ergon mesh office chair", attributes={"seat height": "44-54 cm", "lumbar support": "fixed", "armrests": "fixed"})
SPEAKER = Product(title="Kestrel smart speaker", attributes={"Alexa support": "no", "Google Assistant": "yes", "colour": "white"})
REMOTE = Product(title="Universal TV remote", attributes={"batteries": "3 x AAA (not included)", "range_m": 8})
CASSEROLE = Product(title="Fornelle casserole 24 cm", attributes={"care": "Dishwasher safe but not microwave safe.", "material": "cast iron"})
GRANOLA = Product(title="Hilltop granola 750 g", attributes={"allergens": "may contain traces of nuts", "net_weight_g": 750})
CASSETTE = Product(title="Ridgeline CS-11 cassette", attributes={"compatible_with": "Shimano HG 11-speed", "speeds": 11})
KEYBOARD = Product(title="Tactyl keyboard", attributes={"colour": "black", "backlight": "white", "layout": "UK"})
TABLE = Product(title="Walnut bedside table", attributes={"assembly_required": "yes", "height_cm": 55, "width_cm": 45})


def verdicts(text: str, product: Product) -> list[tuple[str, str]]:
    return [(claim.claim, claim.verdict) for claim in extract_claims(text, product) if not claim.supported]


@pytest.mark.parametrize(
    ("product", "text", "verdict"),
    [
        (BIKE, "It has a carbon fork.", "unsupported"),  # a component material the data does not give
        (BIKE, "It rolls on tubeless-ready rims.", "contradicted"),  # tubeless_ready: no
        (GUITAR, "It has a rosewood fingerboard.", "unsupported"),  # the fingerboard is Indian laurel
        (CHAIR, "It relieves back pain and improves posture.", "unsupported"),  # a health claim no list names
        (BIKE, "Its frame is steel and its fork is aluminium.", "contradicted"),  # the data says the opposite
        (SPEAKER, "It supports Alexa.", "contradicted"),  # Alexa support: no
        (CHAIR, "It has adjustable lumbar support.", "unsupported"),  # lumbar support: fixed; a "height" no longer makes it adjustable
        (REMOTE, "It is rechargeable.", "unsupported"),  # 3 x AAA (not included) says nothing of recharging
        (CASSEROLE, "It is microwave safe.", "contradicted"),  # negation written in the value, not at its start
        (GRANOLA, "It contains nuts.", "contradicted"),  # the hedge dropped: "may contain traces of nuts"
        (CASSETTE, "It is compatible with all Shimano cassettes and freehubs.", "contradicted"),  # "all" for one system
        (KEYBOARD, "It has a black backlight.", "contradicted"),  # the colour given as the value of a feature (backlight: white)
        (KEYBOARD, "Its backlight is black.", "contradicted"),
        (TABLE, "The assembly required is 55 cm.", "contradicted"),  # a yes/no flag given a height
    ],
)
def test_invented_and_contradicted_claims_from_the_issue_are_caught(product, text, verdict):
    found = verdicts(text, product)
    assert found, extract_claims(text, product)
    assert verdict in {v for _, v in found}, found


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (Product(title="Halden Arc desk lamp", attributes={"release_date": "2021-03-15", "power_w": 8}), "Released in March 2021, it draws 8 W."),
        (Product(title="Halden Arc desk lamp", attributes={"release_date": "2021-03-15"}), "A 2021 model."),
        (Product(title="Tanto chef's knife", attributes={"weight_g": 350}), "It weighs 12 oz."),  # 12.35 oz, honestly rounded
        (Product(title="Riser desk frame", attributes={"weight_kg": 2.3}), "It weighs 5 lb."),  # 5.07 lb
        (Product(title="Tanto chef's knife", attributes={"weight_g": 340}), "It weighs three hundred and forty grams."),
        (Product(title="Campo Verde olive oil", attributes={"country_of_origin": "PT"}), "It is made in Portugal."),
        (Product(title="Campo Verde olive oil", attributes={"country_of_origin": "PT"}), "Portuguese olive oil."),
        (Product(title="Linden bedside table", attributes={"drawers": 2, "shelves": 12}), "It has two drawers and a dozen shelves."),
        (Product(title="Orra earbuds", attributes={"included": "carry pouch", "charging": "USB-C"}), "A pouch for carrying comes in the box."),
        (SPEAKER, "It works with Google Assistant but not with Alexa."),
        (BIKE, "The frame is aluminium and the fork is steel; the tyres are not tubeless-ready."),
    ],
)
def test_faithful_paraphrase_from_the_issue_is_supported(product, text):
    assert verdicts(text, product) == []


def test_each_claim_has_a_verdict_and_the_attribute_it_aligned_to():
    claims = extract_claims("The aluminium frame weighs 9.4 kg. It has a carbon fork and tubeless-ready rims.", BIKE)
    by_text = {claim.claim: claim for claim in claims}
    assert by_text["aluminium frame"].verdict == "supported" and by_text["aluminium frame"].attribute == "frame"
    assert by_text["9.4 kg"].attribute == "weight_kg"
    assert by_text["carbon fork"].verdict == "unsupported" and by_text["carbon fork"].attribute is None
    assert by_text["tubeless-ready rims"].verdict == "contradicted" and by_text["tubeless-ready rims"].attribute == "tubeless_ready"
    assert {claim.verdict for claim in claims} <= set(VERDICTS)


def test_only_framing_words_pass_without_the_data():
    """The closed world: praise and settings the framing vocabulary lacks are claims like any other."""
    assert verdicts("A practical choice for everyday use.", BIKE) == []
    assert verdicts("A premium, award-winning bike.", BIKE) != []
    assert verdicts("This desk is a bike.", BIKE) == [("desk", "unsupported")]


def test_numbers_units_and_dates_are_bound_to_the_attribute_that_holds_them():
    bearing = Product(title="6204-2RS ball bearing", attributes={"bore_mm": 20, "outer_diameter_mm": 47, "width_mm": 14,
                                                                 "release_date": "2020-06-01"})
    assert verdicts("It has a 20 mm bore, a 47 mm outer diameter and is 14 mm wide.", bearing) == []
    assert ("14 mm", "contradicted") in verdicts("It has an outer diameter of 14 mm.", bearing)  # a real value, wrong attribute
    assert ("1 kg", "unsupported") in verdicts("It weighs 1 kg.", bearing)
    assert ("March 2019", "contradicted") in verdicts("Released in March 2019.", bearing)
    assert verdicts("Released in June 2020.", bearing) == []


def test_bad_input_gets_a_verdict_or_a_clear_error_per_row():
    assert verdicts("A plain product.", Product(title="Plain product")) == []
    assert verdicts("It is waterproof.", Product(title="Plain product")) == [("waterproof", "unsupported")]
    odd = Product(title="Odd data", attributes={"flag": True, "count": 3, "ratio": 0.5, "list": ["a", "b"], "empty": ""})
    assert verdicts("It has 3 of them.", odd) == []
    many = {f"attribute_{i}": f"value {i}" for i in range(200)}
    assert verdicts("It has value 199.", Product(title="Many", attributes=many)) == []
    assert all(claim.verdict in VERDICTS for claim in extract_claims("Ein wasserdichter Rucksack aus Nylon.", BIKE))
    lines = [json.dumps({"product": {"title": "Many", "attributes": {f"a{i}": "x" for i in range(1000)}}, "text": "x"}),
             json.dumps({"product": {"title": "Typed", "attributes": {"n": 3, "b": False, "l": ["x"]}}, "text": "It has 3."})]
    done = subprocess.run([sys.executable, "-m", "consumer.cli", "check", "--input", "-"], input="\n".join(lines),
                          capture_output=True, text=True, timeout=120, check=True)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert "error" in out[0] and "attributes" in out[0]["error"]
    assert out[1]["supported"] is True


@pytest.mark.timeout(60)
def test_hostile_text_gets_a_verdict_in_bounded_time():
    """Long tokens and long runs once made the compound split exponential (a 50-letter word took minutes)."""
    texts = ["x" * 5000, "fingerboard" * 300, " ".join(["lorem"] * 20000), "9" * 3000 + " kg", "ÄÖÜ" * 2000]
    for text in texts:
        assert all(claim.verdict in VERDICTS for claim in extract_claims(text, GUITAR))


def test_check_command_keeps_one_output_line_per_input_line_with_verdicts():
    plug = Product(title="Voltbay smart plug", attributes={"energy_monitoring": False, "max load": "1800 W"})
    lines = [json.dumps({"product": plug.model_dump(mode="json"), "text": "It switches up to 1800 W."}), "{not json",
             json.dumps({"text": "x"}), json.dumps({"product": plug.model_dump(mode="json"), "text": "It has energy monitoring."})]
    done = subprocess.run([sys.executable, "-m", "consumer.cli", "check", "--input", "-", "--summary"], input="\n".join(lines),
                          capture_output=True, text=True, timeout=120, check=True)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["supported"] is True and out[0]["claims"] > 0
    assert "error" in out[1] and "error" in out[2]
    [claim] = out[3]["unsupported"]
    assert (claim["verdict"], claim["attribute"]) == ("contradicted", "energy_monitoring")
    assert json.loads(done.stderr.strip().splitlines()[-1])["by_verdict"] == {"contradicted": 1}


def test_decode_time_bans_come_from_the_data():
    plug = Product(title="Voltbay smart plug", attributes={"energy_monitoring": False, "Alexa support": "no",
                                                           "microwave_safe": "Not microwave safe.", "colour": "white"})
    banned = unsupported_phrases(plug)
    assert {"energy monitoring", "energy-monitoring", "alexa", "microwave safe"} <= {p.lower() for p in banned}
    assert "white" not in banned and "waterproof" not in banned  # no list of product words: only what this data denies
    assert unsupported_phrases(Product(title="Plain", attributes={"colour": "red"})) == []


def test_html_entities_in_the_data_support_the_characters_they_stand_for():
    """Magento's data says "&frac14; zip" and "HeatTech&trade;"; a draft prints "¼ zip" and "HeatTech™"."""
    jacket = Product(title="Mars HeatTech&trade; Pullover", attributes={"Style General": "Soft Shell, &frac14; zip", "Price": "66"})
    assert unsupported_claims("The Mars HeatTech™ Pullover has a style general of Soft Shell, ¼ zip.", jacket) == []
    assert [c.claim for c in unsupported_claims("It has a ½ zip.", jacket)] == ["½"]


LAMP = Product(title="Halden Arc desk lamp", attributes={"luminous_flux_lm": 520, "power_w": 8, "arm_length_mm": 420})
TENT = Product(title="Trailmoss Loch 2 tent", attributes={"inner_height_cm": 105, "capacity_persons": 2})
SPROCKETS = Product(title="Ridgeline CS-11 cassette", attributes={"sprocket_range": "11-32T", "speeds": 11})
HEADPHONES = Product(title="Sonara Drift headphones", attributes={"anc": True, "battery_life_h": "up to 40"})
CREAM = Product(title="Lumeo face cream", attributes={"spf": "none", "volume_ml": 50})
STOVE = Product(title="Emberlite stove", attributes={"boil time": "3.5 min per litre", "output": "2.6 kW"})
BEARING = Product(title="Rolvek 6204 bearing", attributes={"bore": "20 mm", "outer diameter": "47 mm", "width": "14 mm"})
MONITOR = Product(title="Vantor VQ27 monitor", category="Electronics > Monitors", attributes={"screen_size_in": 27, "panel": "IPS"})


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (LAMP, "It gives 520 lm output."),  # the copywriter's name for luminous_flux: a label of the amount
        (TENT, "Inside, there is about 41 inches of headroom."),  # inner height, converted
        (TENT, "It has a headroom of 105 cm."),
        (SPROCKETS, "Its sprockets run from 11 to 32 teeth."),  # "11-32T": the T abbreviates teeth
        (SPROCKETS, "An 11-32 tooth cassette."),
        (GUITAR, "It has an Indian laurel fretboard."),  # fret|board beside the fingerboard's own value
    ],
)
def test_paraphrase_beside_what_the_data_holds_is_supported(product, text):
    """Each failed on the checker before these rules (all flagged as unsupported)."""
    assert verdicts(text, product) == []



@pytest.mark.parametrize(
    ("product", "text"),
    [
        (LAMP, "A 420 mm aluminium arm."),  # a label's modifier keeps its claim: the material is not in the data
        (MONITOR, "A 27-inch TV."),  # the noun after "a 27-inch" is the thing, a type claim, not a label
        (LAMP, "It has 3 drawers."),  # a bare number labels nothing
        (SPROCKETS, "It has 34 teeth."),  # "11-32T" holds no 34
        (HEADPHONES.model_copy(update={"attributes": {"battery_life_h": "up to 40"}}), "It has noise cancelling."),  # no ANC in the data
        (GUITAR, "It has a maple fretboard."),  # maple is the neck's: the fingerboard is Indian laurel
        # what a review of these rules found passing (each passed on their first version):
        (CREAM, "It contains 50 ml of retinol."),  # a label must be a measure noun of the amount's dimension
        (Product(title="Kinetic timer", attributes={"age_min_years": 2}), "Backed by 2 years of warranty."),
        (MONITOR, "The 27-inch TV has an IPS panel."),  # any determiner makes the noun after the amount a thing
        (Product(title="Tapo tag", attributes={"nfc": True}), "It supports fast charging."),  # no partial acronyms
        (Product(title="Volt adapter", attributes={"voltage_v": 12}), "It runs on 12 V/240 V."),  # only a period after "/"
        (STOVE.model_copy(update={"attributes": {"boil time": "3.5 min per litre", "capacity_l": 1.7}}), "It holds one litre."),
        (Product(title="Strat body", attributes={"body_finish": "gloss", "neck_finish": "satin"}), "A satin-finished body."),
        (Product(title="Sole insole", attributes={"size_in_uk": 9}), "It is 9 inches long."),
        (Product(title="Riser pump", attributes={"flow_l_per_min": 20}), "It holds 20 litres."),
        (Product(title="Drivetrain kit", attributes={"cassette": "11-32T", "chainring": "34T"}), "A 32 tooth chainring."),
        (Product(title="Base Camp 6P tent", attributes={"doors": 2}), "It comes in a 6 pack."),
        (Product(title="Rugged phone", attributes={"waterproof": "yes"}), "The waterproof shockproof case."),
        (Product(title="Pack", attributes={"batteries": "2 x AA (not included)"}), "It takes two AA batteries. Both are included."),
        (Product(title="Drill", attributes={"battery_v": "18 (not included)"}), "The 18 V battery is included."),
    ],
)
def test_rules_for_paraphrase_do_not_let_an_invented_claim_through(product, text):
    assert verdicts(text, product) != []


SHOE = Product(title="Tarnow Ridge trail shoe", attributes={"stack_height_mm": "28 heel / 22 forefoot", "drop_mm": 6})
ANC_HEADPHONES = Product(title="Sonara Drift headphones", attributes={"anc": True, "battery_life_h": "up to 40 (ANC off), up to 30 (ANC on)"})


@pytest.mark.parametrize(
    ("product", "text", "verdict"),
    [
        (SHOE, "It stands 28 mm at the heel and 22 mm at the forefoot.", "supported"),
        (SHOE, "It stands 22 mm at the heel and 28 mm at the forefoot.", "contradicted"),
        (SHOE, "A 28 mm heel and a 22 mm forefoot.", "supported"),
        (SHOE, "A 22 mm heel and a 28 mm forefoot.", "contradicted"),  # the two parts' amounts swapped
        (ANC_HEADPHONES, "Up to 40 hours with ANC off, or 30 with it on.", "supported"),
        (ANC_HEADPHONES, "Up to 30 hours with ANC off and up to 40 hours with it on.", "contradicted"),
    ],
)
def test_an_amount_belongs_to_the_part_of_the_value_its_words_name(product, text, verdict):
    """A value with several amounts, each with its own words: the swapped ones passed before (both numbers are in the data)."""
    found = {claim.verdict for claim in extract_claims(text, product)}
    assert (verdict in found) if verdict == "contradicted" else (found == {"supported"}), extract_claims(text, product)


def test_british_ae_spelling_and_a_verb_before_its_object_are_no_claims():
    """Both were flagged before: "orthopaedic" for the title's "Orthopedic"; "store" in "presets store your heights"."""
    bed = Product(title="Pawsome Orthopedic Dog Bed", attributes={"filling": "memory foam"})
    desk = Product(title="Riser standing desk", attributes={"memory presets": 3, "height range": "72-118 cm"})
    assert verdicts("An orthopaedic bed filled with memory foam.", bed) == []
    assert verdicts("Its 3 memory presets store your heights.", desk) == []


SENSOR = Product(title="Kalvik PT-420 pressure transmitter",
                 attributes={"medium_temperature_c": "-20 to 85", "accuracy_pct_fs": 0.5, "energy_kcal_per_bar": 142})
TRIMMER = Product(title="Verdal HT-18 hedge trimmer",
                  attributes={"cutting_capacity_mm": 18, "charger_included": "no", "weight_kg": "2.6 (without battery)",
                              "battery": "18 V 2.0 Ah Li-ion (not included)", "stand_included": False, "guard_included": True,
                              "runtime_min": "up to 40", "power_source": "battery"})
PIANO = Product(title="Velloni P-88 digital piano", attributes={"sustain_pedal": "included (switch type)", "stand_included": False})


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (SENSOR, "It handles media from -4 to 185 °F."),  # the minus was dropped: -4 °F read as 4 °F, a contradiction
        (SENSOR, "It is accurate to 0.5 % of the range."),  # accuracy_pct_fs: the unit is pct, "fs" qualifies it
        (SENSOR, "Each bar has 142 calories."),  # energy_kcal_per_bar: kcal, not the bar (a unit of pressure)
        (TRIMMER, "It cuts up to roughly 0.7 in thick."),  # "in" before a measure word is inches
        (TRIMMER, "Up to forty minutes per charge."),  # "charge" is no charger: charger_included: no says nothing of it
        (TRIMMER, "A battery hedge trimmer."),  # "(without battery)" is the weight's condition, not a denial
        (TRIMMER, "It weighs 2.6 kg without the battery."),
        (PIANO, "A stand is not included."),  # the predicate of stand_included, not a denial of the pedal's "included"
        (Product(title="Fellway rain trousers", attributes={"breathability_g_m2_24h": 8000}), "It has 8000 g/m²/24h breathability."),
    ],
)
def test_amounts_and_flags_read_as_written(product, text):
    """All but the weight's own condition were flagged before (found on the first held-out file, read after its first measurement)."""
    assert verdicts(text, product) == []


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (SENSOR, "It handles media from 4 to 185 °F."),  # without the minus it is another temperature
        (TRIMMER, "A charger is included."),
        (TRIMMER, "A stand is included."),
        (TRIMMER, "The guard is not included."),
    ],
)
def test_amounts_and_flags_still_contradict(product, text):
    assert verdicts(text, product) != []


UKULELE = Product(title="Alder concert ukulele", attributes={"top_material": "solid mahogany", "Finish": "satin", "fingerboard": "walnut"})
SUNSCREEN = Product(title="Daily Shield SPF 50 lotion", attributes={"water_resistance": "water resistant (80 min)", "reef_safe_claim": "no"})
CHOCOLATE = Product(title="Cacao bar 72%", attributes={"organic": "no", "Fairtrade": True})
METER = Product(title="Voltrix DM-330 multimeter", attributes={"battery": "2 x AA (included)", "temperature_probe": "not included (sold separately)"})
GAME = Product(title="Harbour of Lights board game", attributes={"players": "2-4", "age_min_years": 10})
WETSUIT = Product(title="Bravura Coldline men's wetsuit", category="Sports > Surfing > Wetsuits",
                  attributes={"thickness_mm": "5/4", "zip": "chest"})


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (UKULELE, "The satin-finished mahogany top."),  # satin is the finish's, named beside it: no misbinding
        (SUNSCREEN, "It stays water resistant for an hour and twenty minutes."),  # one amount in two units: 80 min
        (CHOCOLATE, "This Fairtrade bar is not organic."),  # "not" after the copula denies "organic", not "Fairtrade"
        (METER, "It runs on two AA batteries, which are included."),  # the probe's "not included" is not about batteries
        (GAME, "A game for 2-4 players aged 10 and up."),  # "aged" starts another phrase: 2-4 counts players
    ],
)
def test_false_contradictions_found_on_the_fresh_held_back_set(product, text):
    """Each was a contradiction before (found after the fresh held-back set's first measurement)."""
    assert verdicts(text, product) == []


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (WETSUIT, "A 5/4 mm men's drysuit with a chest zip."),  # a compound's head never reaches the title's type
        (SUNSCREEN, "It is reef-safe."),  # reef_safe_claim: no ("claim" names the relation, like "included")
        (SUNSCREEN, "It stays water resistant for an hour and forty minutes."),
        (CHOCOLATE, "This organic bar is not Fairtrade."),
        (METER, "A temperature probe is included."),
    ],
)
def test_claims_missed_on_the_fresh_held_back_set_are_caught(product, text):
    assert verdicts(text, product) != []


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (Product(title="Speaker", attributes={"bluetooth": "no"}), "Bluetooth is not available."),  # a relation word denies its subject
        (Product(title="Seed tray", attributes={"packet_slots": 12, "garden_beds": 3}), "It holds 12 garden seed packets."),
        (Product(title="Cooler", attributes={"min_temperature_c": -20}), "It cools to below -15 °C."),
        (Product(title="Wall charger", attributes={"charger_included": "no", "fast_charging": "yes"}), "It supports fast charging."),
    ],
)
def test_faithful_copy_the_review_of_these_rules_found_flagged(product, text):
    """Each was flagged by the first version of the rules above (found by reading them, not by a test set)."""
    assert verdicts(text, product) == []


def test_a_function_word_names_a_part_of_a_value_only_after_a_content_word():
    """"on a single charge" gave 40 hours to the "ANC on" part (30 hours): a contradiction, before the review."""
    claims = extract_claims("Up to 40 hours on a single charge.", ANC_HEADPHONES)
    assert [c.claim for c in claims if c.verdict == "contradicted"] == []
