"""Pure logic of the serving path: validation, routing and committable offsets."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from kafka import TopicPartition

from consumer.service.offsets import OffsetTracker
from consumer.service.routing import RouteState, route
from consumer.service.validate import Rejected, parse_product_event
from schemas import ProductEvent
from schemas.events import SCHEMA_VERSION
from tests.conftest import product_event


def event(sequence=1, **product) -> ProductEvent:
    return ProductEvent.model_validate_json(json.dumps(product_event(sequence=sequence, **product)))


def test_new_product_is_generated_and_its_repeat_is_unchanged():
    state = RouteState()
    assert route(event(1), state).generate
    decision = route(event(2), state)
    assert (decision.generate, decision.reason) == (False, "unchanged")


def test_changed_facts_generate_again():
    state = RouteState()
    route(event(1), state)
    assert route(event(2, attributes={"capacity": "1 l"}), state).generate


def test_stale_sequence_is_dropped_even_with_new_facts():
    state = RouteState()
    route(event(5), state)
    assert route(event(3, title="Older title"), state).reason == "stale"


def test_human_and_locked_text_is_never_replaced():
    state = RouteState()
    assert route(event(1, description="Ours.", description_origin="human"), state).reason == "human_text"
    assert route(event(2, description="Ours.", description_locked=True, description_origin="copydesk"), state).reason == "locked"
    # an import (or empty) description may be replaced
    assert route(event(3, description="Imported.", description_origin="import"), state).generate


def test_own_write_coming_back_is_skipped():
    state = RouteState()
    route(event(1), state)
    assert route(event(2, description="Our draft.", description_origin="copydesk"), state).reason == "own_write"


def test_state_is_bounded():
    state = RouteState(max_entries=3)
    for index in range(10):
        route(ProductEvent.model_validate_json(json.dumps(product_event(product_id=f"p-{index}"))), state)
    assert len(state) == 3


def test_committable_offset_stops_below_the_first_unfinished_record():
    tracker, tp = OffsetTracker(), TopicPartition("t", 0)
    for offset in range(5):
        tracker.start(tp, offset)
    for offset in (0, 2, 3, 4):  # 1 is still waiting for its batch
        tracker.finish(tp, offset)
    assert tracker.committable()[tp].offset == 1
    tracker.finish(tp, 1)
    assert tracker.committable()[tp].offset == 5
    tracker.mark_committed(tracker.committable())
    assert tracker.committable() == {}


def test_validation_reasons():
    good = product_event()
    key = good["product_id"].encode()
    cases = {
        b"\xff\xfe": "invalid_utf8",
        b"{nope": "invalid_json",
        b"[1, 2]": "validation",
        json.dumps({**good, "schema_version": SCHEMA_VERSION + 1}).encode(): "unsupported_schema",
        json.dumps({**good, "product": {**good["product"], "title": "x" * 5000}}).encode(): "oversized",
        b"x" * 1_000_001: "oversized",
        json.dumps({**good, "sequence": -1}).encode(): "validation",
    }
    for value, expected in cases.items():
        result = parse_product_event(key, value)
        assert isinstance(result, Rejected) and result.error_type == expected, (value[:40], result)
    assert parse_product_event(None, json.dumps(good).encode()).error_type == "validation"
    assert isinstance(parse_product_event(key, json.dumps(good).encode()), ProductEvent)


def test_an_oversized_record_names_the_field_to_shorten():
    """A 1 MB title was dead-lettered as 'record value is N bytes' alone; a shorter long title named
    product.title. Both name it now (the first assertion failed before)."""
    good = product_event()
    key = good["product_id"].encode()
    huge = parse_product_event(key, json.dumps({**good, "product": {**good["product"], "title": "x" * 1_000_000}}).encode())
    assert huge.error_type == "oversized" and "product.title (1,000,000 characters)" in huge.message, huge.message
    long = parse_product_event(key, json.dumps({**good, "product": {**good["product"], "title": "x" * 500_000}}).encode())
    assert long.error_type == "oversized" and "product.title" in long.message, long.message
    blob = parse_product_event(key, b"x" * 1_000_001)
    assert blob.error_type == "oversized" and "largest field" not in blob.message


product_states = st.fixed_dictionaries({
    "sequence": st.integers(min_value=0, max_value=20),
    "description": st.one_of(st.none(), st.sampled_from(["Our own words.", "Imported text.", "A draft we wrote."])),
    "description_origin": st.one_of(st.none(), st.sampled_from(["human", "copydesk", "import"])),
    "description_locked": st.booleans(),
    "title": st.sampled_from(["Trail bottle 750 ml", "Trail bottle 1 l"]),
})


@settings(max_examples=500, deadline=None)
@given(history=st.lists(product_states, min_size=1, max_size=25))
def test_human_or_locked_text_is_never_replaced_whatever_the_event_order(history):
    state = RouteState()
    protected_sequences: list[int] = []
    for step in history:
        fields = {k: v for k, v in step.items() if k != "sequence"}
        incoming = event(step["sequence"], **fields)
        decision = route(incoming, state)
        if incoming.product.has_protected_description:
            assert not decision.generate, (decision, step)
            protected_sequences.append(step["sequence"])
        if decision.generate:
            # a late, older event must never undo a newer human edit or lock
            assert all(step["sequence"] >= seq for seq in protected_sequences), (history, step)


def test_a_redelivered_event_adds_no_second_outcome_even_after_a_newer_one():
    """Redelivery after a crash: e1 and e2 were both handled; e1 again is a duplicate, not 'stale'
    (a stale skip record would give e1 two different outcomes: its draft and a skip)."""
    state = RouteState()
    first, second = event(1), event(2, attributes={"capacity": "1 l"})
    assert route(first, state).generate and route(second, state).generate
    assert route(first, state).reason == "duplicate"
    rebuilt = RouteState()  # a restarted consumer, rebuilt from the outcomes on the descriptions topic
    rebuilt.remember(("p-1", "en_US", "ecommerce"), 2, "hash", second.event_id)
    rebuilt.mark_handled(first.event_id)
    assert route(second, rebuilt).reason == "duplicate"
