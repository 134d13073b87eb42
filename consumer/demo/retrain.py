"""`copydesk demo --retrain`: the whole learning loop on the embedded default, in one command.

The trainer runs as its own process (`copydesk-trainer replay-train`), as the CronJob does in
a cluster: serving never imports training code, and the hot swap is driven only by what the
trainer publishes on the models topic.

drafts for the catalog's products -> the demo's editors act on each draft and save (product
updates, some in Akeneo's format: pim_updates.py; by default the scripted house style of
house_style.py) -> serve derives the DescriptionApproved records -> replay-train -> gate -> hot
swap in the running consumer -> drafts again for the products no approval covered -> one JSON
line: what the editor makes of those drafts before and after (approved unchanged, edit distance,
with intervals), similarity to what the editors publish, the gate's decision, the new version.
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

from consumer.catalog import event_from_row, is_held_out, product_from_row, read_rows
from consumer.demo.embedded import embedded_service_config
from consumer.demo.house_style import edit_description
from consumer.demo.pim_updates import editor_updates, wait_for_approvals
from consumer.generation.copy import compose
from schemas.lead_prose import lead as data_lead
from consumer.kafka.broker import EmbeddedBroker
from consumer.models.embedder import cosine_similarities
from consumer.models.watcher import ModelWatcher
from consumer.ops.paired import bootstrap_interval, edit_distance
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


def published_reference(row: dict, editor: str) -> str:
    """What the demo's editors publish for a product, independent of any model's draft: the
    catalog's text, or the house style's version of the lead written from the data."""
    if editor == "catalog":
        return row["description"]
    product = product_from_row(row)
    drafted = compose(product, "en_US", data_lead(product)).description
    return edit_description(drafted, product)[1] or drafted


def before_and_after(before: list[tuple[dict, dict]], after: list[tuple[dict, dict]], editor: str) -> dict:
    """The held-out products' drafts before and after, as the house-style editor would take them.

    Per product: approved unchanged (1/0) and the normalised edit distance between the draft and
    the text the editor would save (1 for a rejection: nothing kept); paired over the products in
    both phases, with 95% bootstrap intervals of each phase's median and of the paired gains.
    Similarity: cosine to what the editors publish (published_reference)."""
    drafts_after = {str(row["id"]): draft for row, draft in after}
    pairs = [(row, draft, drafts_after[str(row["id"])]) for row, draft in before if str(row["id"]) in drafts_after]

    def judged(row, draft) -> tuple[float, float]:
        verdict, text = edit_description(draft["description"] or "", product_from_row(row))
        return float(verdict.action == "unchanged"), (1.0 if verdict.action == "rejected" else edit_distance(draft["description"], text))

    measured = [(judged(row, b), judged(row, a)) for row, b, a in pairs]
    unchanged = {"before": [b[0] for b, _ in measured], "after": [a[0] for _, a in measured]}
    distance = {"before": [b[1] for b, _ in measured], "after": [a[1] for _, a in measured]}
    references = [published_reference(row, editor) for row, _, _ in pairs]
    similarity = {phase: cosine_similarities([(d["description"] or "-") for d in drafts], references)
                  for phase, drafts in (("before", [b for _, b, _ in pairs]), ("after", [a for _, _, a in pairs]))}

    def rounded(interval) -> list[float]:
        return [round(value, 4) for value in interval]

    return {
        "approved_unchanged_before": round(statistics.fmean(unchanged["before"]), 4),
        "approved_unchanged_after": round(statistics.fmean(unchanged["after"]), 4),
        "approved_unchanged_gain_ci": rounded(bootstrap_interval([a - b for b, a in zip(unchanged["before"], unchanged["after"])])),
        "edit_distance_median_before": round(statistics.median(distance["before"]), 4),
        "edit_distance_median_after": round(statistics.median(distance["after"]), 4),
        "edit_distance_median_before_ci": rounded(bootstrap_interval(distance["before"], statistic=statistics.median)),
        "edit_distance_median_after_ci": rounded(bootstrap_interval(distance["after"], statistic=statistics.median)),
        "edit_distance_saving_ci": rounded(bootstrap_interval([b - a for b, a in zip(distance["before"], distance["after"])])),
        "similarity_before": round(statistics.fmean(similarity["before"]), 4),
        "similarity_after": round(statistics.fmean(similarity["after"]), 4),
        "similarity_reference": "the catalog's text" if editor == "catalog" else "the house style's text of the data's lead",
        "editor": editor,
    }


def write_drafts(path: Path, before: list[tuple[dict, dict]], after: list[tuple[dict, dict]], editor: str) -> None:
    """One JSON line per held-out product: its draft before and after, and what the editor makes of each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    drafts_after = {str(row["id"]): draft for row, draft in after}
    with open(path, "w", encoding="utf-8") as sink:
        for row, draft in before:
            line = {"product_id": str(row["id"]), "title": row["title"]}
            for phase, shown in (("before", draft), ("after", drafts_after.get(str(row["id"])))):
                if shown is None:
                    continue
                verdict, saved = edit_description(shown["description"] or "", product_from_row(row))
                line[phase] = {"model_version": shown["model_version"], "status": shown["status"], "description": shown["description"],
                               **({"editor": verdict.action, "editor_text": saved} if editor == "house-style" else {})}
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")


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
        updates, verdicts = editor_updates(edited, settings.retrain_editor)
        for key, value, _ in updates:
            producer.send(topics.PRODUCT_EVENTS, key=key, value=value)
        producer.flush()
        approvals = wait_for_approvals(client, topics.APPROVALS, len({key for key, _, _ in updates}))
        formats = sorted({fmt for _, _, fmt in updates})
        print(f"the {settings.retrain_editor} editor: {dict(verdicts)}; sent {len(updates)} product updates ({', '.join(formats)}); "
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

    write_drafts(settings.output, before, after, settings.retrain_editor)
    line = {
        **before_and_after(before, after, settings.retrain_editor),
        "held_out_products": len(held_rows),
        "approvals_from_pim_updates": len(approvals),
        "approval_actions": dict(Counter(a["action"] for a in approvals)),
        "editor_verdicts": dict(verdicts),
        "gate_promoted": bool(result.get("promoted")),
        "gate_reason": result.get("reason"),
        "live_version": result.get("live_version"),
        "new_version": result.get("version"),
        "served_after": sorted({d["model_version"] for _, d in after}),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "drafts": str(settings.output),
    }
    print(json.dumps(line))
    return 0
