"""A catalog service's SLOs: a PrometheusRule with its recording rules and burn-rate alerts in its own tenant
namespace (Prometheus selects rules in every namespace: ``facts.PROMETHEUS_RULE_SELECTION``; tenants cannot write
PrometheusRules), and a Grafana dashboard ConfigMap in the observability namespace, the only one Grafana's dashboards
sidecar searches (a tenant can write ConfigMaps in its own namespace: ``facts.GRAFANA_DASHBOARD_SOURCES``). Both come
from the tenants stack, so onboarding a service never changes the platform stack.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cdktn_provider_kubernetes.config_map_v1 import ConfigMapV1, ConfigMapV1Metadata
from cdktn_provider_kubernetes.manifest import Manifest
from constructs import Construct

from goldenpath.observability.dashboards import slo_dashboard
from goldenpath.observability.facts import GRAFANA_DASHBOARD_LABEL
from goldenpath.observability.grafana_text import map_strings, terraform_literal
from goldenpath.observability.rules import rule_groups
from goldenpath.observability.slo import SLO
from goldenpath.observability.values import NAMESPACE as OBSERVABILITY_NAMESPACE

GRAFANA_UID_LENGTH = 40


@dataclass(frozen=True)
class ServiceObservabilityProps:
    """Props of :class:`ServiceObservability`."""

    namespace: str
    slos: tuple[SLO, ...]
    runbook_base_url: str
    labels: dict[str, str]
    dashboard_namespace: str = OBSERVABILITY_NAMESPACE
    """Namespace of the dashboard's ConfigMap: the one Grafana's dashboards sidecar searches. Default: observability."""


def prometheus_rule(props: ServiceObservabilityProps) -> dict:
    """The PrometheusRule object (monitoring.coreos.com/v1) holding the service's SLO rules."""
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": {"name": "slos", "namespace": props.namespace, "labels": dict(props.labels)},
        "spec": rule_groups(list(props.slos), [], props.runbook_base_url),
    }


def dashboard_uid(namespace: str) -> str:
    """``slo-<namespace>``, or, past Grafana's 40 characters, its start and a digest of the whole name: two long
    namespaces sharing a prefix must not share a uid (a repeated uid stops Grafana provisioning dashboards)."""
    uid = f"slo-{namespace}"
    if len(uid) <= GRAFANA_UID_LENGTH:
        return uid
    digest = hashlib.sha256(namespace.encode()).hexdigest()[:8]
    return f"{uid[:GRAFANA_UID_LENGTH - len(digest) - 1]}-{digest}"


def dashboard(props: ServiceObservabilityProps) -> dict:
    return slo_dashboard(list(props.slos), uid=dashboard_uid(props.namespace), title=f"goldenpath / SLOs / {props.namespace}")


class ServiceObservability(Construct):
    def __init__(self, scope: Construct, id_: str, props: ServiceObservabilityProps, depends_on: list[Any]):
        super().__init__(scope, id_)
        self.rule = Manifest(self, "prometheus-rule", manifest=map_strings(prometheus_rule(props), terraform_literal), depends_on=depends_on)
        label, value = GRAFANA_DASHBOARD_LABEL
        self.dashboard = ConfigMapV1(
            self, "dashboard",
            metadata=ConfigMapV1Metadata(name=f"slo-dashboard-{props.namespace}", namespace=props.dashboard_namespace,
                                         labels={**props.labels, label: value}),
            data={f"{props.namespace}-slos.json": terraform_literal(json.dumps(dashboard(props), indent=2, sort_keys=True))},
            depends_on=depends_on,
        )
