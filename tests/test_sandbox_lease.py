"""The rules of a sandbox lease: request, approve, extend and expiry, each refusal one clear error."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from goldenpath.config.loader import parse_environment
from goldenpath.cost.prices import bundled_snapshot
from goldenpath.sandboxes.lease import LeaseError, activate, approve, check_release, extend, request
from tests.conftest import REPO, dev_without_sandboxes

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
TIERS = """
sandboxes:
  account_id: "444444444444"
  identity_roles: ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_*"]
  tiers:
    experiments:
      kind: aws
      max_lease_hours: 48
      max_spend_usd: 10
      instance_types: [t3.large]
      max_instances: 1
      max_per_user: 1
      notify: [platform@example.com]
    reviewed:
      kind: namespace
      quota: small
      max_lease_hours: 72
      max_spend_usd: 50
      approval: {required: true, approvers: [lead, ops]}
"""
ENV = parse_environment(dev_without_sandboxes() + TIERS, "environments/dev.yaml")


def snapshots(region):
    return bundled_snapshot(region)


def new(tier="experiments", owner="ana", hours=24, records=()):
    return request(ENV, tier, owner, hours, "try a thing", NOW, list(records), snapshots)


def test_a_request_without_approval_is_ready_to_apply_and_its_lease_starts_on_apply():
    record = new()
    assert record.state == "approved" and record.id.startswith("sbx-") and record.expires_at is None
    active = activate(record, NOW)
    assert active.expires_at == NOW + timedelta(hours=24)
    assert active.expiring_within(NOW + timedelta(hours=20), 6) and not active.expired(NOW + timedelta(hours=20))
    assert active.expired(NOW + timedelta(hours=24))


def test_approval_is_by_an_approver_who_is_not_the_requester():
    pending = new("reviewed", "lead")
    assert pending.state == "pending"
    with pytest.raises(LeaseError, match="--by: lead requested sbx-.*, expected someone else"):
        approve(ENV, pending, "lead")
    with pytest.raises(LeaseError, match=r"--by: got 'mallory', expected one of tier reviewed's approvers: lead, ops"):
        approve(ENV, pending, "mallory")
    assert approve(ENV, pending, "ops").state == "approved"


def test_extension_stays_within_the_maximum_and_needs_approval_again_where_required():
    active = activate(new(hours=24), NOW)
    assert extend(ENV, active, 24, NOW, snapshots, "ana").hours == 48
    with pytest.raises(LeaseError, match=r"--hours: 24 h \+ 25 h = 49 h, expected at most 48"):
        extend(ENV, active, 25, NOW, snapshots, "ana")
    reviewed = activate(approve(ENV, new("reviewed", "ana", 24), "ops"), NOW)
    waiting = extend(ENV, reviewed, 24, NOW, snapshots, "ana")
    assert waiting.hours == 24 and waiting.pending_hours == 48
    assert approve(ENV, waiting, "lead").hours == 48


def test_the_per_user_cap_counts_live_sandboxes_only():
    first = activate(new(), NOW)
    with pytest.raises(LeaseError, match=r"--owner: ana already has 1 sandbox\(es\) in tier experiments .*max_per_user \(1\)"):
        new(records=[first])
    from dataclasses import replace

    assert new(records=[replace(first, state="released")]).state == "approved"


@pytest.mark.parametrize(("call", "expected"), [
    (lambda: new(tier="gpu"), "--tier: got 'gpu', expected one of experiments, reviewed"),
    (lambda: new(hours=49), "--hours: got 49, expected 1 to 48 (tier experiments's max_lease_hours)"),
    (lambda: new(owner=""), "--owner: got '', expected an Identity Center user name as a session name"),
    (lambda: new(owner="Ana Smith"), "--owner: got 'Ana Smith'"),
    (lambda: new(owner="ana*"), "--owner: got 'ana*'"),  # a wildcard would widen the role's trust
    (lambda: extend(ENV, new(), 1, NOW, snapshots, "ana"), "is approved, expected an active sandbox to extend"),
    (lambda: extend(ENV, activate(new(), NOW), 1, NOW, snapshots, "bo"), "belongs to ana, expected its owner to extend it (you are bo)"),
    (lambda: check_release(ENV, activate(new(), NOW), "bo"), "belongs to ana, expected its owner or one of tier experiments's approvers"),
])
def test_bad_requests_are_refused_before_anything_exists(call, expected):
    with pytest.raises(LeaseError) as error:
        call()
    assert expected in str(error.value)


def test_a_lease_whose_worst_case_exceeds_the_cap_is_refused_with_the_figures():
    dear = parse_environment(dev_without_sandboxes() + TIERS.replace("max_instances: 1", "max_instances: 3"),
                             "environments/dev.yaml")
    t3 = bundled_snapshot("eu-west-1").get("ec2:on-demand:t3.large").usd
    hours = 48
    assert 3 * t3 * hours > 10  # the premise of this test, from the bundled price
    with pytest.raises(LeaseError, match=r"--hours: tier experiments for 48 h: worst case 0\.\d{4}/h x 48 h = 1\d\.\d\d \(3 x \(t3\.large on-demand \+ public IPv4 \+ 100 GiB gp3\) at 0\.\d{4}/h in eu-west-1\), above max_spend_usd 10\.00"):
        request(dear, "experiments", "ana", hours, "", NOW, [], snapshots)


def test_a_production_environment_or_one_without_sandboxes_refuses():
    dev = parse_environment(dev_without_sandboxes(), "environments/dev.yaml")
    with pytest.raises(LeaseError, match=r"--env: dev hosts no sandboxes \(environments/dev.yaml has no sandboxes section\)"):
        request(dev, "experiments", "ana", 1, "", NOW, [], snapshots)


def test_a_sandbox_is_released_by_its_owner_or_an_approver_of_its_tier():
    reviewed = activate(approve(ENV, new("reviewed", "ana", 24), "ops"), NOW)
    check_release(ENV, reviewed, "ana")
    check_release(ENV, reviewed, "lead")
    with pytest.raises(LeaseError, match="expected its owner or one of tier reviewed's approvers \\(lead, ops\\) to release it"):
        check_release(ENV, reviewed, "mallory")
