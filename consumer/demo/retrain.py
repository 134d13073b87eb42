"""`copydesk demo --retrain`: the whole learning loop on the embedded default, in one command.

The trainer runs as its own process (`copydesk-trainer replay-train`), as the CronJob does in
a cluster: serving never imports training code, and the hot swap is driven only by what the
trainer publishes on the models topic.

drafts for the catalog's products -> editors replace most drafts with the catalog's human text
and save (product updates, some in Akeneo's format: pim_updates.py) -> serve derives the
DescriptionApproved records -> replay-train -> gate -> hot swap in
the running consumer -> drafts again for the products no approval covered -> one JSON line:
similarity to the human text before and after, the gate's decision, the new version, wall time.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from consumer.catalog import event_from_row, is_held_out, read_rows
from consumer.demo.embedded import embedded_service_config
from consumer.demo.pim_updates import editor_updates, wait_for_approvals
from consumer.kafka.broker import EmbeddedBroker
from consumer.models.embedder import cosine_similarities
from consumer.models.watcher import ModelWatcher
from consumer.service.loop import EnrichmentService
from consumer.service.serve import adapter_loader, load_generator
from schemas import topics

AFTER_CHANNEL = "after-retrain"
"""Phase two asks again on another channel: same prompt, but not 'unchanged' to the router."""


def _drafts(consumer: KafkaConsumer, wanted: set[str], timeout_s: float = 1800) -> dict[str, dict]:
    found: dict[str, dict] = {}
    deadline = time.monotonic() + timeout_s
    while not wanted <= set(found) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                draft = json.loads(record.value)
                if draft["causation_id"] in wanted:
                    found[draft["causation_id"]] = draft
    return found


def run_trainer(bootstrap_servers: str, settings) -> dict:
    """`copydesk-trainer replay-train` in its own process; its last stdout line is the result."""
    command = [
        sys.executable, "-m", "trainer.cli", "replay-train", "--bootstrap-servers", bootstrap_servers,
        "--cache-dir", str(settings.cache_dir), "--model-store", str(settings.output.parent / "model-store"),
        "--epochs", str(settings.retrain_epochs), "--learning-rate", str(settings.retrain_learning_rate),
        "--held-out-share", str(settings.retrain_gate_share), "--min-examples", "4", "--log-level", "warning",
    ]
    finished = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    for line in reversed(finished.stdout.splitlines()):
        try:
            result = json.loads(line)
        except ValueError:
            continue
        if isinstance(result, dict) and "promoted" in result:
            return result
    raise SystemExit(f"replay-train exited {finished.returncode} without a result line:\n{finished.stdout[-2000:]}")


def run_retrain_demo(settings) -> int:
    started = time.perf_counter()
    if settings.catalog is None or not Path(settings.catalog).is_file():
        raise SystemExit("copydesk demo --retrain needs --catalog PATH.jsonl: rows with human descriptions to learn from")
    rows = [row for row in read_rows(settings.catalog, settings.products) if row.get("description")]
    share = settings.retrain_before_after_share
    approved_rows = [row for row in rows if not is_held_out(str(row["id"]), share, salt="demo")]
    held_rows = [row for row in rows if is_held_out(str(row["id"]), share, salt="demo")]
    print(f"{len(rows)} products: {len(approved_rows)} get approvals, {len(held_rows)} held out for before/after")

    with EmbeddedBroker() as broker:
        client = broker.client_config
        generator = load_generator(settings)
        # `auto`: the canonical events and the editors' updates in a platform's own format, on one topic
        service = EnrichmentService(replace(embedded_service_config(settings), input_format="auto"), client, generator)
        watcher = ModelWatcher(client, topics.MODELS, adapter_loader(settings), service.offer_generator)
        watcher.serving_version = generator.version
        watcher.start()
        worker = threading.Thread(target=service.run, daemon=True)
        worker.start()
        outputs = KafkaConsumer(**client, group_id=None, enable_auto_commit=False)
        partitions = [TopicPartition(topics.DESCRIPTIONS, p) for p in outputs.partitions_for_topic(topics.DESCRIPTIONS)]
        outputs.assign(partitions)
        outputs.seek_to_beginning(*partitions)  # never "latest": Tansu's end offsets are unreliable
        producer = KafkaProducer(**client, acks="all", enable_idempotence=True)

        def ask(rows_, channel: str) -> dict[str, tuple[dict, dict]]:
            events = {}
            for row in rows_:
                event = event_from_row({**row, "channel": channel}, source="copydesk-demo")
                events[event["event_id"]] = (row, event)
                producer.send(topics.PRODUCT_EVENTS, key=event["product_id"].encode(), value=json.dumps(event).encode())
            producer.flush()
            drafts = _drafts(outputs, set(events))
            return {event_id: (events[event_id][0], draft) for event_id, draft in drafts.items()}

        print(f"phase 1: drafts from {generator.version}")
        first = ask(approved_rows + held_rows, "ecommerce")
        held_ids = {str(row["id"]) for row in held_rows}
        before = [(row, draft) for row, draft in first.values() if str(row["id"]) in held_ids]

        # The editors keep their own text in the PIM; serve sees the product updates and derives
        # the approvals the trainer learns from (consumer/service/approvals.py).
        edited = [(row, draft) for row, draft in first.values() if str(row["id"]) not in held_ids]
        updates = editor_updates(edited)
        for key, value, _ in updates:
            producer.send(topics.PRODUCT_EVENTS, key=key, value=value)
        producer.flush()
        approvals = wait_for_approvals(client, topics.APPROVALS, len(updates))
        formats = sorted({fmt for _, _, fmt in updates})
        print(f"sent {len(updates)} product updates as an editor would ({', '.join(formats)}); "
              f"serve derived {len(approvals)} approvals; replay-train ...")

        result = run_trainer(broker.bootstrap_servers, settings)
        if result.get("promoted"):
            deadline = time.monotonic() + 300
            # The watcher verifies and loads it, then offers it; the service swaps before its next batch.
            while watcher.serving_version != result["version"] and time.monotonic() < deadline:
                time.sleep(0.5)
        print(f"gate: promoted={result.get('promoted')} ({result.get('reason')}); next batches use {watcher.serving_version}")
        after = list(ask(held_rows, AFTER_CHANNEL).values())

        service.stop()
        worker.join(timeout=120)
        watcher.stop()
        outputs.close()
        producer.close()

    def similarity(pairs) -> float:
        pairs = list(pairs)
        return statistics.fmean(cosine_similarities([d["description"] or "-" for _, d in pairs], [r["description"] for r, _ in pairs]))

    line = {
        "similarity_before": round(similarity(before), 4),
        "similarity_after": round(similarity(after), 4),
        "held_out_products": len(held_rows),
        "approvals_from_pim_updates": len(approvals),
        "approval_actions": dict(Counter(a["action"] for a in approvals)),
        "gate_promoted": bool(result.get("promoted")),
        "gate_reason": result.get("reason"),
        "live_version": result.get("live_version"),
        "new_version": result.get("version"),
        "served_after": sorted({d["model_version"] for _, d in after}),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(line))
    return 0
