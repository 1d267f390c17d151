"""GP_AWS_003: node launch templates require IMDSv2 with a hop limit of 1 and encrypt volumes."""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import block, first


class NodeMetadataLockedDown(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure launch templates require IMDSv2 with hop limit 1 and encrypted EBS volumes",
            id="GP_AWS_003",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_launch_template"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        metadata = block(conf, "metadata_options")
        if first(metadata, "http_tokens") != "required":
            return CheckResult.FAILED
        if str(first(metadata, "http_put_response_hop_limit")) != "1":
            return CheckResult.FAILED
        mappings = conf.get("block_device_mappings") or []
        for mapping in mappings:
            ebs = first(mapping, "ebs") if isinstance(mapping, dict) else None
            if not isinstance(ebs, dict) or str(first(ebs, "encrypted")).lower() != "true":
                return CheckResult.FAILED
        return CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["metadata_options", "block_device_mappings"]


check = NodeMetadataLockedDown()
