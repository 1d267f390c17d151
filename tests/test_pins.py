"""Version pins (``versions.yaml``): the table, `pins refresh` against EKS and SSM through botocore's
Stubber (moto has no DescribeAddonVersions and no EKS AMI parameters), the cluster module using them,
and what `validate` says when a version is not pinned.

The stubbed responses follow the APIs' documented shapes (addons[].addonVersions[].compatibilities[] with
clusterVersion and defaultVersion; Parameter.Value). The version strings are test values, not facts about
any EKS release.
"""

from __future__ import annotations

import json
from datetime import date

import boto3
import pytest
from botocore.stub import Stubber
from cdktn import TerraformStack
from cdktn import Testing as Synth
from cdktn_provider_aws.provider import AwsProvider

from goldenpath.config.loader import ConfigError
from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import Cluster, ClusterProps, NodeGroupProps
from goldenpath.modules.eks_releases import ADDON_NAMES, ami_release_parameter
from goldenpath.pins.refresh import read_pins, write_pins
from goldenpath.pins.table import PINS_FILE, load_pins, pin_lines
from goldenpath.stacks.emulator import adapt_stack

TODAY = date(2026, 11, 30)
TEST_VERSIONS = {name: f"v1.{index}.0-eksbuild.{index + 1}" for index, name in enumerate(ADDON_NAMES)}


def addon_page(name: str, versions: list[tuple[str, bool]], kubernetes: str = "1.33", token: str | None = None) -> dict:
    page: dict = {"addons": [{"addonName": name, "type": "networking", "owner": "aws", "publisher": "eks", "addonVersions": [
        {"addonVersion": version, "architecture": ["amd64", "arm64"],
         "compatibilities": [{"clusterVersion": kubernetes, "platformVersions": ["*"], "defaultVersion": default}]}
        for version, default in versions]}]}
    if token:
        page["nextToken"] = token
    return page


def stub_eks(stubber: Stubber, kubernetes: str = "1.33", ambiguous: str | None = None) -> None:
    for name in ADDON_NAMES:
        params = {"addonName": name, "kubernetesVersion": kubernetes}
        if name == "coredns":  # two pages: the default is on the second
            stubber.add_response("describe_addon_versions", addon_page(name, [("v0.0.1-eksbuild.1", False)], kubernetes, "p2"), params)
            params = {**params, "nextToken": "p2"}
        defaults = [(TEST_VERSIONS[name], True), *([("v9.9.9-eksbuild.9", True)] if name == ambiguous else [])]
        stubber.add_response("describe_addon_versions", addon_page(name, [("v0.0.0-eksbuild.1", False), *defaults], kubernetes), params)


@pytest.fixture
def clients():
    eks = boto3.client("eks", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    ssm = boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(eks) as eks_stub, Stubber(ssm) as ssm_stub:
        yield eks, eks_stub, ssm, ssm_stub


def test_refresh_pins_eks_defaults_and_the_recommended_ami(clients, tmp_path):
    eks, eks_stub, ssm, ssm_stub = clients
    stub_eks(eks_stub)
    ssm_stub.add_response("get_parameter", {"Parameter": {"Name": "n", "Type": "String", "Value": "1.33.5-20261101"}},
                          {"Name": ami_release_parameter("1.33", "x86_64")})
    read = read_pins(eks, ssm, "1.33", "eu-west-1", TODAY)
    assert read.missing == [] and read.pins.addons == TEST_VERSIONS and read.pins.node_ami_release == "1.33.5-20261101"
    path, changes = write_pins(tmp_path, [read])
    assert path == tmp_path / PINS_FILE
    assert "1.33 vpc-cni: (not pinned) -> v1.0.0-eksbuild.1" in changes
    text = path.read_text()
    table = load_pins(tmp_path)
    assert table.for_version("1.33") == read.pins and table.for_version("1.33").unpinned() == []
    # Byte-stable: writing the same read again changes nothing.
    assert write_pins(tmp_path, [read])[1] == ["1.33: unchanged"] and path.read_text() == text
    eks_stub.assert_no_pending_responses()


def test_refresh_names_what_has_no_single_answer_and_keeps_the_rest(clients, tmp_path):
    eks, eks_stub, ssm, ssm_stub = clients
    stub_eks(eks_stub, ambiguous="kube-proxy")
    ssm_stub.add_client_error("get_parameter", service_error_code="ParameterNotFound", http_status_code=400,
                              expected_params={"Name": ami_release_parameter("1.33", "x86_64")})
    read = read_pins(eks, ssm, "1.33", "eu-west-1", TODAY)
    assert read.missing == ["kube-proxy: no single default version for Kubernetes 1.33",
                            f"node AMI release: no parameter {ami_release_parameter('1.33', 'x86_64')}"]
    assert "kube-proxy" not in read.pins.addons and read.pins.unpinned() == ["kube-proxy", "node AMI"]


@pytest.mark.parametrize(("text", "expected"), [
    ("kubernetes:\n  '1.33':\n    addons: {vpc-cni: v1.20}\n    read_at: 2026-11-30\n    source: s\n",
     "kubernetes.1.33.addons.vpc-cni: got 'v1.20', expected string should match pattern"),
    ("kubernetes:\n  '1.33':\n    addons: {cilium: v1.0.0-eksbuild.1}\n    read_at: 2026-11-30\n    source: s\n",
     "got 'cilium', expected one of the add-ons goldenpath installs"),
    ("kubernetes:\n  '1.33':\n    node_ami_release: latest\n    read_at: 2026-11-30\n    source: s\n",
     "kubernetes.1.33.node_ami_release: got 'latest'"),
    ("kubernetes:\n  '1.33':\n    addons: {}\n    source: s\n", "kubernetes.1.33.read_at: missing"),
])
def test_bad_pins_file_is_one_clear_error(tmp_path, text, expected):
    (tmp_path / PINS_FILE).write_text(text)
    with pytest.raises(ConfigError) as error:
        load_pins(tmp_path)
    message = str(error.value)
    assert message.startswith(str(tmp_path / PINS_FILE)) and expected in message, message


def cluster_stack(addon_versions: dict[str, str], release: str | None, instance_types: tuple[str, ...] = ("m6i.large",)) -> dict:
    stack = TerraformStack(Synth.app(), "pins")
    AwsProvider(stack, "aws", region="eu-west-1")
    Cluster(stack, "cluster", ClusterProps(
        target=AwsTarget(account_id="111111111111", region="eu-west-1"), naming=Naming("t"), kubernetes_version="1.33",
        subnet_ids=("s-1", "s-2"), admin_role_arns=("arn:aws:iam::111111111111:role/admin",),
        node_groups=(NodeGroupProps(name="general", instance_types=instance_types, min_size=1, desired_size=1, max_size=2),),
        addon_versions=addon_versions, node_ami_release=release))
    return json.loads(Synth.synth(stack))


@pytest.fixture(scope="module")
def pinned_and_default():
    return cluster_stack(TEST_VERSIONS, "1.33.5-20261101"), cluster_stack({}, None, ("m7g.large",))


def test_cluster_uses_pins_verbatim(pinned_and_default):
    pinned, _ = pinned_and_default
    addons = {a["addon_name"]: a["addon_version"] for a in pinned["resource"]["aws_eks_addon"].values()}
    assert addons == TEST_VERSIONS
    (group,) = pinned["resource"]["aws_eks_node_group"].values()
    assert group["release_version"] == "1.33.5-20261101" and group["ami_type"] == "AL2023_x86_64_STANDARD"
    assert "aws_eks_addon_version" not in pinned.get("data", {}) and "aws_ssm_parameter" not in pinned.get("data", {})


def test_without_pins_the_plan_reads_eks_defaults_for_the_version(pinned_and_default):
    _, default = pinned_and_default
    lookups = {d["addon_name"]: d for d in default["data"]["aws_eks_addon_version"].values()}
    assert set(lookups) == set(ADDON_NAMES)
    assert all(d["kubernetes_version"] == "1.33" and d["most_recent"] is False for d in lookups.values())
    assert all(a["addon_version"].startswith("${data.aws_eks_addon_version.") for a in default["resource"]["aws_eks_addon"].values())
    (parameter,) = default["data"]["aws_ssm_parameter"].values()
    assert parameter["name"] == "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/arm64/standard/recommended/release_version"
    (group,) = default["resource"]["aws_eks_node_group"].values()
    assert group["ami_type"] == "AL2023_ARM_64_STANDARD" and group["release_version"].startswith("${nonsensitive(data.aws_ssm_parameter.")


def test_a_node_group_mixing_architectures_is_refused():
    from goldenpath.errors import SynthError

    with pytest.raises(SynthError, match=r"node group 'general' instance types \['m6i.large', 'm7g.large'\] mix architectures"):
        cluster_stack({}, None, ("m6i.large", "m7g.large"))


def test_the_emulator_leaves_out_the_lookups_it_cannot_answer(pinned_and_default, tmp_path):
    _, default = pinned_and_default
    stack = tmp_path / "t-cluster"
    stack.mkdir()
    (stack / "cdk.tf.json").write_text(json.dumps(default))
    changes = [str(a) for a in adapt_stack(stack)]
    adapted = json.loads((stack / "cdk.tf.json").read_text())
    assert "aws_eks_addon_version" not in adapted.get("data", {}) and "aws_ssm_parameter" not in adapted.get("data", {})
    assert all("release_version" not in g for g in adapted["resource"]["aws_eks_node_group"].values())
    assert any("leaves out release_version (moto does not know EKS AMI releases)" in c for c in changes)


def test_validate_names_what_is_not_pinned(tmp_path, bundled_environments):
    dev = next(e for e in bundled_environments if e.name == "dev")
    (line,) = pin_lines([dev], tmp_path)
    assert line == ("versions: dev (Kubernetes 1.36): vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver, "
                    "node AMI follow EKS's default at plan time (not pinned in versions.yaml; "
                    "`goldenpath pins refresh --kubernetes-version 1.36` pins them)")
    (tmp_path / PINS_FILE).write_text("kubernetes:\n  '1.36':\n    addons: " + json.dumps(TEST_VERSIONS)
                                      + "\n    node_ami_release: 1.36.2-20261101\n    read_at: 2026-11-30\n    source: test\n")
    assert pin_lines([dev], tmp_path) == ["versions: dev (Kubernetes 1.36): add-ons and node AMI pinned (versions.yaml, read 2026-11-30)"]
