"""goldenpath.iam: the small IAM evaluation model the attack tests rely on. Each rule is checked against the IAM
User Guide's own wording (evaluation logic, condition operators, single- and multivalued keys), including the
cases that make policies fail open when misread: absent keys under negated operators, ForAllValues on an empty
set, IfExists, ARN matching by component. What it does not model is refused, never guessed."""

from __future__ import annotations

import pytest

from goldenpath.iam.conditions import UnsupportedPolicy, arn_match, glob_match, operator_holds
from goldenpath.iam.evaluate import Caller, Policy, Request, decide


def policy(name: str, *statements: dict) -> Policy:
    return Policy(name, {"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_ALL = policy("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})


@pytest.mark.parametrize(("operator", "expected", "context", "holds"), [
    ("StringEquals", "a", {}, False),                       # absent key: positive operators are false
    ("StringNotEquals", "a", {}, True),                     # ... negated ones true (the fail-open trap)
    ("StringNotEqualsIfExists", "a", {}, True),
    ("StringEqualsIfExists", "a", {}, True),                # IfExists: absent is true
    ("StringEqualsIfExists", "a", {"k": "b"}, False),
    ("StringLike", "ab*", {"k": "abc"}, True),
    ("StringLike", "a?c", {"k": "abbc"}, False),
    ("StringEqualsIgnoreCase", "ABC", {"k": "abc"}, True),
    ("StringEquals", "ABC", {"k": "abc"}, False),           # values are case-sensitive
    ("NumericGreaterThan", "100", {"k": 101}, True),
    ("NumericGreaterThan", "100", {"k": "100"}, False),
    ("NumericGreaterThan", "100", {}, False),
    ("Null", "true", {}, True),
    ("Null", "false", {}, False),
    ("Null", "false", {"k": "x"}, True),
    ("Bool", "true", {"k": True}, True),
    ("ArnLike", "arn:aws:iam::1:role/a/*", {"k": "arn:aws:iam::1:role/a/b/c"}, True),
    ("ArnNotLike", "arn:aws:iam::1:role/x", {"k": "arn:aws:iam::2:role/x"}, True),
    ("ForAnyValue:StringEquals", ["x", "y"], {"k": ["a", "y"]}, True),
    ("ForAnyValue:StringEquals", ["x"], {}, False),         # ForAnyValue over nothing: false
    ("ForAllValues:StringEquals", ["x"], {}, True),         # ForAllValues over nothing: true (the empty set)
    ("ForAllValues:StringEquals", ["x"], {"k": ["x", "z"]}, False),
    ("IpAddress", "10.0.0.0/8", {"k": "10.1.2.3"}, True),
])
def test_condition_operators_follow_the_iam_user_guide(operator, expected, context, holds):
    assert operator_holds(operator, "k", expected, context) is holds


def test_condition_key_names_compare_case_insensitively():
    assert operator_holds("StringEquals", "aws:RequestTag/Sandbox-Id", "a", {"aws:requesttag/sandbox-id": "a"})


def test_arns_match_component_by_component():
    assert arn_match("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:eu-west-1:1:instance/i-1")
    assert not arn_match("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:eu-west-1:1:volume/v-1")
    assert not arn_match("arn:aws:iam::*:role/a", "arn:aws:iam::1:role/a:b")  # the resource part is matched whole
    assert glob_match("ec2:Describe*", "EC2:DescribeInstances", ignore_case=True)


def test_an_explicit_deny_in_any_policy_wins_and_names_its_statement():
    deny = policy("boundary", {"Sid": "No", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
                  {"Effect": "Allow", "Action": "*", "Resource": "*"})
    decision = decide(Request("s3:GetObject", "arn:aws:s3:::b/k"), identity=[ALLOW_ALL], boundary=deny)
    assert not decision and decision.statement == "boundary/No"


def test_a_boundary_or_scp_without_an_allow_denies_implicitly():
    narrow = policy("boundary", {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})
    assert "no Allow in the permission boundary" in decide(Request("s3:ListBucket"), identity=[ALLOW_ALL], boundary=narrow).reason
    assert "no Allow in the service control policy" in decide(Request("s3:ListBucket"), identity=[ALLOW_ALL], scps=[narrow]).reason
    assert decide(Request("ec2:DescribeInstances"), identity=[ALLOW_ALL], boundary=narrow, scps=[narrow])


def test_not_action_and_not_resource():
    regions = policy("scp", {"Sid": "R", "Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*",
                             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}})
    assert not decide(Request("ec2:RunInstances", context={"aws:RequestedRegion": "us-east-1"}), identity=[ALLOW_ALL, regions])
    assert decide(Request("iam:CreateRole", context={"aws:RequestedRegion": "us-east-1"}), identity=[ALLOW_ALL, regions])


def test_trust_policies_match_the_caller_and_an_account_principal_needs_the_callers_own_allow():
    trust = policy("trust", {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]}})
    ana = Caller("AWS", "arn:aws:iam::111111111111:role/dev")
    request = Request("sts:AssumeRole", "arn:aws:iam::111111111111:role/target", caller=ana)
    assert decide(request, identity=[ALLOW_ALL], resource_policy=trust)
    assert not decide(request, identity=[], resource_policy=trust)  # the account trusts; the caller's policies must agree
    stranger = Request("sts:AssumeRole", "arn:aws:iam::111111111111:role/target", caller=Caller("AWS", "arn:aws:iam::999999999999:role/x"))
    assert not decide(stranger, identity=[ALLOW_ALL], resource_policy=trust)
    oidc = policy("trust", {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                            "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}})
    github = Caller("Federated", "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com")
    assert decide(Request("sts:AssumeRoleWithWebIdentity", caller=github), resource_policy=oidc)


def test_a_resource_policy_naming_the_caller_allows_even_after_a_statement_trusting_its_account():
    # A KMS key policy like aws/ebs's: the account root (needs the caller's own allow), then everyone of the
    # account through EC2 (allows on its own, whatever comes first).
    key = policy("key", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:Decrypt",
                         "Resource": "*"},
                 {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
                  "Condition": {"StringEquals": {"kms:ViaService": "ec2.eu-west-1.amazonaws.com"}}})
    role = Caller("AWS", "arn:aws:iam::111111111111:role/r")
    through_ec2 = decide(Request("kms:Decrypt", context={"kms:ViaService": "ec2.eu-west-1.amazonaws.com"}, caller=role),
                         resource_policy=key)
    assert through_ec2 and through_ec2.statement == "key/#1"
    assert not decide(Request("kms:Decrypt", caller=role), resource_policy=key)  # directly: needs its own allow


@pytest.mark.parametrize("statement", [
    {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "*", "Resource": "*"},
    {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::${aws:username}/*"},
    {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}},
])
def test_what_the_model_does_not_know_is_refused_not_guessed(statement):
    with pytest.raises(UnsupportedPolicy):
        decide(Request("s3:GetObject", "arn:aws:s3:::b/k", context={"aws:CurrentTime": "2021"}, caller=Caller("AWS", "a")),
               identity=[policy("p", statement)], resource_policy=policy("r", statement))
