"""Render the chart the way `helm template` would, and sort what comes out.

helm-python-sdk is Helm v4's Go code behind a C ABI: the same template engine, schema
validation and lint as the helm binary, without needing one on the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import helm_python as helm
import yaml

CHART = Path(__file__).resolve().parents[1] / "helm" / "copydesk"
KUBE_VERSION = "1.30.0"
RELEASE, NAMESPACE = "shop", "copydesk"
CRD_KINDS = {"ServiceMonitor", "PrometheusRule", "ScaledObject"}


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (the dashboard JSON in its ConfigMap) as literal blocks, as helm writes them."""


_BlockDumper.add_representer(
    str, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)
)


@dataclass
class Rendering:
    name: str
    values: dict
    documents: list[dict]

    def of_kind(self, kind: str) -> list[dict]:
        return [d for d in self.documents if d["kind"] == kind]

    def to_yaml(self) -> str:
        return "".join("---\n" + yaml.dump(doc, Dumper=_BlockDumper, sort_keys=False, width=200) for doc in self.documents)


def value_sets() -> dict[str, dict]:
    """The chart's defaults plus every file under ci/ (each layered over the defaults)."""
    sets = {"default": {}}
    for path in sorted((CHART / "ci").glob("*.yaml")):
        sets[path.stem] = yaml.safe_load(path.read_text()) or {}
    return sets


def lint(values: dict) -> list[str]:
    report = helm.lint(str(CHART), values, strict=True, kube_version=f"v{KUBE_VERSION}")
    problems = [f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= 2]
    return problems + list(report.get("errors") or [])


def render(name: str, values: dict) -> Rendering:
    chart = helm.Chart.load(str(CHART))
    chart.validate_schema(values)
    manifests = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    documents = [
        doc for path, text in sorted(manifests.items()) if path.endswith(".yaml")
        for doc in yaml.safe_load_all(text) if doc
    ]
    return Rendering(name, values, documents)


def schema_rejects(values: dict) -> str | None:
    """The schema's error for bad values, or None if (wrongly) accepted."""
    try:
        helm.Chart.load(str(CHART)).validate_schema(values)
    except helm.HelmError as error:
        return str(error)
    return None
