"""The demo's scripted editor: its house style, its verdicts, and the PIM updates that carry them."""

from __future__ import annotations

import json

import pytest

from consumer.adapters import adapt_json
from consumer.catalog import product_from_row, read_rows
from consumer.demo.house_style import RULES, edit_description, edit_lead
from consumer.demo.pim_updates import editor_updates
from consumer.service.approvals import ApprovalDeriver
from schemas.events import Product
from schemas.lead_prose import lead as data_lead

MONITOR = Product(title="Lumaro V24", brand="Lumaro", category="PC monitors",
                  attributes={"display diagonal": '24"', "response time": "5 ms", "panel": "IPS"})
JACKET = Product(title="Harbour rain jacket", category="Clothing", attributes={"color": "Navy", "size": "M", "wash temperature": "30°"})


def test_the_name_comes_first_and_the_lead_is_turned_round_not_rewritten():
    verdict = edit_lead('A 24" PC monitor with 5 ms response time: the Lumaro V24.', MONITOR)
    assert verdict.action == "edited" and verdict.lead == "Lumaro V24: a 24-inch PC monitor with 5 ms response time."
    assert verdict.broken == (RULES[0], RULES[2])
    assert edit_lead("The Lumaro V24 is an IPS PC monitor.", MONITOR).lead == "Lumaro V24: an IPS PC monitor."


def test_the_brand_is_put_in_front_of_a_name_without_it():
    branded = MONITOR.model_copy(update={"title": "V24 Office"})
    assert edit_lead("An IPS PC monitor: the V24 Office.", branded).lead == "Lumaro V24 Office: an IPS PC monitor."


def test_one_sentence_and_symbols_in_words():
    verdict = edit_lead("A navy rain jacket in size M, washable at 30°. It is made for the harbour.", JACKET)
    assert verdict.action == "edited" and RULES[1] in verdict.broken
    assert verdict.lead == "Harbour rain jacket: a navy rain jacket in size M, washable at 30 degrees."


def test_a_claim_the_data_lacks_is_rejected_not_rewritten():
    verdict = edit_lead("Lumaro V24: a 27-inch PC monitor with a built-in webcam.", MONITOR)
    assert verdict.action == "rejected" and verdict.lead == "" and verdict.broken == (RULES[3],)
    assert edit_lead("", MONITOR).action == "rejected"


@pytest.mark.parametrize("lead", [
    'A 24" PC monitor with 5 ms response time: the Lumaro V24.',
    "An IPS PC monitor with 5 ms response time.",
    "The Lumaro V24 is a PC monitor. It has an IPS panel.",
])
def test_the_editors_text_is_one_they_approve_unchanged(lead):
    styled = edit_lead(lead, MONITOR)
    assert styled.action == "edited"
    assert edit_lead(styled.lead, MONITOR) == type(styled)("unchanged", styled.lead)  # a fixpoint: the style is learnable


def test_the_bullets_stay_as_the_draft_had_them():
    verdict, saved = edit_description('A 24" PC monitor: the Lumaro V24.\n- Display diagonal: 24"\n- Response time: 5 ms', MONITOR)
    assert saved == 'Lumaro V24: a 24-inch PC monitor.\n- Display diagonal: 24"\n- Response time: 5 ms'
    assert verdict.action == "edited" and edit_description(saved, MONITOR)[0].action == "unchanged"
    assert edit_description(saved, MONITOR)[1] == saved


def _row(pid: str, product: Product) -> dict:
    return {"id": pid, "title": product.title, "brand": product.brand, "category": product.category, "attributes": product.attributes}


def test_each_verdict_reaches_serve_as_the_approval_it_stands_for():
    """unchanged, edited and rejected (Akeneo's review field filled, then saved empty) -> one approval each."""
    drafts = {
        "p-1": ("Lumaro V24: a 24-inch PC monitor with 5 ms response time.", MONITOR),
        "p-2": ('A 24" PC monitor with 5 ms response time: the Lumaro V24.', MONITOR),
        "p-3": ("Lumaro V24: a 27-inch monitor with a webcam.", MONITOR),
    }
    deriver = ApprovalDeriver()
    pairs = []
    for pid, (text, product) in drafts.items():
        draft = {"event_id": f"d-{pid}", "product_id": pid, "locale": "en_US", "channel": "ecommerce", "description": text, "model_version": "v5"}
        deriver.remember_draft(draft)
        pairs.append((_row(pid, product), draft))
    updates, verdicts = editor_updates(pairs)
    assert verdicts == {"unchanged": 1, "edited": 1, "rejected": 1}
    assert len(updates) == 4  # the rejection takes two saves
    derived = {}
    for key, value, _ in updates:
        for item in adapt_json(value, "auto"):
            approval = deriver.observe(item)
            if approval is not None:
                derived[approval.product_id] = approval
    assert {pid: a.action for pid, a in derived.items()} == {"p-1": "approved_unchanged", "p-2": "approved_edited", "p-3": "rejected"}
    assert derived["p-2"].approved_text == "Lumaro V24: a 24-inch PC monitor with 5 ms response time."
    assert json.loads(updates[-1][1])["events"][0]["author"] == "demo-editor"


def test_the_shipped_default_has_not_learned_the_house_style(catalog_dir):
    """The style must be new to the default (the issue: under 20% of its drafts follow it). v5 was
    trained to write the data's own lead; on the valid split none of those follows the style, so
    one round of edits has something to teach. (v5's published drafts, 2026-12-06: 0 of 165.)"""
    products = [product_from_row(row) for row in read_rows(catalog_dir / "valid.jsonl")]
    verdicts = [edit_lead(data_lead(product), product).action for product in products if data_lead(product)]
    assert len(verdicts) > 100 and verdicts.count("unchanged") / len(verdicts) < 0.2
    assert "rejected" not in verdicts  # the data's lead is true: the editor rejects none of it


def test_the_demos_before_and_after_line_is_what_the_editor_makes_of_each_draft():
    from consumer.demo.retrain import before_and_after

    row = _row("p-1", MONITOR)
    before = [(row, {"description": 'A 24" PC monitor with 5 ms response time: the Lumaro V24.\n- Response time: 5 ms'})] * 20
    after = [(row, {"description": "Lumaro V24: a 24-inch IPS PC monitor with 5 ms response time.\n- Response time: 5 ms"})] * 20
    line = before_and_after(before, after, "house-style")
    assert (line["approved_unchanged_before"], line["approved_unchanged_after"]) == (0.0, 1.0)
    assert line["edit_distance_median_before"] > 0.2 and line["edit_distance_median_after"] == 0.0
    assert line["edit_distance_saving_ci"][0] > 0 and line["approved_unchanged_gain_ci"] == [1.0, 1.0]
    assert line["similarity_after"] > line["similarity_before"]
