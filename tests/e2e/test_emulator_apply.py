"""dev's AWS stacks with real terraform against a real AWS API emulator (moto server on 127.0.0.1).

The steps run in file order and share one emulator: init + validate every stack, plan,
apply network then cluster, a second plan shows no changes, destroy leaves nothing.
"""

from __future__ import annotations

import json

import pytest

from goldenpath.deploy.runner import emulator_terraform, prepare_for_emulator
from goldenpath.deploy.emulator import emulator_client, running_emulator
from tests.conftest import REPO

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dev(bundled_environments):
    return next(e for e in bundled_environments if e.name == "dev")


@pytest.fixture(scope="module")
def emulated(terraform_and_mirror, dev, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e")
    terraform = emulator_terraform(workdir, stream=False)
    with running_emulator(dev.account_id, workdir / "moto.log") as endpoint:
        result, adaptations = prepare_for_emulator(dev, endpoint, workdir / "cdktf.out", REPO)
        yield endpoint, result, terraform, adaptations


def client(emulated, dev, service):
    return emulator_client(service, emulated[0], dev.region)


def test_gaps_of_the_emulator_are_listed_not_hidden(emulated):
    _, result, _, adaptations = emulated
    left_out = {a.address.split(".")[0] for a in adaptations if a.change == "left out"}
    assert left_out == {"aws_eks_addon", "aws_eks_access_entry", "aws_eks_access_policy_association", "aws_eks_pod_identity_association"}
    cluster = json.loads((result.stacks["dev-cluster"] / "cdk.tf.json").read_text())
    assert not left_out & set(cluster["resource"])


AWS_STACKS = ["dev-network", "dev-cluster", "dev-observability"]


def test_every_aws_stack_inits_and_validates(emulated):
    _, result, terraform, _ = emulated
    # dev-platform is in-cluster: it needs a Kubernetes API (and the kubernetes/helm providers),
    # which this machine does not have; deploy --emulator lists it as not applied.
    assert result.ordered() == [*AWS_STACKS, "dev-platform"]
    for name in AWS_STACKS:
        terraform.init(result.stacks[name])
        validated = terraform.run(result.stacks[name], "validate", "-no-color")
        assert "Success! The configuration is valid." in validated.stdout


def plan_apply_converge(emulated, name: str):
    """Plan (changes expected), apply, and plan again (no changes expected)."""
    _, result, terraform, _ = emulated
    stack = result.stacks[name]
    assert terraform.plan_has_changes(stack)
    terraform.apply(stack, auto_approve=True)
    assert not terraform.plan_has_changes(stack), f"second plan of {name} shows changes"
    return stack, terraform


def test_network_plans_applies_and_converges(emulated, dev):
    plan_apply_converge(emulated, "dev-network")
    vpcs = client(emulated, dev, "ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": [dev.network.cidr]}])["Vpcs"]
    assert len(vpcs) == 1
    assert {t["Key"]: t["Value"] for t in vpcs[0]["Tags"]}["cost-center"] == "cc-1001"


def test_cluster_plans_applies_and_converges(emulated, dev):
    stack, terraform = plan_apply_converge(emulated, "dev-cluster")
    eks = client(emulated, dev, "eks")
    cluster = eks.describe_cluster(name="dev-cluster")["cluster"]
    assert cluster["version"] == "1.33"
    assert cluster["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["encryptionConfig"][0]["resources"] == ["secrets"]
    assert eks.list_nodegroups(clusterName="dev-cluster")["nodegroups"] == ["dev-general"]
    outputs = json.loads(terraform.run(stack, "output", "-json").stdout)
    assert outputs["cluster_name"]["value"] == "dev-cluster"


def test_observability_plans_applies_and_converges(emulated, dev):
    plan_apply_converge(emulated, "dev-observability")
    s3 = client(emulated, dev, "s3")
    for signal, days in (("logs", dev.observability.retention.logs_days), ("traces", dev.observability.retention.traces_days)):
        bucket = f"dev-{signal}-{dev.account_id}"
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        assert rules[0]["Expiration"]["Days"] >= days
        encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


def test_state_lives_in_the_bucket_under_one_key_per_stack(emulated, dev):
    objects = client(emulated, dev, "s3").list_objects_v2(Bucket=dev.state_bucket)["Contents"]
    assert {o["Key"] for o in objects} >= {"dev/network.tfstate", "dev/cluster.tfstate", "dev/observability.tfstate"}


def test_destroy_leaves_nothing(emulated, dev):
    _, result, terraform, _ = emulated
    for name in reversed(AWS_STACKS):
        terraform.destroy(result.stacks[name], auto_approve=True)
        assert terraform.run(result.stacks[name], "state", "list").stdout.strip() == ""
    ec2 = client(emulated, dev, "ec2")
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": [dev.network.cidr]}])["Vpcs"] == []
    assert [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] not in ("deleted", "deleting")] == []
    assert ec2.describe_addresses()["Addresses"] == []
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []
    assert client(emulated, dev, "eks").list_clusters()["clusters"] == []
    roles = [r["RoleName"] for r in client(emulated, dev, "iam").list_roles()["Roles"] if r["RoleName"].startswith("dev-")]
    assert roles == []
    groups = client(emulated, dev, "logs").describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups if "dev" in g["logGroupName"]] == []
    kms = client(emulated, dev, "kms")
    states = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] for k in kms.list_keys()["Keys"]]
    assert states and set(states) == {"PendingDeletion"}
    buckets = {b["Name"] for b in client(emulated, dev, "s3").list_buckets()["Buckets"]}
    assert buckets == {dev.state_bucket}
