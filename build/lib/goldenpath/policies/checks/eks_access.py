"""GP_AWS_002: EKS uses access entries only and grants the cluster creator no implicit admin."""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import block, first


class EksAccessEntriesOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure EKS uses API authentication mode without cluster-creator admin",
            id="GP_AWS_002",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_eks_cluster"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        access = block(conf, "access_config")
        mode = first(access, "authentication_mode")
        creator_admin = first(access, "bootstrap_cluster_creator_admin_permissions", True)
        if mode == "API" and creator_admin is False:
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["access_config"]


check = EksAccessEntriesOnly()
