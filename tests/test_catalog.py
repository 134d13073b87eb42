"""Tests on the real product catalog (../shared/data/catalog): skipped with a reason without it."""

from __future__ import annotations

import json

import pytest

from schemas import ProductEvent
from consumer.catalog import event_from_row, read_rows

pytestmark = pytest.mark.catalog


def test_every_catalog_row_maps_to_a_valid_product_event(catalog_dir):
    for name in ("train.jsonl", "valid.jsonl", "multilingual.jsonl"):
        rows = read_rows(catalog_dir / name)
        for row in rows:
            event = ProductEvent.model_validate_json(json.dumps(event_from_row(row)))
            assert event.product.title and event.locale == row["locale"]
        assert rows, name


@pytest.mark.model
def test_default_model_on_real_products_is_grounded_and_publishable(catalog_dir):
    from consumer.models.resolve import DEFAULT_ADAPTER_DIR, is_adapter_dir
    from trainer.evaluate import evaluate_model

    if not is_adapter_dir(DEFAULT_ADAPTER_DIR):
        pytest.skip("no default adapter shipped")
    report = evaluate_model("default", catalog_dir / "valid.jsonl", limit=16)
    metrics = report["metrics"]
    # Thresholds a notch under the full-set results in the README: a regression guard on 16 rows.
    # Grounding counts every draft's claims, the ones held for review too (v5: 96.3% on all 165).
    assert metrics["grounding"] >= 0.95, metrics
    assert metrics["publishable"] >= 0.9, metrics
    assert metrics["loops"] <= 0.1, metrics
    # the copy issue: no label frame, every SEO field within its limit (opening repetition needs more
    # than 16 rows: the first 16 are mostly laser printers, and "a laser and LED printer" is what they are)
    assert metrics["label_frame"] <= 0.05, metrics
    assert metrics["seo_fields_within_limits"] == 1.0 and metrics["leaked_codes"] == 0.0, metrics


def test_no_real_catalog_product_is_flagged_as_an_injection(catalog_dir):
    from consumer.generation.injection import injection_found
    from consumer.catalog import product_from_row

    rows = [row for name in ("train.jsonl", "valid.jsonl") for row in read_rows(catalog_dir / name)]
    flagged = [(row["id"], found) for row in rows if (found := injection_found(product_from_row(row)))]
    assert len(rows) > 1000 and flagged == []
