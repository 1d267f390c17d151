"""A customer-managed KMS key with rotation on and a key policy that names its administrators.

The policy follows terraform-aws-kms v4.2.0 (``main.tf``, the ``KeyAdministration`` statement and its
action list), which terraform-aws-eks v21.19.0 uses for its cluster key, with one difference: the account
root is given *use* of the key only (so the grants goldenpath writes on workload roles work through IAM),
never its administration. Administration belongs to named principals plus whoever applies the stack;
AWS's default "account root: kms:*" statement is an explicit opt-out (``kms.account_administration``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktn import TerraformStack
from cdktn_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktn_provider_aws.data_aws_iam_session_context import DataAwsIamSessionContext
from cdktn_provider_aws.kms_alias import KmsAlias
from cdktn_provider_aws.kms_key import KmsKey as AwsKmsKey
from constructs import Construct

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.iam import Statement, WorkloadRole, policy_document
from goldenpath.constructs.naming import Naming
from goldenpath.errors import SynthError


# terraform-aws-kms v4.2.0 main.tf, statement "KeyAdministration": manage, never encrypt or decrypt.
ADMINISTRATION_ACTIONS = (
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
    "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:ReplicateKey", "kms:ImportKeyMaterial",
)
# terraform-aws-kms v4.2.0 main.tf, statements "KeyUsage" and "KeyServiceUsage" (grants only for AWS resources,
# which is how EKS and EBS use a key on a caller's behalf).
USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")


class KeyAdministrators(Construct):
    """Who administers the KMS keys of one stack: the named principals and whoever applies the stack.

    The applier is included (read with ``aws_iam_session_context``, as terraform-aws-eks does for its default
    key administrator), because KMS refuses a key policy that would lock its creator out and ``terraform
    destroy`` must be able to schedule the deletion. A different principal applying shows up as a policy change
    in the plan. Where one known role always applies (an environment with a delivery pipeline: its apply role),
    it is named instead and ``deployer=False``: a plan then reads the same whoever makes it (a pull request's
    read-only plan role included).
    """

    ID = "key-administrators"

    def __init__(self, scope: Construct, id_: str, *, named: tuple[str, ...] = (), account_administration: bool = False,
                 deployer: bool = True):
        super().__init__(scope, id_)
        self.deployer: str | None = None
        if deployer:
            caller = DataAwsCallerIdentity(self, "caller")
            self.deployer = DataAwsIamSessionContext(self, "deployer", arn=caller.arn).issuer_arn
        elif not named:
            raise ValueError("KeyAdministrators: deployer=False needs named administrators, or nobody could administer the key")
        self.named = tuple(sorted(set(named)))
        self.account_administration = account_administration

    @staticmethod
    def of(scope: Construct) -> "KeyAdministrators":
        """The stack's administrators: made on first use from the stack's ``key_administration`` settings
        (``(named, account_administration, deployer)``; a GoldenpathStack takes them from the environment file),
        else the deployer alone."""
        stack = TerraformStack.of(scope)
        found = stack.node.try_find_child(KeyAdministrators.ID)
        if isinstance(found, KeyAdministrators):
            return found
        named, account_administration, deployer = getattr(stack, "key_administration", ((), False, True))
        return KeyAdministrators(stack, KeyAdministrators.ID, named=tuple(named),
                                 account_administration=account_administration, deployer=deployer)

    def statements(self, target: AwsTarget) -> list[Statement]:
        found = [] if self.deployer is None else [Statement(sid="DeployerAdministration", actions=ADMINISTRATION_ACTIONS,
                                                             resources=("*",), principals={"AWS": self.deployer})]
        if self.named:
            found.append(Statement(sid="KeyAdministration", actions=ADMINISTRATION_ACTIONS, resources=("*",),
                                   principals={"AWS": list(self.named)}))
        if self.account_administration:
            found.append(Statement(sid="AccountAdministration", actions=("kms:*",), resources=("*",),
                                   principals={"AWS": target.root_principal}))
        return found


@dataclass(frozen=True)
class KmsKeyProps:
    """Props of :class:`KmsKey`."""

    target: AwsTarget
    naming: Naming
    purpose: str
    """What the key protects, e.g. ``flow-logs``; used in the alias and description."""
    logs_service: bool = False
    """Let CloudWatch Logs in this region use the key for log groups of this account. Default: false."""
    ec2_volumes: bool = False
    """Let every principal of this account use the key through EC2 in this region, and nothing else: the
    statement AWS's own ``aws/ebs`` key carries (``kms:CallerAccount`` and ``kms:ViaService``), which is what lets
    a key encrypt the account's volumes by default, whoever creates them (Auto Scaling's service-linked role
    included, without naming a role a fresh account does not have yet). Default: false."""
    service_principals: tuple[str, ...] = ()
    """Other AWS services (e.g. ``delivery.logs.amazonaws.com``) that may use the key. Default: none."""
    deletion_window_days: int = 30
    """Waiting period before deletion. Default: 30 (the maximum, to recover from mistakes)."""
    administrators: KeyAdministrators | None = None
    """Who administers the key. Default: the stack's (``KeyAdministrators.of``): the environment's
    ``kms.administrators`` and whoever applies the stack."""


class KeyGrants:
    """Grants on a key, by its ARN: the same for a key made here and one looked up by alias."""

    @property
    def arn(self) -> str:
        raise NotImplementedError

    def grant_decrypt(self, role: WorkloadRole) -> None:
        """Let ``role`` read what this key encrypted."""
        role.add_to_policy(Statement(actions=("kms:Decrypt",), resources=(self.arn,)))

    def grant_encrypt_decrypt(self, role: WorkloadRole) -> None:
        """Let ``role`` read and write data under this key."""
        role.add_to_policy(Statement(actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"), resources=(self.arn,)))


class KmsKey(Construct, KeyGrants):
    """KMS key with yearly rotation, a key policy that names who administers it, and an alias.

    Use is delegated to IAM (the account root may encrypt, decrypt and create grants for AWS resources,
    nothing else), so ``grant_decrypt`` / ``grant_encrypt_decrypt`` on a role are what let it use the key."""

    def __init__(self, scope: Construct, id_: str, props: KmsKeyProps):
        super().__init__(scope, id_)
        if not 7 <= props.deletion_window_days <= 30:
            raise SynthError(
                f"KmsKey {id_!r}: deletion_window_days got {props.deletion_window_days}, expected 7 to 30"
            )
        target = props.target
        administrators = props.administrators or KeyAdministrators.of(self)
        statements = [
            *administrators.statements(target),
            Statement(sid="AccountUse", actions=USE_ACTIONS, resources=("*",), principals={"AWS": target.root_principal}),
            Statement(sid="AccountGrantsForAwsResources", actions=GRANT_ACTIONS, resources=("*",),
                      principals={"AWS": target.root_principal},
                      conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}}),
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
        if props.ec2_volumes:
            statements.append(ec2_volumes_statement(target))
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
        self.alias = KmsAlias(self, "alias", name=key_alias(props.naming, props.purpose), target_key_id=self.key.key_id)

    @property
    def arn(self) -> str:
        # One token per key (each attribute read makes a new one), so grants can be deduplicated.
        if not hasattr(self, "_arn"):
            self._arn = self.key.arn
        return self._arn

    @property
    def key_id(self) -> str:
        return self.key.key_id



class KmsKeyLookup(Construct, KeyGrants):
    """A KmsKey of another stack, found by its alias at plan time (ids, not objects, cross stacks): the same
    ``arn`` and grants as the key itself, so constructs take either (``encryption_key=``)."""

    def __init__(self, scope: Construct, id_: str, *, alias: str):
        from cdktn_provider_aws.data_aws_kms_alias import DataAwsKmsAlias

        super().__init__(scope, id_)
        if not alias.startswith("alias/"):
            raise SynthError(f"KmsKeyLookup {id_!r}: alias got {alias!r}, expected alias/<name>")
        self.alias = DataAwsKmsAlias(self, "alias", name=alias)
        self._arn = self.alias.target_key_arn

    @property
    def arn(self) -> str:
        return self._arn



def ec2_volumes_statement(target: AwsTarget) -> Statement:
    """Use of a key by any principal of ``target``'s account, only when EC2 in ``target``'s region calls KMS on
    its behalf (creating, attaching or copying an EBS volume). The actions are ``aws/ebs``'s: use, and grants
    (EC2 hands a grant to the volume's host)."""
    return Statement(
        sid="Ec2VolumesOfThisAccount", actions=(*USE_ACTIONS, "kms:CreateGrant"), resources=("*",),
        principals={"AWS": "*"},
        conditions={"StringEquals": {"kms:CallerAccount": target.account_id,
                                     "kms:ViaService": target.service_principal(f"ec2.{target.region}")}},
    )


def key_alias(naming: Naming, purpose: str) -> str:
    """The alias a KmsKey with this naming and purpose gets."""
    return f"alias/{naming.name(purpose)}"
