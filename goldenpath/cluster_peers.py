"""NetworkPolicy egress to the cluster's own services, for namespaces that deny the rest: DNS and the API server.

How the VPC CNI matches egress decides how these are written: a pod's packet is matched before kube-proxy rewrites a
Service's ClusterIP to a pod, and the controller admits a ClusterIP only for Services whose selector a podSelector
peer matches (aws/amazon-network-policy-controller-k8s ``pkg/resolvers/endpoints.go`` @ v1.1.7:
``goldenpath.observability.facts.EGRESS_SEES_CLUSTER_IP_SOURCE``). kube-dns selects its pods, so a pod selector
admits it; the API server's ``kubernetes`` Service selects none, so it is admitted by its address, the Service range's
first (``facts.API_SERVER_SERVICE_IP_SOURCE``).
"""

from __future__ import annotations

import ipaddress

KUBE_DNS_NAMESPACE = "kube-system"
KUBE_DNS_LABELS = {"k8s-app": "kube-dns"}
API_SERVER_PORT = 443  # the kubernetes Service's port (kube-apiserver's APIServerServicePort)


def namespace_peer(namespace: str, pod_labels: dict[str, str] | None = None) -> dict:
    """A peer for the pods of one namespace (all of them, or those with ``pod_labels``)."""
    peer: dict = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}
    if pod_labels:
        peer["podSelector"] = {"matchLabels": dict(pod_labels)}
    return peer


def dns_egress() -> dict:
    """Name lookups with the cluster's DNS (kube-dns' pods and, through its selector, its ClusterIP)."""
    return {"to": [namespace_peer(KUBE_DNS_NAMESPACE, KUBE_DNS_LABELS)],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}


def api_server_address(service_cidr: str) -> str:
    """The ClusterIP of the ``kubernetes`` Service: the first address of the cluster's Service range."""
    return str(ipaddress.ip_network(service_cidr)[1])


def api_server_egress(service_cidr: str) -> dict:
    """The API server as in-cluster clients reach it: the ``kubernetes`` Service's ClusterIP on 443."""
    return {"to": [{"ipBlock": {"cidr": f"{api_server_address(service_cidr)}/32"}}],
            "ports": [{"port": API_SERVER_PORT, "protocol": "TCP"}]}
