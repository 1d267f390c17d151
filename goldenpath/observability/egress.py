"""Every endpoint outside the cluster that the platform would send data to.

Computed from the same objects the platform stack synthesizes (Alertmanager receivers,
collector exporters), so the answer cannot drift from what is deployed. Telemetry storage
(S3 in the environment's own account, reached through the VPC's S3 gateway endpoint) is
reported separately: it never leaves the account's network.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from goldenpath.config.model import Environment, Receiver
from goldenpath.observability import collector
from goldenpath.observability.alertmanager import named_receivers

PAGERDUTY_EVENTS = "https://events.pagerduty.com/v2/enqueue"
_IN_CLUSTER_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local")


@dataclass(frozen=True)
class Endpoint:
    component: str
    name: str
    destination: str
    data: str


def in_cluster(address: str) -> bool:
    host = urlparse(address if "://" in address else f"//{address}").hostname or ""
    return "." not in host or host.endswith(_IN_CLUSTER_SUFFIXES)


def _receiver(receiver_name: str, receiver: Receiver) -> Endpoint | None:
    name = f"receiver {receiver_name} ({receiver.type})"
    data = "alert notifications (labels, annotations)"
    if receiver.type == "pagerduty":
        return Endpoint("alertmanager", name, PAGERDUTY_EVENTS, data)
    if receiver.secret is not None:
        where = "Slack webhook" if receiver.type == "slack" else "webhook"
        return Endpoint("alertmanager", name, f"{where} URL held in secret {receiver.secret.name}/{receiver.secret.key}", data)
    if receiver.url and not in_cluster(receiver.url):
        return Endpoint("alertmanager", name, receiver.url, data)
    return None


def _exporters(component: str, config: dict | None) -> list[Endpoint]:
    found = []
    for name, exporter in sorted((config or {}).get("exporters", {}).items()):
        address = exporter.get("endpoint") or exporter.get("resolver", {}).get("dns", {}).get("hostname", "")
        if address and not in_cluster(address):
            found.append(Endpoint(component, f"exporter {name}", address, "telemetry"))
    return found


def egress_endpoints(environment: Environment) -> list[Endpoint]:
    obs = environment.observability
    endpoints: list[Endpoint] = []
    for name, receiver in named_receivers(obs):
        endpoint = _receiver(name, receiver)
        if endpoint:
            endpoints.append(endpoint)
    endpoints += _exporters("otel-collector", collector.agent_config(obs.collector))
    endpoints += _exporters("otel-sampler", collector.sampler_config(obs.collector))
    return endpoints
