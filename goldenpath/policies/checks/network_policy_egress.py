"""GP_K8S_001: every NetworkPolicy governs egress as well as ingress.

A policy with ``policy_types: ["Ingress"]`` leaves the selected pods free to reach the API server, the
observability stack, the internet through NAT and any bucket through the S3 endpoint. goldenpath's
tenant and preview policies deny both directions and allow back what the namespace needs.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import block, first


class NetworkPolicyCoversEgress(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every Kubernetes NetworkPolicy governs both ingress and egress",
            id="GP_K8S_001",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["kubernetes_network_policy_v1", "kubernetes_network_policy"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        types = block(conf, "spec").get("policy_types") or first(conf, "policy_types") or []
        if isinstance(types, list) and types and isinstance(types[0], list):
            types = types[0]  # checkov wraps block attributes in one more list
        return CheckResult.PASSED if {"Ingress", "Egress"} <= set(types) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["spec/[0]/policy_types"]


check = NetworkPolicyCoversEgress()
