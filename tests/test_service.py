"""The enrichment consumer end to end: real broker, real model (few tokens)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from consumer.generation.generator import Generator
from schemas import DeadLetter, DescriptionGenerated
from tests.conftest import FAST_GROUP, product_event
from tests.harness import Harness

pytestmark = [pytest.mark.kafka, pytest.mark.model]


@pytest.fixture(scope="module")
def generator(base_model_dir) -> Generator:
    return Generator.load(base_model_dir, max_new_tokens=24)


@pytest.fixture
def harness(broker):
    running = Harness(broker)
    yield running
    running.stop_all()


def test_event_becomes_a_draft_with_the_contract_fields(harness, generator):
    events = [product_event(product_id=f"p-{i}", sequence=i + 1) for i in range(3)]
    harness.start(generator)
    harness.publish(*events)
    outputs = [DescriptionGenerated.model_validate_json(json.dumps(o)) for o in harness.drafts(3)]
    by_cause = {o.causation_id: o for o in outputs}
    for event in events:
        output = by_cause[event["event_id"]]
        assert output.event_id == DescriptionGenerated.derive_event_id(event["event_id"], generator.version)
        assert (output.product_id, output.sequence, output.locale, output.channel) == (
            event["product_id"], event["sequence"], event["locale"], event["channel"])
        assert output.model_version == generator.version
        assert output.status in ("draft", "needs_review")
        assert {c.name for c in output.checks} >= {"grounding", "length", "loops", "markup"}
        assert len(output.description) <= event["product"]["max_chars"]
        if output.status == "needs_review":
            assert any(not c.passed and c.reason for c in output.checks)


def test_malformed_inputs_are_dead_lettered_and_the_consumer_keeps_serving(harness, generator):
    good = product_event(product_id="p-ok")
    bad = [
        (b"p-1", b"{not json", "invalid_json"),
        (b"p-2", b"\xff\xfe\x00", "invalid_utf8"),
        (b"p-3", json.dumps({**product_event(product_id="p-3"), "sequence": "7"}).encode(), "validation"),
        (b"p-4", json.dumps({**product_event(product_id="p-4"), "event_type": "product.deleted"}).encode(), "validation"),
        (b"p-5", json.dumps({**product_event(product_id="p-5"), "schema_version": 99}).encode(), "unsupported_schema"),
        (b"p-6", json.dumps(product_event(product_id="p-6", title="x" * 400_000)).encode(), "oversized"),
        (None, json.dumps(product_event(product_id="p-7")).encode(), "validation"),
        (b"p-8", None, "validation"),
    ]
    harness.start(generator)
    for key, value, _ in bad:
        harness.publish_raw(key, value, headers=[("trace", b"\x00\x01")])
    harness.publish(good)
    letters = [DeadLetter.model_validate_json(json.dumps(d)) for d in harness.dead_letters(len(bad))]
    assert [letter.error_type for letter in sorted(letters, key=lambda x: x.original_offset)] == [b[2] for b in bad]
    assert all(letter.error_message and letter.original_topic == harness.input_topic for letter in letters)
    assert letters[0].original_headers[0].key == "trace"
    invalid_utf8 = next(letter for letter in letters if letter.error_type == "invalid_utf8")
    assert invalid_utf8.value_encoding == "base64"
    drafts = harness.drafts(1)
    assert drafts[0]["causation_id"] == good["event_id"]  # still serving after all that


def test_human_and_locked_text_is_never_overwritten(harness, generator):
    service = harness.start(generator)
    harness.publish(
        product_event(product_id="p-human", description="Our copy.", description_origin="human"),
        product_event(product_id="p-locked", description="Legal text.", description_locked=True, description_origin="import"),
        product_event(product_id="p-free"),
    )
    harness.wait_accounted(service, 3)
    outputs = harness.drafts(1, settle_s=1.0)
    assert [o["product_id"] for o in outputs] == ["p-free"]
    assert service.stats.skipped == 2


def test_own_writes_unchanged_inputs_and_stale_sequences_are_skipped(harness, generator):
    service = harness.start(generator)
    harness.publish(product_event(product_id="p", sequence=1))
    first = harness.drafts(1)[0]
    harness.publish(
        product_event(product_id="p", sequence=2, description=first["description"], description_origin="copydesk"),  # own write
        product_event(product_id="p", sequence=3),  # e.g. only stock changed: prompt inputs unchanged
        product_event(product_id="p", sequence=1, title="An old title"),  # stale
        product_event(product_id="p", sequence=4, attributes={"capacity": "1 l"}),  # real change
    )
    harness.wait_accounted(service, 5)
    outputs = harness.drafts(2, settle_s=1.0)
    assert [o["sequence"] for o in outputs] == [1, 4]
    assert service.stats.skipped == 3


def test_a_duplicate_event_gives_the_same_output_id_and_text(broker, generator):
    event = product_event(product_id="p-dup")
    first, second = Harness(broker), Harness(broker)
    try:
        service = first.start(generator)
        first.publish(event, event)  # delivered twice to one consumer: one output, the repeat skipped
        first.wait_accounted(service, 2)
        once = first.drafts(1, settle_s=1.0)
        assert len(once) == 1
        # The same event reaching a consumer that has no memory of it (a new owner after a crash):
        second.start(generator)
        second.publish(event)
        again = second.drafts(1)
        assert (again[0]["event_id"], again[0]["description"]) == (once[0]["event_id"], once[0]["description"])
    finally:
        first.stop_all()
        second.stop_all()


class SlowGenerator:
    """The real generator behind a delay longer than max.poll.interval.ms."""

    def __init__(self, inner: Generator, delay_s: float):
        self.inner, self.delay_s, self.version = inner, delay_s, inner.version

    def describe(self, requests):
        time.sleep(self.delay_s)
        return self.inner.describe(requests)


def test_a_generator_slower_than_max_poll_interval_causes_no_rebalance(harness, generator):
    service = harness.start(SlowGenerator(generator, delay_s=10), max_poll_interval_ms=7000, max_batch_size=1)
    harness.publish(product_event(product_id="slow-1"), product_event(product_id="slow-2"))
    outputs = harness.drafts(2, timeout_s=120)
    assert {o["product_id"] for o in outputs} == {"slow-1", "slow-2"}
    assert service.stats.assignments == 1, "the member was kicked out of the group and rejoined"


def committed_offset(broker, group: str, topic: str) -> int:
    consumer = KafkaConsumer(**broker.client_config, group_id=group, enable_auto_commit=False)
    try:
        return consumer.committed(TopicPartition(topic, 0)) or 0
    finally:
        consumer.close()


def test_sigterm_mid_batch_finishes_publishes_commits_and_loses_nothing(harness, generator, base_model_dir):
    events = [product_event(product_id=f"s-{i}") for i in range(10)]
    harness.publish(*events)
    env = {
        **os.environ,
        "COPYDESK_BOOTSTRAP_SERVERS": harness.broker.bootstrap_servers,
        "COPYDESK_INPUT_TOPIC": harness.input_topic,
        "COPYDESK_OUTPUT_TOPIC": harness.output_topic,
        "COPYDESK_DEAD_LETTER_TOPIC": harness.dead_letter_topic,
        "COPYDESK_GROUP_ID": harness.group,
        "COPYDESK_CACHE_DIR": str(base_model_dir.parent.parent),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "consumer.cli", "serve", "--model", "base", "--max-new-tokens", "24",
         "--max-batch-size", "4", "--health-port", "0", "--session-timeout-ms", str(FAST_GROUP["session_timeout_ms"]),
         "--heartbeat-interval-ms", str(FAST_GROUP["heartbeat_interval_ms"])],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,  # serve logs JSON to stdout
    )
    log_lines: list[str] = []
    started = threading.Event()

    def follow():
        for line in process.stdout:
            log_lines.append(line)
            if '"batch_started"' in line:
                started.set()

    threading.Thread(target=follow, daemon=True).start()
    assert started.wait(120), "".join(log_lines[-20:])
    process.send_signal(signal.SIGTERM)  # mid-batch: the first batch is generating now
    assert process.wait(timeout=120) == 0, "".join(log_lines[-20:])
    assert any('"service_stopped"' in line for line in log_lines)

    committed = committed_offset(harness.broker, harness.group, harness.input_topic)
    published = {o["causation_id"] for o in harness.drafts(committed, timeout_s=30)}
    assert committed >= 4, "the batch in flight at SIGTERM was not finished and committed"
    assert {e["event_id"] for e in events[:committed]} <= published

    # A new consumer picks up exactly where the committed offset says; in the end, nothing is lost.
    harness.start(generator)
    outputs = harness.drafts(len(events), timeout_s=120, settle_s=1.0)
    assert {e["event_id"] for e in events} == {o["causation_id"] for o in outputs}
    by_cause: dict[str, set] = {}
    for output in outputs:
        by_cause.setdefault(output["causation_id"], set()).add((output["event_id"], output["description"]))
    assert all(len(variants) == 1 for variants in by_cause.values()), "one input, two different outputs"


def test_health_endpoints(broker):
    import urllib.request

    from consumer.kafka.broker import free_port
    from consumer.ops.health import HealthState, serve_health

    state, port = HealthState(), free_port()
    server = serve_health(state, port, host="127.0.0.1")
    try:
        def status(path):
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).status
            except urllib.error.HTTPError as error:
                return error.code

        assert status("/healthz") == 200
        assert status("/readyz") == 503
        state.model_loaded = state.assigned = True
        assert status("/readyz") == 200
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert "copydesk_events_consumed_total" in body
    finally:
        server.shutdown()


def test_demo_runs_end_to_end(tmp_path, base_model_dir):
    output = tmp_path / "drafts.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "consumer.cli", "demo", "--products", "3", "--max-new-tokens", "24", "--model", "base",
         "--output", str(output), "--cache-dir", str(base_model_dir.parent.parent), "--editor-keeps", "1"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["drafts"] + summary["needs_review"] == 3
    # locked + duplicate + the editor's save of a draft (a person's text now: no new draft), malformed
    assert (summary["skipped"], summary["dead_lettered"]) == (3, 1)
    assert "an editor kept 1 draft(s) in the PIM" in result.stdout
    assert len(output.read_text().splitlines()) == 5  # 3 drafts, the locked one's description.skipped, 1 dead letter
    assert uuid.UUID(json.loads(output.read_text().splitlines()[0]).get("event_id", str(uuid.uuid4())))


def test_the_demo_summary_counts_skips_the_way_a_reader_sees_them():
    """It said '2 skipped' over one [skipped] line: a duplicate publishes no record (a new user's papercut)."""
    from consumer.demo.run import skipped_line

    assert skipped_line({"duplicate": 1, "unchanged": 1}, shown=1) == "2 skipped (duplicate 1, unchanged 1; 1 shown above, the other publishes no record)"
    assert skipped_line({"human_text": 2}, shown=2) == "2 skipped (human_text 2)"
    assert skipped_line({}, shown=0) == "0 skipped"


def test_the_demo_progress_line_tells_the_batch_being_generated():
    """A per-event rate stood still for a minute while one batch generated; now the line names the batch."""
    import types

    from consumer.demo.run import BatchWatch

    watch = BatchWatch()
    first = types.SimpleNamespace(items=[1] * 8, started=time.perf_counter() - 40)
    assert watch.state(None) == "waiting for events"
    assert watch.state(first) == "generating 8 products, 40 s elapsed"
    second = types.SimpleNamespace(items=[1] * 7, started=time.perf_counter())
    assert watch.state(second).startswith("generating 7 products, 0 s elapsed (the last batch: 8 in 40 s")
