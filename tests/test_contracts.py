"""Event contracts: round trips, clear rejections, JSON Schemas in sync with the models."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas import (
    DeadLetter,
    DescriptionApproved,
    DescriptionGenerated,
    ModelPublished,
    ProductEvent,
    describe_validation_error,
)
from schemas.export import schema_files
from schemas.prompt import build_messages, input_hash
from tests.conftest import product_event

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SHA = "a" * 64


def parse_event(event: dict) -> ProductEvent:
    """Events arrive as JSON; strict mode accepts ISO datetimes from JSON, not from Python str."""
    return ProductEvent.model_validate_json(json.dumps(event))


def generated() -> DescriptionGenerated:
    return DescriptionGenerated(
        event_id=DescriptionGenerated.derive_event_id("evt-1", "v1"),
        causation_id="evt-1",
        product_id="p-1",
        sequence=3,
        locale="en_US",
        channel="ecommerce",
        source="test-pim",
        description="A steel bottle.",
        status="draft",
        checks=[{"name": "grounding", "passed": True}],
        attempts=1,
        model_version="v1",
        input_hash=SHA,
        generated_at=NOW,
        timings={"queue_seconds": 0.1, "generation_seconds": 1.5, "batch_size": 4},
    )


EXAMPLES = {
    ProductEvent: lambda: parse_event(product_event()),
    DescriptionGenerated: generated,
    DescriptionApproved: lambda: DescriptionApproved(
        event_id="a-1",
        occurred_at=NOW,
        product_id="p-1",
        locale="en_US",
        causation_id="d-1",
        model_version="v1",
        product=product_event()["product"],
        generated_text="A bottle.",
        approved_text="A 750 ml bottle.",
        editor="jane",
        action="approved_edited",
    ),
    ModelPublished: lambda: ModelPublished(
        model_version="v2",
        parent_version="v1",
        base_model="SmolLM2-135M-Instruct",
        artifact_uri="file:///models/v2",
        sha256=SHA,
        trained_on=[{"topic": "copydesk.approvals", "partition": 0, "start_offset": 0, "end_offset": 10}],
        metrics={"similarity": 0.7},
        promoted=True,
        reason="better",
        created_at=NOW,
    ),
    DeadLetter: lambda: DeadLetter(
        original_topic="t",
        original_partition=0,
        original_offset=5,
        original_key="p-1",
        value="{not json",
        error_type="invalid_json",
        error_message="Expecting value",
        failed_at=NOW,
    ),
}


@pytest.mark.parametrize("model", list(EXAMPLES), ids=lambda m: m.__name__)
def test_contract_round_trips_through_json(model):
    original = EXAMPLES[model]()
    assert model.model_validate_json(original.model_dump_json()) == original


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda e: e["product"].update(title="x" * 1_000_000), "product.title", "at most 300 characters"),
        (lambda e: e.update(sequence="3"), "sequence", "valid integer"),
        (lambda e: e.update(occurred_at="2026-01-01T00:00:00"), "occurred_at", "timezone"),
        (lambda e: e.update(event_type="product.deleted"), "event_type", "product.created"),
        (lambda e: e.update(schema_version=9), "schema_version", "newer than this copydesk understands"),
        (lambda e: e.pop("product_id"), "product_id", "Field required"),
        (lambda e: e.update(surprise=1), "surprise", "Extra inputs are not permitted"),
        (lambda e: e["product"]["attributes"].update(size={"nested": 1}), "product.attributes.size", ""),
        (lambda e: e["product"].update(max_chars=5), "product.max_chars", "greater than or equal to 40"),
    ],
    ids=["huge-title", "wrong-type", "naive-time", "unknown-type", "future-schema", "missing", "extra", "nested", "tiny-limit"],
)
def test_bad_product_event_is_rejected_with_a_message_naming_the_field(mutate, field, words):
    event = product_event()
    mutate(event)
    with pytest.raises(ValidationError) as caught:
        ProductEvent.model_validate_json(json.dumps(event))
    message = describe_validation_error(caught.value)
    assert field in message
    assert words in message
    assert len(message) < 2_000, "a 1 MB input must not be echoed back whole"


def test_approval_requires_the_text_its_action_implies():
    with pytest.raises(ValidationError, match="approved_text is required"):
        DescriptionApproved.model_validate(
            {**EXAMPLES[DescriptionApproved]().model_dump(), "approved_text": None, "action": "approved_edited"}
        )


def test_output_event_id_is_deterministic_per_input_and_model():
    first = DescriptionGenerated.derive_event_id("evt-1", "v1")
    assert first == DescriptionGenerated.derive_event_id("evt-1", "v1")
    assert first != DescriptionGenerated.derive_event_id("evt-1", "v2")
    assert first != DescriptionGenerated.derive_event_id("evt-2", "v1")


def test_json_schema_files_match_the_models():
    for path, expected in schema_files().items():
        assert path.is_file(), f"{path} missing: run python -m schemas.export"
        assert path.read_text() == expected, f"{path.name} is stale: run python -m schemas.export"


def test_input_hash_ignores_description_and_lock_but_not_facts():
    event = parse_event(product_event())
    base = input_hash(event.product, event.locale, event.channel)
    relocked = event.product.model_copy(update={"description": "new", "description_locked": True})
    assert input_hash(relocked, event.locale, event.channel) == base
    changed = event.product.model_copy(update={"attributes": {**event.product.attributes, "capacity": "1 l"}})
    assert input_hash(changed, event.locale, event.channel) != base
    assert input_hash(event.product, "de_DE", event.channel) != base


def test_prompt_states_every_fact_and_the_length_limit():
    event = parse_event(product_event(tone="playful", keywords=["camping"]))
    user = build_messages(event.product, event.locale)[-1]["content"]
    for fact in ("Trail bottle 750 ml", "Hydra", "Outdoor > Bottles", "capacity: 750 ml", "weight_g: 320",
                 "At most 300 characters", "Tone: playful", "camping"):
        assert fact in user
