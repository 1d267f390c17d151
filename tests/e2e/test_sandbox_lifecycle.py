"""Sandbox lifecycle with real terraform against the moto emulator: the aws tier's role (with its permission
boundary), its deny-all policy and the budget action's execution role are really created, listed, extended and
released, and the release is verified by looking: nothing tagged with the sandbox's id, no role, no budget, no
state, no record. The budget and its action are left out of the emulated apply (moto 5.2.5 cannot read a
budget's tags or subscribers back and has no budget actions); tests/test_sandbox_stacks.py checks their JSON. Namespace sandboxes need a Kubernetes API, which this machine lacks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from goldenpath.deploy.emulator import create_state_bucket, emulator_client, running_emulator
from goldenpath.deploy.runner import emulator_terraform
from goldenpath.sandboxes import lifecycle
from goldenpath.sandboxes.cleanup import tagged_leftovers
from goldenpath.sandboxes.lease import LeaseError
from goldenpath.sandboxes.lifecycle import CleanupError, SandboxRun
from goldenpath.sandboxes.registry import SandboxRegistry
from tests.conftest import REPO

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def emulator(terraform_and_mirror, bundled_environments, tmp_path_factory):
    dev = next(e for e in bundled_environments if e.name == "dev")
    workdir = tmp_path_factory.mktemp("sandboxes")
    with running_emulator(dev.account_id, workdir / "moto.log") as endpoint:
        create_state_bucket(endpoint, dev.state_bucket, dev.state_region)
        yield dev, endpoint, workdir


@pytest.fixture(scope="module")
def run(emulator):
    dev, endpoint, workdir = emulator

    def client(service, region):
        return emulator_client(service, endpoint, region)

    registry = SandboxRegistry(client("s3", dev.state_region), dev.state_bucket)
    return SandboxRun(dev, registry, emulator_terraform(workdir, stream=False), client, emulator=endpoint,
                      in_cluster=False, workdir=workdir)


def keys(run) -> set[str]:
    response = run.registry.s3.list_objects_v2(Bucket=run.registry.bucket, Prefix="sandboxes/")
    return {item["Key"] for item in response.get("Contents", [])}


def test_request_applies_role_with_boundary_and_budget_then_release_leaves_nothing(run):
    record = lifecycle.request(run, "experiments", "ana", 24, "try spot", NOW)
    assert record.state == "active" and record.expires_at == NOW + timedelta(hours=24)
    assert keys(run) == {f"sandboxes/{record.id}.json", f"sandboxes/{record.id}-aws.tfstate"}
    iam = run.client("iam", "us-east-1")
    role = iam.get_role(RoleName=f"sandbox-{record.id}")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(f":policy/sandbox-{record.id}-boundary")
    assert {t["Key"]: t["Value"] for t in role["Tags"]}["owner"] == "ana"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {"sts:RoleSessionName": "ana"}
    # the budget and its action are left out of the emulated apply (moto 5.2.5 cannot read a budget's tags
    # or subscribers back, and has no budget actions): test_sandbox_stacks checks their synthesized JSON
    action_role = iam.get_role(RoleName=f"sandbox-{record.id}-budget-action")["Role"]
    assert action_role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["budgets.amazonaws.com"]}
    deny_all = iam.get_policy(PolicyArn=f"arn:aws:iam::{run.environment.account_id}:policy/sandbox-{record.id}-deny-all")
    assert deny_all["Policy"]["AttachmentCount"] == 0  # attached only by the budget action, at the limit

    extended = lifecycle.extend(run, record.id, 12, NOW + timedelta(hours=1))
    assert extended.hours == 36 and run.registry.get(record.id).hours == 36
    tags = {t["Key"]: t["Value"] for t in iam.get_role(RoleName=f"sandbox-{record.id}")["Role"]["Tags"]}
    assert tags["expires-at"] == "2026-12-01T21-00-00Z"

    # what the owner launched (the boundary makes it carry the sandbox's tag): release removes it too
    ec2 = run.client("ec2", "eu-west-1")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, InstanceType="t3.large", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "sandbox-id", "Value": record.id}]}])
    assert tagged_leftovers(run.client, ["eu-west-1"], record.id)

    released = lifecycle.release(run, record.id)
    assert [r.split(" ")[1] for r in released.removed] == ["instance"]
    assert keys(run) == set()
    assert tagged_leftovers(run.client, ["eu-west-1"], record.id) == []
    assert lifecycle.release(run, record.id).nothing_to_do  # idempotent
    with pytest.raises(LeaseError, match=rf"{record.id}: no such sandbox"):
        lifecycle.extend(run, record.id, 1, NOW + timedelta(hours=2))


def test_approval_flow_and_per_user_cap(run):
    pending = lifecycle.request(run, "load-test", "bo", 8, "load test checkout", NOW)
    assert pending.state == "pending" and keys(run) == {f"sandboxes/{pending.id}.json"}
    with pytest.raises(LeaseError, match=r"--by: bo requested .*, expected someone else to approve it"):
        lifecycle.approve(run, pending.id, "bo", NOW)
    with pytest.raises(LeaseError, match=r"--owner: bo already has 1 sandbox\(es\) in tier load-test"):
        lifecycle.request(run, "load-test", "bo", 8, "another", NOW + timedelta(minutes=1))
    active = lifecycle.approve(run, pending.id, "finops", NOW + timedelta(minutes=5))
    assert active.state == "active" and active.approved_by == "finops"
    assert f"sandboxes/{pending.id}-aws.tfstate" in keys(run)
    waiting = lifecycle.extend(run, pending.id, 4, NOW + timedelta(hours=1))
    assert waiting.pending_hours == 12 and waiting.hours == 8  # approval again where the tier requires it
    assert lifecycle.approve(run, pending.id, "platform-lead", NOW + timedelta(hours=1)).hours == 12
    lifecycle.release(run, pending.id)
    assert keys(run) == set()


def test_reap_releases_expired_ones_and_warns_about_those_expiring_soon(run):
    old = lifecycle.request(run, "experiments", "cy", 2, "", NOW)
    soon = lifecycle.request(run, "experiments", "di", 30, "", NOW)
    report = lifecycle.reap(run, NOW + timedelta(hours=8), dry_run=True)
    assert report.would_release == [old.id] and [r.id for r in report.expiring] == [soon.id]
    report = lifecycle.reap(run, NOW + timedelta(hours=8), dry_run=False)
    assert report.released == [old.id] and not report.failed
    assert {r.id for r in run.registry.all()} == {soon.id}
    lifecycle.release(run, soon.id)


def test_release_that_finds_something_left_keeps_the_record(run):
    record = lifecycle.request(run, "experiments", "ed", 2, "", NOW)
    s3 = run.client("s3", "eu-west-1")
    s3.create_bucket(Bucket=f"left-{record.id}", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_tagging(Bucket=f"left-{record.id}", Tagging={"TagSet": [{"Key": "sandbox-id", "Value": record.id}]})
    with pytest.raises(CleanupError, match=rf"{record.id}: still there after release: arn:aws:s3:::left-{record.id}"):
        lifecycle.release(run, record.id)
    assert run.registry.get(record.id)  # kept, so release can be retried
    s3.delete_bucket(Bucket=f"left-{record.id}")
    lifecycle.release(run, record.id)
    assert keys(run) == set()


def test_request_list_release_through_the_cli(emulator, tmp_path):
    dev, endpoint, _ = emulator

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "--environments", str(REPO / "environments"),
                               "sandbox", *args, "--env", "dev", "--aws-endpoint", endpoint.url],
                              cwd=tmp_path, capture_output=True, text=True, timeout=900)

    up = cli("request", "--tier", "experiments", "--owner", "fay", "--hours", "4")
    assert up.returncode == 0, up.stdout + up.stderr
    sandbox_id = up.stdout.split("sandbox ", 1)[1].split(" ", 1)[0]
    listed = json.loads(cli("list", "--format", "json").stdout)
    assert [(s["id"], s["owner"], s["tier"], s["state"]) for s in listed] == [(sandbox_id, "fay", "experiments", "active")]
    assert "1 sandbox(es)" in cli("list").stdout
    for _ in range(2):
        released = cli("release", sandbox_id)
        assert released.returncode == 0, released.stdout + released.stderr
    assert f"no sandbox {sandbox_id} (already released); nothing to do" in released.stdout
    extended = cli("extend", sandbox_id, "--hours", "2")
    assert extended.returncode == 2 and f"error: {sandbox_id}: no such sandbox" in extended.stderr

    pending = cli("request", "--tier", "load-test", "--owner", "gus", "--hours", "2", "--reason", "soak test")
    assert pending.returncode == 0 and "is waiting for approval" in pending.stdout, pending.stdout + pending.stderr
    pending_id = pending.stdout.split("sandbox ", 1)[1].split(" ", 1)[0]
    own = cli("approve", pending_id, "--by", "gus")
    assert own.returncode == 2 and f"error: --by: gus requested {pending_id}, expected someone else" in own.stderr
    assert "Traceback" not in own.stderr
    assert cli("release", pending_id).returncode == 0
    assert json.loads(cli("list", "--format", "json").stdout) == []
