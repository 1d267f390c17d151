"""GP_AWS_007: a KMS key is administered by named principals, not by the whole account through IAM.

AWS's default key policy gives the account root ``kms:*``, which hands administration (changing the key
policy, scheduling deletion) to every IAM principal whose IAM policy says so. goldenpath names the key
administrators instead (terraform-aws-kms v4.2.0's ``KeyAdministration`` statement) and leaves the account
root the use of the key only. checkov's own KMS checks look at wildcard principals, not at this.
"""

from __future__ import annotations

import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import json_object, listed

# An account root principal: "arn:<partition>:iam::<account>:root" or a bare 12-digit account id.
_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$")
# Actions that administer a key (terraform-aws-kms v4.2.0 KeyAdministration), and wildcards covering them.
_ADMINISTRATION = re.compile(
    r"^(\*|kms:\*|kms:(Create|Put|Update|Delete|Disable|Enable|Revoke)\*?.*|kms:ScheduleKeyDeletion|kms:CancelKeyDeletion"
    r"|kms:TagResource|kms:UntagResource|kms:ReplicateKey|kms:ImportKeyMaterial)$"
)


def _account_roots(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    return [p for p in listed((principal or {}).get("AWS", [])) if isinstance(p, str) and _ROOT.match(p)]


def _administers(statement: dict) -> bool:
    # Grants for AWS resources are how services (EKS, EBS) use a key, not administration.
    actions = [a for a in listed(statement.get("Action", [])) if a not in ("kms:CreateGrant", "kms:RevokeGrant")]
    return any(_ADMINISTRATION.match(a) for a in actions)


class KmsAdministrationNamed(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="Ensure KMS keys are administered by named principals, not the account root through IAM",
                         id="GP_AWS_007", categories=[CheckCategories.ENCRYPTION], supported_resources=["aws_kms_key"])

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        policy = json_object(conf, "policy")
        if policy is None:  # no key policy at all: AWS applies its default (account root, kms:*)
            return CheckResult.FAILED
        statements = [s for s in listed(policy.get("Statement", [])) if s.get("Effect") == "Allow"]
        if any(_account_roots(s) and _administers(s) for s in statements):
            return CheckResult.FAILED
        named = any(_administers(s) and not _account_roots(s) for s in statements)
        return CheckResult.PASSED if named else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["policy"]


check = KmsAdministrationNamed()
