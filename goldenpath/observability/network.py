"""Who may reach the observability namespace: its own pods, and from elsewhere only the collector's OTLP
ports (every workload sends telemetry) and the API server on the operator's admission webhook.

Loki runs without multi-tenancy auth, Prometheus accepts remote writes and Alertmanager has no auth of its
own: none of them is reachable from another namespace, so no other pod can read logs, forge metrics or
silence pages. Kubelet probes need no rule: the VPC CNI's policy agent always admits the pod's own node
(facts.NODE_TRAFFIC_ALWAYS_ALLOWED_SOURCE). Egress stays open on purpose and says so: Prometheus scrapes
every namespace and the nodes, and Loki and Tempo write to S3.
"""

from __future__ import annotations

from goldenpath.observability import facts
from goldenpath.observability.values import MANAGED_BY, NAMESPACE
from goldenpath.terraform_json import single_block

OTLP_PORTS = (4317, 4318)  # facts.CHART_FACTS: the collector Service's otlp and otlp-http ports
COLLECTOR_RELEASE = "otel-collector"  # the agent apps send to (the sampler is reached from inside only)
PROMETHEUS_RELEASE = "kube-prometheus-stack"
COLLECTOR_POD_LABELS = {"app.kubernetes.io/name": facts.OTEL_CHART_NAME, "app.kubernetes.io/instance": COLLECTOR_RELEASE}
OPERATOR_POD_LABELS = {"app.kubernetes.io/component": "prometheus-operator", "app.kubernetes.io/instance": PROMETHEUS_RELEASE}
# One empty rule allows all egress (hashicorp/terraform-provider-kubernetes docs/resources/network_policy_v1.md:
# "egress {} # single empty rule to allow all egress traffic"; the Kubernetes API reads `egress: [{}]` the same way).
ALL_EGRESS: list[dict] = [{}]


def _policy(name: str, pod_labels: dict[str, str], ingress: list[dict]) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": dict(MANAGED_BY)},
            "spec": {"podSelector": {"matchLabels": pod_labels} if pod_labels else {},
                     "policyTypes": ["Ingress", "Egress"], "ingress": ingress, "egress": ALL_EGRESS}}


def observability_policies(vpc_cidr: str) -> list[dict]:
    """The namespace's NetworkPolicies (they add up: a pod may receive what any policy selecting it allows)."""
    return [
        _policy("observability-isolation", {}, [{"from": [{"podSelector": {}}]}]),
        _policy("observability-otlp-ingest", COLLECTOR_POD_LABELS, [
            {"from": [{"namespaceSelector": {}}], "ports": [{"port": port, "protocol": "TCP"} for port in OTLP_PORTS]}]),
        # The API server reaches the webhook from EKS's network interfaces in the cluster's subnets, which lie in
        # the VPC; with the VPC CNI pods take VPC addresses too, so this port is open to the VPC: it serves
        # admission reviews and the operator's metrics, nothing that reads or writes telemetry.
        _policy("observability-operator-webhook", OPERATOR_POD_LABELS, [
            {"from": [{"ipBlock": {"cidr": vpc_cidr}}], "ports": [{"port": facts.OPERATOR_WEBHOOK_PORT, "protocol": "TCP"}]}]),
    ]


# -- Reading a synthesized kubernetes_network_policy_v1 spec (the provider's snake_case blocks) -------------
def selected_labels(spec: dict) -> dict[str, str]:
    """The policy's pod selector labels ({} selects every pod of the namespace)."""
    return dict(single_block(single_block(spec.get("pod_selector")).get("match_labels")))


def _admits_outsiders(rule: dict) -> bool:
    peers = rule.get("from") or []
    return not peers or any("namespace_selector" in p or "ip_block" in p for p in peers)


ADMITTED_FROM_OUTSIDE = {tuple(sorted(COLLECTOR_POD_LABELS.items())): {str(p) for p in OTLP_PORTS},
                         tuple(sorted(OPERATOR_POD_LABELS.items())): {str(facts.OPERATOR_WEBHOOK_PORT)}}


def outsider_problems(name: str, spec: dict) -> list[str]:
    """Rules of one observability NetworkPolicy that admit other namespaces or addresses anywhere but the
    collector's OTLP ports and the operator's webhook port."""
    selected = tuple(sorted(selected_labels(spec).items()))
    problems = []
    for rule in spec.get("ingress") or []:
        if not _admits_outsiders(rule):
            continue
        ports = {str(p.get("port")) for p in rule.get("ports") or []}
        if selected not in ADMITTED_FROM_OUTSIDE or not ports or not ports <= ADMITTED_FROM_OUTSIDE[selected]:
            problems.append(f"NetworkPolicy {name}: admits other namespaces or addresses to pods {dict(selected) or 'all'} "
                            f"on ports {sorted(ports) or 'all'}; only the collector's OTLP ports and the operator's "
                            "webhook port may be")
    return problems
