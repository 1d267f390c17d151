"""EBS volumes the charts goldenpath installs claim, priced from a ``helm_release``'s values.

A claim names no StorageClass, so it gets the cluster's default: goldenpath's encrypted gp3 class
(goldenpath/modules/storage.py). Each chart keeps its claims and replica count at its own values path; the replica
defaults below are the charts' own, for values that do not set them.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from goldenpath.cost.items import LineItem, PricingContext, price_of
from goldenpath.cost.price_keys import volume_key
from goldenpath.observability.grafana_text import terraform_unescape
from goldenpath.quantities import GIB, quantity

DEFAULT_CLASS_TYPE = "gp3"


@dataclass(frozen=True)
class Claim:
    """One chart component's volume claim: where its size is, and how many replicas claim one each."""

    component: str
    size: tuple[str | int, ...]
    replicas: tuple[str, ...]
    default_replicas: int
    enabled: tuple[str, ...] = ()
    """A switch that must be true for the claim to exist (empty: always)."""


_PVC = ("spec", "resources", "requests", "storage")
# kube-prometheus-stack-81.6.9 values.yaml: prometheus.prometheusSpec.replicas 1, alertmanager.alertmanagerSpec.replicas
# 1; loki helm-loki-6.51.0 singleBinary.replicas; tempo-1.26.7 replicas 1; opentelemetry-collector-0.127.4 replicaCount 1.
CHART_CLAIMS: dict[str, tuple[Claim, ...]] = {
    "kube-prometheus-stack": (
        Claim("prometheus", ("prometheus", "prometheusSpec", "storageSpec", "volumeClaimTemplate", *_PVC),
              ("prometheus", "prometheusSpec", "replicas"), 1),
        Claim("alertmanager", ("alertmanager", "alertmanagerSpec", "storage", "volumeClaimTemplate", *_PVC),
              ("alertmanager", "alertmanagerSpec", "replicas"), 1),
    ),
    "loki": (Claim("loki", ("singleBinary", "persistence", "size"), ("singleBinary", "replicas"), 1),),
    "tempo": (Claim("tempo", ("persistence", "size"), ("replicas",), 1, enabled=("persistence", "enabled")),),
    "opentelemetry-collector": (
        Claim("queue", ("statefulset", "volumeClaimTemplates", 0, *_PVC), ("replicaCount",), 1),
    ),
}


def _dig(values: object, path: tuple[str | int, ...]) -> object:
    for key in path:
        if isinstance(key, int):
            values = values[key] if isinstance(values, list) and len(values) > key else None
        else:
            values = values.get(key) if isinstance(values, dict) else None
    return values


def release_values(resource: dict) -> dict:
    """The values a helm_release hands the chart (Terraform's escapes undone)."""
    documents = [yaml.safe_load(terraform_unescape(text)) for text in resource.get("values") or []]
    merged: dict = {}
    for document in documents:
        merged.update(document or {})
    return merged


def claim_items(address: str, resource: dict, ctx: PricingContext) -> tuple[list[LineItem], list[str]]:
    """A line per component whose volumes the release claims, and what of them has no price."""
    items, missing = [], []
    values = release_values(resource)
    for claim in CHART_CLAIMS.get(str(resource.get("chart")), ()):
        if claim.enabled and _dig(values, claim.enabled) is not True:
            continue
        size, replicas = _dig(values, claim.size), _dig(values, claim.replicas)
        replicas = claim.default_replicas if replicas is None else replicas
        try:
            gib = quantity(str(size)) / GIB
        except ValueError:
            missing.append(f"{claim.component} volume: size {size!r} at {'.'.join(map(str, claim.size))} is not a quantity")
            continue
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            missing.append(f"{claim.component} volume: replicas {replicas!r} at {'.'.join(claim.replicas)} is not a count")
            continue
        monthly = gib * replicas * price_of(ctx, volume_key(DEFAULT_CLASS_TYPE))
        items.append(LineItem(address, f"{claim.component} volumes", "fixed", monthly, monthly, monthly,
                              f"{replicas} x {gib.normalize():f} GiB {DEFAULT_CLASS_TYPE} (the default StorageClass)"))
    return items, missing

