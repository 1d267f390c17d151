"""An aws sandbox, in the sandbox account: an IAM role inside a permission boundary with goldenpath's tagged-services
policy, the deny-all policy, the budget whose action attaches deny-all to the role at the deny threshold, and the
spend stop that then stops what is running. ``goldenpath sandbox request`` builds one per sandbox from a tier; a
team can compose one into its own stack the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cdktn_provider_aws.iam_policy import IamPolicy
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from goldenpath.config.model import DEFAULT_THRESHOLDS, BudgetThreshold, identity_center_role
from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.errors import SynthError
from goldenpath.modules.sandbox_boundary import BoundaryInputs, boundary_document, deny_all_document
from goldenpath.modules.sandbox_budget import SandboxBudget, SandboxBudgetProps
from goldenpath.modules.sandbox_permissions import permission_document
from goldenpath.modules.sandbox_spend_stop import SandboxSpendStop, SandboxSpendStopProps

MAX_SESSION_SECONDS = 3600
MANAGED_POLICY_MAX_CHARACTERS = 6144
"""IAM quota: a managed policy's size, white space not counted (IAM User Guide, reference_iam-quotas)."""


def sandbox_role_name(sandbox_id: str) -> str:
    return f"sandbox-{sandbox_id}"


def assume_trust(identity_roles: tuple[str, ...], owner: str) -> str:
    """Only a session of an Identity Center role whose session name is the owner. Identity Center names each
    session after the person who signed in; STS puts it after the role id in ``aws:userid``
    (``AROA...:ana@example.com``: IAM User Guide, reference_policies_condition-keys, aws:userid). The caller can
    choose ``sts:RoleSessionName`` for the session it creates, not the name of the session it comes from."""
    accounts = sorted({arn.split(":")[4] for arn in identity_roles})
    return policy_document(Statement(
        sid="OwnerFromIdentityCenter", actions=("sts:AssumeRole",),
        principals={"AWS": [f"arn:aws:iam::{account}:root" for account in accounts]},
        conditions={"ArnLike": {"aws:PrincipalArn": sorted(identity_roles)}, "StringLike": {"aws:userid": f"*:{owner}"}},
    ))


@dataclass(frozen=True)
class AwsSandboxProps:
    sandbox_id: str
    owner: str
    """The Identity Center user name whose sessions may assume the role."""
    account_id: str
    """The sandbox account (never an environment's account)."""
    tags: dict[str, str]
    """The sandbox's ``sandbox-id``, ``tier``, ``owner`` and ``expires-at`` (the boundary protects them)."""
    regions: tuple[str, ...]
    identity_roles: tuple[str, ...]
    """Identity Center role ARNs (wildcards allowed) whose sessions are people."""
    operator_role_arn: str
    """The platform's role in the sandbox account, which applies and releases sandboxes (the boundary protects it)."""
    state_bucket: str
    """The Terraform state bucket with every sandbox's state and record (the boundary denies it)."""
    limit_usd: Decimal
    subscribers: tuple[str, ...]
    """E-mail addresses of the budget's notifications and action."""
    starts_at: datetime
    ends_at: datetime
    instance_types: tuple[str, ...] = ()
    """EC2 types the role may launch. Default: none (the boundary then denies every RunInstances)."""
    max_volume_gib: int = 100
    """Largest EBS volume (gp3 at its baseline performance). Default: 100."""
    thresholds: tuple[BudgetThreshold, ...] = DEFAULT_THRESHOLDS
    """Default: notify at 50% and 80%, deny at 100%."""
    extra_services: tuple[str, ...] = ()
    """Service prefixes the boundary allows beyond the tagged ones. Default: none (an opt-out: untagged spend)."""
    managed_policies: tuple[str, ...] = ()
    """Attached besides goldenpath's tagged-services policy, inside the boundary. Default: none."""


class AwsSandbox(Construct):
    def __init__(self, scope: Construct, id_: str, props: AwsSandboxProps):
        super().__init__(scope, id_)
        _check(props)
        name, account = sandbox_role_name(props.sandbox_id), props.account_id
        boundary_arn = f"arn:aws:iam::{account}:policy/{name}-boundary"
        inputs = BoundaryInputs(
            sandbox_id=props.sandbox_id, tags=props.tags, account_id=account, regions=props.regions,
            instance_types=props.instance_types, max_volume_gib=props.max_volume_gib, boundary_arn=boundary_arn,
            operator_role_arn=props.operator_role_arn, state_bucket=props.state_bucket, extra_services=props.extra_services)
        # Names, not references, inside the documents: the boundary names the role that uses it.
        self.boundary = IamPolicy(self, "boundary", name=f"{name}-boundary", policy=_sized(boundary_document(inputs), "boundary"),
                                  description=f"Permission boundary of sandbox {props.sandbox_id}")
        self.permissions = IamPolicy(self, "permissions", name=f"{name}-permissions",
                                     policy=_sized(permission_document(props.sandbox_id), "permissions"),
                                     description=f"Sandbox {props.sandbox_id}: tagged services, its own resources only")
        self.deny_all = IamPolicy(self, "deny-all", name=f"{name}-deny-all", policy=deny_all_document(),
                                  description=f"Attached to {name} by its budget action when spend reaches the limit")
        self.role = IamRole(self, "role", name=name, permissions_boundary=self.boundary.arn,
                            max_session_duration=MAX_SESSION_SECONDS,
                            assume_role_policy=assume_trust(props.identity_roles, props.owner),
                            description=f"Sandbox {props.sandbox_id} of {props.owner}")
        IamRolePolicyAttachment(self, "permissions-attachment", role=self.role.name, policy_arn=self.permissions.arn)
        for index, arn in enumerate(sorted(props.managed_policies)):
            IamRolePolicyAttachment(self, f"policy-{index}", role=self.role.name, policy_arn=arn)
        self.spend_stop = SandboxSpendStop(self, "spend-stop", SandboxSpendStopProps(
            sandbox_id=props.sandbox_id, account_id=account, regions=props.regions))
        self.budget = SandboxBudget(self, "budget", SandboxBudgetProps(
            sandbox_id=props.sandbox_id, limit_usd=props.limit_usd, thresholds=props.thresholds,
            subscribers=props.subscribers, starts_at=props.starts_at, ends_at=props.ends_at, role=self.role,
            deny_all=self.deny_all, account_id=account, spend_stop=self.spend_stop))


def _sized(document: str, what: str) -> str:
    size = len(re.sub(r"\s", "", document))
    if size > MANAGED_POLICY_MAX_CHARACTERS:
        raise SynthError(f"sandbox {what} policy: {size} characters, expected at most {MANAGED_POLICY_MAX_CHARACTERS} "
                         "(IAM's managed policy quota): name fewer extra_services, regions or instance types")
    return document


def _check(props: AwsSandboxProps) -> None:
    if not props.identity_roles:
        raise SynthError(f"sandbox {props.sandbox_id}: identity_roles is empty, expected at least one Identity Center role ARN")
    loose = [arn for arn in props.identity_roles if not identity_center_role(arn)]
    if loose:
        raise SynthError(f"sandbox {props.sandbox_id}: identity_roles {loose}, expected Identity Center roles "
                         "(arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/...): their session names are people")
    if props.tags.get("owner") != props.owner:
        raise SynthError(f"sandbox {props.sandbox_id}: tag owner {props.tags.get('owner')!r}, expected the owner {props.owner!r}")
    if props.operator_role_arn.split(":")[4:5] != [props.account_id]:
        raise SynthError(f"sandbox {props.sandbox_id}: operator role {props.operator_role_arn}, expected a role of the "
                         f"sandbox account {props.account_id}")
