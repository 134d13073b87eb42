"""End to end: a product whose model draft would invent a feature, through the real service.

The base model, asked about a cast-iron skillet whose data says `dishwasher_safe: false`, writes
"dishwasher-safe" when nothing stops it (checked first, so the test can't pass vacuously). Through
the service - decode-time claim bans, the claim checker, sentence dropping, retry - the event must
end as a draft that states no unsupported claim, or as needs_review naming the claim.
"""

from __future__ import annotations

import pytest

import consumer.generation.generator as generator_module
from consumer.generation.claims.checker import unsupported_claims
from consumer.generation.generator import Generator, Request
from schemas import Product
from tests.conftest import product_event
from tests.harness import Harness

pytestmark = [pytest.mark.kafka, pytest.mark.model]

SKILLET = {"title": "Brannock cast iron skillet 26 cm", "brand": "Brannock", "category": "Kitchen > Pans",
           "attributes": {"diameter": "26 cm", "material": "cast iron", "dishwasher_safe": False}, "max_chars": 300}


def test_a_draft_that_would_claim_a_denied_feature_is_published_without_it(broker, base_model_dir, monkeypatch):
    generator = Generator.load(base_model_dir, max_new_tokens=96)
    product = Product.model_validate(SKILLET)
    with monkeypatch.context() as unguarded:
        unguarded.setattr(generator_module, "claim_bans", lambda _: [])
        [(raw, _)] = generator.generate_texts([Request(product)])
    invented = unsupported_claims(raw, product)
    assert any(claim.verdict == "contradicted" and claim.attribute == "dishwasher_safe" for claim in invented), raw

    harness = Harness(broker)
    try:
        harness.start(generator)
        harness.publish(product_event(product_id="skillet-1", **SKILLET))
        [draft] = harness.drafts(1, timeout_s=300)
    finally:
        harness.stop_all()
    if draft["status"] == "draft":
        assert unsupported_claims(draft["description"], product) == [], draft["description"]
        assert "dishwasher" not in draft["description"].lower() or "not dishwasher" in draft["description"].lower()
    else:
        reasons = " ".join(check.get("reason") or "" for check in draft["checks"] if not check["passed"])
        assert "(" in reasons, draft  # the grounding reason names each claim with its verdict
