"""PAY_AWS_001: the payments organisation's own rule: every S3 bucket says how its data is classified."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class BucketHasDataClassification(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="Ensure S3 buckets carry a data-classification tag", id="PAY_AWS_001",
                         categories=[CheckCategories.GENERAL_SECURITY], supported_resources=["aws_s3_bucket"])

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        tags = conf.get("tags") or [{}]
        tags = tags[0] if isinstance(tags, list) else tags
        return CheckResult.PASSED if isinstance(tags, dict) and "data-classification" in tags else CheckResult.FAILED


check = BucketHasDataClassification()
