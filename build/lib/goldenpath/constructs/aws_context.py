"""Static facts about the AWS account and region a stack targets.

ARNs are built from the environment's configured account and region rather than data
sources, so synthesized output is readable and byte-stable, and the provider's
``allowed_account_ids`` guard makes a mismatch fail before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AwsTarget:
    account_id: str
    region: str

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    @property
    def dns_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account_id if account else ''}:{resource}"
        )

    @property
    def root_principal(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def managed_policy(self, name: str) -> str:
        return f"arn:{self.partition}:iam::aws:policy/{name}"

    def service_principal(self, service: str) -> str:
        return f"{service}.{self.dns_suffix}"
