"""GP_AWS_005: the vpc-cni add-on enforces Kubernetes NetworkPolicies (``enableNetworkPolicy: "true"``), in
strict mode (``env.NETWORK_POLICY_ENFORCING_MODE: "strict"``: a new pod starts denied, not allowed, until its
policies are programmed; aws/amazon-vpc-cni-k8s README.md @ v1.23.0).

Without it the CNI ignores every NetworkPolicy: a default-deny policy in a tenant or preview namespace
would exist and do nothing. Source of the key and its string value: the EKS user guide
(cni-network-policy-configure) and the aws-vpc-cni chart's values (see goldenpath.modules.cluster).
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import first, json_object


class VpcCniEnforcesNetworkPolicy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the vpc-cni add-on enforces Kubernetes network policies, in strict mode",
            id="GP_AWS_005",
            categories=[CheckCategories.KUBERNETES],
            supported_resources=["aws_eks_addon"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if first(conf, "addon_name") != "vpc-cni":
            return CheckResult.UNKNOWN  # other add-ons: not this check's business
        configuration = json_object(conf, "configuration_values") or {}
        env = configuration.get("env")
        env = env if isinstance(env, dict) else {}
        enforced = configuration.get("enableNetworkPolicy") == "true"
        return CheckResult.PASSED if enforced and env.get("NETWORK_POLICY_ENFORCING_MODE") == "strict" else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["configuration_values"]


check = VpcCniEnforcesNetworkPolicy()
