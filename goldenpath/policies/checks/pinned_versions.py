"""GP_AWS_009: EKS add-ons and managed node groups name their version.

Without ``addon_version`` the AWS provider keeps whatever EKS installed when the add-on was created, and
without ``release_version`` a node group keeps its creation-time AMI: a Kubernetes upgrade then leaves
both behind without a line in the plan. goldenpath sets both, from ``versions.yaml`` or from EKS's
default for the cluster's version read at plan time.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import first

_VERSION_ATTRIBUTE = {"aws_eks_addon": "addon_version", "aws_eks_node_group": "release_version"}


class VersionsNamed(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="Ensure EKS add-ons and node groups name their version (add-on version, AMI release)",
                         id="GP_AWS_009", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=list(_VERSION_ATTRIBUTE))

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if self.entity_type == "aws_eks_node_group" and first(conf, "ami_type") == "CUSTOM":
            return CheckResult.UNKNOWN  # the launch template names the AMI
        return CheckResult.PASSED if first(conf, _VERSION_ATTRIBUTE[self.entity_type]) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return list(_VERSION_ATTRIBUTE.values())


check = VersionsNamed()
