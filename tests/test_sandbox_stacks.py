"""The sandbox stacks. Namespace: its own state key, the tenant objects with the tier's quota, labelled with
the sandbox's id, tier, owner and expiry; refused for a record that is not active. aws: the role inside its
permission boundary, trusted only from the tier's developer roles with the owner as session name, and the
budget whose action (which moto cannot run) attaches deny-all with a least-privileged execution role."""

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

ENV = parse_environment(dev_without_sandboxes() + """
sandboxes:
  tiers:
    scratch: {kind: namespace, quota: small, max_lease_hours: 72, max_spend_usd: 50}
    experiments:
      kind: aws
      max_lease_hours: 48
      max_spend_usd: 25
      instance_types: [t3.large]
      max_instances: 2
      notify: [platform@example.com, finops@example.com]
      assume_from: ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*"]
""", "environments/dev.yaml")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
APPROVED = SandboxRecord("sbx-0123456789", "dev", "scratch", "ana", "approved", NOW.isoformat(), 24)


@pytest.fixture(scope="module")
def stack() -> dict:
    return json.loads(Synth.synth(SandboxNamespaceStack(Synth.app(), ENV, activate(APPROVED, NOW))))


def test_its_state_lives_next_to_its_record(stack):
    backend = stack["terraform"]["backend"]["s3"]
    assert backend["key"] == "sandboxes/sbx-0123456789.tfstate" and backend["encrypt"] is True


def test_it_is_a_tenant_namespace_with_the_tier_quota_and_the_sandbox_labels(stack):
    (namespace,) = stack["resource"]["kubernetes_namespace_v1"].values()
    labels = namespace["metadata"][0]["labels"] if isinstance(namespace["metadata"], list) else namespace["metadata"]["labels"]
    assert {k: labels[k] for k in ("sandbox-id", "tier", "owner", "expires-at")} == {
        "sandbox-id": "sbx-0123456789", "tier": "scratch", "owner": "ana", "expires-at": "2026-12-01T10-00-00Z"}
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    (quota,) = stack["resource"]["kubernetes_resource_quota_v1"].values()
    small = ENV.tenancy.tiers["small"]
    assert quota["spec"]["hard"]["requests.cpu"] == small.requests_cpu and quota["spec"]["hard"]["services.loadbalancers"] == "0"
    (policy,) = stack["resource"]["kubernetes_network_policy_v1"].values()
    assert policy["spec"]["policy_types"] == ["Ingress", "Egress"]


def test_a_record_that_is_not_active_has_no_stack():
    with pytest.raises(LeaseError, match="sbx-0123456789: is approved and has no expiry yet"):
        SandboxNamespaceStack(Synth.app(), ENV, APPROVED)


AWS_RECORD = SandboxRecord("sbx-abcdef0123", "dev", "experiments", "ana", "active", NOW.isoformat(), 24,
                           started_at=NOW.isoformat())


@pytest.fixture(scope="module")
def aws() -> dict:
    return json.loads(Synth.synth(SandboxAwsStack(Synth.app(), ENV, AWS_RECORD)))


def only(stack: dict, rtype: str) -> dict:
    (body,) = stack["resource"][rtype].values()
    return body


def test_the_aws_sandbox_role_sits_inside_its_boundary_and_only_its_owner_assumes_it(aws):
    assert aws["terraform"]["backend"]["s3"]["key"] == "sandboxes/sbx-abcdef0123-aws.tfstate"
    role = aws["resource"]["aws_iam_role"]["sandbox_role_1CA34DC5"]
    assert role["name"] == "sandbox-sbx-abcdef0123" and role["max_session_duration"] == 3600
    assert role["permissions_boundary"] == "${aws_iam_policy.sandbox_boundary_4C1CCD34.arn}"
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert statement["Condition"] == {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*"]},
                                      "StringEquals": {"sts:RoleSessionName": "ana"}}
    boundary = json.loads(aws["resource"]["aws_iam_policy"]["sandbox_boundary_4C1CCD34"]["policy"])
    regions = next(s for s in boundary["Statement"] if s["Sid"] == "DenyOutsideRegions")
    assert regions["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}
    assert only(aws, "aws_iam_role_policy_attachment")["policy_arn"] == "arn:aws:iam::aws:policy/PowerUserAccess"


def test_every_resource_carries_the_sandbox_tags_with_its_own_owner(aws):
    tagged = [body["tags"] for block in aws["resource"].values() for body in block.values() if "tags" in body]
    assert len(tagged) == 6  # two policies, two roles, the budget and its action
    for tags in tagged:
        assert {k: tags[k] for k in ("sandbox-id", "tier", "owner", "expires-at")} == {
            "sandbox-id": "sbx-abcdef0123", "tier": "experiments", "owner": "ana", "expires-at": "2026-12-01T10-00-00Z"}


def test_the_budget_covers_the_lease_filtered_on_the_sandbox_tag(aws):
    budget = only(aws, "aws_budgets_budget")
    assert (budget["time_unit"], budget["time_period_start"], budget["time_period_end"]) == ("ANNUALLY", "2026-11-30_10:00", "2026-12-01_10:00")
    assert budget["limit_amount"] == "25" and budget["limit_unit"] == "USD"
    assert budget["cost_filter"] == [{"name": "TagKeyValue", "values": ["user:sandbox-id$sbx-abcdef0123"]}]
    assert [(n["notification_type"], n["threshold"]) for n in budget["notification"]] == [("ACTUAL", 50), ("ACTUAL", 80), ("FORECASTED", 100)]
    assert budget["notification"][0]["subscriber_email_addresses"] == ["finops@example.com", "platform@example.com"]


def test_the_budget_action_denies_all_on_the_sandbox_role_at_100_percent_automatically(aws):
    action = only(aws, "aws_budgets_budget_action")
    assert (action["action_type"], action["approval_model"], action["notification_type"]) == ("APPLY_IAM_POLICY", "AUTOMATIC", "ACTUAL")
    assert action["action_threshold"] == {"action_threshold_type": "PERCENTAGE", "action_threshold_value": 100}
    assert action["definition"]["iam_action_definition"] == {"policy_arn": "${aws_iam_policy.sandbox_deny-all_EAE46A31.arn}",
                                                             "roles": ["${aws_iam_role.sandbox_role_1CA34DC5.name}"]}
    deny_all = json.loads(aws["resource"]["aws_iam_policy"]["sandbox_deny-all_EAE46A31"]["policy"])
    assert deny_all["Statement"] == [{"Sid": "SandboxBudgetExhausted", "Effect": "Deny", "Action": ["*"], "Resource": "*"}]


def test_the_action_execution_role_may_only_attach_deny_all_to_this_role(aws):
    roles = aws["resource"]["aws_iam_role"]
    (execution,) = [r for name, r in roles.items() if name != "sandbox_role_1CA34DC5"]
    assert json.loads(execution["assume_role_policy"])["Statement"][0]["Principal"] == {"Service": ["budgets.amazonaws.com"]}
    (statement,) = json.loads(only(aws, "aws_iam_role_policy")["policy"])["Statement"]
    assert statement["Action"] == ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    assert statement["Resource"] == "${aws_iam_role.sandbox_role_1CA34DC5.arn}"
    assert statement["Condition"] == {"ArnEquals": {"iam:PolicyARN": "${aws_iam_policy.sandbox_deny-all_EAE46A31.arn}"}}


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
                               NOW, NOW + timedelta(days=1), role=None, deny_all=None)  # type: ignore[arg-type]
    with pytest.raises(SynthError, match=expected):
        SandboxBudget(scope, "budget", replace(props, **change))


@pytest.mark.parametrize(("change", "expected"), [
    ({"assume_from": ()}, "assume_from is empty, expected at least one role ARN of account 111111111111"),
    ({"assume_from": ("arn:aws:iam::222222222222:role/dev",)}, "expected roles of account 111111111111"),
    ({"owner": "bo"}, "tag owner 'ana', expected the owner 'bo'"),
])
def test_aws_sandbox_props_are_checked_before_anything_is_built(change, expected):
    from dataclasses import replace
    from decimal import Decimal
    from cdktn import TerraformStack
    from goldenpath.errors import SynthError
    from goldenpath.modules import AwsSandbox, AwsSandboxProps

    props = AwsSandboxProps("sbx-abcdef0123", "ana", "111111111111",
                            {"sandbox-id": "sbx-abcdef0123", "tier": "t", "owner": "ana", "expires-at": "x"}, ("eu-west-1",),
                            ("arn:aws:iam::111111111111:role/dev",), Decimal(5), ("a@example.com",), NOW, NOW + timedelta(hours=1))
    with pytest.raises(SynthError, match=expected):
        AwsSandbox(TerraformStack(Synth.app(), "props"), "sandbox", replace(props, **change))
