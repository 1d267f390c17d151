"""An aws sandbox: an IAM role inside a permission boundary, the deny-all policy, and the budget whose action
attaches deny-all to the role at the deny threshold. ``goldenpath sandbox request`` builds one per sandbox
from a tier; a team can compose one into its own stack the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from cdktn_provider_aws.iam_policy import IamPolicy
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from goldenpath.config.model import DEFAULT_THRESHOLDS, BudgetThreshold
from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.errors import SynthError
from goldenpath.modules.sandbox_boundary import BoundaryInputs, boundary_document, deny_all_document
from goldenpath.modules.sandbox_budget import SandboxBudget, SandboxBudgetProps

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
MAX_SESSION_SECONDS = 3600


def sandbox_role_name(sandbox_id: str) -> str:
    return f"sandbox-{sandbox_id}"


def assume_trust(account_id: str, assume_from: tuple[str, ...], owner: str) -> str:
    """Only principals from ``assume_from`` roles, and only with the owner as session name: STS's AssumeRole
    reference ("Your administrator might require that you specify your user name as the session name when
    you assume the role. For more information, see sts:RoleSessionName"). The session name then names the
    owner in CloudTrail; ``aws:PrincipalArn`` is what keeps everyone else out."""
    return policy_document(Statement(
        sid="OwnerFromDeveloperRoles", actions=("sts:AssumeRole",), principals={"AWS": f"arn:aws:iam::{account_id}:root"},
        conditions={"ArnLike": {"aws:PrincipalArn": sorted(assume_from)}, "StringEquals": {"sts:RoleSessionName": owner}},
    ))


@dataclass(frozen=True)
class AwsSandboxProps:
    sandbox_id: str
    owner: str
    """The login-like name the role's session must carry."""
    account_id: str
    tags: dict[str, str]
    """The sandbox's ``sandbox-id``, ``tier``, ``owner`` and ``expires-at`` (the boundary protects them)."""
    regions: tuple[str, ...]
    assume_from: tuple[str, ...]
    """Role ARNs (wildcards allowed) of this account developers assume the sandbox role from."""
    limit_usd: Decimal
    subscribers: tuple[str, ...]
    """E-mail addresses of the budget's notifications and action."""
    starts_at: datetime
    ends_at: datetime
    instance_types: tuple[str, ...] = ()
    """EC2 types the role may launch. Default: none (the boundary then denies every RunInstances)."""
    thresholds: tuple[BudgetThreshold, ...] = DEFAULT_THRESHOLDS
    """Default: notify at 50% and 80%, deny at 100%."""
    managed_policies: tuple[str, ...] = field(default=(POWER_USER,))
    """Attached to the role, always inside the boundary. Default: AWS's PowerUserAccess."""


class AwsSandbox(Construct):
    def __init__(self, scope: Construct, id_: str, props: AwsSandboxProps):
        super().__init__(scope, id_)
        _check(props)
        name, account = sandbox_role_name(props.sandbox_id), props.account_id
        inputs = BoundaryInputs(
            sandbox_id=props.sandbox_id, tags=props.tags, regions=props.regions, instance_types=props.instance_types,
            boundary_arn=f"arn:aws:iam::{account}:policy/{name}-boundary", role_arn=f"arn:aws:iam::{account}:role/{name}",
            deny_all_arn=f"arn:aws:iam::{account}:policy/{name}-deny-all")
        # Names, not references, inside the documents: the boundary names the role that uses it.
        self.boundary = IamPolicy(self, "boundary", name=f"{name}-boundary", policy=boundary_document(inputs),
                                  description=f"Permission boundary of sandbox {props.sandbox_id}")
        self.deny_all = IamPolicy(self, "deny-all", name=f"{name}-deny-all", policy=deny_all_document(),
                                  description=f"Attached to {name} by its budget action when spend reaches the limit")
        self.role = IamRole(self, "role", name=name, permissions_boundary=self.boundary.arn,
                            max_session_duration=MAX_SESSION_SECONDS,
                            assume_role_policy=assume_trust(account, props.assume_from, props.owner),
                            description=f"Sandbox {props.sandbox_id} of {props.owner}")
        for index, arn in enumerate(sorted(props.managed_policies)):
            IamRolePolicyAttachment(self, f"policy-{index}", role=self.role.name, policy_arn=arn)
        self.budget = SandboxBudget(self, "budget", SandboxBudgetProps(
            sandbox_id=props.sandbox_id, limit_usd=props.limit_usd, thresholds=props.thresholds,
            subscribers=props.subscribers, starts_at=props.starts_at, ends_at=props.ends_at, role=self.role,
            deny_all=self.deny_all))


def _check(props: AwsSandboxProps) -> None:
    if not props.assume_from:
        raise SynthError(f"sandbox {props.sandbox_id}: assume_from is empty, expected at least one role ARN of "
                         f"account {props.account_id}")
    foreign = [arn for arn in props.assume_from if arn.split(":")[4:5] != [props.account_id]]
    if foreign:
        raise SynthError(f"sandbox {props.sandbox_id}: assume_from {foreign}, expected roles of account {props.account_id} "
                         "(the role trusts only that account)")
    if props.tags.get("owner") != props.owner:
        raise SynthError(f"sandbox {props.sandbox_id}: tag owner {props.tags.get('owner')!r}, expected the owner {props.owner!r}")
