"""Sandbox tiers in the environment file, and their worst-case spend (hand-computed from the bundled prices)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from goldenpath.config.loader import ConfigError, parse_environment
from goldenpath.cost.prices import bundled_snapshot
from goldenpath.sandboxes.worst_case import worst_case
from tests.conftest import REPO, dev_without_sandboxes

DEV = dev_without_sandboxes()
SOURCE = "environments/dev.yaml"
AWS_TIER = """
sandboxes:
  account_id: "444444444444"
  identity_roles: ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_*"]
  tiers:
    experiments:
      kind: aws
      max_lease_hours: 48
      max_spend_usd: 10
      instance_types: [t3.large]
      max_instances: 2
      notify: [platform@example.com]
    scratch:
      kind: namespace
      quota: small
      max_lease_hours: 72
      max_spend_usd: 5
"""


def environment(extra: str = AWS_TIER):
    return parse_environment(DEV + extra, SOURCE)


def snapshots(region: str):
    return bundled_snapshot(region)


def test_worst_case_of_an_aws_tier_is_max_instances_of_the_dearest_type_with_its_address_and_largest_volume():
    env = environment()
    tier = env.sandboxes.tiers["experiments"]
    prices = bundled_snapshot("eu-west-1")
    t3_large, ipv4 = prices.get("ec2:on-demand:t3.large").usd, prices.get("vpc:public-ipv4-hour").usd
    gp3_hour = prices.get("ebs:gp3-gb-month").usd * tier.max_volume_gib / 730  # 100 GiB by default
    case = worst_case("experiments", tier, env, 48, snapshots)
    assert case.usd_per_hour == 2 * (t3_large + ipv4 + gp3_hour) and case.total == case.usd_per_hour * 48
    assert case.fits(Decimal(10)) is (case.total <= 10)
    assert "2 x (t3.large on-demand + public IPv4 + 100 GiB gp3)" in case.explain(Decimal(10))


def test_a_larger_volume_allowance_raises_the_worst_case_by_exactly_its_storage():
    small, large = environment(), environment(AWS_TIER.replace("max_instances: 2", "max_instances: 2\n      max_volume_gib: 830"))
    gp3 = bundled_snapshot("eu-west-1").get("ebs:gp3-gb-month").usd
    delta = (worst_case("experiments", large.sandboxes.tiers["experiments"], large, 1, snapshots).usd_per_hour
             - worst_case("experiments", small.sandboxes.tiers["experiments"], small, 1, snapshots).usd_per_hour)
    assert delta.quantize(Decimal("1e-12")) == (2 * gp3 * (830 - 100) / 730).quantize(Decimal("1e-12"))  # 730 GiB more, twice


def test_a_type_without_a_price_makes_the_worst_case_unknown_and_never_fits():
    env = environment(AWS_TIER.replace("[t3.large]", "[t3.large, c7i.large]"))
    case = worst_case("experiments", env.sandboxes.tiers["experiments"], env, 1, snapshots)
    assert case.not_priced == ("c7i.large in eu-west-1",) and not case.fits(Decimal(1_000_000))
    assert case.explain(Decimal(10)).startswith("worst case unknown: not priced: c7i.large in eu-west-1")


def test_worst_case_of_a_namespace_tier_is_its_quota_share_of_a_node_and_its_storage():
    env = environment()
    case = worst_case("scratch", env.sandboxes.tiers["scratch"], env, 72, snapshots)
    assert case.usd_per_hour > 0 and not case.not_priced
    assert "quota small" in case.parts[0] and case.parts[1] == "20Gi of gp3 volumes (requests.storage)"
    # Every GiB the quota lets the sandbox's volumes request is in the worst case, at gp3's price.
    larger = environment(AWS_TIER.replace("quota: small", "quota: roomy") + "tenancy:\n  tiers:\n    small: {}\n"
                         "    roomy: {requests_cpu: '1', requests_memory: 2Gi, limits_cpu: '2', limits_memory: 4Gi, "
                         "requests_storage: 520Gi}\n")
    gp3 = bundled_snapshot("eu-west-1").get("ebs:gp3-gb-month").usd
    delta = worst_case("scratch", larger.sandboxes.tiers["scratch"], larger, 1, snapshots).usd_per_hour - case.usd_per_hour
    assert delta.quantize(Decimal("1e-12")) == (gp3 * (520 - 20) / 730).quantize(Decimal("1e-12"))


@pytest.mark.parametrize(("extra", "expected"), [
    (AWS_TIER.replace("kind: namespace\n      quota: small", "kind: namespace"), "sandboxes.tiers.scratch.quota: got null, expected a tenancy.tiers name"),
    (AWS_TIER.replace("quota: small", "quota: huge"), "sandboxes.tiers.scratch.quota: got 'huge', expected one of tenancy.tiers"),
    (AWS_TIER.replace("max_instances: 2", "max_instances: 2\n      quota: small"), "sandboxes.tiers.experiments.quota: got 'small', expected nothing"),
    (AWS_TIER.replace("max_lease_hours: 48", "max_lease_hours: 0"), "sandboxes.tiers.experiments.max_lease_hours: got 0"),
    (AWS_TIER.replace("      instance_types: [t3.large]\n", ""), "sandboxes.tiers.experiments.instance_types: got [], expected the types max_instances (2) may run"),
    (AWS_TIER.replace("notify: [platform@example.com]", "notify: [platform]"), "sandboxes.tiers.experiments.notify[0]: got 'platform'"),
    (AWS_TIER.replace("max_spend_usd: 5", "max_spend_usd: 5\n      thresholds: [{percent: 50, action: notify}]"),
     "sandboxes.tiers.scratch.thresholds: got [\"50% notify\"], expected exactly one deny threshold"),
    (AWS_TIER.replace("max_spend_usd: 5", "max_spend_usd: 5\n      approval: {required: true}"),
     "sandboxes.tiers.scratch.approval.approvers: got [], expected at least one approver"),
    (AWS_TIER.replace("AWSReservedSSO_Developer_*", "developers").replace("aws-reserved/sso.amazonaws.com/", ""),
     "sandboxes.identity_roles[0]: got 'arn:aws:iam::111111111111:role/developers', expected an IAM Identity Center role"),
    (AWS_TIER.replace('  identity_roles: ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_*"]\n', ""),
     "sandboxes.identity_roles: missing; this field is required"),
    (AWS_TIER.replace('  account_id: "444444444444"\n', ""),
     "sandboxes.account_id: got null, expected the sandbox account's id: tiers experiments are kind aws"),
    (AWS_TIER.replace('"444444444444"', '"111111111111"'),
     "sandboxes.account_id: got '111111111111', expected an account of its own, not this environment's"),
    (AWS_TIER.replace('  tiers:\n', '  operator_role: arn:aws:iam::111111111111:role/admin\n  tiers:\n'),
     "sandboxes.operator_role: got 'arn:aws:iam::111111111111:role/admin', expected a role of the sandbox account 444444444444"),
    (AWS_TIER.replace("max_instances: 2", "max_instances: 2\n      assume_from: [x]"),
     "sandboxes.tiers.experiments.assume_from: removed in 0.7: a sandbox's role trusts its owner's IAM Identity Center sessions"),
    (AWS_TIER.replace("max_instances: 2", "max_instances: 2\n      extra_services: [S3]"),
     "sandboxes.tiers.experiments.extra_services[0]: got 'S3'"),
    (AWS_TIER.replace("      notify: [platform@example.com]\n", ""), "sandboxes.tiers.experiments.notify: got [], expected at least one address"),
    (AWS_TIER.replace("quota: small\n", "quota: small\n      managed_policies: [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n"),
     "sandboxes.tiers.scratch.managed_policies: got [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"], expected nothing"),
])
def test_bad_tiers_get_one_clear_error(extra, expected):
    with pytest.raises(ConfigError) as error:
        environment(extra)
    assert str(error.value).startswith(f"{SOURCE}: ") and expected in str(error.value), str(error.value)


def test_a_production_environment_never_hosts_sandboxes():
    prod = (REPO / "environments" / "prod.yaml").read_text()
    with pytest.raises(ConfigError, match=r"sandboxes: got '\(set\)', expected no sandboxes section"):
        parse_environment(prod + AWS_TIER.replace("scratch", "other"), "environments/prod.yaml")


def test_validate_names_a_tiers_opt_outs_of_the_tagged_services():
    from goldenpath.sandboxes.worst_case import tier_lines

    plain = tier_lines([environment()], snapshots)[0]
    assert not any("opt-out" in line for line in plain)
    wider = environment(AWS_TIER.replace("max_instances: 2", "max_instances: 2\n      extra_services: [s3]\n"
                                         "      managed_policies: [\"arn:aws:iam::aws:policy/AmazonS3FullAccess\"]"))
    (line,) = [line for line in tier_lines([wider], snapshots)[0] if "experiments" in line]
    assert ("opt-out (environments/dev.yaml: sandboxes.tiers.experiments.extra_services: s3; sandboxes.tiers.experiments."
            "managed_policies: arn:aws:iam::aws:policy/AmazonS3FullAccess): what the sandbox makes there need not carry "
            "its tag") in line
