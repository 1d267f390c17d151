"""Pinned Helm charts, in one compatibility table with the Kubernetes versions each supports.

Bumping a chart means editing one row here and its row of facts in facts.py (docs/upgrading-charts.md);
synth refuses a cluster version outside a
row's range, so a pin can never silently go stale against an upgraded cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.errors import SynthError


@dataclass(frozen=True)
class ChartPin:
    name: str
    repository: str
    version: str
    min_kubernetes: str
    max_kubernetes: str

    def supports(self, kubernetes_version: str) -> bool:
        return version_key(self.min_kubernetes) <= version_key(kubernetes_version) <= version_key(self.max_kubernetes)


def version_key(version: str) -> tuple[int, ...]:
    """``1.35`` -> (1, 35), ``2.10.8`` -> (2, 10, 8): versions compared number by number."""
    return tuple(int(part) for part in version.split("."))


CHARTS: dict[str, ChartPin] = {
    pin.name: pin
    for pin in (
        ChartPin("kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "81.6.9", "1.25", "1.36"),
        ChartPin("loki", "https://grafana-community.github.io/helm-charts", "6.51.0", "1.25", "1.36"),
        ChartPin("tempo", "https://grafana-community.github.io/helm-charts", "1.26.7", "1.25", "1.36"),
        ChartPin("opentelemetry-collector", "https://open-telemetry.github.io/opentelemetry-helm-charts", "0.127.4", "1.24", "1.36"),
    )
}


# Helm release -> the chart it installs (the sampler exists only with collector.load_balancing).
RELEASE_CHARTS: dict[str, str] = {
    "kube-prometheus-stack": "kube-prometheus-stack", "loki": "loki", "tempo": "tempo",
    "otel-collector": "opentelemetry-collector", "otel-sampler": "opentelemetry-collector",
}


def pinned(name: str, kubernetes_version: str, table: dict[str, ChartPin] | None = None) -> ChartPin:
    """The pin for ``name``; a clear error if it does not support ``kubernetes_version``."""
    pin = (table or CHARTS)[name]
    if not pin.supports(kubernetes_version):
        raise SynthError(
            f"chart {pin.name} {pin.version} supports Kubernetes {pin.min_kubernetes} to {pin.max_kubernetes}, "
            f"but the cluster runs {kubernetes_version}; expected a supported combination: bump the chart in "
            "goldenpath/observability/charts.py or keep cluster.kubernetes_version within its range"
        )
    return pin
