"""The sandbox permission boundary: a failing and a passing case per guardrail, evaluated the way IAM
evaluates them (an explicit Deny wins; conditions with their operators), on the synthesized document."""

from __future__ import annotations

import fnmatch
import json

import pytest

from goldenpath.modules.sandbox_boundary import (
    GLOBAL_SERVICE_ACTIONS,
    SANDBOX_TAG_KEYS,
    BoundaryInputs,
    boundary_document,
    deny_all_document,
)

TAGS = {"sandbox-id": "sbx-1a2b", "tier": "experiments", "owner": "ana", "expires-at": "2026-12-01T10:00:00Z"}
INPUTS = BoundaryInputs(sandbox_id="sbx-1a2b", tags=TAGS, regions=("eu-west-1",), instance_types=("t3.micro", "t3.small"),
                        boundary_arn="arn:aws:iam::111111111111:policy/sbx-1a2b-boundary",
                        role_arn="arn:aws:iam::111111111111:role/sbx-1a2b",
                        deny_all_arn="arn:aws:iam::111111111111:policy/sbx-1a2b-deny-all")
POLICY = json.loads(boundary_document(INPUTS))


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _matches(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in _listed(patterns))


def _condition_holds(conditions: dict, context: dict) -> bool:
    for operator, entries in conditions.items():
        for key, expected in entries.items():
            expected = [str(e) for e in _listed(expected)]
            actual = context.get(key)
            if operator == "StringNotEquals":
                holds = actual is None or all(str(v) not in expected for v in _listed(actual))
            elif operator == "StringEquals":
                holds = actual is not None and all(str(v) in expected for v in _listed(actual))
            elif operator == "ForAnyValue:StringEquals":
                holds = actual is not None and any(str(v) in expected for v in _listed(actual))
            elif operator == "Bool":
                holds = str(actual).lower() == expected[0]
            else:
                raise AssertionError(f"operator {operator} not modelled")
            if not holds:
                return False
    return True


def allowed(action: str, resource: str = "*", **context) -> bool:
    """IAM's answer for a boundary alone: allowed by some Allow and denied by no Deny."""
    def applies(statement: dict) -> bool:
        if "Action" in statement and not _matches(statement["Action"], action):
            return False
        if "NotAction" in statement and _matches(statement["NotAction"], action):
            return False
        if not _matches(statement.get("Resource", "*"), resource) and resource != "*":
            return False
        return _condition_holds(statement.get("Condition", {}), context)

    statements = POLICY["Statement"]
    if any(s["Effect"] == "Deny" and applies(s) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and applies(s) for s in statements)


HOME = {"aws:RequestedRegion": "eu-west-1"}
INSTANCE = "arn:aws:ec2:eu-west-1:111111111111:instance/i-1"


@pytest.mark.parametrize(("case", "passes", "fails"), [
    ("regions", lambda: allowed("s3:CreateBucket", **HOME), lambda: allowed("s3:CreateBucket", **{"aws:RequestedRegion": "us-east-2"})),
    ("global services exempt", lambda: allowed("iam:CreateRole", **{"aws:RequestedRegion": "us-east-1",
                                                                    "iam:PermissionsBoundary": INPUTS.boundary_arn}),
     lambda: allowed("ec2:DescribeInstances", **{"aws:RequestedRegion": "us-east-1"})),
    ("instance types", lambda: allowed("ec2:RunInstances", INSTANCE, **HOME, **{"ec2:InstanceType": "t3.small", "aws:RequestTag/sandbox-id": "sbx-1a2b"}),
     lambda: allowed("ec2:RunInstances", INSTANCE, **HOME, **{"ec2:InstanceType": "p5.48xlarge", "aws:RequestTag/sandbox-id": "sbx-1a2b"})),
    ("untagged compute", lambda: allowed("ec2:RunInstances", INSTANCE, **HOME, **{"ec2:InstanceType": "t3.micro", "aws:RequestTag/sandbox-id": "sbx-1a2b"}),
     lambda: allowed("ec2:RunInstances", INSTANCE, **HOME, **{"ec2:InstanceType": "t3.micro"})),
    ("purchases", lambda: allowed("ec2:DescribeReservedInstancesOfferings", **HOME),
     lambda: allowed("ec2:PurchaseReservedInstancesOffering", **HOME)),
    ("savings plans", lambda: allowed("savingsplans:DescribeSavingsPlans", **HOME), lambda: allowed("savingsplans:CreateSavingsPlan", **HOME)),
    ("users and keys", lambda: allowed("iam:ListUsers", **HOME), lambda: allowed("iam:CreateAccessKey", **HOME)),
    ("boundary policy", lambda: allowed("iam:CreatePolicyVersion", "arn:aws:iam::111111111111:policy/other", **HOME),
     lambda: allowed("iam:CreatePolicyVersion", INPUTS.boundary_arn, **HOME)),
    ("deny-all stays attached", lambda: allowed("iam:DetachRolePolicy", "arn:aws:iam::111111111111:role/app", **HOME),
     lambda: allowed("iam:DetachRolePolicy", INPUTS.role_arn, **HOME)),
    ("new roles carry the boundary", lambda: allowed("iam:CreateRole", **HOME, **{"iam:PermissionsBoundary": INPUTS.boundary_arn}),
     lambda: allowed("iam:CreateRole", **HOME)),
    ("boundaries stay", lambda: allowed("iam:GetRole", **HOME), lambda: allowed("iam:DeleteRolePermissionsBoundary", "arn:aws:iam::111111111111:role/app", **HOME)),
    ("own tags", lambda: allowed("ec2:CreateTags", **HOME, **{"aws:TagKeys": ["sandbox-id"], "aws:RequestTag/sandbox-id": "sbx-1a2b"}),
     lambda: allowed("ec2:CreateTags", **HOME, **{"aws:TagKeys": ["sandbox-id"], "aws:RequestTag/sandbox-id": "sbx-other"})),
    ("tags stay", lambda: allowed("ec2:DeleteTags", **HOME, **{"aws:TagKeys": ["team"]}),
     lambda: allowed("tag:UntagResources", **HOME, **{"aws:TagKeys": ["expires-at"]})),
])
def test_each_guardrail_denies_its_case_and_lets_the_rest_through(case, passes, fails):
    assert passes() is True, case
    assert fails() is False, case


def test_statements_are_named_and_global_services_listed():
    sids = [s["Sid"] for s in POLICY["Statement"]]
    assert len(sids) == len(set(sids))
    (regions,) = [s for s in POLICY["Statement"] if s["Sid"] == "DenyOutsideRegions"]
    assert regions["NotAction"] == list(GLOBAL_SERVICE_ACTIONS) and "Action" not in regions
    assert {f"DenyChangingTag{''.join(p.title() for p in k.split('-'))}" for k in SANDBOX_TAG_KEYS} <= set(sids)


def test_a_tier_without_instance_types_launches_none():
    closed = json.loads(boundary_document(BoundaryInputs(**{**INPUTS.__dict__, "instance_types": ()})))
    (deny,) = [s for s in closed["Statement"] if s["Sid"] == "DenyInstanceTypesOutsideTier"]
    assert "Condition" not in deny and deny["Resource"] == "arn:aws:ec2:*:*:instance/*"


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match=r"tags \['owner'\] are empty"):
        boundary_document(BoundaryInputs(**{**INPUTS.__dict__, "tags": {**TAGS, "owner": ""}}))
    with pytest.raises(ValueError, match="no regions"):
        boundary_document(BoundaryInputs(**{**INPUTS.__dict__, "regions": ()}))


def test_deny_all_denies_everything():
    assert json.loads(deny_all_document())["Statement"] == [{"Sid": "SandboxBudgetExhausted", "Effect": "Deny", "Action": ["*"], "Resource": "*"}]
