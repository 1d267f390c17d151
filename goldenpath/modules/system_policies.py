"""NetworkPolicies for the namespaces EKS itself fills (kube-system), which vpc-cni's strict mode needs.

In strict mode a pod no policy selects is denied everything (goldenpath.modules.cluster.NETWORK_POLICY_MODE),
so kube-system's pods that are not on the host network (CoreDNS, the EBS CSI controller) need a policy. This
one keeps them as open as they were before strict mode, explicitly: every pod resolves names through CoreDNS,
and the add-ons' controllers talk to the API server and AWS. Host-network pods (aws-node, kube-proxy, the
Pod Identity agent) are exempt from policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from goldenpath.constructs.network_policy import network_policy

SYSTEM_NAMESPACES = ("kube-system",)
SYSTEM_POLICY = "system-open"


def system_policy(namespace: str, labels: dict[str, str]) -> dict:
    """Select every pod of ``namespace``, allow all ingress and egress (one empty rule each)."""
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": SYSTEM_POLICY, "namespace": namespace, "labels": dict(labels)},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]}}


@dataclass(frozen=True)
class SystemNamespacePoliciesProps:
    namespaces: tuple[str, ...] = SYSTEM_NAMESPACES
    """Default: kube-system."""
    labels: dict[str, str] = field(default_factory=dict)
    """Default: none."""


class SystemNamespacePolicies(Construct):
    def __init__(self, scope: Construct, id_: str, props: SystemNamespacePoliciesProps = SystemNamespacePoliciesProps()):
        super().__init__(scope, id_)
        self.policies = [network_policy(self, namespace, system_policy(namespace, props.labels)) for namespace in props.namespaces]
