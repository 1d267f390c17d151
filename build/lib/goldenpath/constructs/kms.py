"""A customer-managed KMS key with rotation on and an explicit key policy."""

from __future__ import annotations

from dataclasses import dataclass

from cdktn_provider_aws.kms_alias import KmsAlias
from cdktn_provider_aws.kms_key import KmsKey as AwsKmsKey
from constructs import Construct

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.iam import Statement, WorkloadRole, policy_document
from goldenpath.constructs.naming import Naming
from goldenpath.errors import SynthError


@dataclass(frozen=True)
class KmsKeyProps:
    """Props of :class:`KmsKey`."""

    target: AwsTarget
    naming: Naming
    purpose: str
    """What the key protects, e.g. ``flow-logs``; used in the alias and description."""
    logs_service: bool = False
    """Let CloudWatch Logs in this region use the key for log groups of this account. Default: false."""
    service_principals: tuple[str, ...] = ()
    """Other AWS services (e.g. ``delivery.logs.amazonaws.com``) that may use the key. Default: none."""
    deletion_window_days: int = 30
    """Waiting period before deletion. Default: 30 (the maximum, to recover from mistakes)."""


class KmsKey(Construct):
    """KMS key with yearly rotation, a key policy that names who may use it, and an alias."""

    def __init__(self, scope: Construct, id_: str, props: KmsKeyProps):
        super().__init__(scope, id_)
        if not 7 <= props.deletion_window_days <= 30:
            raise SynthError(
                f"KmsKey {id_!r}: deletion_window_days got {props.deletion_window_days}, expected 7 to 30"
            )
        target = props.target
        statements = [
            Statement(
                sid="AccountAdministration",
                actions=("kms:*",),
                resources=("*",),
                principals={"AWS": target.root_principal},
            )
        ]
        if props.logs_service:
            statements.append(
                Statement(
                    sid="CloudWatchLogs",
                    actions=("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"),
                    resources=("*",),
                    principals={"Service": target.service_principal(f"logs.{target.region}")},
                    conditions={
                        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": target.arn("logs", "log-group:*")}
                    },
                )
            )
        if props.service_principals:
            statements.append(
                Statement(
                    sid="ServiceUse",
                    actions=("kms:Decrypt", "kms:GenerateDataKey*"),
                    resources=("*",),
                    principals={"Service": sorted(props.service_principals)},
                    conditions={"StringEquals": {"aws:SourceAccount": target.account_id}},
                )
            )
        self.key = AwsKmsKey(
            self,
            "key",
            description=f"goldenpath {'/'.join(props.naming.prefix)} {props.purpose}",
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=policy_document(*statements),
        )
        self.alias = KmsAlias(
            self, "alias", name=f"alias/{props.naming.name(props.purpose)}", target_key_id=self.key.key_id
        )

    @property
    def arn(self) -> str:
        # One token per key (each attribute read makes a new one), so grants can be deduplicated.
        if not hasattr(self, "_arn"):
            self._arn = self.key.arn
        return self._arn

    @property
    def key_id(self) -> str:
        return self.key.key_id

    def grant_decrypt(self, role: WorkloadRole) -> None:
        """Let ``role`` read what this key encrypted."""
        role.add_to_policy(Statement(actions=("kms:Decrypt",), resources=(self.arn,)))

    def grant_encrypt_decrypt(self, role: WorkloadRole) -> None:
        """Let ``role`` read and write data under this key."""
        role.add_to_policy(Statement(actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"), resources=(self.arn,)))
