"""The permission boundary of an ``aws`` sandbox: the most its role may ever do, whatever policies are
attached to it. Everything is allowed except what each guardrail denies; every guardrail is its own
statement (``Sid``) so tests and reviews can point at it. The guardrails act before any spend data
exists; the budget action is the backstop after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.constructs.iam import Statement, policy_document

SANDBOX_TAG_KEYS = ("sandbox-id", "tier", "owner", "expires-at")

# Global services whose requests go to one endpoint (us-east-1) and would be denied by a region
# condition: the IAM User Guide's example "AWS: Denies access to AWS based on the requested Region"
# (reference_policies_examples_aws_deny-requested-region) exempts CloudFront, IAM, Route 53 and Support
# and names budgets, globalaccelerator, importexport, organizations and waf as others to add.
GLOBAL_SERVICE_ACTIONS = (
    "budgets:*", "cloudfront:*", "globalaccelerator:*", "iam:*", "importexport:*", "organizations:*",
    "route53:*", "support:*", "waf:*",
)
# Commitments a sandbox must never make: every API operation named Purchase* in botocore 1.35.99's
# service models (IAM actions are named after them, prefixed by the service's signing name), and
# Savings Plans' CreateSavingsPlan.
PURCHASE_ACTIONS = (
    "devicefarm:PurchaseOffering", "ec2:PurchaseCapacityBlock", "ec2:PurchaseCapacityBlockExtension",
    "ec2:PurchaseHostReservation", "ec2:PurchaseReservedInstancesOffering", "ec2:PurchaseScheduledInstances",
    "elasticache:PurchaseReservedCacheNodesOffering", "es:PurchaseReservedElasticsearchInstanceOffering",
    "es:PurchaseReservedInstanceOffering", "glacier:PurchaseProvisionedCapacity", "mediaconnect:PurchaseOffering",
    "medialive:PurchaseOffering", "memorydb:PurchaseReservedNodesOffering", "rds:PurchaseReservedDBInstancesOffering",
    "redshift:PurchaseReservedNodeOffering", "savingsplans:CreateSavingsPlan",
)
LONG_LIVED_CREDENTIALS = ("iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile")


@dataclass(frozen=True)
class BoundaryInputs:
    """What a boundary is made of: the sandbox, its tier's limits, and the ARNs it protects."""

    sandbox_id: str
    tags: dict[str, str]
    """The sandbox's values of SANDBOX_TAG_KEYS."""
    regions: tuple[str, ...]
    instance_types: tuple[str, ...]
    boundary_arn: str
    """The boundary policy itself (a token at synth time)."""
    role_arn: str
    """The sandbox's role."""
    deny_all_arn: str
    """The policy the budget action attaches at 100% of spend."""


def _deny(sid: str, actions: tuple[str, ...], resources: tuple[str, ...] = ("*",), conditions: dict | None = None) -> Statement:
    return Statement(sid=sid, effect="Deny", actions=actions, resources=resources, conditions=conditions)


def boundary_statements(inputs: BoundaryInputs) -> list[Statement]:
    statements = [
        Statement(sid="AllowWithinGuardrails", actions=("*",), resources=("*",)),
        _deny_outside_regions(inputs.regions),
        _deny("DenyInstanceTypesOutsideTier", ("ec2:RunInstances",), ("arn:aws:ec2:*:*:instance/*",),
              {"StringNotEquals": {"ec2:InstanceType": sorted(inputs.instance_types)}} if inputs.instance_types else None),
        # Spend is tracked by the sandbox-id tag: instances and volumes must carry it from launch.
        _deny("DenyUntaggedCompute", ("ec2:RunInstances", "ec2:CreateVolume"),
              ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:volume/*"),
              {"StringNotEquals": {"aws:RequestTag/sandbox-id": inputs.sandbox_id}}),
        _deny("DenyPurchases", PURCHASE_ACTIONS),
        _deny("DenyLongLivedCredentials", LONG_LIVED_CREDENTIALS),
        _deny("DenyBoundaryChanges", ("iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                                      "iam:SetDefaultPolicyVersion"), (inputs.boundary_arn, inputs.deny_all_arn)),
        _deny("DenyOwnRoleChanges", ("iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
                                     "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePolicy",
                                     "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRole"),
              (inputs.role_arn,)),
        # New roles and users carry the same boundary, so the sandbox cannot mint a way out of it.
        _deny("DenyPrincipalsWithoutBoundary", ("iam:CreateRole", "iam:PutRolePermissionsBoundary",
                                                "iam:PutUserPermissionsBoundary"),
              conditions={"StringNotEquals": {"iam:PermissionsBoundary": inputs.boundary_arn}}),
        _deny("DenyRemovingBoundaries", ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")),
    ]
    # The sandbox's tags may be set only to its own values, and never removed (tag:UntagResources,
    # ec2:DeleteTags and every UntagResource carry the keys in aws:TagKeys).
    for key in SANDBOX_TAG_KEYS:
        statements.append(_deny(f"DenyChangingTag{''.join(p.title() for p in key.split('-'))}", ("*",), conditions={
            "ForAnyValue:StringEquals": {"aws:TagKeys": [key]},
            "StringNotEquals": {f"aws:RequestTag/{key}": inputs.tags[key]},
        }))
    return statements


def _deny_outside_regions(regions: tuple[str, ...]) -> Statement:
    return Statement(sid="DenyOutsideRegions", effect="Deny", actions=(), resources=("*",),
                     conditions={"StringNotEquals": {"aws:RequestedRegion": sorted(regions)}},
                     not_actions=GLOBAL_SERVICE_ACTIONS)


def boundary_document(inputs: BoundaryInputs) -> str:
    missing = [k for k in SANDBOX_TAG_KEYS if not inputs.tags.get(k)]
    if missing:
        raise ValueError(f"sandbox {inputs.sandbox_id}: tags {missing} are empty, expected a value for each of {SANDBOX_TAG_KEYS}")
    if not inputs.regions:
        raise ValueError(f"sandbox {inputs.sandbox_id}: no regions, expected at least the environment's region")
    return policy_document(*boundary_statements(inputs))


def deny_all_document() -> str:
    """What the budget action attaches to the sandbox's role at 100% of its spend: nothing more, anywhere."""
    return policy_document(Statement(sid="SandboxBudgetExhausted", effect="Deny", actions=("*",), resources=("*",)))
