"""The permission boundary of an ``aws`` sandbox: the most its role, and every role it creates, may ever do,
whatever policies are attached. It allows the tier's services (``sandbox_services``) and then denies what each
guardrail names; every guardrail is its own statement (``Sid``) so tests, reviews and `validate` can point at it.

The same guardrails, widened to every tier and exempting the platform's operator role, make the service
control policy the sandbox account should carry as a second layer (``goldenpath.sandboxes.guardrails``).
They act before any spend data exists; the budget and its actions are the backstop after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.modules.sandbox_services import ALWAYS_READ, TAGGED_SERVICES

SANDBOX_TAG_KEYS = ("sandbox-id", "tier", "owner", "expires-at")
PLATFORM_PREFIX = "sandbox-"
"""goldenpath's own resources in the sandbox account (roles, policies, spend-stop functions, topics, log groups)."""
PLATFORM_ROLE_PATH = "/goldenpath/"
"""The path of the roles that keep a sandbox in check (its budget action's, its spend stop's): the SCP exempts it."""

# Global services whose requests go to one endpoint (us-east-1) and would be denied by a region
# condition: the IAM User Guide's example "AWS: Denies access to AWS based on the requested Region"
# (reference_policies_examples_aws_deny-requested-region) exempts CloudFront, IAM, Route 53 and Support
# and names budgets, globalaccelerator, importexport, organizations and waf as others to add.
GLOBAL_SERVICE_ACTIONS = (
    "budgets:*", "cloudfront:*", "globalaccelerator:*", "iam:*", "importexport:*", "organizations:*",
    "route53:*", "support:*", "waf:*",
)
# Commitments a sandbox must never make: every API operation named Purchase* in botocore 1.35.99's service models
# (devicefarm, ec2, elasticache, es, glacier, mediaconnect, medialive, memorydb, rds, redshift: IAM actions are
# named after them, prefixed by the service's signing name), and Savings Plans' CreateSavingsPlan.
PURCHASE_ACTIONS = (
    "devicefarm:Purchase*", "ec2:Purchase*", "elasticache:Purchase*", "es:Purchase*", "glacier:Purchase*",
    "mediaconnect:Purchase*", "medialive:Purchase*", "memorydb:Purchase*", "rds:Purchase*", "redshift:Purchase*",
    "savingsplans:CreateSavingsPlan",
)
LONG_LIVED_CREDENTIALS = ("iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile")
# Every way to start or hold EC2 capacity other than RunInstances, whose instance type, volume and tag conditions
# the boundary checks: fleets and Auto Scaling launch with their own service-linked role (so the caller's
# RunInstances conditions never apply), launch templates carry parameters past them, hosts and capacity
# reservations bill whether or not anything runs.
OTHER_COMPUTE_ROUTES = (
    "autoscaling:*", "ec2:AllocateHosts", "ec2:CreateCapacityReservation*", "ec2:CreateFleet", "ec2:CreateLaunchTemplate*",
    "ec2:ModifyFleet", "ec2:ModifyLaunchTemplate", "ec2:ModifySpotFleetRequest", "ec2:RequestSpot*", "ec2:RunScheduledInstances",
)
# The spend controls themselves and the account around them: budgets and their actions, cost allocation tags,
# billing, the account's regions and contacts, and the organization (leaving it would drop every SCP).
SPEND_CONTROLS = ("account:*", "aws-portal:*", "billing:*", "budgets:*", "ce:*", "cur:*", "organizations:*")
GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT_MIBPS = 125
"""gp3's included performance: anything above it is billed on top of the GB (Amazon EBS user guide, volume types)."""


def platform_principals(account_id: str, operator_role_arn: str) -> tuple[str, ...]:
    """Who keeps the sandbox account running and is exempt from its SCP: the operator, and the per-sandbox roles of
    the budget action (attaches deny-all to a sandbox role) and the spend stop (stops instances, writes its log).
    A sandbox cannot create or assume a role of these names (DenyPlatformResources, their trust policies)."""
    return operator_role_arn, f"arn:aws:iam::{account_id}:role{PLATFORM_ROLE_PATH}*"


@dataclass(frozen=True)
class BoundaryInputs:
    """What a boundary is made of: the sandbox, its tier's limits, and the ARNs it protects."""

    sandbox_id: str
    tags: dict[str, str]
    """The sandbox's values of SANDBOX_TAG_KEYS."""
    account_id: str
    """The sandbox account."""
    regions: tuple[str, ...]
    instance_types: tuple[str, ...]
    max_volume_gib: int
    boundary_arn: str
    """The boundary policy itself (every role the sandbox creates must carry it)."""
    operator_role_arn: str
    """The platform's role in the sandbox account (applies and releases sandboxes)."""
    state_bucket: str
    """The Terraform state bucket holding every sandbox's state and record (in another account)."""
    extra_services: tuple[str, ...] = ()
    """Service prefixes the tier allows beyond the tagged ones (an opt-out: their spend is not tagged)."""


def _deny(sid: str, actions: tuple[str, ...], resources: tuple[str, ...] = ("*",), conditions: dict | None = None) -> Statement:
    return Statement(sid=sid, effect="Deny", actions=actions, resources=resources, conditions=conditions)


def _launch_limits(instance_types: tuple[str, ...], max_volume_gib: int) -> list[Statement]:
    """What RunInstances and CreateVolume may ask for, and that it stays so after launch."""
    volumes = ("arn:aws:ec2:*:*:volume/*",)
    launch = ("ec2:RunInstances", "ec2:CreateVolume")
    return [
        _deny("DenyInstanceTypesOutsideTier", ("ec2:RunInstances",), ("arn:aws:ec2:*:*:instance/*",),
              {"StringNotEquals": {"ec2:InstanceType": sorted(instance_types)}} if instance_types else None),
        _deny("DenyInstanceTypeChanges", ("ec2:ModifyInstanceAttribute",), ("arn:aws:ec2:*:*:instance/*",),
              {"Null": {"ec2:Attribute/InstanceType": "false"},
               **({"StringNotEquals": {"ec2:Attribute/InstanceType": sorted(instance_types)}} if instance_types else {})}),
        _deny("DenyVolumesAboveTierSize", launch, volumes, {"NumericGreaterThan": {"ec2:VolumeSize": str(max_volume_gib)}}),
        _deny("DenyVolumeTypesOtherThanGp3", launch, volumes, {"StringNotEquals": {"ec2:VolumeType": "gp3"}}),
        _deny("DenyProvisionedIops", launch, volumes, {"NumericGreaterThan": {"ec2:VolumeIops": str(GP3_BASELINE_IOPS)}}),
        _deny("DenyProvisionedThroughput", launch, volumes,
              {"NumericGreaterThan": {"ec2:VolumeThroughput": str(GP3_BASELINE_THROUGHPUT_MIBPS)}}),
        _deny("DenyVolumeModification", ("ec2:ModifyVolume",)),
        _deny("DenyOtherComputeRoutes", OTHER_COMPUTE_ROUTES),
    ]


def account_guardrails(inputs: BoundaryInputs) -> list[Statement]:
    """Guardrails that hold for every principal of the sandbox account but the operator (SCP and boundary)."""
    account = inputs.account_id
    platform = (f"arn:aws:iam::{account}:role/{PLATFORM_PREFIX}*", f"arn:aws:iam::{account}:role{PLATFORM_ROLE_PATH}*",
                f"arn:aws:iam::{account}:policy/{PLATFORM_PREFIX}*", inputs.operator_role_arn, f"arn:aws:lambda:*:{account}:function:{PLATFORM_PREFIX}*",
                f"arn:aws:sns:*:{account}:{PLATFORM_PREFIX}*", f"arn:aws:logs:*:{account}:log-group:/aws/lambda/{PLATFORM_PREFIX}*")
    return [
        Statement(sid="DenyOutsideRegions", effect="Deny", actions=(), resources=("*",),
                  conditions={"StringNotEquals": {"aws:RequestedRegion": sorted(inputs.regions)}},
                  not_actions=GLOBAL_SERVICE_ACTIONS),
        *_launch_limits(inputs.instance_types, inputs.max_volume_gib),
        _deny("DenyPurchases", PURCHASE_ACTIONS),
        _deny("DenyLongLivedCredentials", LONG_LIVED_CREDENTIALS),
        _deny("DenySpendControlChanges", SPEND_CONTROLS),
        # goldenpath's roles, boundaries, deny-all policies, spend-stop functions, topics and logs, and the operator
        _deny("DenyPlatformResources", ("iam:*", "lambda:*", "logs:*", "sns:*"), platform),
        # new roles carry a sandbox boundary, so no principal is ever made outside one
        _deny("DenyPrincipalsWithoutBoundary", ("iam:CreateRole", "iam:PutRolePermissionsBoundary"),
              conditions={"ArnNotLike": {"iam:PermissionsBoundary": f"arn:aws:iam::{account}:policy/{PLATFORM_PREFIX}*-boundary"}}),
        _deny("DenyRemovingBoundaries", ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")),
    ]


def _own_statements(inputs: BoundaryInputs) -> list[Statement]:
    """Guardrails that name this sandbox: its boundary, its tag, its state."""
    own = inputs.sandbox_id
    not_own = {"StringNotEquals": {"aws:RequestTag/sandbox-id": own}}
    statements = [
        _deny("DenyOtherBoundaries", ("iam:CreateRole", "iam:PutRolePermissionsBoundary"),
              conditions={"ArnNotEquals": {"iam:PermissionsBoundary": inputs.boundary_arn}}),
        *(_deny(sid, actions, resources, not_own) for sid, actions, resources in _untagged_creates()),
        # a resource may get the sandbox's tags only in the request that creates it (EC2 tells by ec2:CreateAction)
        _deny("DenyTaggingAfterCreate", ("ec2:CreateTags",), conditions={
            "ForAnyValue:StringEquals": {"aws:TagKeys": list(SANDBOX_TAG_KEYS)}, "Null": {"ec2:CreateAction": "true"}}),
        _deny("DenyOtherSandboxesResources", ("*",), conditions={
            "Null": {"aws:ResourceTag/sandbox-id": "false"}, "StringNotEquals": {"aws:ResourceTag/sandbox-id": own}}),
        _deny("DenyAssumingOtherRoles", ("sts:AssumeRole",), conditions={"StringNotEquals": {"iam:ResourceTag/sandbox-id": own}}),
        _deny("DenyStateAndRecords", ("s3:*",), (f"arn:aws:s3:::{inputs.state_bucket}", f"arn:aws:s3:::{inputs.state_bucket}/*")),
    ]
    # The sandbox's tags may be set only to its own values, and never removed (tag:UntagResources,
    # ec2:DeleteTags and every UntagResource carry the keys in aws:TagKeys).
    for key in SANDBOX_TAG_KEYS:
        statements.append(_deny(f"DenyChangingTag{''.join(p.title() for p in key.split('-'))}", ("*",), conditions={
            "ForAnyValue:StringEquals": {"aws:TagKeys": [key]},
            "StringNotEquals": {f"aws:RequestTag/{key}": inputs.tags[key]},
        }))
    return statements


def _untagged_creates() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(Sid, create actions, created ARNs) whose request must carry the sandbox's tag. RunInstances and CreateVolume
    get their own statement: their other resources (an AMI, a subnet, a key pair) carry no tag and must not match."""
    launch = ("ec2:RunInstances", "ec2:CreateVolume")
    ec2 = next(s for s in TAGGED_SERVICES if s.prefix == "ec2").creates
    others = [pair for s in TAGGED_SERVICES if s.prefix != "ec2" for pair in s.creates]
    return [
        ("DenyUntaggedLaunches", launch, tuple(sorted({arn for action, arn in ec2 if action in launch}))),
        ("DenyUntaggedEc2Creates", tuple(sorted({a for a, _ in ec2 if a not in launch})),
         tuple(sorted({arn for action, arn in ec2 if action not in launch}))),
        ("DenyUntaggedCreates", tuple(sorted({a for a, _ in others})), ("*",)),
    ]


def allowed_actions(extra_services: tuple[str, ...] = ()) -> tuple[str, ...]:
    """What the boundary allows at most: the tagged services, a few reads, and the tier's extra services."""
    # sts:AssumeRole: into the roles the sandbox made itself (DenyAssumingOtherRoles keeps it there)
    return (*(f"{s.prefix}:*" for s in TAGGED_SERVICES), *ALWAYS_READ, "sts:AssumeRole", *(f"{p}:*" for p in extra_services))


def _within(statement: Statement, prefixes: set[str]) -> Statement | None:
    """The statement with only the actions of these services (None when none is left): a boundary need not deny
    what it never allows, and must stay under IAM's 6,144 characters for a managed policy."""
    if statement.not_actions:  # exemptions of services the boundary never allows change nothing
        exempt = tuple(a for a in statement.not_actions if a.split(":")[0] in prefixes) or statement.not_actions[:1]
        return replace(statement, not_actions=exempt)
    if "*" in statement.actions:
        return statement
    kept = tuple(a for a in statement.actions if a.split(":")[0] in prefixes)
    return replace(statement, actions=kept) if kept else None


def boundary_statements(inputs: BoundaryInputs) -> list[Statement]:
    actions = allowed_actions(inputs.extra_services)
    allow = Statement(sid="AllowTierServices", actions=actions, resources=("*",))
    prefixes = {action.split(":")[0] for action in actions}
    # the account-wide boundary rule is for the SCP: here the sandbox's own boundary is required (DenyOtherBoundaries)
    account = [s for s in account_guardrails(inputs) if s.sid != "DenyPrincipalsWithoutBoundary"]
    guardrails = (_within(s, prefixes) for s in [*account, *_own_statements(inputs)])
    return [allow, *(s for s in guardrails if s is not None)]


def boundary_document(inputs: BoundaryInputs) -> str:
    missing = [k for k in SANDBOX_TAG_KEYS if not inputs.tags.get(k)]
    if missing:
        raise ValueError(f"sandbox {inputs.sandbox_id}: tags {missing} are empty, expected a value for each of {SANDBOX_TAG_KEYS}")
    if not inputs.regions:
        raise ValueError(f"sandbox {inputs.sandbox_id}: no regions, expected at least the environment's region")
    return policy_document(*boundary_statements(inputs))


def deny_all_document() -> str:
    """What the budget action attaches to the sandbox's role at the deny threshold: nothing more, anywhere."""
    return policy_document(Statement(sid="SandboxBudgetExhausted", effect="Deny", actions=("*",), resources=("*",)))
