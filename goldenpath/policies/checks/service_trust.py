"""GP_AWS_006: a role the VPC flow logs service may assume is bound to the account's own flow logs.

Without ``aws:SourceAccount`` and ``aws:SourceArn`` conditions the flow logs service could be made to
use the role on behalf of another account's flow log (the confused-deputy problem). The Amazon VPC
user guide recommends both ("IAM role for publishing flow logs to CloudWatch Logs").
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import listed, trust_policy

SOURCE_BOUND_SERVICES = ("vpc-flow-logs.amazonaws.com",)


def unbound_statements(document: dict) -> list[dict]:
    """Allow statements trusting a source-bound service without both confused-deputy conditions."""
    found = []
    for statement in listed(document.get("Statement", [])):
        services = listed((statement.get("Principal") or {}).get("Service", []))
        if statement.get("Effect") != "Allow" or not any(s in SOURCE_BOUND_SERVICES for s in services):
            continue
        conditions = statement.get("Condition") or {}
        account = (conditions.get("StringEquals") or {}).get("aws:SourceAccount")
        arn = any((conditions.get(op) or {}).get("aws:SourceArn") for op in ("ArnLike", "ArnEquals"))
        if not (account and arn):
            found.append(statement)
    return found


class ServiceTrustSourceBound(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure roles assumed by the VPC flow logs service condition on aws:SourceAccount and aws:SourceArn",
            id="GP_AWS_006",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        policy = trust_policy(conf)
        if policy is None:
            return CheckResult.UNKNOWN
        return CheckResult.FAILED if unbound_statements(policy) else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["assume_role_policy"]


check = ServiceTrustSourceBound()
