"""GP_AWS_004: a role EKS Pod Identity may assume names the namespace and service account that may use it.

Without ``aws:RequestTag/kubernetes-namespace`` and ``aws:RequestTag/kubernetes-service-account``
conditions (session tags EKS Pod Identity adds to its AssumeRole request), anyone allowed to create
pod identity associations and pass the role can bind it to any service account in any cluster.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import listed, trust_policy

POD_IDENTITY = "pods.eks.amazonaws.com"
REQUIRED_TAGS = ("aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account")


def unconditioned_pod_identity_statements(document: dict) -> list[dict]:
    """Allow statements trusting EKS Pod Identity without both namespace and service-account conditions."""
    found = []
    for statement in listed(document.get("Statement", [])):
        services = listed((statement.get("Principal") or {}).get("Service", []))
        if statement.get("Effect") != "Allow" or POD_IDENTITY not in services:
            continue
        equals = (statement.get("Condition") or {}).get("StringEquals", {})
        if not all(equals.get(tag) for tag in REQUIRED_TAGS):
            found.append(statement)
    return found


class PodIdentityTrustConditioned(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure roles trusted by EKS Pod Identity are conditioned on namespace and service account",
            id="GP_AWS_004",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        policy = trust_policy(conf)
        if policy is None:
            return CheckResult.UNKNOWN
        return CheckResult.FAILED if unconditioned_pod_identity_statements(policy) else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["assume_role_policy"]


check = PodIdentityTrustConditioned()
