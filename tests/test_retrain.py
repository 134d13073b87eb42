"""Retraining loop: replay determinism, the gate, hot swap and tamper refusal, 2-rank DDP."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from consumer.models.base_model import sha256_file
from consumer.kafka.broker import create_topics
from consumer.generation.generator import Generator
from consumer.models.watcher import ModelWatcher
from consumer.service.serve import adapter_loader
from consumer.ops.settings import ModelSettings
from schemas import DescriptionApproved, ModelPublished
from consumer.catalog import product_from_row, read_rows
from tests.conftest import FIXTURES, product_event
from tests.harness import Harness
from trainer.replay import build_dataset, replay
from trainer.gate import Margins, gate

pytestmark = [pytest.mark.kafka]


def approval(row: dict, text: str, when: datetime, action: str = "approved_edited") -> DescriptionApproved:
    return DescriptionApproved(
        event_id=str(uuid.uuid4()), occurred_at=when, product_id=row["id"], locale="en_US", causation_id=str(uuid.uuid4()),
        model_version="v0", product=product_from_row(row), generated_text="A draft.", approved_text=text if action != "rejected" else None,
        editor="editor@example.com", action=action,
    )


def publish(broker, topic: str, events) -> None:
    producer = KafkaProducer(**broker.client_config, acks="all")
    for event in events:
        producer.send(topic, key=event.product_id.encode() if hasattr(event, "product_id") else event.model_version.encode(),
                      value=event.model_dump_json().encode())
    producer.flush()
    producer.close()


def test_replay_stops_at_captured_ends_and_same_offsets_give_the_same_dataset(broker, new_topic):
    topic = new_topic(partitions=3)
    rows = read_rows(FIXTURES / "products.jsonl")
    now = datetime.now(UTC)
    events = [approval(row, row["description"], now) for row in rows]
    events.append(approval(rows[0], "The Trailhead bottle from Northwind holds 750 ml.", now + timedelta(seconds=5)))  # newer wins
    events.append(approval(rows[1], "", now, action="rejected"))
    publish(broker, topic, events)

    first = replay(broker.client_config, topic)
    assert len(first.approvals) == len(events)
    assert sum(r.end_offset - r.start_offset for r in first.ranges) == len(events)
    dataset = build_dataset(first)
    assert len(dataset.negatives) == 1 and dataset.superseded == 1
    newest = next(e for e in dataset.train + dataset.held_out if e.product_id == rows[0]["id"])
    assert newest.target == "The Trailhead bottle from Northwind holds 750 ml."
    assert {e.product_id for e in dataset.train}.isdisjoint({e.product_id for e in dataset.held_out})

    publish(broker, topic, [approval(rows[2], rows[2]["description"], now)])  # arrives after: not in the old range
    again = replay(broker.client_config, topic, start={r.partition: r.start_offset for r in first.ranges})
    replayed_again = [a for a in again.approvals if any(a[0] == r.partition and a[1] < r.end_offset for r in first.ranges)]
    from trainer.dataset import dataset_hash
    from trainer.replay import Replayed

    same = build_dataset(Replayed(replayed_again, first.ranges, 0))
    assert dataset_hash(same.train + same.held_out) == dataset_hash(dataset.train + dataset.held_out)
    assert len(again.approvals) == len(events) + 1  # and a new run does see the new record


def test_the_gate_decides_on_the_lower_bound_of_the_editors_saving():
    live = {"edit_distance_mean": 0.40, "claim_free": 0.96, "publishable": 0.95}
    candidate = {"edit_distance_mean": 0.38, "claim_free": 0.96, "publishable": 0.95}
    steady = [0.02 + 0.001 * (i % 5) for i in range(30)]  # editors change less on every product
    one_lucky = [0.0] * 29 + [0.6]  # the same mean saving, from one product
    promoted, reason = gate(live, candidate, Margins(), steady, min_examples=20)
    assert promoted and "95% CI [+0.02" in reason
    promoted, reason = gate(live, candidate, Margins(), one_lucky, min_examples=20)
    assert not promoted and "CI [+0.0000" in reason and "editors would not work less" in reason
    promoted, reason = gate(live, candidate, Margins(), steady[:10], min_examples=20)
    assert not promoted and "gate set too small" in reason


def test_build_dataset_splits_train_selection_and_gate_by_product():
    from trainer.replay import Replayed

    rows = read_rows(FIXTURES / "products.jsonl")
    now = datetime.now(UTC)
    approvals = [(0, i, approval(row, row["description"], now)) for i, row in enumerate(rows * 3)]
    dataset = build_dataset(Replayed(approvals, [], 0), held_out_share=0.3, selection_share=0.3)
    sets = [{e.product_id for e in part} for part in (dataset.train, dataset.selection, dataset.held_out)]
    assert all(sets) and not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])


def test_the_gate_grades_drafts_against_what_the_editor_approved_not_the_training_target():
    from trainer.replay import Replayed
    from trainer.retrain import gate_pairs

    rows = read_rows(FIXTURES / "products.jsonl")
    edited = rows[0]["description"] + " Our editors' favourite for long hikes, 100% recommended."  # "100%" is not in the data
    approvals = [(0, i, approval(row, edited if i == 0 else row["description"], datetime.now(UTC))) for i, row in enumerate(rows)]
    dataset = build_dataset(Replayed(approvals, [], 0), held_out_share=0.99, targets="facts")
    first = next(e for e in dataset.held_out if e.product_id == rows[0]["id"])
    assert "100%" not in first.target  # the trainer's reduction drops the ungrounded sentence ...
    assert dict((p.title, ref) for p, ref in gate_pairs(dataset.held_out))[first.product.title] == edited  # ... the gate keeps the editor's text


def test_similarity_claim_free_and_coverage_are_vetoes():
    live = {"edit_distance_mean": 0.40, "similarity_cosine": 0.50, "claim_free": 0.96, "key_attribute_coverage": 0.80, "publishable": 0.95}
    saves = {"edit_distance_mean": 0.30}
    assert gate(live, {**live, **saves}, Margins())[0]
    assert not gate(live, {**live}, Margins())[0]  # no saving: nothing to promote for
    for metric, name in (("similarity_cosine", "similarity"), ("claim_free", "claim_free"), ("key_attribute_coverage", "coverage")):
        promoted, reason = gate(live, {**live, **saves, metric: live[metric] - 0.04}, Margins())
        assert not promoted and f"worse on {name}" in reason
    assert gate(live, {**live, **saves, "claim_free": 0.92}, Margins(claim_free=0.05))[0]  # within its margin


def test_a_veto_needs_evidence_of_harm_as_a_promotion_needs_evidence_of_gain():
    """Per-product changes: one product's flip is chance, five are a regression (a retrained candidate
    that invented claims on 5 of 27 gate products, 2026-12-06 13:28, was refused for it)."""
    live = {"edit_distance_mean": 0.46, "claim_free": 1.0}
    candidate = {"edit_distance_mean": 0.24, "claim_free": 0.963}
    savings = [0.2] * 27
    one_flip = [0.0] * 26 + [-1.0]
    five_flips = [0.0] * 22 + [-1.0] * 5
    assert gate(live, candidate, Margins(), savings, min_examples=20, changes={"claim_free": one_flip})[0]
    promoted, reason = gate(live, {**candidate, "claim_free": 0.815}, Margins(), savings, min_examples=20, changes={"claim_free": five_flips})
    assert not promoted and "worse on claim_free" in reason
    assert not gate(live, candidate, Margins(), savings, min_examples=20)[0]  # on the point estimate alone, the one flip vetoes


def test_approved_unchanged_gate_products_do_not_let_the_live_model_win_by_reproducing_itself():
    """Their reference is the live model's own draft: counted, they would hand live a distance of 0."""
    from types import SimpleNamespace

    from trainer.dataset import Example
    from trainer.retrain import ModelRun, gate_decision

    product = product_from_row(read_rows(FIXTURES / "products.jsonl")[0])
    styled = [f"Trailhead {i}: a pack with {i} pockets." for i in range(24)]
    examples = [Example(str(i), product, text, text, "approved_edited") for i, text in enumerate(styled)]
    examples += [Example(f"u{i}", product, f"A pack with {i} pockets: the Trailhead {i}.", f"A pack with {i} pockets: the Trailhead {i}.",
                         "approved_unchanged") for i in range(24)]
    live_drafts = [f"A pack with {i} pockets: the Trailhead {i}." for i in range(24)] * 2  # the house style not learned
    candidate_drafts = styled + styled  # learned: the edited products as the editor wrote them, the others restyled too
    metrics = {"claim_free": 1.0, "publishable": 1.0}
    settings = SimpleNamespace(margin_effort=0.0, margin_similarity=0.0, margin_claim_free=0.0, margin_coverage=0.0, margin_publishable=0.0,
                               min_gate_examples=20, bootstrap_samples=500, confidence=0.95)
    same = {"claim_free": [1.0] * 48, "publishable": [1.0] * 48}
    live, candidate = ModelRun(metrics, live_drafts, same), ModelRun(metrics, candidate_drafts, same)
    promoted, reason, report = gate_decision(examples, live, candidate, settings)
    assert promoted and "24 approved-unchanged products left out" in reason, reason
    assert report["products"] == 24 and report["live"]["approved_unchanged"] == 0.0 and report["candidate"]["approved_unchanged"] == 1.0
    # counted, the 24 unchanged products (live distance 0, candidate's restyle > 0) would halve the saving
    everything = [Example(e.product_id, e.product, e.target, e.reference, "approved_edited") for e in examples]
    _, counted, _ = gate_decision(everything, live, candidate, settings)
    assert "left out" not in counted



@pytest.fixture(scope="module")
def tiny_adapter(tmp_path_factory, base_model_dir) -> Path:
    """A small real adapter (a few steps on the project's fixtures) to publish and swap to."""
    from trainer.dataset import load_examples
    from trainer.fit import fit
    from trainer.hyperparameters import Hyperparameters

    examples, _ = load_examples(FIXTURES / "products.jsonl", targets="facts")  # 11 rows; grounded keeps 8 under the closed-world checker
    out = tmp_path_factory.mktemp("adapter")
    config = Hyperparameters(micro_batch_size=4, grad_accumulation=1, max_steps=2, eval_every=2, eval_rows=2,
                             lora_layers=2, lora_r=4, max_seq_len=192, targets="facts")
    return fit(examples[:8], examples[8:], config, out, model_version="swap-v2", progress=False).adapter_dir


def published(version: str, folder: Path, sha: str | None = None, promoted: bool = True) -> ModelPublished:
    return ModelPublished(
        model_version=version, base_model="SmolLM2-135M-Instruct", artifact_uri=f"file://{folder}",
        sha256=sha or sha256_file(folder / "adapter_model.safetensors"), promoted=promoted, reason="test", created_at=datetime.now(UTC),
    )


@pytest.mark.model
def test_hot_swap_under_a_stream_loses_nothing_and_never_mixes_versions(broker, base_model_dir, tiny_adapter, tmp_path):
    harness = Harness(broker)
    models_topic = f"models-{uuid.uuid4().hex[:8]}"
    create_topics(broker.client_config, {models_topic: 1})
    generator = Generator.load(base_model_dir, max_new_tokens=12)
    service = harness.start(generator, max_batch_size=3, max_wait_ms=50)
    settings = ModelSettings(max_new_tokens=12, cache_dir=base_model_dir.parent.parent)
    watcher = ModelWatcher(broker.client_config, models_topic, adapter_loader(settings), service.offer_generator)
    watcher.serving_version = generator.version
    watcher.start()
    try:
        tampered = tmp_path / "tampered"
        shutil.copytree(tiny_adapter, tampered)
        with open(tampered / "adapter_model.safetensors", "r+b") as handle:
            handle.seek(-8, 2)
            handle.write(b"\x00" * 8)
        events = [product_event(product_id=f"hs-{i}", title=f"Lamp model {i}") for i in range(24)]
        harness.publish(*events[:8])
        harness.drafts(8, timeout_s=120)  # the old model is serving
        publish(broker, models_topic, [published("tampered-v9", tampered, sha=sha256_file(tiny_adapter / "adapter_model.safetensors"))])
        harness.publish(*events[8:16])
        publish(broker, models_topic, [published("swap-v2", tiny_adapter)])
        deadline = time.monotonic() + 120
        while service.generator.version != "swap-v2" and time.monotonic() < deadline:
            time.sleep(0.2)
        harness.publish(*events[16:])
        outputs = harness.drafts(len(events), timeout_s=180, settle_s=1.0)
    finally:
        watcher.stop()
        harness.stop_all()
    assert ("tampered-v9", "sha256_mismatch") in watcher.refused
    assert {o["causation_id"] for o in outputs} == {e["event_id"] for e in events}, "an event was lost across the swap"
    versions = {o["model_version"] for o in outputs}
    assert versions == {generator.version, "swap-v2"} and "tampered-v9" not in versions
    by_batch: dict[tuple, set] = {}
    for output in outputs:
        by_batch.setdefault(output["timings"]["generation_seconds"], set()).add(output["model_version"])
    assert all(len(v) == 1 for v in by_batch.values()), "one batch was generated by two model versions"
    assert all(o["model_version"] == "swap-v2" for o in outputs if o["product_id"] in {e["product_id"] for e in events[16:]})


@pytest.mark.model
def test_two_rank_ddp_ends_with_identical_weights_and_a_lower_loss(tmp_path, base_model_dir):
    script = Path(__file__).parent / "ddp_fit.py"
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(29500 + os.getpid() % 1000),
         str(script), str(tmp_path)],
        capture_output=True, text=True, timeout=900, env={**os.environ, "COPYDESK_CACHE_DIR": str(base_model_dir.parent.parent), "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0]["weights_sha256"] == ranks[1]["weights_sha256"]
    assert ranks[0]["best_valid_loss"] < ranks[0]["first_valid_loss"]


@pytest.mark.model
def test_gate_rejects_a_candidate_trained_on_shuffled_targets_and_keeps_the_live_model(broker, base_model_dir, tiny_adapter, tmp_path):
    from consumer.catalog import is_held_out
    from trainer.retrain import find_live_model, replay_train
    from trainer.settings import ReplayTrainSettings

    suffix = uuid.uuid4().hex[:8]
    approvals_topic, models_topic = f"approvals-{suffix}", f"models-{suffix}"
    create_topics(broker.client_config, {approvals_topic: 1, models_topic: 1})
    publish(broker, models_topic, [published("swap-v2", tiny_adapter)])
    rows = read_rows(FIXTURES / "products.jsonl")
    share = 0.3
    train_rows = [row for row in rows if not is_held_out(row["id"], share)]
    held_rows = [row for row in rows if is_held_out(row["id"], share)]
    assert len(train_rows) >= 4 and held_rows
    now = datetime.now(UTC)
    # Training approvals carry another product's text (shuffled targets); held-out ones are true. The claim
    # checker keeps none of another product's sentences, so the facts targets are each product's own facts.
    shuffled = [approval(row, train_rows[(i + 1) % len(train_rows)]["description"], now) for i, row in enumerate(train_rows)]
    publish(broker, approvals_topic, shuffled + [approval(row, row["description"], now) for row in held_rows])

    settings = ReplayTrainSettings(
        _cli_parse_args=[], bootstrap_servers=broker.bootstrap_servers, approvals_topic=approvals_topic, models_topic=models_topic,
        model_store=tmp_path / "store", cache_dir=base_model_dir.parent.parent, held_out_share=share, min_examples=4,
        max_steps=8, learning_rate=3e-3, micro_batch_size=4, eval_every=100, progress=False, model_version="shuffled-v3",
        metrics_file=tmp_path / "textfile" / "copydesk_trainer.prom",
    )
    summary = replay_train(settings)
    assert summary["live_version"] == "swap-v2"
    # The fixture's few products make a gate set far under the 20 the bootstrap needs: refused for
    # that, and whatever the point estimate says (a 2-product gate once called this candidate better).
    assert summary["promoted"] is False and "gate set too small" in summary["reason"], summary["reason"]
    assert (tmp_path / "store" / "shuffled-v3" / "adapter_model.safetensors").is_file()  # stored either way
    assert find_live_model(broker.client_config, models_topic).version == "swap-v2"
    announced = [json.loads(r) for r in _read_values(broker, models_topic)]
    assert announced[-1]["model_version"] == "shuffled-v3" and announced[-1]["promoted"] is False
    exported = (tmp_path / "textfile" / "copydesk_trainer.prom").read_text()  # what Prometheus reads after the job exits
    assert 'copydesk_trainer_last_run_outcome{outcome="rejected"} 1.0' in exported
    assert f"copydesk_trainer_approvals_replayed {float(len(rows))}" in exported
    assert 'copydesk_trainer_similarity{model="candidate"}' in exported


def _read_values(broker, topic: str) -> list[bytes]:
    from consumer.kafka.topic_tail import assign_from_beginning

    consumer = assign_from_beginning(broker.client_config, topic)
    values, deadline = [], time.monotonic() + 20
    while time.monotonic() < deadline:
        batch = consumer.poll(timeout_ms=500)
        if not batch and values:
            break
        for records in batch.values():
            values += [r.value for r in records]
    consumer.close()
    return values


def test_an_edited_drafts_lead_is_learned_as_written_and_a_human_text_is_reduced():
    """The editor's style is the thing to learn: reducing their lead to the data's sentence (lead_target)
    threw it away, so the house style could never be learned (before edited_lead, every target began
    with the data's own lead)."""
    from consumer.demo.house_style import edit_lead
    from schemas.lead_prose import lead as data_lead
    from trainer.dataset import example_from_pair

    row = read_rows(FIXTURES / "products.jsonl")[0]
    product = product_from_row(row)
    styled = edit_lead(data_lead(product), product).lead
    assert styled.startswith("Northwind Trailhead insulated bottle 750 ml: a green")
    approved = f"{styled}\n- Capacity: 750 ml\n- Material: stainless steel"
    assert example_from_pair(row["id"], product, approved, "lead", action="approved_edited").target == styled
    assert example_from_pair(row["id"], product, approved, "lead", action="written_by_human").target.startswith(data_lead(product))
    invented = example_from_pair(row["id"], product, styled + " It won a design award in 2019.", "lead", action="approved_edited")
    assert "award" not in invented.target  # an edit the checker cannot support is reduced like any text
