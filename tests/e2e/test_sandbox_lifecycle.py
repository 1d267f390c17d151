"""Sandbox lifecycle with real terraform against the moto emulator, across two accounts as in AWS: the records and
state stay in the environment's state bucket (account 111111111111), while the aws tier's role (inside its permission
boundary), its policies, its spend stop (topic and function) and the budget action's role are created in the sandbox
account (444444444444), reached by assuming its operator role. Every caller is an emulated Identity Center session
(a role at path aws-reserved/sso.amazonaws.com/ assumed with a person's name): who requests, approves, extends and
releases comes from STS, never from a flag. Release removes only what the sandbox made, and is verified by looking.
The budget and its action are left out of the emulated apply (moto 5.2.5 cannot read a budget's tags or subscribers
back and has no budget actions); tests/test_sandbox_stacks.py checks their JSON. Namespace sandboxes need a
Kubernetes API, which this machine lacks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from goldenpath.deploy.emulator import assumed, create_state_bucket, emulator_client, running_emulator
from goldenpath.deploy.runner import emulator_terraform
from goldenpath.sandboxes import lifecycle
from goldenpath.sandboxes.cleanup import tagged_leftovers
from goldenpath.sandboxes.identity import who_is_calling
from goldenpath.sandboxes.lease import LeaseError
from goldenpath.sandboxes.lifecycle import CleanupError, SandboxRun
from goldenpath.sandboxes.registry import SandboxRegistry
from tests.conftest import REPO

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
SANDBOX_ACCOUNT = "444444444444"
OPERATOR = f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OrganizationAccountAccessRole"
PERMISSION_SET_ROLE = "AWSReservedSSO_Developer_0123456789abcdef"


@pytest.fixture(scope="module")
def emulator(terraform_and_mirror, bundled_environments, tmp_path_factory):
    dev = next(e for e in bundled_environments if e.name == "dev")
    workdir = tmp_path_factory.mktemp("sandboxes")
    with running_emulator(dev.account_id, workdir / "moto.log") as endpoint:
        create_state_bucket(endpoint, dev.state_bucket, dev.state_region)
        iam = emulator_client("iam", endpoint, "us-east-1")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
                                                          "Principal": {"Federated": f"arn:aws:iam::{dev.account_id}:saml-provider/AWSSSO"}}]}
        iam.create_role(RoleName=PERMISSION_SET_ROLE, Path="/aws-reserved/sso.amazonaws.com/", AssumeRolePolicyDocument=json.dumps(trust))
        yield dev, endpoint, workdir


def session(endpoint, person: str):
    """``person``'s Identity Center session in the environment's account (as `aws sso login` would give it)."""
    return assumed(endpoint, f"arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/{PERMISSION_SET_ROLE}", person)


def run_as(emulator, person: str) -> SandboxRun:
    dev, endpoint, workdir = emulator
    me = session(endpoint, person)
    operator = assumed(me, OPERATOR, "goldenpath-sandbox-operator")

    def client(service, region):
        return emulator_client(service, me, region)

    registry = SandboxRegistry(client("s3", dev.state_region), dev.state_bucket)
    return SandboxRun(dev, registry, emulator_terraform(workdir, me, stream=False), client,
                      sandbox_client=lambda service, region: emulator_client(service, operator, region), emulator=me,
                      in_cluster=False, workdir=workdir)


@pytest.fixture(scope="module")
def ana(emulator):
    return run_as(emulator, "ana@example.com")


@pytest.fixture(scope="module")
def bo(emulator):
    return run_as(emulator, "bo@example.com")


@pytest.fixture(scope="module")
def lea(emulator):
    return run_as(emulator, "lea@example.com")


def me(run: SandboxRun) -> str:
    return who_is_calling(run.client("sts", "eu-west-1"), run.environment.sandboxes)


def keys(run) -> set[str]:
    response = run.registry.s3.list_objects_v2(Bucket=run.registry.bucket, Prefix="sandboxes/")
    return {item["Key"] for item in response.get("Contents", [])}


def test_the_callers_identity_is_their_identity_center_session(ana, emulator):
    assert me(ana) == "ana@example.com"
    dev, endpoint, _ = emulator
    plain = SandboxRun(dev, ana.registry, ana.terraform, lambda s, r: emulator_client(s, endpoint, r))
    with pytest.raises(LeaseError, match=r"caller arn:aws:iam::111111111111:user/goldenpath-emulator: not a role session"):
        me(plain)


def test_request_applies_the_sandbox_in_its_own_account_and_release_leaves_nothing(ana, bo):
    record = lifecycle.request(ana, "experiments", me(ana), 24, "try spot", NOW)
    assert record.state == "active" and record.owner == "ana@example.com" and record.expires_at == NOW + timedelta(hours=24)
    assert keys(ana) == {f"sandboxes/{record.id}.json", f"sandboxes/{record.id}-aws.tfstate"}  # the environment's bucket
    sandbox_iam = ana.sandbox_client("iam", "us-east-1")
    role = sandbox_iam.get_role(RoleName=f"sandbox-{record.id}")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/sandbox-{record.id}"
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(f":policy/sandbox-{record.id}-boundary")
    assert {t["Key"]: t["Value"] for t in role["Tags"]}["owner"] == "ana@example.com"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Condition"]["StringLike"] == {"aws:userid": "*:ana@example.com"}
    attached = [p["PolicyName"] for p in sandbox_iam.list_attached_role_policies(RoleName=f"sandbox-{record.id}")["AttachedPolicies"]]
    assert attached == [f"sandbox-{record.id}-permissions"]  # no PowerUserAccess
    action_role = sandbox_iam.get_role(RoleName=f"sandbox-{record.id}-budget-action")["Role"]
    assert action_role["Path"] == "/goldenpath/"
    assert action_role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"] == {"aws:SourceAccount": SANDBOX_ACCOUNT}
    function = ana.sandbox_client("lambda", "eu-west-1").get_function(FunctionName=f"sandbox-{record.id}-spend-stop")
    assert function["Configuration"]["Environment"]["Variables"] == {"SANDBOX_ID": record.id, "REGIONS": "eu-west-1"}
    topics = [t["TopicArn"] for t in ana.sandbox_client("sns", "eu-west-1").list_topics()["Topics"]]
    assert f"arn:aws:sns:eu-west-1:{SANDBOX_ACCOUNT}:sandbox-{record.id}-spend-stop" in topics
    env_iam = ana.client("iam", "us-east-1")  # nothing of the sandbox in the environment's account
    with pytest.raises(env_iam.exceptions.NoSuchEntityException):
        env_iam.get_role(RoleName=f"sandbox-{record.id}")

    with pytest.raises(LeaseError, match=rf"{record.id}: belongs to ana@example.com, expected its owner to extend it \(you are bo@example.com\)"):
        lifecycle.extend(bo, record.id, 12, NOW + timedelta(hours=1), me(bo))
    extended = lifecycle.extend(ana, record.id, 12, NOW + timedelta(hours=1), me(ana))
    assert extended.hours == 36 and ana.registry.get(record.id).hours == 36
    tags = {t["Key"]: t["Value"] for t in sandbox_iam.get_role(RoleName=f"sandbox-{record.id}")["Role"]["Tags"]}
    assert tags["expires-at"] == "2026-12-01T21-00-00Z"

    # what the owner launched (in the sandbox account, with its tag): release removes it too
    ec2 = ana.sandbox_client("ec2", "eu-west-1")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, InstanceType="t3.large", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "sandbox-id", "Value": record.id}]}])
    assert tagged_leftovers(ana.sandbox_client, ["eu-west-1"], record.id, NOW)

    with pytest.raises(LeaseError, match=rf"{record.id}: belongs to ana@example.com, expected its owner or one of tier experiments's approvers"):
        lifecycle.release(bo, record.id, me(bo))
    released = lifecycle.release(ana, record.id, me(ana))
    assert [r.split(" ")[1] for r in released.removed] == ["instance"] and not released.left_alone
    assert keys(ana) == set()
    assert tagged_leftovers(ana.sandbox_client, ["eu-west-1"], record.id, NOW) == []
    with pytest.raises(sandbox_iam.exceptions.NoSuchEntityException):
        sandbox_iam.get_role(RoleName=f"sandbox-{record.id}")
    assert lifecycle.release(ana, record.id, me(ana)).nothing_to_do  # idempotent
    with pytest.raises(LeaseError, match=rf"{record.id}: no such sandbox"):
        lifecycle.extend(ana, record.id, 1, NOW + timedelta(hours=2), me(ana))


def test_release_never_touches_what_carried_the_tag_before_the_lease(ana):
    """Only the platform could have put a sandbox's id on something older than its lease: release names it, leaves it."""
    future = datetime.now(timezone.utc) + timedelta(days=1)
    ec2 = ana.sandbox_client("ec2", "eu-west-1")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    record = lifecycle.request(ana, "experiments", me(ana), 2, "", future)
    older = ec2.run_instances(ImageId=image, InstanceType="t3.large", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "sandbox-id", "Value": record.id}]}])["Instances"][0]["InstanceId"]
    released = lifecycle.release(ana, record.id, me(ana))
    assert released.removed == [] and released.left_alone == [f"eu-west-1: instance {older} (launched " +
                                                                released.left_alone[0].split("(launched ")[1]]
    state = ec2.describe_instances(InstanceIds=[older])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert state == "running"
    ec2.terminate_instances(InstanceIds=[older])


def test_approval_by_identity_and_the_per_user_cap(bo, ana, lea):
    pending = lifecycle.request(bo, "load-test", me(bo), 8, "load test checkout", NOW)
    assert pending.state == "pending" and keys(bo) == {f"sandboxes/{pending.id}.json"}
    with pytest.raises(LeaseError, match=r"--by: bo@example.com requested .*, expected someone else to approve it"):
        lifecycle.approve(bo, pending.id, me(bo), NOW)
    with pytest.raises(LeaseError, match=r"--by: got 'ana@example.com', expected one of tier load-test's approvers"):
        lifecycle.approve(ana, pending.id, me(ana), NOW)
    with pytest.raises(LeaseError, match=r"--owner: bo@example.com already has 1 sandbox\(es\) in tier load-test"):
        lifecycle.request(bo, "load-test", me(bo), 8, "another", NOW + timedelta(minutes=1))
    active = lifecycle.approve(lea, pending.id, me(lea), NOW + timedelta(minutes=5))
    assert active.state == "active" and active.approved_by == "lea@example.com"
    assert f"sandboxes/{pending.id}-aws.tfstate" in keys(bo)
    waiting = lifecycle.extend(bo, pending.id, 4, NOW + timedelta(hours=1), me(bo))
    assert waiting.pending_hours == 12 and waiting.hours == 8  # approval again where the tier requires it
    assert lifecycle.approve(lea, pending.id, me(lea), NOW + timedelta(hours=1)).hours == 12
    lifecycle.release(lea, pending.id, me(lea))  # an approver of the tier may release it
    assert keys(bo) == set()


def test_reap_releases_expired_ones_and_warns_about_those_expiring_soon(ana, bo):
    old = lifecycle.request(ana, "experiments", me(ana), 2, "", NOW)
    soon = lifecycle.request(bo, "experiments", me(bo), 30, "", NOW)
    report = lifecycle.reap(ana, NOW + timedelta(hours=8), dry_run=True)
    assert report.would_release == [old.id] and [r.id for r in report.expiring] == [soon.id]
    report = lifecycle.reap(ana, NOW + timedelta(hours=8), dry_run=False)
    assert report.released == [old.id] and not report.failed
    assert {r.id for r in ana.registry.all()} == {soon.id}
    lifecycle.release(bo, soon.id, me(bo))


def test_release_that_finds_something_left_keeps_the_record(ana):
    record = lifecycle.request(ana, "experiments", me(ana), 2, "", NOW)
    s3 = ana.sandbox_client("s3", "eu-west-1")
    s3.create_bucket(Bucket=f"left-{record.id}", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_tagging(Bucket=f"left-{record.id}", Tagging={"TagSet": [{"Key": "sandbox-id", "Value": record.id}]})
    with pytest.raises(CleanupError, match=rf"{record.id}: still there after release: arn:aws:s3:::left-{record.id}"):
        lifecycle.release(ana, record.id, me(ana))
    assert ana.registry.get(record.id)  # kept, so release can be retried
    s3.delete_bucket(Bucket=f"left-{record.id}")
    lifecycle.release(ana, record.id, me(ana))
    assert keys(ana) == set()


def test_request_list_release_through_the_cli(emulator, tmp_path):
    dev, endpoint, _ = emulator

    def cli(person, *args):
        credentials = session(endpoint, person)
        env = {**os.environ, **credentials.environment(), "AWS_DEFAULT_REGION": "eu-west-1"}
        return subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "--environments", str(REPO / "environments"),
                               "sandbox", *args, "--env", "dev", "--aws-endpoint", endpoint.url],
                              cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env)

    forged = cli("fay@example.com", "request", "--tier", "experiments", "--owner", "gus@example.com", "--hours", "4")
    assert forged.returncode == 2 and ("--owner: got 'gus@example.com', expected your own identity 'fay@example.com'"
                                       in forged.stderr) and "Traceback" not in forged.stderr
    up = cli("fay@example.com", "request", "--tier", "experiments", "--hours", "4")
    assert up.returncode == 0, up.stdout + up.stderr
    sandbox_id = up.stdout.split("sandbox ", 1)[1].split(" ", 1)[0]
    listed = json.loads(cli("fay@example.com", "list", "--format", "json").stdout)
    assert [(s["id"], s["owner"], s["tier"], s["state"]) for s in listed] == [(sandbox_id, "fay@example.com", "experiments", "active")]
    assert "1 sandbox(es)" in cli("fay@example.com", "list").stdout
    stranger = cli("gus@example.com", "release", sandbox_id)
    assert stranger.returncode == 2 and "belongs to fay@example.com" in stranger.stderr
    for _ in range(2):
        released = cli("fay@example.com", "release", sandbox_id)
        assert released.returncode == 0, released.stdout + released.stderr
    assert f"no sandbox {sandbox_id} (already released); nothing to do" in released.stdout
    extended = cli("fay@example.com", "extend", sandbox_id, "--hours", "2")
    assert extended.returncode == 2 and f"error: {sandbox_id}: no such sandbox" in extended.stderr

    pending = cli("gus@example.com", "request", "--tier", "load-test", "--hours", "2", "--reason", "soak test")
    assert pending.returncode == 0 and "is waiting for approval" in pending.stdout, pending.stdout + pending.stderr
    pending_id = pending.stdout.split("sandbox ", 1)[1].split(" ", 1)[0]
    own = cli("gus@example.com", "approve", pending_id)
    assert own.returncode == 2 and f"error: --by: gus@example.com requested {pending_id}, expected someone else" in own.stderr
    forged = cli("gus@example.com", "approve", pending_id, "--by", "lea@example.com")
    assert forged.returncode == 2 and "expected your own identity 'gus@example.com'" in forged.stderr
    assert "Traceback" not in own.stderr + forged.stderr
    assert cli("gus@example.com", "release", pending_id).returncode == 0
    assert json.loads(cli("gus@example.com", "list", "--format", "json").stdout) == []
