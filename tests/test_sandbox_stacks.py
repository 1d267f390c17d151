"""The sandbox stacks. Namespace: its own state key, the tenant objects with the tier's quota, labelled with
the sandbox's id, tier, owner and expiry; refused for a record that is not active. aws: in the sandbox account
(reached through the operator role; the state stays in the environment's bucket), the role inside its permission
boundary with goldenpath's tagged-services policy, trusted only from its owner's Identity Center sessions, the
budget whose action (which moto cannot run) attaches deny-all with a least-privileged execution role, and the spend
stop the budget notifies at the deny threshold."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from cdktn import Testing as Synth

from goldenpath.config.loader import parse_environment
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord, activate
from goldenpath.sandboxes.stacks import SandboxAwsStack, SandboxNamespaceStack
from goldenpath.modules.sandbox_budget import SandboxBudget, SandboxBudgetProps
from tests.conftest import REPO, dev_without_sandboxes

IDENTITY = "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_*"
ENV = parse_environment(dev_without_sandboxes() + f"""
sandboxes:
  account_id: "444444444444"
  identity_roles: ["{IDENTITY}"]
  tiers:
    scratch: {{kind: namespace, quota: small, max_lease_hours: 72, max_spend_usd: 50}}
    experiments:
      kind: aws
      max_lease_hours: 48
      max_spend_usd: 25
      instance_types: [t3.large]
      max_instances: 2
      notify: [platform@example.com, finops@example.com]
""", "environments/dev.yaml")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
APPROVED = SandboxRecord("sbx-0123456789", "dev", "scratch", "ana@example.com", "approved", NOW.isoformat(), 24)


@pytest.fixture(scope="module")
def stack() -> dict:
    return json.loads(Synth.synth(SandboxNamespaceStack(Synth.app(), ENV, activate(APPROVED, NOW))))


def test_its_state_lives_next_to_its_record(stack):
    backend = stack["terraform"]["backend"]["s3"]
    assert backend["key"] == "sandboxes/sbx-0123456789.tfstate" and backend["encrypt"] is True


def test_it_is_a_tenant_namespace_with_the_tier_quota_and_the_sandbox_labels(stack):
    (namespace,) = stack["resource"]["kubernetes_namespace_v1"].values()
    labels = namespace["metadata"][0]["labels"] if isinstance(namespace["metadata"], list) else namespace["metadata"]["labels"]
    assert {k: labels[k] for k in ("sandbox-id", "tier", "owner", "expires-at")} == {  # "@" is no label character
        "sandbox-id": "sbx-0123456789", "tier": "scratch", "owner": "ana-example-com--8e43ca37", "expires-at": "2026-12-01T10-00-00Z"}
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    (quota,) = stack["resource"]["kubernetes_resource_quota_v1"].values()
    small = ENV.tenancy.tiers["small"]
    assert quota["spec"]["hard"]["requests.cpu"] == small.requests_cpu and quota["spec"]["hard"]["services.loadbalancers"] == "0"
    (policy,) = stack["resource"]["kubernetes_network_policy_v1"].values()
    assert policy["spec"]["policy_types"] == ["Ingress", "Egress"]


def test_a_record_that_is_not_active_has_no_stack():
    with pytest.raises(LeaseError, match="sbx-0123456789: is approved and has no expiry yet"):
        SandboxNamespaceStack(Synth.app(), ENV, APPROVED)


AWS_RECORD = SandboxRecord("sbx-abcdef0123", "dev", "experiments", "ana@example.com", "active", NOW.isoformat(), 24,
                           started_at=NOW.isoformat())
ROLE = "sandbox_role_1CA34DC5"


@pytest.fixture(scope="module")
def aws() -> dict:
    return json.loads(Synth.synth(SandboxAwsStack(Synth.app(), ENV, AWS_RECORD)))


def only(stack: dict, rtype: str) -> dict:
    (body,) = stack["resource"][rtype].values()
    return body


def named(stack: dict, rtype: str, suffix: str) -> dict:
    (body,) = [b for b in stack["resource"][rtype].values() if b["name"].endswith(suffix)]
    return body


def test_it_lives_in_the_sandbox_account_with_its_state_in_the_environments_bucket(aws):
    (provider,) = aws["provider"]["aws"]
    assert provider["allowed_account_ids"] == ["444444444444"]
    assert provider["assume_role"] == [{"role_arn": "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole",
                                        "session_name": "goldenpath-sbx-abcdef0123"}]
    backend = aws["terraform"]["backend"]["s3"]
    assert backend["bucket"] == "goldenpath-tfstate-111111111111-eu-west-1" and backend["key"] == "sandboxes/sbx-abcdef0123-aws.tfstate"
    assert "assume_role" not in backend  # the caller's own credentials: sandbox roles never reach the state


def test_the_aws_sandbox_role_sits_inside_its_boundary_and_only_its_owners_sessions_assume_it(aws):
    role = aws["resource"]["aws_iam_role"][ROLE]
    assert role["name"] == "sandbox-sbx-abcdef0123" and role["max_session_duration"] == 3600
    assert role["permissions_boundary"] == "${aws_iam_policy.sandbox_boundary_4C1CCD34.arn}"
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::111111111111:root"]}
    assert statement["Condition"] == {"ArnLike": {"aws:PrincipalArn": [IDENTITY]},
                                      "StringLike": {"aws:userid": "*:ana@example.com"}}
    boundary = json.loads(aws["resource"]["aws_iam_policy"]["sandbox_boundary_4C1CCD34"]["policy"])
    regions = next(s for s in boundary["Statement"] if s["Sid"] == "DenyOutsideRegions")
    assert regions["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}
    (attachment,) = aws["resource"]["aws_iam_role_policy_attachment"].values()  # no PowerUserAccess any more
    assert attachment["policy_arn"] == "${aws_iam_policy.sandbox_permissions_CE678589.arn}"


def test_every_resource_that_can_carry_tags_carries_the_sandbox_tags_with_its_own_owner(aws):
    tagged = [body["tags"] for block in aws["resource"].values() for body in block.values() if "tags" in body]
    assert len(tagged) == 11  # 3 policies, 3 roles, budget, action, topic, log group, function
    for tags in tagged:
        assert {k: tags[k] for k in ("sandbox-id", "tier", "owner", "expires-at")} == {
            "sandbox-id": "sbx-abcdef0123", "tier": "experiments", "owner": "ana@example.com", "expires-at": "2026-12-01T10-00-00Z"}


def test_the_budget_covers_the_lease_filtered_on_the_sandbox_tag_and_calls_the_spend_stop_at_the_limit(aws):
    budget = only(aws, "aws_budgets_budget")
    assert (budget["time_unit"], budget["time_period_start"], budget["time_period_end"]) == ("ANNUALLY", "2026-11-30_10:00", "2026-12-01_10:00")
    assert budget["limit_amount"] == "25" and budget["limit_unit"] == "USD"
    assert budget["cost_filter"] == [{"name": "TagKeyValue", "values": ["user:sandbox-id$sbx-abcdef0123"]}]
    assert [(n["notification_type"], n["threshold"]) for n in budget["notification"]] == [
        ("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)]
    assert budget["notification"][0]["subscriber_email_addresses"] == ["finops@example.com", "platform@example.com"]
    at_limit = budget["notification"][2]
    assert at_limit["subscriber_sns_topic_arns"] == ["${aws_sns_topic.sandbox_spend-stop_topic_FB340376.arn}"]
    assert "subscriber_sns_topic_arns" not in budget["notification"][0]


def test_the_budget_action_denies_all_on_the_sandbox_role_at_100_percent_automatically(aws):
    action = only(aws, "aws_budgets_budget_action")
    assert (action["action_type"], action["approval_model"], action["notification_type"]) == ("APPLY_IAM_POLICY", "AUTOMATIC", "ACTUAL")
    assert action["action_threshold"] == {"action_threshold_type": "PERCENTAGE", "action_threshold_value": 100}
    assert action["definition"]["iam_action_definition"] == {"policy_arn": "${aws_iam_policy.sandbox_deny-all_EAE46A31.arn}",
                                                             "roles": [f"${{aws_iam_role.{ROLE}.name}}"]}


def test_the_roles_that_keep_it_in_check_live_under_the_platform_path_with_narrow_trusts(aws):
    execution = named(aws, "aws_iam_role", "-budget-action")
    assert execution["path"] == "/goldenpath/"
    (trust,) = json.loads(execution["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": ["budgets.amazonaws.com"]}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "444444444444"},
                                  "ArnLike": {"aws:SourceArn": "arn:aws:budgets::444444444444:budget/*"}}
    policy = named(aws, "aws_iam_role_policy", "apply-deny-all")
    (statement,) = json.loads(policy["policy"])["Statement"]
    assert statement["Action"] == ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    assert statement["Resource"] == f"${{aws_iam_role.{ROLE}.arn}}"
    assert statement["Condition"] == {"ArnEquals": {"iam:PolicyARN": "${aws_iam_policy.sandbox_deny-all_EAE46A31.arn}"}}
    assert named(aws, "aws_iam_role", "-spend-stop")["path"] == "/goldenpath/"


def test_the_spend_stop_is_wired_from_the_topic_to_the_function(aws):
    function = only(aws, "aws_lambda_function")
    assert function["function_name"] == "sandbox-sbx-abcdef0123-spend-stop" and function["handler"] == "spend_stop_handler.handler"
    assert function["environment"]["variables"] == {"SANDBOX_ID": "sbx-abcdef0123", "REGIONS": "eu-west-1"}
    assert function["filename"].startswith("assets/") and function["filename"].endswith(".zip")
    subscription = only(aws, "aws_sns_topic_subscription")
    assert (subscription["protocol"], subscription["endpoint"]) == ("lambda", "${aws_lambda_function.sandbox_spend-stop_function_6104BE61.arn}")
    permission = only(aws, "aws_lambda_permission")
    assert (permission["principal"], permission["source_arn"]) == ("sns.amazonaws.com", "${aws_sns_topic.sandbox_spend-stop_topic_FB340376.arn}")


def test_the_synthesized_stack_is_byte_stable():
    first = Synth.synth(SandboxAwsStack(Synth.app(), ENV, AWS_RECORD))
    assert Synth.synth(SandboxAwsStack(Synth.app(), ENV, AWS_RECORD)) == first


def test_a_namespace_record_has_no_aws_stack():
    record = activate(APPROVED, NOW)
    with pytest.raises(LeaseError, match="tier scratch is kind namespace, expected aws for this stack"):
        SandboxAwsStack(Synth.app(), ENV, record)


@pytest.mark.parametrize(("change", "expected"), [
    ({"subscribers": ()}, "no subscribers, expected at least one e-mail address"),
    ({"thresholds": ()}, "expected exactly one deny"),
    ({"ends_at": NOW}, "expected after its start"),
])
def test_budget_props_are_checked_before_anything_is_built(change, expected):
    from dataclasses import replace
    from cdktn import TerraformStack
    from goldenpath.errors import SynthError

    tier = ENV.sandboxes.tiers["experiments"]
    scope = TerraformStack(Synth.app(), "budget-props")
    props = SandboxBudgetProps("sbx-abcdef0123", tier.max_spend_usd, tuple(tier.thresholds), ("a@example.com",),
                               NOW, NOW + timedelta(days=1), role=None, deny_all=None, account_id="444444444444")  # type: ignore[arg-type]
    with pytest.raises(SynthError, match=expected):
        SandboxBudget(scope, "budget", replace(props, **change))


@pytest.mark.parametrize(("change", "expected"), [
    ({"identity_roles": ()}, "identity_roles is empty, expected at least one Identity Center role ARN"),
    ({"identity_roles": ("arn:aws:iam::111111111111:role/developers",)}, "expected Identity Center roles"),
    ({"owner": "bo"}, "tag owner 'ana', expected the owner 'bo'"),
    ({"operator_role_arn": "arn:aws:iam::111111111111:role/admin"}, "expected a role of the sandbox account 444444444444"),
])
def test_aws_sandbox_props_are_checked_before_anything_is_built(change, expected):
    from dataclasses import replace
    from decimal import Decimal
    from cdktn import TerraformStack
    from goldenpath.errors import SynthError
    from goldenpath.modules import AwsSandbox, AwsSandboxProps

    props = AwsSandboxProps("sbx-abcdef0123", "ana", "444444444444",
                            {"sandbox-id": "sbx-abcdef0123", "tier": "t", "owner": "ana", "expires-at": "x"}, ("eu-west-1",),
                            (IDENTITY,), "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole",
                            "goldenpath-tfstate-111111111111-eu-west-1", Decimal(5), ("a@example.com",), NOW, NOW + timedelta(hours=1))
    with pytest.raises(SynthError, match=expected):
        AwsSandbox(TerraformStack(Synth.app(), "props"), "sandbox", replace(props, **change))
