"""The sandbox permission boundary, guardrail by guardrail: each statement denies its case (a request AWS could
send, evaluated like IAM with goldenpath.iam) and lets the neighbouring legitimate request through; a new
guardrail without its two cases fails here. Attacks across statements are in test_sandbox_attacks.py."""

from __future__ import annotations

import json
import re

import pytest

from goldenpath.iam.evaluate import Policy, decide
from goldenpath.modules.sandbox import MANAGED_POLICY_MAX_CHARACTERS
from goldenpath.modules.sandbox_boundary import (
    GLOBAL_SERVICE_ACTIONS,
    SANDBOX_TAG_KEYS,
    BoundaryInputs,
    boundary_document,
    deny_all_document,
)
from tests.sandbox_stack import ROLE, SANDBOX_ACCOUNT, attempt

ME = "sbx-aaaaaaaaaa"
TAGS = {"sandbox-id": ME, "tier": "experiments", "owner": "ana@example.com", "expires-at": "2026-12-01T10-00-00Z"}
INPUTS = BoundaryInputs(
    sandbox_id=ME, tags=TAGS, account_id=SANDBOX_ACCOUNT, regions=("eu-west-1",), instance_types=("t3.micro", "t3.small"),
    max_volume_gib=100, boundary_arn=f"arn:aws:iam::{SANDBOX_ACCOUNT}:policy/sandbox-{ME}-boundary",
    operator_role_arn=f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OrganizationAccountAccessRole",
    state_bucket="goldenpath-tfstate-111111111111-eu-west-1")
BOUNDARY = Policy.parse("boundary", boundary_document(INPUTS))
ADMIN = Policy("admin", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
INSTANCES = f"arn:aws:ec2:eu-west-1:{SANDBOX_ACCOUNT}:instance/*"
VOLUMES = f"arn:aws:ec2:eu-west-1:{SANDBOX_ACCOUNT}:volume/*"
INSTANCE = f"arn:aws:ec2:eu-west-1:{SANDBOX_ACCOUNT}:instance/i-0123456789abcdef0"
MINE = {"sandbox-id": ME}
GP3 = {"ec2:VolumeType": "gp3", "ec2:VolumeSize": 100, "ec2:VolumeIops": 3000, "ec2:VolumeThroughput": 125}


def allowed(request) -> bool:
    return bool(decide(request, identity=[ADMIN], boundary=BOUNDARY))


def denied_by(request) -> str:
    decision = decide(request, identity=[ADMIN], boundary=BOUNDARY)
    assert not decision, f"{request.action} on {request.resource} was allowed"
    return decision.statement.split("/", 1)[1] if decision.statement else decision.reason


GUARDRAILS = {
    "DenyOutsideRegions": (lambda: attempt("ec2:DescribeInstances"), lambda: attempt("ec2:DescribeInstances", region="us-east-2")),
    "DenyInstanceTypesOutsideTier": (
        lambda: attempt("ec2:RunInstances", INSTANCES, request_tags=MINE, keys={"ec2:InstanceType": "t3.small"}),
        lambda: attempt("ec2:RunInstances", INSTANCES, request_tags=MINE, keys={"ec2:InstanceType": "p5.48xlarge"})),
    "DenyInstanceTypeChanges": (
        lambda: attempt("ec2:ModifyInstanceAttribute", INSTANCE, tags=MINE, keys={"ec2:Attribute/InstanceType": "t3.micro"}),
        lambda: attempt("ec2:ModifyInstanceAttribute", INSTANCE, tags=MINE, keys={"ec2:Attribute/InstanceType": "m7i.48xlarge"})),
    "DenyVolumesAboveTierSize": (lambda: attempt("ec2:CreateVolume", VOLUMES, request_tags=MINE, keys=GP3),
                                 lambda: attempt("ec2:CreateVolume", VOLUMES, request_tags=MINE, keys={**GP3, "ec2:VolumeSize": 101})),
    "DenyVolumeTypesOtherThanGp3": (lambda: attempt("ec2:RunInstances", VOLUMES, request_tags=MINE, keys=GP3),
                                    lambda: attempt("ec2:RunInstances", VOLUMES, request_tags=MINE, keys={**GP3, "ec2:VolumeType": "io2"})),
    "DenyProvisionedIops": (lambda: attempt("ec2:CreateVolume", VOLUMES, request_tags=MINE, keys=GP3),
                            lambda: attempt("ec2:CreateVolume", VOLUMES, request_tags=MINE, keys={**GP3, "ec2:VolumeIops": 16000})),
    "DenyProvisionedThroughput": (lambda: attempt("ec2:CreateVolume", VOLUMES, request_tags=MINE, keys=GP3),
                                  lambda: attempt("ec2:CreateVolume", VOLUMES, request_tags=MINE, keys={**GP3, "ec2:VolumeThroughput": 1000})),
    "DenyVolumeModification": (lambda: attempt("ec2:DescribeVolumes"),
                               lambda: attempt("ec2:ModifyVolume", f"arn:aws:ec2:eu-west-1:{SANDBOX_ACCOUNT}:volume/vol-1", tags=MINE)),
    "DenyOtherComputeRoutes": (lambda: attempt("ec2:DescribeLaunchTemplates"),
                               lambda: attempt("ec2:CreateLaunchTemplate", f"arn:aws:ec2:eu-west-1:{SANDBOX_ACCOUNT}:launch-template/*",
                                               request_tags=MINE)),
    "DenyPurchases": (lambda: attempt("ec2:DescribeReservedInstancesOfferings"), lambda: attempt("ec2:PurchaseReservedInstancesOffering")),
    "DenyLongLivedCredentials": (lambda: attempt("iam:ListUsers"),
                                 lambda: attempt("iam:CreateAccessKey", f"arn:aws:iam::{SANDBOX_ACCOUNT}:user/someone")),
    "DenyPlatformResources": (
        lambda: attempt("iam:GetRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker", tags=MINE),
        lambda: attempt("iam:PutRolePolicy", ROLE, tags=MINE)),
    "DenyRemovingBoundaries": (
        lambda: attempt("iam:GetRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker", tags=MINE),
        lambda: attempt("iam:DeleteRolePermissionsBoundary", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker", tags=MINE)),
    "DenyOtherBoundaries": (
        lambda: attempt("iam:CreateRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker", request_tags=MINE,
                        keys={"iam:PermissionsBoundary": INPUTS.boundary_arn}),
        lambda: attempt("iam:CreateRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker", request_tags=MINE,
                        keys={"iam:PermissionsBoundary": f"arn:aws:iam::{SANDBOX_ACCOUNT}:policy/loose"})),
    "DenyUntaggedLaunches": (lambda: attempt("ec2:RunInstances", INSTANCES, request_tags=MINE, keys={"ec2:InstanceType": "t3.micro"}),
                             lambda: attempt("ec2:RunInstances", INSTANCES, keys={"ec2:InstanceType": "t3.micro"})),
    "DenyUntaggedEc2Creates": (
        lambda: attempt("ec2:AllocateAddress", f"arn:aws:ec2:eu-west-1:{SANDBOX_ACCOUNT}:elastic-ip/*", request_tags=MINE),
        lambda: attempt("ec2:AllocateAddress", f"arn:aws:ec2:eu-west-1:{SANDBOX_ACCOUNT}:elastic-ip/*")),
    "DenyUntaggedCreates": (lambda: attempt("sqs:CreateQueue", f"arn:aws:sqs:eu-west-1:{SANDBOX_ACCOUNT}:q", request_tags=MINE),
                            lambda: attempt("sqs:CreateQueue", f"arn:aws:sqs:eu-west-1:{SANDBOX_ACCOUNT}:q")),
    "DenyTaggingAfterCreate": (
        lambda: attempt("ec2:CreateTags", INSTANCE, request_tags=MINE, keys={"ec2:CreateAction": "RunInstances"}),
        lambda: attempt("ec2:CreateTags", INSTANCE, request_tags=MINE)),
    "DenyOtherSandboxesResources": (lambda: attempt("ec2:StopInstances", INSTANCE, tags=MINE),
                                    lambda: attempt("ec2:StopInstances", INSTANCE, tags={"sandbox-id": "sbx-bbbbbbbbbb"})),
    "DenyAssumingOtherRoles": (lambda: attempt("sts:AssumeRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker",
                                               keys={"iam:ResourceTag/sandbox-id": ME}),
                               lambda: attempt("sts:AssumeRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/anything")),
    **{f"DenyChangingTag{''.join(p.title() for p in key.split('-'))}": (
        (lambda k=key: attempt("ec2:CreateTags", INSTANCE, request_tags={k: TAGS[k]}, keys={"ec2:CreateAction": "RunInstances"})),
        (lambda k=key: attempt("ec2:CreateTags", INSTANCE, request_tags={k: "someone-else"}, keys={"ec2:CreateAction": "RunInstances"})))
       for key in SANDBOX_TAG_KEYS},
}


@pytest.mark.parametrize("sid", sorted(GUARDRAILS))
def test_each_guardrail_denies_its_case_and_lets_the_neighbouring_request_through(sid):
    passes, fails = GUARDRAILS[sid]
    assert allowed(passes()), sid
    assert denied_by(fails()) == sid


def test_every_statement_of_the_boundary_has_its_cases():
    sids = [s["Sid"] for s in BOUNDARY.statements]
    assert len(sids) == len(set(sids))
    assert set(sids) - {"AllowTierServices"} == set(GUARDRAILS)


def test_services_outside_the_tier_are_never_allowed_and_extra_services_are_named():
    assert denied_by(attempt("s3:ListAllMyBuckets")).startswith("no Allow in the permission boundary")
    wider = Policy.parse("boundary", boundary_document(BoundaryInputs(**{**INPUTS.__dict__, "extra_services": ("s3",)})))
    assert decide(attempt("s3:ListAllMyBuckets"), identity=[ADMIN], boundary=wider)
    state = decide(attempt("s3:GetObject", "arn:aws:s3:::goldenpath-tfstate-111111111111-eu-west-1/dev/platform.tfstate"),
                   identity=[ADMIN], boundary=wider)
    assert not state and state.statement == "boundary/DenyStateAndRecords"  # even a tier that opts into S3


def test_the_region_rule_exempts_only_the_global_services_the_boundary_allows():
    (regions,) = [s for s in BOUNDARY.statements if s["Sid"] == "DenyOutsideRegions"]
    assert regions["NotAction"] == ["iam:*"] and set(regions["NotAction"]) <= set(GLOBAL_SERVICE_ACTIONS)
    assert allowed(attempt("iam:ListRoles", region="us-east-1"))


def test_a_tier_without_instance_types_launches_none():
    closed = json.loads(boundary_document(BoundaryInputs(**{**INPUTS.__dict__, "instance_types": ()})))
    (deny,) = [s for s in closed["Statement"] if s["Sid"] == "DenyInstanceTypesOutsideTier"]
    assert "Condition" not in deny and deny["Resource"] == "arn:aws:ec2:*:*:instance/*"


def test_the_boundary_fits_iams_managed_policy_quota_with_long_names():
    long = BoundaryInputs(**{**INPUTS.__dict__, "tags": {**TAGS, "owner": "a" * 64}, "regions": ("eu-west-1", "eu-central-1"),
                             "instance_types": ("t3.large", "m6i.large", "m6i.xlarge")})
    assert len(re.sub(r"\s", "", boundary_document(long))) <= MANAGED_POLICY_MAX_CHARACTERS


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match=r"tags \['owner'\] are empty"):
        boundary_document(BoundaryInputs(**{**INPUTS.__dict__, "tags": {**TAGS, "owner": ""}}))
    with pytest.raises(ValueError, match="no regions"):
        boundary_document(BoundaryInputs(**{**INPUTS.__dict__, "regions": ()}))


def test_deny_all_denies_everything():
    assert json.loads(deny_all_document())["Statement"] == [{"Sid": "SandboxBudgetExhausted", "Effect": "Deny", "Action": ["*"], "Resource": "*"}]
