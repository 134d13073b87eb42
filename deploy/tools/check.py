"""Every deployment check in one run; `deploy/check` calls this inside .venv-deploy.

Order: cheap and static first (dashboard, lint, schema, render, validate, rules, yamllint,
checkov), then the live run. Each step prints one line; the first failing step stops the
run with its findings, so CI shows what broke and nothing after it hides it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

import live
import manifests
import validate

DEPLOY = Path(__file__).resolve().parents[1]
ROOT = DEPLOY.parent
sys.path.insert(0, str(DEPLOY / "grafana"))
import dashboard  # noqa: E402 (lives beside the chart, not in a package)

# Values that must be refused, with what each one gets wrong.
BAD_VALUES = {
    "unknown security protocol": {"kafka": {"securityProtocol": "TLS"}},
    "a typo'd top-level key": {"consumr": {"replicas": 2}},
    "no GPU count": {"consumer": {"gpu": {"enabled": True, "count": 0}}},
    "image digest that is not sha256": {"image": {"digest": "latest"}},
    "an input format no adapter reads": {"input": {"format": "magento"}},
    "a per-topic format without a topic": {"input": {"formats": "=akeneo"}},
}


# checkov findings we accept, each with the reason. Everything else must pass.
CHECKOV_SKIPS = {
    "CKV_K8S_43": "values.yaml ships a tag because no digest exists before the image is built; "
                  "image.digest pins it (ci/gpu-values.yaml renders that form) and production values should set it",
}


class CheckFailed(Exception):
    pass


def step(name: str, problems: list[str], detail: str = "") -> None:
    if problems:
        raise CheckFailed(f"FAIL {name}:\n  " + "\n  ".join(problems))
    print(f"ok   {name}{': ' + detail if detail else ''}", flush=True)


def run_tool(command: list[str], cwd: Path | None = None) -> tuple[int, str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).strip()


def checkov(files: list[Path], framework: str) -> tuple[list[str], str]:
    """Run checkov on files (-f: it ignores hidden folders such as .out given with -d)."""
    command = [str(Path(sys.executable).parent / "checkov"), "--skip-download", "--framework", framework, "-o", "json",
               "--skip-check", ",".join(CHECKOV_SKIPS)]
    for path in files:
        command += ["-f", str(path)]
    done = subprocess.run(command, capture_output=True, text=True)  # stdout is the JSON report, stderr the noise
    try:
        reports = json.loads(done.stdout)
    except json.JSONDecodeError:
        return [f"checkov gave no JSON report: {done.stderr[-2000:]}"], ""
    reports = reports if isinstance(reports, list) else [reports]
    summary = reports[0].get("summary", reports[0])
    if not summary.get("resource_count"):
        return [f"checkov scanned nothing in {[str(f) for f in files]}"], ""
    failed = sorted({f"{c['check_id']} {c['check_name']}: {c['resource']}" for r in reports for c in r["results"]["failed_checks"]})
    return failed, f"{summary['passed']} passed, {summary['failed']} failed, {summary['skipped']} skipped"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEPLOY / ".out", help="Where rendered manifests and reports go.")
    parser.add_argument("--no-live", action="store_true", help="Skip the live Prometheus run.")
    parser.add_argument("--live-products", type=int, default=6, help="Products the demo streams in the live run.")
    parser.add_argument("--copydesk", type=Path, default=ROOT / ".venv" / "bin" / "copydesk", help="The copydesk CLI to run.")
    args = parser.parse_args()
    out = args.out
    shutil.rmtree(out / "rendered", ignore_errors=True)
    (out / "rendered").mkdir(parents=True)
    try:
        text = dashboard.render()
        stale = [str(p.relative_to(ROOT)) for p in dashboard.OUTPUTS if not p.is_file() or p.read_text() != text]
        step("dashboard JSON matches deploy/grafana/dashboard.py", [f"stale: {s}" for s in stale],
             f"{len(dashboard.expressions(text))} queries")

        sets = manifests.value_sets()
        step("helm lint --strict, Kubernetes 1.30", [f"{n}: {p}" for n, v in sets.items() for p in manifests.lint(v)],
             f"values sets: {', '.join(sets)}")

        wrongly_accepted = [why for why, values in BAD_VALUES.items() if manifests.schema_rejects(values) is None]
        step("values.schema.json refuses bad values", [f"accepted: {w}" for w in wrongly_accepted], f"{len(BAD_VALUES)} refused")

        renderings = [manifests.render(name, values) for name, values in sets.items()]
        for rendering in renderings:
            (out / "rendered" / f"{rendering.name}.yaml").write_text(rendering.to_yaml())
        kinds = sorted({d["kind"] for r in renderings for d in r.documents})
        step("helm render (helm-python-sdk)", [], f"{sum(len(r.documents) for r in renderings)} objects, kinds: {', '.join(kinds)}")

        errors = [f"{r.name}: {e}" for r in renderings for d in r.documents if (e := validate.validate(d))]
        step("kubernetes-validate --strict 1.30 and CRD models (cloudcoil)", errors)

        rules_dir = out / "rules"
        shutil.rmtree(rules_dir, ignore_errors=True)
        rules_dir.mkdir()
        rule_doc = renderings[0].of_kind("PrometheusRule")[0]
        groups = rule_doc["spec"]["groups"]
        (rules_dir / "copydesk-rules.yaml").write_text(yaml.safe_dump({"groups": groups}, sort_keys=False, width=400))
        shutil.copy(DEPLOY / "prometheus" / "rules-test.yaml", rules_dir / "rules-test.yaml")
        code, output = run_tool(["promtool", "check", "rules", "copydesk-rules.yaml"], cwd=rules_dir)
        step("promtool check rules", [output] if code else [], output.splitlines()[-1].strip())
        code, output = run_tool(["promtool", "test", "rules", "rules-test.yaml"], cwd=rules_dir)
        step("promtool test rules", [output] if code else [], f"{len(yaml.safe_load((rules_dir / 'rules-test.yaml').read_text())['tests'])} test groups")

        lint_targets = [str(out / "rendered"), str(manifests.CHART / "values.yaml"), str(manifests.CHART / "Chart.yaml"),
                        str(manifests.CHART / "ci"), str(DEPLOY / "prometheus")]
        code, output = run_tool([sys.executable, "-m", "yamllint", "--strict", "-c", str(DEPLOY / "yamllint.yaml"), *lint_targets])
        step("yamllint --strict", [output] if code else [])

        problems, counts = checkov([*sorted((out / "rendered").glob("*.yaml"))], "kubernetes")
        more, dockerfile_counts = checkov([DEPLOY / "docker" / "Dockerfile.gpu", DEPLOY / "docker" / "Dockerfile.cpu"], "dockerfile")
        step("checkov --skip-download (rendered manifests, Dockerfiles)", problems + more,
             f"kubernetes {counts}, dockerfile {dockerfile_counts}; skipped with reasons: {', '.join(CHECKOV_SKIPS)}")

        if args.no_live:
            print("skip live check (--no-live)")
            return 0
        alerts = [rule for group in groups for rule in group["rules"] if "alert" in rule]
        report = live.run(rules_dir / "copydesk-rules.yaml", dashboard.expressions(text), alerts, out / "live",
                          args.copydesk, args.live_products)
        (out / "live-report.json").write_text(json.dumps(report, indent=2) + "\n")
        bad = [f"panel {p['panel']!r}: {p['expr']} -> {p['values'] or 'no data'}" for p in report["panels"] if not p["ok"]]
        bad += [f"alert {s['alert']}: {s['signal']} -> no data" for s in report["alert_signals"] if not s["ok"]]
        bad += [f"rule {r['rule']}: {r['health']} {r['error']}" for r in report["rules"] if r["health"] != "ok"]
        first = report["panels"][0]
        step("live: prometheus scraping the demo's consumer", bad,
             f"{len(report['panels'])} panel queries and {len(report['alert_signals'])} alert signals returned data; "
             f"e.g. {first['expr']} = {first['values'][0]['value'] if first['values'] else None} "
             f"(report: {(out / 'live-report.json').relative_to(ROOT)})")
    except CheckFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    print("deploy/check: all passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
