"""Live check: Debian's prometheus scrapes a running consumer while the demo streams events;
then every dashboard query and every alert's signal must return data.

The demo runs the real EnrichmentService (what `copydesk serve` runs) on the embedded broker
and keeps /metrics up after its summary (--linger-seconds), so the last scrape sees the
finished run. An alert expression is a signal compared with a threshold; on a healthy run the
comparison is rightly empty, so we query the signal (the expression without its comparisons)
and require that, and ask Prometheus that every rule evaluates without error.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

RATE_INTERVAL = "10m"  # longer than the whole run: rates and quantiles cover every event
COMPARISON = re.compile(r"\s*(?:==|!=|>=|<=|>|<)\s*(?:bool\s+)?[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.IGNORECASE)


BACKFILL_TITLE = "Backfill"
"""Title prefix of the dashboard panels that have data only while `copydesk backfill` runs (deploy/grafana/dashboard.py)."""

def signal_of(expr: str) -> str:
    """`sum(x) > 10 and deriv(y) > 0` -> `sum(x) and deriv(y)`: what the alert measures."""
    return COMPARISON.sub("", expr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, timeout: float = 10) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def query(prometheus: str, expr: str) -> list[dict]:
    answer = get_json(f"{prometheus}/api/v1/query?{urllib.parse.urlencode({'query': expr})}")
    if answer.get("status") != "success":
        raise RuntimeError(f"{expr}: {answer}")
    return answer["data"]["result"]


def wait_for(predicate, timeout: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def prometheus_config(metrics_port: int, rules: Path) -> str:
    return json.dumps({  # JSON is YAML: no dependency needed
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules)],
        "scrape_configs": [{"job_name": "copydesk", "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}],
    })


def run(rules: Path, expressions: list[tuple[str, str]], alerts: list[dict], work: Path, copydesk: Path, products: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    metrics_port, prometheus_port = free_port(), free_port()
    prometheus_url = f"http://127.0.0.1:{prometheus_port}"
    (work / "prometheus.yml").write_text(prometheus_config(metrics_port, rules))
    shutil.rmtree(work / "tsdb", ignore_errors=True)
    demo_log = open(work / "demo.log", "w")
    prometheus_log = open(work / "prometheus.log", "w")
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    demo = subprocess.Popen(
        [str(copydesk), "demo", "--products", str(products), "--metrics-port", str(metrics_port), "--linger-seconds", "900", "--editor-keeps", "2",
         "--output", str(work / "drafts.jsonl")],
        stdout=demo_log, stderr=subprocess.STDOUT, env=environment,
    )
    prometheus = subprocess.Popen(
        [shutil.which("prometheus") or "/usr/bin/prometheus", f"--config.file={work / 'prometheus.yml'}",
         f"--storage.tsdb.path={work / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        stdout=prometheus_log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: urllib.request.urlopen(f"{prometheus_url}/-/ready", timeout=2).status == 200, 60, "prometheus to be ready")

        def demo_summary():
            if demo.poll() is not None:
                raise RuntimeError(f"the demo exited early ({demo.returncode}); see {work / 'demo.log'}")
            lines = [line for line in (work / "demo.log").read_text().splitlines() if line.startswith('{"records"')]
            return json.loads(lines[-1]) if lines else None

        summary = wait_for(demo_summary, 1200, "the demo's summary", every=2)
        targets = get_json(f"{prometheus_url}/api/v1/targets")["data"]["activeTargets"]
        wait_for(lambda: query(prometheus_url, 'up{job="copydesk"} == 1'), 30, "a successful scrape of the consumer")
        time.sleep(3)  # one more scrape after the last draft

        panels = []
        for title, expr in expressions:
            concrete = expr.replace("$__rate_interval", RATE_INTERVAL)
            result = query(prometheus_url, concrete)
            values = [float(series["value"][1]) for series in result]
            # The backfill row has data only while a backfill job runs: its queries must parse and run, data optional.
            optional = title.startswith(BACKFILL_TITLE)
            panels.append({"panel": title, "expr": concrete, "series": len(result),
                           "values": [{"labels": s["metric"], "value": s["value"][1]} for s in result[:6]],
                           "ok": (optional and not values) or (bool(values) and any(math.isfinite(v) for v in values))})
        signals = []
        for alert in alerts:
            concrete = signal_of(alert["expr"])
            result = query(prometheus_url, concrete)
            signals.append({"alert": alert["alert"], "signal": concrete, "series": len(result),
                            "values": [s["value"][1] for s in result[:6]], "ok": bool(result)})
        rule_health = [
            {"rule": rule["name"], "health": rule["health"], "error": rule.get("lastError", "")}
            for group in get_json(f"{prometheus_url}/api/v1/rules")["data"]["groups"] for rule in group["rules"]
        ]
        return {"demo_summary": summary, "scrape_target": targets[0]["scrapeUrl"] if targets else None,
                "panels": panels, "alert_signals": signals, "rules": rule_health,
                "ok": all(p["ok"] for p in panels) and all(s["ok"] for s in signals)
                and len(rule_health) == len(alerts) and all(r["health"] == "ok" for r in rule_health)}
    finally:
        for process in (demo, prometheus):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (demo, prometheus):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        demo_log.close()
        prometheus_log.close()
