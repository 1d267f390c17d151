"""An aws sandbox tried as its owner would try to escape it. Every attempt is a request AWS could send (its
condition keys checked against the Service Authorization Reference), evaluated the way IAM evaluates it
(goldenpath.iam) against the policies synthesized for the bundled dev tier: the boundary together with the
role's policies (goldenpath's tagged-services policy, the tier's managed policies), and separately against the
sandbox account's SCP alone, as if the boundary were lost. Each must be denied, by the statement named.
The classes follow the review that found them (issue 21): the environment's account, taking over another
owner's sandbox, switching off the spend stop, the records, and release as a weapon."""

from __future__ import annotations

import json

import pytest

from goldenpath.iam.evaluate import Caller, Decision, Policy, Request, decide
from goldenpath.sandboxes.guardrails import scp_text
from tests.iam_facts import assert_real_request
from tests.sandbox_stack import ROLE, SANDBOX_ACCOUNT, attempt, dev_environment, resolved, synth_sandbox

ME, OTHER = "sbx-aaaaaaaaaa", "sbx-bbbbbbbbbb"
ENV_ACCOUNT = "111111111111"
REGION = "eu-west-1"
FULL_AWS_ACCESS = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def _policies(stack: dict) -> dict[str, Policy]:
    """The stack's policy documents by construct id (boundary, permissions, deny-all) and the role's trust."""
    found = {}
    for body in stack["resource"]["aws_iam_policy"].values():
        kind = body["name"].rsplit("-", 1)[-1] if not body["name"].endswith("deny-all") else "deny-all"
        found[kind] = Policy.parse(kind, body["policy"])
    role = next(r for r in stack["resource"]["aws_iam_role"].values() if r["name"] == f"sandbox-{stack['_id']}")
    found["trust"] = Policy.parse("trust", role["assume_role_policy"])
    return found


@pytest.fixture(scope="module")
def dev():
    return dev_environment()


@pytest.fixture(scope="module")
def policies(dev) -> dict[str, Policy]:
    stack = synth_sandbox(dev, ME)
    stack["_id"] = ME
    return _policies(stack)


@pytest.fixture(scope="module")
def scp(dev) -> Policy:
    """The account's SCPs as IAM sees them at the account: FullAWSAccess and goldenpath's documents together."""
    documents = json.loads(scp_text(dev))
    assert list(documents) == [f"goldenpath-sandbox-guardrails-{i}" for i in range(1, len(documents) + 1)]
    return Policy("scp", {"Statement": [FULL_AWS_ACCESS, *(s for d in documents.values() for s in d["Statement"])]})


def as_sandbox(policies: dict[str, Policy], request: Request, deny_all: bool = False) -> Decision:
    identity = [policies["permissions"], *([policies["deny-all"]] if deny_all else [])]
    return decide(request, identity=identity, boundary=policies["boundary"])


INSTANCE = f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:instance/i-0123456789abcdef0"
VOLUME = f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:volume/vol-0123456789abcdef0"
STATE = "arn:aws:s3:::goldenpath-tfstate-111111111111-eu-west-1"
SPEND_STOP = f"arn:aws:lambda:{REGION}:{SANDBOX_ACCOUNT}:function:sandbox-{ME}-spend-stop"
OTHERS_TABLE = f"arn:aws:dynamodb:{REGION}:{SANDBOX_ACCOUNT}:table/theirs"
TAGGED = {"sandbox-id": ME}

# (class, what the attacker tries, the request, the statement that must deny it: "policy/Sid", or "boundary" for
# "the boundary never allows this service")
ATTACKS = [
    ("environment", "make itself cluster admin (EKS access entry)", lambda: attempt(
        "eks:CreateAccessEntry", f"arn:aws:eks:{REGION}:{SANDBOX_ACCOUNT}:cluster/dev-cluster"), "boundary"),
    ("environment", "read the Terraform state and the sandbox records", lambda: attempt("s3:GetObject", f"{STATE}/dev/platform.tfstate"), "boundary"),
    ("environment", "decrypt under a goldenpath key", lambda: attempt(
        "kms:Decrypt", f"arn:aws:kms:{REGION}:{SANDBOX_ACCOUNT}:key/0123abcd-0000-0000-0000-000000000000"), "boundary"),
    ("environment", "read a secret", lambda: attempt(
        "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{SANDBOX_ACCOUNT}:secret:db-AbCdEf"), "boundary"),
    ("environment", "assume another role that trusts the account", lambda: attempt(
        "sts:AssumeRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OrganizationAccountAccessRole"), "boundary/DenyAssumingOtherRoles"),
    ("environment", "assume a role in the environment's account", lambda: attempt(
        "sts:AssumeRole", f"arn:aws:iam::{ENV_ACCOUNT}:role/platform-admin"), "boundary/DenyAssumingOtherRoles"),
    ("environment", "rewrite the spend stop's code", lambda: attempt(
        "lambda:UpdateFunctionCode", SPEND_STOP, tags=TAGGED), "boundary/DenyPlatformResources"),
    ("environment", "pass the operator role to its own function", lambda: attempt(
        "iam:PassRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OrganizationAccountAccessRole"), "boundary/DenyPlatformResources"),
    ("environment", "change a launch template (the nodes' or any)", lambda: attempt(
        "ec2:ModifyLaunchTemplate", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:launch-template/lt-0123456789abcdef0"),
     "boundary/DenyOtherComputeRoutes"),
    ("takeover", "act on another sandbox's table", lambda: attempt(
        "dynamodb:PutItem", OTHERS_TABLE, tags={"sandbox-id": OTHER}), "boundary/DenyOtherSandboxesResources"),
    ("takeover", "terminate another sandbox's instance", lambda: attempt(
        "ec2:TerminateInstances", INSTANCE, tags={"sandbox-id": OTHER}), "boundary/DenyOtherSandboxesResources"),
    ("spend stop", "raise its budget", lambda: attempt(
        "budgets:ModifyBudget", f"arn:aws:budgets::{SANDBOX_ACCOUNT}:budget/sandbox-{ME}"), "boundary"),
    ("spend stop", "delete its budget action", lambda: attempt(
        "budgets:DeleteBudgetAction", f"arn:aws:budgets::{SANDBOX_ACCOUNT}:budget/sandbox-{ME}/action/0123"), "boundary"),
    ("spend stop", "detach the deny-all policy after it fired", lambda: attempt(
        "iam:DetachRolePolicy", ROLE, keys={"iam:PolicyARN": f"arn:aws:iam::{SANDBOX_ACCOUNT}:policy/sandbox-{ME}-deny-all"}),
     "boundary/DenyPlatformResources"),
    ("spend stop", "resize its instance past the tier", lambda: attempt(
        "ec2:ModifyInstanceAttribute", INSTANCE, tags=TAGGED, keys={"ec2:Attribute/InstanceType": "p5.48xlarge"}),
     "boundary/DenyInstanceTypeChanges"),
    ("spend stop", "grow a volume after launch", lambda: attempt("ec2:ModifyVolume", VOLUME, tags=TAGGED), "boundary/DenyVolumeModification"),
    ("spend stop", "launch a volume above the tier's size", lambda: attempt(
        "ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:volume/*", request_tags=TAGGED,
        keys={"ec2:VolumeSize": 2000, "ec2:VolumeType": "gp3"}), "boundary/DenyVolumesAboveTierSize"),
    ("spend stop", "launch provisioned IOPS", lambda: attempt(
        "ec2:CreateVolume", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:volume/*", request_tags=TAGGED,
        keys={"ec2:VolumeSize": 10, "ec2:VolumeType": "io2", "ec2:VolumeIops": 64000}), "boundary/DenyVolumeTypesOtherThanGp3"),
    ("spend stop", "launch a type outside the tier", lambda: attempt(
        "ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:instance/*", request_tags=TAGGED,
        keys={"ec2:InstanceType": "p5.48xlarge"}), "boundary/DenyInstanceTypesOutsideTier"),
    ("spend stop", "launch through EC2 Fleet", lambda: attempt(
        "ec2:CreateFleet", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:fleet/*", request_tags=TAGGED), "boundary/DenyOtherComputeRoutes"),
    ("spend stop", "launch through Spot Fleet", lambda: attempt(
        "ec2:RequestSpotFleet", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:spot-fleet-request/*", request_tags=TAGGED),
     "boundary/DenyOtherComputeRoutes"),
    ("spend stop", "launch through Auto Scaling", lambda: attempt(
        "autoscaling:CreateAutoScalingGroup", f"arn:aws:autoscaling:{REGION}:{SANDBOX_ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/g",
        request_tags=TAGGED), "boundary"),
    ("spend stop", "launch untagged (spend invisible to the budget)", lambda: attempt(
        "ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:instance/*", keys={"ec2:InstanceType": "t3.large"}),
     "boundary/DenyUntaggedLaunches"),
    ("spend stop", "create an untagged table", lambda: attempt(
        "dynamodb:CreateTable", f"arn:aws:dynamodb:{REGION}:{SANDBOX_ACCOUNT}:table/t"), "boundary/DenyUntaggedCreates"),
    ("spend stop", "create an untagged bucket", lambda: attempt("s3:CreateBucket", "arn:aws:s3:::mine"), "boundary"),
    ("spend stop", "create a role without its boundary", lambda: attempt(
        "iam:CreateRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker", request_tags=TAGGED), "boundary/DenyOtherBoundaries"),
    ("spend stop", "buy a reservation", lambda: attempt("ec2:PurchaseReservedInstancesOffering"), "boundary/DenyPurchases"),
    ("spend stop", "leave the tier's regions", lambda: attempt(
        "ec2:RunInstances", f"arn:aws:ec2:us-east-1:{SANDBOX_ACCOUNT}:instance/*", region="us-east-1", request_tags=TAGGED,
        keys={"ec2:InstanceType": "t3.large"}), "boundary/DenyOutsideRegions"),
    ("records", "write its own lease record", lambda: attempt("s3:PutObject", f"{STATE}/sandboxes/{ME}.json"), "boundary"),
    ("release", "tag a resource it did not create with its id", lambda: attempt(
        "ec2:CreateTags", INSTANCE, request_tags=TAGGED), "boundary/DenyTaggingAfterCreate"),
    ("release", "tag another sandbox's instance with its id", lambda: attempt(
        "ec2:CreateTags", INSTANCE, tags={"sandbox-id": OTHER}, request_tags=TAGGED), "boundary/DenyTaggingAfterCreate"),
    ("release", "remove its own tag to hide from release", lambda: attempt(
        "ec2:DeleteTags", INSTANCE, tags=TAGGED, keys={"aws:TagKeys": ["sandbox-id"]}), "boundary/DenyChangingTagSandboxId"),
]


@pytest.mark.parametrize(("attack_class", "what", "make", "denied_by"), ATTACKS, ids=[a[1] for a in ATTACKS])
def test_every_escalation_attempt_is_denied_by_the_statement_named(policies, attack_class, what, make, denied_by):
    decision = as_sandbox(policies, make())
    assert not decision, f"{attack_class}: {what}: {decision.reason}"
    if "/" in denied_by:
        assert decision.statement == denied_by, f"{what}: {decision.reason}"
    else:
        assert decision.reason.startswith(f"no Allow in the permission boundary {denied_by}"), f"{what}: {decision.reason}"


# What the sandbox is for: each must be allowed, or the guardrails are only a wall.
ALLOWED = [
    ("launch its instance", lambda: [attempt("ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:instance/*",
                                             request_tags=TAGGED, keys={"ec2:InstanceType": "t3.large"}),
                                     attempt("ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:volume/*",
                                             request_tags=TAGGED, keys={"ec2:VolumeSize": 50, "ec2:VolumeType": "gp3",
                                                                        "ec2:VolumeIops": 3000, "ec2:VolumeThroughput": 125}),
                                     attempt("ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:network-interface/*",
                                             request_tags=TAGGED),
                                     attempt("ec2:RunInstances", f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0"),
                                     attempt("ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:subnet/subnet-01234567"),
                                     attempt("ec2:RunInstances", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:security-group/sg-01234567"),
                                     attempt("ec2:CreateTags", f"arn:aws:ec2:{REGION}:{SANDBOX_ACCOUNT}:instance/*",
                                             request_tags=TAGGED, keys={"ec2:CreateAction": "RunInstances"})]),
    ("stop and terminate it", lambda: [attempt("ec2:StopInstances", INSTANCE, tags=TAGGED),
                                       attempt("ec2:TerminateInstances", INSTANCE, tags=TAGGED)]),
    ("make a table and use it", lambda: [attempt("dynamodb:CreateTable", f"arn:aws:dynamodb:{REGION}:{SANDBOX_ACCOUNT}:table/mine",
                                                 request_tags=TAGGED),
                                         attempt("dynamodb:PutItem", f"arn:aws:dynamodb:{REGION}:{SANDBOX_ACCOUNT}:table/mine", tags=TAGGED)]),
    ("make a role for its instances", lambda: [attempt("iam:CreateRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker",
                                                       request_tags=TAGGED, keys={"iam:PermissionsBoundary":
                                                       f"arn:aws:iam::{SANDBOX_ACCOUNT}:policy/sandbox-{ME}-boundary"}),
                                               attempt("iam:PassRole", f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker")]),
    ("see what it has", lambda: [attempt("ec2:DescribeInstances"), attempt("tag:GetResources")]),
]


@pytest.mark.parametrize(("what", "make"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_what_a_sandbox_is_for_stays_allowed(policies, what, make):
    for request in make():
        decision = as_sandbox(policies, request)
        assert decision, f"{what}: {request.action} on {request.resource}: {decision.reason}"


def test_once_the_budget_fires_deny_all_stops_every_call(policies):
    for request in (attempt("ec2:StopInstances", INSTANCE, tags=TAGGED), attempt("ec2:DescribeInstances")):
        decision = as_sandbox(policies, request, deny_all=True)
        assert not decision and decision.statement == "deny-all/SandboxBudgetExhausted"


@pytest.mark.parametrize(("attack_class", "what", "make", "denied_by"),
                         [a for a in ATTACKS if a[0] in ("environment", "spend stop") and "DenyAssuming" not in a[3]
                          and "DenyOther" not in a[3] and "DenyUntagged" not in a[3] and "DenyTagging" not in a[3]
                          and "DenyChangingTag" not in a[3] and "DenyOtherBoundaries" not in a[3]],
                         ids=lambda a: a if isinstance(a, str) else None)
def test_the_account_scp_holds_the_account_wide_guardrails_without_any_boundary(scp, attack_class, what, make, denied_by):
    """A sandbox role whose boundary were lost, with AdministratorAccess: the SCP still denies the account-wide attempts
    (the service-level ones only where the SCP names the service: it cannot allow-list, FullAWSAccess stays)."""
    admin = Policy("admin", {"Statement": [FULL_AWS_ACCESS]})
    decision = decide(make(), identity=[admin], scps=[scp])
    if denied_by.startswith("boundary/"):
        assert not decision and decision.statement == "scp/" + denied_by.split("/")[1], f"{what}: {decision.reason}"


def test_the_scp_exempts_the_platform_and_nobody_else(scp):
    admin = Policy("admin", {"Statement": [FULL_AWS_ACCESS]})
    purchase = "ec2:PurchaseReservedInstancesOffering"
    operator = f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OrganizationAccountAccessRole"
    assert decide(attempt(purchase, caller_arn=operator), identity=[admin], scps=[scp])
    action_role = f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/goldenpath/sandbox-{ME}-budget-action"
    detach = attempt("iam:AttachRolePolicy", ROLE, caller_arn=action_role)
    assert decide(detach, identity=[admin], scps=[scp])  # the budget action must still be able to fire
    assert not decide(attempt(purchase, caller_arn=f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/{ME}-worker"), identity=[admin], scps=[scp])
    for spend in ("budgets:ModifyBudget", "organizations:LeaveOrganization", "account:EnableRegion"):
        resource = f"arn:aws:budgets::{SANDBOX_ACCOUNT}:budget/sandbox-{ME}" if spend.startswith("budgets") else "*"
        decision = decide(attempt(spend, resource), identity=[admin], scps=[scp])
        assert not decision and decision.statement == "scp/DenySpendControlChanges"


IDENTITY_CENTER = f"arn:aws:iam::{ENV_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef"


def assume(trust: Policy, caller_role: str, session: str) -> Decision:
    """sts:AssumeRole on the sandbox's role from a session of ``caller_role`` named ``session``."""
    context = {"aws:PrincipalArn": caller_role, "aws:userid": f"AROAEXAMPLEROLEID01:{session}",
               "sts:RoleSessionName": "anything-the-caller-likes"}
    request = Request("sts:AssumeRole", ROLE, context, Caller("AWS", caller_role))
    assert_real_request("sts:AssumeRole", ROLE, {"sts:RoleSessionName": "x"})
    return decide(request, identity=[Policy("their-permission-set", {"Statement": [FULL_AWS_ACCESS]})], resource_policy=trust)


def test_only_the_owners_identity_center_session_assumes_the_sandbox(policies):
    trust = policies["trust"]
    assert assume(trust, IDENTITY_CENTER, "ana@example.com")
    # another person of the same permission set, whatever session name they ask STS for
    assert not assume(trust, IDENTITY_CENTER, "bo@example.com")
    # a role whose sessions its holder names: naming the session after the owner does not help
    assert not assume(trust, f"arn:aws:iam::{ENV_ACCOUNT}:role/ci-deployer", "ana@example.com")
    assert not assume(trust, f"arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_x",
                      "ana@example.com")
    # a name that ends like the owner's is another name
    assert not assume(trust, IDENTITY_CENTER, "xana@example.com")


@pytest.fixture(scope="module")
def platform(dev) -> dict[str, Policy]:
    """The policies of the roles that keep the sandbox in check, and the spend-stop topic's, as AWS will see them."""
    stack = synth_sandbox(dev, ME)
    roles = {r["name"].rsplit("-", 2)[-2] + "-" + r["name"].rsplit("-", 1)[-1]: r for r in stack["resource"]["aws_iam_role"].values()
             if r.get("path") == "/goldenpath/"}
    inline = {body["role"]: body for body in stack["resource"]["aws_iam_role_policy"].values()}
    found = {}
    for kind, role in roles.items():
        reference = next(ref for ref in inline if ref.startswith("${aws_iam_role.") and
                         stack["resource"]["aws_iam_role"][ref.split(".")[1]]["name"] == role["name"])
        found[kind] = Policy(kind, json.loads(resolved(stack, inline[reference]["policy"])))
        found[f"{kind}-trust"] = Policy(f"{kind}-trust", json.loads(role["assume_role_policy"]))
    (topic_policy,) = stack["resource"]["aws_sns_topic_policy"].values()
    found["topic"] = Policy("topic", json.loads(resolved(stack, topic_policy["policy"])))
    return found


def test_the_budget_action_role_can_attach_deny_all_to_its_sandbox_and_nothing_else(platform):
    policy = platform["budget-action"]
    deny_all = f"arn:aws:iam::{SANDBOX_ACCOUNT}:policy/sandbox-{ME}-deny-all"
    assert decide(attempt("iam:AttachRolePolicy", ROLE, keys={"iam:PolicyARN": deny_all}), identity=[policy])
    for role, attached in ((ROLE, "arn:aws:iam::aws:policy/AdministratorAccess"),
                           (f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/sandbox-{OTHER}", deny_all),
                           (f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OrganizationAccountAccessRole", deny_all)):
        assert not decide(attempt("iam:AttachRolePolicy", role, keys={"iam:PolicyARN": attached}), identity=[policy])


def _service_request(action: str, resource: str, service: str, account: str, source_arn: str) -> Request:
    return Request(action, resource, {"aws:SourceAccount": account, "aws:SourceArn": source_arn}, Caller("Service", service))


def test_only_this_accounts_budgets_may_use_the_action_role_or_the_spend_stop_topic(platform):
    """The confused-deputy conditions (Cost Management user guide): another account's budget gets nothing."""
    own_budget = f"arn:aws:budgets::{SANDBOX_ACCOUNT}:budget/sandbox-{ME}"
    stranger = "arn:aws:budgets::999999999999:budget/theirs"
    trust, topic = platform["budget-action-trust"], platform["topic"]
    topic_arn = f"arn:aws:sns:{REGION}:{SANDBOX_ACCOUNT}:sandbox-{ME}-spend-stop"
    assert decide(_service_request("sts:AssumeRole", "*", "budgets.amazonaws.com", SANDBOX_ACCOUNT, own_budget), resource_policy=trust)
    assert not decide(_service_request("sts:AssumeRole", "*", "budgets.amazonaws.com", "999999999999", stranger), resource_policy=trust)
    assert decide(_service_request("SNS:Publish", topic_arn, "budgets.amazonaws.com", SANDBOX_ACCOUNT, own_budget), resource_policy=topic)
    assert not decide(_service_request("SNS:Publish", topic_arn, "budgets.amazonaws.com", "999999999999", stranger), resource_policy=topic)
    assert not decide(_service_request("SNS:Publish", topic_arn, "events.amazonaws.com", SANDBOX_ACCOUNT, own_budget), resource_policy=topic)


def test_the_spend_stop_stops_only_what_carries_its_sandboxs_tag(platform):
    policy = platform["spend-stop"]
    assert decide(attempt("ec2:StopInstances", INSTANCE, tags=TAGGED), identity=[policy])
    assert decide(attempt("ec2:TerminateInstances", INSTANCE, tags=TAGGED), identity=[policy])  # Spot cannot always stop
    assert not decide(attempt("ec2:StopInstances", INSTANCE, tags={"sandbox-id": OTHER}), identity=[policy])
    assert not decide(attempt("ec2:StopInstances", INSTANCE), identity=[policy])
    log_stream = f"arn:aws:logs:{REGION}:{SANDBOX_ACCOUNT}:log-group:/aws/lambda/sandbox-{ME}-spend-stop:log-stream:2026/12/04/x"
    assert decide(attempt("logs:PutLogEvents", log_stream), identity=[policy])
    assert json.loads(json.dumps(platform["spend-stop-trust"].document))["Statement"][0]["Principal"] == {"Service": ["lambda.amazonaws.com"]}
