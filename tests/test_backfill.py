"""`copydesk backfill` from an export file: rows to events, filters, pace, dry run, and kill -9 midway.

The pure parts (rate limit, event ids, filters, row mapping) are unit tests. The rest runs the
real thing: the `copydesk backfill` command as a child process against the session broker and
the real consumer with the real model, a SIGKILL in the middle, a resume, live events sent
meanwhile; then every product has exactly one draft.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consumer.adapters.common import AdapterConfig
from consumer.backfill.events import backfill_event, skip_reason
from consumer.backfill.flow import RateLimit
from consumer.backfill.sources import file_items
from tests.conftest import FAST_GROUP, product_event

REPO = Path(__file__).resolve().parent.parent
NO_FILTER = {"only_empty": False, "shorter_than": None, "categories": set(), "locales": None, "channel": None}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_rate_limit_spaces_products_evenly_and_does_not_burst_after_a_pause():
    now = {"t": 0.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now["t"] += seconds

    limit = RateLimit(4.0, clock=lambda: now["t"], sleep=sleep)
    for _ in range(5):
        limit.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]  # the first goes at once, then one every 1/4 s
    now["t"] += 10  # a long pause (waiting for the lag): no burst of 40 afterwards
    slept.clear()
    limit.wait()
    limit.wait()
    assert slept == [0.25]


def test_an_event_id_is_the_same_for_the_same_product_and_data_and_new_when_the_data_changes(tmp_path):
    rows = [{"id": "p-1", "title": "Oak desk lamp", "attributes": {"height": "42 cm"}},
            {"id": "p-1", "title": "Oak desk lamp", "attributes": {"height": "42 cm"}},
            {"id": "p-1", "title": "Oak desk lamp", "attributes": {"height": "45 cm"}}]
    items = list(file_items(write_jsonl(tmp_path / "rows.jsonl", rows), {}, "human", AdapterConfig()))
    first, same, changed = (backfill_event(item.adapted[0], AdapterConfig()) for item in items)
    assert first.event_id == same.event_id != changed.event_id
    assert first.source == "backfill" and first.writeback is None and first.sequence == 0
    assert abs(time.time() - first.occurred_at.timestamp()) < 60  # when sent, so serve's latency is the queue's


def test_a_persons_text_is_never_sent_and_the_filters_select_what_was_asked(tmp_path):
    rows = [{"id": "empty", "title": "Lamp", "category": "Lighting"},
            {"id": "short", "title": "Lamp", "category": "Lighting", "description": "A lamp."},
            {"id": "long", "title": "Lamp", "category": "Lighting", "description": "A long description. " * 10},
            {"id": "chair", "title": "Chair", "category": "Seating"}]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    people = {i.adapted[0].event.product_id: skip_reason(i.adapted[0].event, **NO_FILTER) for i in file_items(path, {}, "human", AdapterConfig())}
    assert people == {"empty": None, "short": "human_text", "long": "human_text", "chair": None}
    events = {i.adapted[0].event.product_id: i.adapted[0].event for i in file_items(path, {}, "import", AdapterConfig())}
    reasons = lambda **chosen: {pid: skip_reason(e, **{**NO_FILTER, **chosen}) for pid, e in events.items()}  # noqa: E731
    assert reasons() == {"empty": None, "short": None, "long": None, "chair": None}
    assert reasons(only_empty=True) == {"empty": None, "short": "not_empty", "long": "not_empty", "chair": None}
    assert reasons(shorter_than=50) == {"empty": None, "short": None, "long": "long_enough", "chair": None}
    assert reasons(categories={"lighting"})["chair"] == "category"
    assert reasons(locales={"de_DE"})["empty"] == "locale"


def test_csv_columns_map_to_the_product_and_a_bad_row_is_reported_with_its_line_and_field(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("sku,name,body,type,colour,height\n"
                    "A-1,Oak desk lamp,,Lighting,natural oak,42 cm\n"
                    "A-2,,,Lighting,white,30 cm\n"
                    "A-3,Wall lamp,,Lighting,black,\n", encoding="utf-8")
    columns = {"id": "sku", "title": "name", "description": "body", "category": "type"}
    items = list(file_items(path, columns, "human", AdapterConfig()))
    first = items[0].adapted[0].event
    assert (first.product_id, first.product.title, first.product.category) == ("A-1", "Oak desk lamp", "Lighting")
    assert first.product.attributes == {"colour": "natural oak", "height": "42 cm"} and first.product.description is None
    assert items[1].where == "export.csv:3" and items[1].error.startswith("no title (column 'name'")
    assert items[2].adapted[0].event.product.attributes == {"colour": "black"}  # an empty cell is no fact
    bad = list(file_items(write_jsonl(tmp_path / "bad.jsonl", ['{"id": "x", "title": "Lamp", "locale": "English"}', "[1, 2]", "{oops"]),
                          {}, "human", AdapterConfig()))
    assert bad[0].where == "bad.jsonl:1" and "locale" in bad[0].error
    assert bad[1].error == "a row is a JSON object, got list" and bad[2].error.startswith("not JSON")


@pytest.mark.model
def test_the_dry_run_counts_what_would_be_sent_and_estimates_time_and_tokens(tmp_path, base_model_dir, capsys):
    from consumer.backfill.run import run_backfill
    from consumer.backfill.settings import BackfillSettings

    rows = [{"id": f"p-{n}", "title": f"Oak desk lamp {n}", "attributes": {"height": "42 cm"}} for n in range(30)]
    rows += [{"id": "human", "title": "Lamp", "description": "Ours."}, {"id": "", "title": "No id"}]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    lines: list[str] = []
    settings = BackfillSettings(source=str(path), dry_run=True, rate=2, cache_dir=base_model_dir.parent.parent, progress=False,
                                checkpoint=tmp_path / "ck.json")
    assert run_backfill(settings, out=lambda text, **_: lines.append(text)) == 0
    assert "invalid: rows.jsonl:32: no product id" in lines[0]
    assert lines[1] == "dry run of " + str(path) + ": 32 read of 32, 1 invalid, skipped: 1 human_text"
    assert lines[2] == "would send: 30 products"
    assert lines[3].startswith("time: 15 s at 2.00 products/s (set by the rate limit: --rate 2, serve ~3.74 descriptions/s)")
    prompt = int(lines[4].split()[1].replace(",", ""))
    assert 30 * 40 < prompt < 30 * 200 and lines[4].endswith("+ ~23 per product)")
    assert not (tmp_path / "ck.json").exists()  # a dry run sends nothing and remembers nothing


# -- 2,000 rows, kill -9 midway, live events meanwhile ----------------------------------------

CATALOG = REPO.parent / "shared" / "data" / "catalog"


def thin_catalog_rows(count: int) -> list[dict]:
    """Catalog rows as a thin export (id, title, brand, category, locale): short prompts keep this test to minutes."""
    rows: list[dict] = []
    for name in ("train", "valid", "multilingual"):
        with open(CATALOG / f"{name}.jsonl", encoding="utf-8") as handle:
            rows += [{key: row.get(key) for key in ("id", "title", "brand", "category", "locale")} for row in map(json.loads, handle)]
    return rows[:count]


def backfill_process(rows: Path, harness, checkpoint: Path, max_lag: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "consumer.cli", "backfill", str(rows), "--topic", harness.input_topic, "--group-id", harness.group,
               "--bootstrap-servers", harness.broker.bootstrap_servers, "--rate", "200", "--max-lag", str(max_lag),
               "--lag-check-seconds", "0.2", "--checkpoint", str(checkpoint), "--checkpoint-every", "25", "--no-progress"]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COPYDESK_LOG_LEVEL": "warning"})


def handled(checkpoint: Path) -> int:
    try:
        return json.loads(checkpoint.read_text())["handled"]
    except (FileNotFoundError, ValueError, KeyError):
        return 0


@pytest.mark.kafka
@pytest.mark.model
@pytest.mark.reliability
def test_two_thousand_rows_survive_kill_9_each_product_gets_one_draft_and_live_events_wait_no_longer_than_a_batch_or_two(
        broker, base_model_dir, tmp_path):
    from consumer.generation.generator import Generator
    from tests.harness import Harness

    if not (CATALOG / "train.jsonl").is_file():
        pytest.skip(f"the product catalog is not at {CATALOG} (only CI and the workplace have ../shared)")
    total, batch, max_lag = 2000, 32, 32
    rows = write_jsonl(tmp_path / "catalog.jsonl", thin_catalog_rows(total))
    checkpoint = tmp_path / "backfill.json"
    harness = Harness(broker, partitions=3)
    generator = Generator.load(base_model_dir, max_new_tokens=8)
    harness.start(generator, max_batch_size=batch, max_wait_ms=200, **FAST_GROUP)
    live_ids, started = [], time.monotonic()
    try:
        first = backfill_process(rows, harness, checkpoint, max_lag)
        while handled(checkpoint) < 600 and first.poll() is None and time.monotonic() - started < 600:
            time.sleep(0.2)
            if len(live_ids) < 2 and handled(checkpoint) >= 200 * (len(live_ids) + 1):
                live_ids.append(f"live-{len(live_ids)}")
                harness.publish(product_event(product_id=live_ids[-1], title=f"Live product {len(live_ids)}", attributes={}))
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = handled(checkpoint)
        assert 600 <= killed_at < total, f"killed at {killed_at}: {first.stdout.read()[-2000:]}"
        second = backfill_process(rows, harness, checkpoint, max_lag)
        while second.poll() is None and time.monotonic() - started < 1500:
            time.sleep(0.5)
            if len(live_ids) < 4 and handled(checkpoint) >= killed_at + 300 * (len(live_ids) - 1):
                live_ids.append(f"live-{len(live_ids)}")
                harness.publish(product_event(product_id=live_ids[-1], title=f"Live product {len(live_ids)}", attributes={}))
        output = second.stdout.read()
        assert second.returncode == 0, output[-3000:]
        assert "resuming at {'line': " in output and f"backfill done: {total} read" in output, output[-3000:]
        drafts = harness.drafts(total + len(live_ids), timeout_s=900, settle_s=10)
    finally:
        harness.stop_all()
    per_product: dict[str, int] = {}
    for draft in drafts:
        per_product[draft["product_id"]] = per_product.get(draft["product_id"], 0) + 1
    expected = {row["id"] for row in map(json.loads, rows.read_text().splitlines())} | set(live_ids)
    assert set(per_product) == expected, f"gaps: {sorted(expected - set(per_product))[:10]}"
    assert max(per_product.values()) == 1, f"two drafts: {[p for p, n in per_product.items() if n > 1][:10]}"
    batch_seconds = sorted(d["timings"]["generation_seconds"] for d in drafts if d["source"] == "backfill")
    slowest = batch_seconds[-1]
    waits = {d["product_id"]: d["timings"]["queue_seconds"] + d["timings"]["generation_seconds"] for d in drafts if d["product_id"] in live_ids}
    print(f"\nbackfill of {total} rows, killed at {killed_at}, {time.monotonic() - started:.0f}s in all; slowest batch {slowest:.1f}s, "
          f"median {batch_seconds[len(batch_seconds) // 2]:.1f}s; live events' wait to their draft: "
          + ", ".join(f"{pid} {seconds:.1f}s" for pid, seconds in sorted(waits.items())))
    assert len(waits) == 4
    # A live event queues behind at most max_lag (one batch) of backfill events and the batch in flight: its own batch is the third.
    assert max(waits.values()) <= 3 * slowest + 2, waits


@pytest.mark.kafka
def test_sigterm_while_waiting_for_serve_stops_with_the_waiting_product_left_for_the_next_run(broker, new_topic, tmp_path):
    import threading

    from consumer.backfill.run import run_backfill
    from consumer.backfill.settings import BackfillSettings

    rows = write_jsonl(tmp_path / "rows.jsonl", [{"id": f"p-{n}", "title": f"Oak desk lamp {n}"} for n in range(5)])
    topic = new_topic(prefix="sigterm")
    settings = BackfillSettings(source=str(rows), topic=topic, group_id=f"nobody-reads-{topic}", bootstrap_servers=broker.bootstrap_servers,
                                max_lag=2, rate=100, lag_check_seconds=0.1, checkpoint=tmp_path / "ck.json", progress=False)
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(3.0, lambda: os.kill(os.getpid(), signal.SIGTERM))  # no serve commits: it waits at the third product
    timer.start()
    lines: list[str] = []
    try:
        assert run_backfill(settings, out=lambda text, **_: lines.append(text)) == 0
    finally:
        timer.cancel()
    saved = json.loads((tmp_path / "ck.json").read_text())
    assert (saved["handled"], saved["sent"], saved["position"], saved["done"]) == (2, 2, {"line": 2}, False), saved
    assert lines[-1].startswith("backfill stopped: 2 read, 2 sent")
    assert signal.getsignal(signal.SIGTERM) is before  # the handler it installed is gone again
