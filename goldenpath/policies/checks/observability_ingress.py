"""GP_K8S_003: no NetworkPolicy opens the observability namespace beyond the collector and the webhook.

Loki runs without auth, Prometheus accepts remote writes and Alertmanager has no auth of its own: a rule
letting other namespaces (or an address block) reach them would let any pod read all logs, forge metrics or
silence pages. Only the collector's OTLP ports and the operator's admission webhook port may admit
outsiders (goldenpath.observability.network). That the namespace is isolated at all is checked by
``validate``'s in-cluster checks (one policy selecting every pod).
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.observability.network import outsider_problems
from goldenpath.observability.values import NAMESPACE
from goldenpath.policies.checks._conf import block, plain


class ObservabilityIngress(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="Ensure NetworkPolicies admit other namespaces to observability only on the collector's OTLP "
                              "ports and the operator's webhook", id="GP_K8S_003",
                         categories=[CheckCategories.NETWORKING], supported_resources=["kubernetes_network_policy_v1"])

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if plain(block(conf, "metadata")).get("namespace") != NAMESPACE:
            return CheckResult.UNKNOWN
        return CheckResult.FAILED if outsider_problems("policy", plain(block(conf, "spec"))) else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["spec/[0]/ingress"]


check = ObservabilityIngress()
