"""The few parts of Helm's and the pinned charts' rendering that decide what actually runs.

Helm deep-merges user values over the chart's defaults (maps merge, lists and scalars replace,
a null deletes the key); the opentelemetry-collector chart then applies its presets to the
merged ``config`` (facts.OTEL_PRESET_SOURCE). Reproducing those two steps lets the tests check
the collector configuration *as the chart would render it*, presets included.
"""

from __future__ import annotations

import copy
from typing import Any

from goldenpath.observability import facts


def helm_merge(defaults: Any, overrides: Any) -> Any:
    """Helm's coalescing of values: ``overrides`` win; maps merge; a None in ``overrides`` deletes."""
    if not isinstance(defaults, dict) or not isinstance(overrides, dict):
        return copy.deepcopy(overrides)
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _apply_kubernetes_attributes_preset(config: dict) -> dict:
    """The chart prepends ``k8sattributes`` to every logs, metrics and traces pipeline lacking it."""
    config = helm_merge({"processors": {"k8sattributes": {"passthrough": False}}}, config)
    for name in ("logs", "metrics", "traces"):
        pipeline = config.get("service", {}).get("pipelines", {}).get(name)
        if pipeline is not None and "k8sattributes" not in pipeline.get("processors", []):
            pipeline["processors"] = ["k8sattributes", *pipeline.get("processors", [])]
    return config


def rendered_collector_config(chart_values: dict) -> dict:
    """The collector configuration the opentelemetry-collector chart would render from ``chart_values``."""
    config = helm_merge(facts.OTEL_CHART_DEFAULT_CONFIG, chart_values.get("config", {}))
    if chart_values.get("presets", {}).get("kubernetesAttributes", {}).get("enabled"):
        config = _apply_kubernetes_attributes_preset(config)
    return config


def enabled_collector_ports(chart_values: dict) -> set[str]:
    ports = {name: enabled for name, enabled in facts.OTEL_CHART_DEFAULT_PORTS_ENABLED.items()}
    for name, port in chart_values.get("ports", {}).items():
        ports[name] = bool(port.get("enabled", ports.get(name, False)))
    return {name for name, enabled in ports.items() if enabled}


def chart_fullname(release: str, chart: str, chart_values: dict) -> str:
    """The charts' common ``fullname`` helper: fullnameOverride, else the release name when it
    contains the chart name, else ``<release>-<chart>`` (each chart's templates/_helpers.tpl)."""
    override = chart_values.get("fullnameOverride")
    if override:
        return str(override)[:63].rstrip("-")
    name = chart_values.get("nameOverride") or chart
    return (release if name in release else f"{release}-{name}")[:63].rstrip("-")
