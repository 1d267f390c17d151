"""GP_AWS_006: a role the VPC flow logs service may assume is bound to the account's own flow logs.

Without ``aws:SourceAccount`` and ``aws:SourceArn`` conditions the flow logs service could be made to
use the role on behalf of another account's flow log (the confused-deputy problem). The Amazon VPC
user guide recommends both ("IAM role for publishing flow logs to CloudWatch Logs").
"""

from __future__ import annotations

from goldenpath.policies.checks._conf import TrustConditionCheck


class ServiceTrustSourceBound(TrustConditionCheck):
    services = ("vpc-flow-logs.amazonaws.com",)

    def __init__(self) -> None:
        super().__init__("Ensure roles assumed by the VPC flow logs service condition on aws:SourceAccount and aws:SourceArn",
                         "GP_AWS_006")

    def conditioned(self, statement: dict) -> bool:
        conditions = statement.get("Condition") or {}
        account = (conditions.get("StringEquals") or {}).get("aws:SourceAccount")
        arn = any((conditions.get(op) or {}).get("aws:SourceArn") for op in ("ArnLike", "ArnEquals"))
        return bool(account and arn)


check = ServiceTrustSourceBound()
