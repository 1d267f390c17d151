"""GP_AWS_008: a gateway VPC endpoint carries a policy that does not allow everything.

Without a policy (or with AWS's default "Allow * on *") an S3 gateway endpoint lets anything in the VPC
reach any bucket in the region, another account's included: an exfiltration path that bypasses the NAT
gateway and its logs. checkov has no check for a gateway endpoint's policy.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import first, json_object, listed

_EVERYTHING = {"*", "s3:*", "dynamodb:*"}


def _allows_everything(statement: dict) -> bool:
    return (statement.get("Effect") == "Allow"
            and any(a in _EVERYTHING for a in listed(statement.get("Action", [])))
            and "*" in listed(statement.get("Resource", []))
            and not statement.get("Condition"))


class GatewayEndpointPolicy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="Ensure gateway VPC endpoints have a policy narrower than allow-all",
                         id="GP_AWS_008", categories=[CheckCategories.NETWORKING], supported_resources=["aws_vpc_endpoint"])

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if first(conf, "vpc_endpoint_type", "Gateway") != "Gateway":
            return CheckResult.UNKNOWN
        policy = json_object(conf, "policy")
        if policy is None:
            return CheckResult.FAILED
        return CheckResult.FAILED if any(_allows_everything(s) for s in listed(policy.get("Statement", []))) else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["policy", "vpc_endpoint_type"]


check = GatewayEndpointPolicy()
