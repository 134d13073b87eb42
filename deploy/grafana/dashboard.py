"""The copydesk Grafana dashboard, built with grafana-foundation-sdk.

Run it to regenerate the JSON (`python deploy/grafana/dashboard.py`); `deploy/check`
runs it with `--check` and fails when the committed JSON is stale, then runs every
panel's query against a live Prometheus scraping a consumer. Queries select the scrape
job `copydesk` (the ServiceMonitor's jobLabel makes that the job name) and the data
source is a variable, so one file fits any Grafana.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grafana_foundation_sdk.builders.dashboard import DatasourceVariable, Dashboard, Row
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as Stat
from grafana_foundation_sdk.builders.timeseries import Panel as Timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

HERE = Path(__file__).resolve().parent
OUTPUTS = (HERE / "copydesk.json", HERE.parent / "helm" / "copydesk" / "dashboards" / "copydesk.json")
JOB = 'job="copydesk"'
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"
BACKFILL_TITLE = "Backfill"
"""Panels whose title starts with this show data only while `copydesk backfill` runs (any scrape job: its metrics are its own)."""


def query(expr: str, legend: str, ref: str) -> Dataquery:
    return Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(DATASOURCE)


def quantiles(metric: str) -> list[Dataquery]:
    return [
        query(f"histogram_quantile({q}, sum by (le) (rate({metric}_bucket{{{JOB}}}[{RATE}])))", f"p{int(q * 100)}", ref)
        for q, ref in ((0.5, "A"), (0.95, "B"), (0.99, "C"))
    ]


def timeseries(title: str, description: str, unit: str, targets: list[Dataquery], width: int = 12) -> Timeseries:
    panel = Timeseries().title(title).description(description).unit(unit).datasource(DATASOURCE).height(8).span(width)
    for target in targets:
        panel = panel.with_target(target)
    return panel


def build() -> Dashboard:
    drafts = f"sum(rate(copydesk_drafts_published_total{{{JOB}}}[{RATE}]))"
    return (
        Dashboard("copydesk")
        .uid("copydesk-overview")
        .description("Product copy drafts: latency from product event to draft, throughput, lag, quality, model versions.")
        .tags(["copydesk", "kafka", "llm"])
        .refresh("30s")
        .time("now-6h", "now")
        .with_variable(DatasourceVariable("datasource").label("Data source").type("prometheus"))
        .with_row(Row("Editors"))
        .with_panel(timeseries(
            "Drafts approved unchanged", "Share of editors' decisions (derived from PIM product updates) that kept the draft as "
            "written, per model version: the number a merchant cares about.", "percentunit", [
                query(f"sum by (model_version) (copydesk_approvals_total{{action=\"approved_unchanged\",{JOB}}}) / "
                      f"clamp_min(sum by (model_version) (copydesk_approvals_total{{{JOB}}}), 1)", "{{model_version}}", "A"),
            ], width=8))
        .with_panel(timeseries(
            "Editors' edit distance (median)", "How much of a draft editors change before approving it (normalised edit distance, "
            "0 = kept as written), median per model version: falls when a retrained model has learned the shop's style.", "percentunit", [
                query(f"histogram_quantile(0.5, sum by (le, model_version) (copydesk_approval_edit_distance_ratio_bucket{{{JOB}}}))",
                      "{{model_version}}", "A"),
            ], width=8))
        .with_panel(timeseries("Editor decisions", "Approvals derived from product updates, by action.", "ops", [
            query(f"sum by (action) (rate(copydesk_approvals_total{{{JOB}}}[{RATE}]))", "{{action}}", "A"),
        ], width=8))
        .with_row(Row("Latency"))
        .with_panel(timeseries(
            "End-to-end latency", "From the product event's occurred_at to its draft being published.", "s",
            quantiles("copydesk_end_to_end_latency_seconds")))
        .with_panel(timeseries(
            "Generation latency per batch", "Wall time of one batch's generation, guard retries included.", "s",
            quantiles("copydesk_generation_latency_seconds")))
        .with_row(Row("Throughput"))
        .with_panel(timeseries("Throughput", "Events consumed by type and drafts published by status.", "ops", [
            query(f"sum by (event_type) (rate(copydesk_events_consumed_total{{{JOB}}}[{RATE}]))", "consumed {{event_type}}", "A"),
            query(f"sum by (status) (rate(copydesk_drafts_published_total{{{JOB}}}[{RATE}]))", "published {{status}}", "B"),
        ], width=8))
        .with_panel(timeseries("Batch size", "Events generated together (mean and p95).", "short", [
            query(f"sum(rate(copydesk_batch_size_sum{{{JOB}}}[{RATE}])) / sum(rate(copydesk_batch_size_count{{{JOB}}}[{RATE}]))", "mean", "A"),
            query(f"histogram_quantile(0.95, sum by (le) (rate(copydesk_batch_size_bucket{{{JOB}}}[{RATE}])))", "p95", "B"),
        ], width=8))
        .with_panel(timeseries("Tokens/s", "New tokens generated per second, retries included.", "short", [
            query(f"sum(rate(copydesk_generated_tokens_total{{{JOB}}}[{RATE}]))", "tokens/s", "A"),
        ], width=8))
        .with_panel(timeseries("Consumer lag", "High-water mark minus committed offset, per partition.", "short", [
            query(f"sum by (topic, partition) (copydesk_consumer_lag_records{{{JOB}}})", "{{topic}}/{{partition}}", "A"),
        ], width=24))
        .with_row(Row("Quality"))
        .with_panel(timeseries("Dead letters", "Records sent to the dead-letter topic, by reason.", "ops", [
            query(f"sum by (reason) (rate(copydesk_dead_letters_total{{{JOB}}}[{RATE}]))", "{{reason}}", "A"),
        ], width=8))
        .with_panel(timeseries("Needs review", "Share of drafts that failed a guard after the retry.", "percentunit", [
            query(f"sum(rate(copydesk_drafts_published_total{{status=\"needs_review\",{JOB}}}[{RATE}])) / clamp_min({drafts}, 1e-9)",
                  "needs_review share", "A"),
        ], width=8))
        .with_panel(timeseries("Guard failures", "Failed checks per attempt, by check.", "ops", [
            query(f"sum by (check) (rate(copydesk_guard_failures_total{{{JOB}}}[{RATE}]))", "{{check}}", "A"),
        ], width=8))
        .with_row(Row("Backfill"))
        .with_panel(timeseries(f"{BACKFILL_TITLE} progress", "Rows or products read (sent, filtered or invalid) of the source's total.", "short", [
            query("max(copydesk_backfill_handled_products)", "read", "A"),
            query("max(copydesk_backfill_total_products > 0)", "total", "B"),
        ], width=6))
        .with_panel(timeseries(f"{BACKFILL_TITLE} rate and ETA", "Products sent per second, and the time left at that rate.", "s", [
            query(f"sum(rate(copydesk_backfill_sent_total[{RATE}]))", "sent/s", "A"),
            query(f"(max(copydesk_backfill_total_products > 0) - max(copydesk_backfill_handled_products)) "
                  f"/ clamp_min(sum(rate(copydesk_backfill_sent_total[{RATE}])), 1e-9)", "ETA (s)", "B"),
        ], width=6))
        .with_panel(timeseries(f"{BACKFILL_TITLE} held back", "Share of time waiting, by cause (the rate limit, serve's lag), and serve's lag.", "short", [
            query(f"sum by (cause) (rate(copydesk_backfill_wait_seconds_total[{RATE}]))", "waiting {{cause}}", "A"),
            query("max(copydesk_backfill_lag_records)", "serve lag", "B"),
        ], width=6))
        .with_panel(timeseries(f"{BACKFILL_TITLE} skipped and invalid", "Products the filters or a person's text kept out, and rows that were no valid event.", "ops", [
            query(f"sum by (reason) (rate(copydesk_backfill_skipped_total[{RATE}]))", "{{reason}}", "A"),
            query(f"sum(rate(copydesk_backfill_invalid_total[{RATE}]))", "invalid", "B"),
        ], width=6))
        .with_row(Row("Model"))
        .with_panel(timeseries("Model version over time", "Replicas serving each model version (hot swaps show as steps).", "short", [
            query(f"count by (version) (copydesk_model_info{{{JOB}}} == 1)", "{{version}}", "A"),
        ], width=12))
        .with_panel(Stat().title("Model load").description("Seconds the last load took, and refused versions in the window.")
                    .datasource(DATASOURCE).unit("s").height(8).span(12)
                    .with_target(query(f"max(copydesk_model_load_seconds{{{JOB}}})", "load seconds", "A"))
                    .with_target(query(f"sum(increase(copydesk_model_load_failures_total{{{JOB}}}[{RATE}]))", "refused", "B")))
    )


def render() -> str:
    dashboard = build().build()
    for number, panel in enumerate(dashboard.panels, start=1):
        panel.id_val = number  # unique ids keep links (viewPanel=N) and Grafana's panel state stable
    return JSONEncoder(sort_keys=True, indent=2).encode(dashboard) + "\n"


def expressions(dashboard_json: str) -> list[tuple[str, str]]:
    """(panel title, PromQL) for every target of every panel."""
    found = []
    for panel in json.loads(dashboard_json)["panels"]:
        for target in panel.get("targets", []):
            found.append((panel["title"], target["expr"]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Fail when the committed JSON differs from the code.")
    args = parser.parse_args()
    text = render()
    if args.check:
        stale = [str(path) for path in OUTPUTS if not path.is_file() or path.read_text() != text]
        if stale:
            print(f"stale dashboard JSON (run python deploy/grafana/dashboard.py): {', '.join(stale)}", file=sys.stderr)
            return 1
        print(f"dashboard JSON up to date ({len(expressions(text))} queries)")
        return 0
    for path in OUTPUTS:
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
