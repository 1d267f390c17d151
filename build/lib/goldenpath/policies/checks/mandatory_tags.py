"""GP_AWS_001: every taggable AWS resource carries the mandatory tags."""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.constructs.tagging import MANDATORY_TAG_KEYS
from goldenpath.policies.checks._conf import first

# Resource types goldenpath creates that accept tags.
TAGGABLE = [
    "aws_vpc", "aws_subnet", "aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route_table",
    "aws_default_security_group", "aws_flow_log", "aws_cloudwatch_log_group", "aws_kms_key", "aws_iam_role",
    "aws_s3_bucket", "aws_eks_cluster", "aws_eks_node_group", "aws_eks_addon", "aws_launch_template",
    "aws_eks_access_entry", "aws_eks_pod_identity_association",
]


class MandatoryTags(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure resources carry the mandatory tags (environment, owner, cost-center, managed-by)",
            id="GP_AWS_001",
            categories=[CheckCategories.CONVENTION],
            supported_resources=TAGGABLE,
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        tags = first(conf, "tags")
        if not isinstance(tags, dict):
            return CheckResult.FAILED
        return CheckResult.PASSED if all(tags.get(k) for k in MANDATORY_TAG_KEYS) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["tags"]


check = MandatoryTags()
