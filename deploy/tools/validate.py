"""Validate rendered objects: core kinds against Kubernetes 1.30's schemas, CRs against
the operators' models (cloudcoil), and reject any field the model does not know."""

from __future__ import annotations

import kubernetes_validate
from cloudcoil.models.keda import v1alpha1 as keda
from cloudcoil.models.prometheus_operator import v1 as monitoring

from manifests import CRD_KINDS, KUBE_VERSION

CRD_MODELS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): monitoring.ServiceMonitor,
    ("monitoring.coreos.com/v1", "PrometheusRule"): monitoring.PrometheusRule,
    ("keda.sh/v1alpha1", "ScaledObject"): keda.ScaledObject,
}


def name_of(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def validate_core(doc: dict) -> str | None:
    try:
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return f"{name_of(doc)}: {error.message} at {'.'.join(map(str, error.path))}"
    except kubernetes_validate.SchemaNotFoundError as error:
        return f"{name_of(doc)}: no Kubernetes {KUBE_VERSION} schema ({error})"
    return None


def unknown_fields(given, kept, path: str = "") -> list[str]:
    """Keys in the input that the model dropped: pydantic ignores extras by default."""
    if isinstance(given, dict) and isinstance(kept, dict):
        found = []
        for key, value in given.items():
            if key not in kept:
                found.append(f"{path}.{key}".lstrip("."))
            else:
                found += unknown_fields(value, kept[key], f"{path}.{key}")
        return found
    if isinstance(given, list) and isinstance(kept, list):
        return [item for a, b in zip(given, kept) for item in unknown_fields(a, b, path + "[]")]
    return []


def validate_custom(doc: dict) -> str | None:
    model = CRD_MODELS.get((doc["apiVersion"], doc["kind"]))
    if model is None:
        return f"{name_of(doc)}: no model for {doc['apiVersion']}"
    try:
        parsed = model.model_validate(doc)
    except ValueError as error:
        return f"{name_of(doc)}: {error}"
    dropped = unknown_fields(doc, parsed.model_dump(mode="json", by_alias=True, exclude_unset=True))
    return f"{name_of(doc)}: unknown fields {dropped}" if dropped else None


def validate(doc: dict) -> str | None:
    return validate_custom(doc) if doc["kind"] in CRD_KINDS else validate_core(doc)
