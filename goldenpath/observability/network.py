"""Who may reach the observability namespace: its own pods, and from elsewhere only the collector's OTLP
ports (every workload sends telemetry) and the API server on the operator's admission webhook.

Loki runs without multi-tenancy auth, Prometheus accepts remote writes and Alertmanager has no auth of its
own: none of them is reachable from another namespace, so no other pod can read logs, forge metrics or
silence pages. Kubelet probes need no rule: the VPC CNI's policy agent always admits the pod's own node
(facts.NODE_TRAFFIC_ALWAYS_ALLOWED_SOURCE).

What the namespace's pods may reach: Grafana, the component people log in to and whose datasources proxy requests,
only DNS, its own namespace (Prometheus, Loki, Tempo, Alertmanager) and the API server (its sidecars watch
ConfigMaps); goldenpath's values turn off everything it would fetch from the internet (values.py, grafana.ini).
Every other component keeps open egress, on purpose and said so: Prometheus scrapes every namespace and the nodes,
Alertmanager notifies outside, Loki and Tempo write to S3, the collectors export where they are told.
"""

from __future__ import annotations

from goldenpath.cluster_peers import KUBE_DNS_LABELS, KUBE_DNS_NAMESPACE, api_server_egress, dns_egress
from goldenpath.config.model import Environment
from goldenpath.observability import facts
from goldenpath.observability.values import MANAGED_BY, NAMESPACE
from goldenpath.terraform_json import single_block

OTLP_PORTS = (4317, 4318)  # facts.CHART_FACTS: the collector Service's otlp and otlp-http ports
COLLECTOR_RELEASE = "otel-collector"  # the agent apps send to (the sampler is reached from inside only)
PROMETHEUS_RELEASE = "kube-prometheus-stack"
COLLECTOR_POD_LABELS = {"app.kubernetes.io/name": facts.OTEL_CHART_NAME, "app.kubernetes.io/instance": COLLECTOR_RELEASE}
OPERATOR_POD_LABELS = {"app.kubernetes.io/component": "prometheus-operator", "app.kubernetes.io/instance": PROMETHEUS_RELEASE}
GRAFANA_POD_LABELS = {"app.kubernetes.io/name": facts.GRAFANA_CHART_NAME, "app.kubernetes.io/instance": PROMETHEUS_RELEASE}
# Every pod but Grafana's (a key's NotIn also selects pods without the key).
NOT_GRAFANA = {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn",
                                     "values": [facts.GRAFANA_CHART_NAME]}]}
ISOLATION_POLICY = "observability-isolation"
OPEN_EGRESS_POLICY = "observability-egress"  # applied before the isolation policy narrows (module: depends_on)
GRAFANA_HTTPS_POLICY = "observability-grafana-https"  # only with observability.grafana_https_out_reason
# One empty rule allows all egress (hashicorp/terraform-provider-kubernetes docs/resources/network_policy_v1.md:
# "egress {} # single empty rule to allow all egress traffic"; the Kubernetes API reads `egress: [{}]` the same way).
ALL_EGRESS: list[dict] = [{}]


def _policy(name: str, pod_selector: dict, ingress: list[dict], egress: list[dict] = ALL_EGRESS) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": dict(MANAGED_BY)},
            "spec": {"podSelector": pod_selector, "policyTypes": ["Ingress", "Egress"], "ingress": ingress,
                     "egress": egress}}


def _pods(labels: dict[str, str]) -> dict:
    return {"matchLabels": dict(labels)}


def isolation_egress(service_cidr: str) -> list[dict]:
    """What every pod of the namespace may reach, Grafana's included: DNS, the namespace, the API server."""
    return [dns_egress(), {"to": [{"podSelector": {}}]}, api_server_egress(service_cidr)]


def outside_the_cluster_https(vpc_cidr: str, service_cidr: str) -> dict:
    """HTTPS to any address but the cluster's own ranges (the VPC, and the Service range, whose ClusterIPs the CNI
    matches before DNAT: facts.EGRESS_SEES_CLUSTER_IP_SOURCE)."""
    return {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [vpc_cidr, service_cidr]}}],
            "ports": [{"port": 443, "protocol": "TCP"}]}


def observability_policies(vpc_cidr: str, service_cidr: str, grafana_https_out: bool = False) -> list[dict]:
    """The namespace's NetworkPolicies (they add up: a pod may receive what any policy selecting it allows).
    ``grafana_https_out``: the opt-out that lets Grafana open HTTPS outside the cluster."""
    opt_out = [_policy(GRAFANA_HTTPS_POLICY, _pods(GRAFANA_POD_LABELS), [],
                       [outside_the_cluster_https(vpc_cidr, service_cidr)])] if grafana_https_out else []
    return [
        _policy(ISOLATION_POLICY, {}, [{"from": [{"podSelector": {}}]}], isolation_egress(service_cidr)),
        _policy(OPEN_EGRESS_POLICY, NOT_GRAFANA, [], ALL_EGRESS),
        _policy("observability-otlp-ingest", _pods(COLLECTOR_POD_LABELS), [
            {"from": [{"namespaceSelector": {}}], "ports": [{"port": port, "protocol": "TCP"} for port in OTLP_PORTS]}]),
        # The API server reaches the webhook from EKS's network interfaces in the cluster's subnets, which lie in
        # the VPC; with the VPC CNI pods take VPC addresses too, so this port is open to the VPC: it serves
        # admission reviews and the operator's metrics, nothing that reads or writes telemetry.
        _policy("observability-operator-webhook", _pods(OPERATOR_POD_LABELS), [
            {"from": [{"ipBlock": {"cidr": vpc_cidr}}], "ports": [{"port": facts.OPERATOR_WEBHOOK_PORT, "protocol": "TCP"}]}]),
    ] + opt_out


# -- Reading a synthesized kubernetes_network_policy_v1 spec (the provider's snake_case blocks) -------------
def selected_labels(spec: dict) -> dict[str, str]:
    """The policy's pod selector labels."""
    return dict(single_block(single_block(spec.get("pod_selector")).get("match_labels")))


def selects_every_pod(spec: dict) -> bool:
    selector = single_block(spec.get("pod_selector"))
    return not single_block(selector.get("match_labels")) and not selector.get("match_expressions")


def _expression_holds(expression: dict, labels: dict[str, str]) -> bool:
    key, operator, values = expression["key"], expression["operator"], set(expression.get("values") or [])
    holds = {"In": lambda: labels.get(key) in values, "NotIn": lambda: labels.get(key) not in values,
             "Exists": lambda: key in labels, "DoesNotExist": lambda: key not in labels}
    if operator not in holds:
        raise ValueError(f"pod selector operator {operator!r}: expected one of {sorted(holds)}")
    return holds[operator]()


def selects(spec: dict, labels: dict[str, str]) -> bool:
    """Whether the policy selects a pod with these labels (match_labels and match_expressions, as Kubernetes reads them)."""
    selector = single_block(spec.get("pod_selector"))
    return (selected_labels(spec).items() <= labels.items()
            and all(_expression_holds(e, labels) for e in selector.get("match_expressions") or []))


def _ports(rule: dict) -> set[tuple[str, str]]:
    return {(str(p.get("port")), p.get("protocol", "TCP")) for p in rule.get("ports") or []}


def _is_the_https_opt_out(policy: dict, rule: dict) -> bool:
    """The opt-out's one rule: HTTPS to everything but (at least) the cluster's two ranges."""
    peers = rule.get("to") or []
    if policy.get("name") != GRAFANA_HTTPS_POLICY or _ports(rule) != {("443", "TCP")} or [set(p) for p in peers] != [{"ip_block"}]:
        return False
    block = single_block(peers[0]["ip_block"])
    return block.get("cidr") == "0.0.0.0/0" and len(block.get("except") or []) >= 2


def _within_grafanas_reach(peer: dict, ports: set[tuple[str, str]]) -> bool:
    """A peer Grafana may have: its own namespace's pods, the cluster DNS, or one address on 443 (the API server's)."""
    if set(peer) == {"pod_selector"}:
        return True
    if "ip_block" in peer:
        block = single_block(peer["ip_block"])
        return set(peer) == {"ip_block"} and str(block.get("cidr", "")).endswith("/32") and ports == {("443", "TCP")}
    namespace = dict(single_block(single_block(peer.get("namespace_selector")).get("match_labels")))
    pods = dict(single_block(single_block(peer.get("pod_selector")).get("match_labels")))
    return namespace == {"kubernetes.io/metadata.name": KUBE_DNS_NAMESPACE} and pods == KUBE_DNS_LABELS


def grafana_egress_problems(policies: list[dict]) -> list[str]:
    """Egress rules that let Grafana's pods reach past the namespace, the cluster DNS and the API server's address,
    other than the named HTTPS opt-out (``policies``: the namespace's policies, each with its ``name``)."""
    governing = [p for p in policies if selects(p, GRAFANA_POD_LABELS) and "Egress" in (p.get("policy_types") or [])]
    if not governing:
        return [f"no NetworkPolicy governs the egress of Grafana's pods {GRAFANA_POD_LABELS}: they reach everything"]
    problems = []
    for policy in governing:
        for rule in policy.get("egress") or []:
            peers = rule.get("to") or []
            if _is_the_https_opt_out(policy, rule):
                continue
            if not peers or not all(_within_grafanas_reach(peer, _ports(rule)) for peer in peers):
                problems.append(f"NetworkPolicy {policy['name']}: lets Grafana's pods reach {peers or 'everything'}; "
                                "expected only the namespace, the cluster DNS and the API server's address")
    return problems


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


def grafana_egress_line(environment: Environment) -> str:
    """What `validate` says about where Grafana may connect (an opt-out is shown with its reason)."""
    reason = environment.observability.grafana_https_out_reason
    if reason is None:
        return (f"grafana: {environment.name} Grafana reaches DNS, the {NAMESPACE} namespace and the API server only")
    return (f"grafana: {environment.name} lets Grafana open HTTPS outside the cluster "
            f"(observability.grafana_https_out_reason: {reason})")

