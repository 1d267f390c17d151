"""A catalog service's SLOs in its own tenant namespace: a PrometheusRule with its recording rules
and burn-rate alerts, and a Grafana dashboard ConfigMap. Prometheus and Grafana pick both up from
every namespace (facts: ``PROMETHEUS_RULE_SELECTION`` and the Grafana sidecar's searchNamespace ALL),
so onboarding a service never changes the platform stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cdktn_provider_kubernetes.config_map_v1 import ConfigMapV1, ConfigMapV1Metadata
from cdktn_provider_kubernetes.manifest import Manifest
from constructs import Construct

from goldenpath.observability.dashboards import slo_dashboard
from goldenpath.observability.grafana_text import map_strings, terraform_literal
from goldenpath.observability.rules import rule_groups
from goldenpath.observability.slo import SLO


@dataclass(frozen=True)
class ServiceObservabilityProps:
    """Props of :class:`ServiceObservability`."""

    namespace: str
    slos: tuple[SLO, ...]
    runbook_base_url: str
    labels: dict[str, str]


def prometheus_rule(props: ServiceObservabilityProps) -> dict:
    """The PrometheusRule object (monitoring.coreos.com/v1) holding the service's SLO rules."""
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": {"name": "slos", "namespace": props.namespace, "labels": dict(props.labels)},
        "spec": rule_groups(list(props.slos), [], props.runbook_base_url),
    }


def dashboard(props: ServiceObservabilityProps) -> dict:
    return slo_dashboard(list(props.slos), uid=f"slo-{props.namespace}"[:40], title=f"goldenpath / SLOs / {props.namespace}")


class ServiceObservability(Construct):
    def __init__(self, scope: Construct, id_: str, props: ServiceObservabilityProps, depends_on: list[Any]):
        super().__init__(scope, id_)
        self.rule = Manifest(self, "prometheus-rule", manifest=map_strings(prometheus_rule(props), terraform_literal), depends_on=depends_on)
        name = "slo-dashboard"
        self.dashboard = ConfigMapV1(
            self, "dashboard",
            metadata=ConfigMapV1Metadata(name=name, namespace=props.namespace,
                                         labels={**props.labels, "grafana_dashboard": "1"}),
            data={f"{props.namespace}-slos.json": terraform_literal(json.dumps(dashboard(props), indent=2, sort_keys=True))},
            depends_on=depends_on,
        )
