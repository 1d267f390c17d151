"""The Cluster module's secure defaults and ordering, on synthesized Terraform."""

from __future__ import annotations

import json

import pytest
from cdktn import TerraformStack
from cdktn import Testing as Synth  # aliased: pytest would try to collect a class named Test*
from cdktn_provider_aws.eks_addon import EksAddon
from cdktn_provider_aws.eks_cluster import EksCluster
from cdktn_provider_aws.eks_node_group import EksNodeGroup
from cdktn_provider_aws.launch_template import LaunchTemplate
from cdktn_provider_aws.provider import AwsProvider

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.naming import Naming
from goldenpath.errors import SynthError
from goldenpath.node_updates import (
    NODE_DRAIN_MINUTES,
    NODE_REPLACE_MINUTES,
    NODE_SCALE_UP_MINUTES,
    NODE_UPDATE_MAX_UNAVAILABLE_PERCENT,
    node_update_minutes,
)
from goldenpath.modules.cluster import (
    ADDONS_AFTER_NODES,
    ADDONS_BEFORE_NODES,
    CONTROL_PLANE_LOG_TYPES,
    Cluster,
    ClusterProps,
    NodeGroupProps,
)

TARGET = AwsTarget(account_id="111111111111", region="eu-west-1")
GROUP = NodeGroupProps(name="general", instance_types=("m6i.large",), min_size=1, desired_size=2, max_size=3)
BASE = dict(
    target=TARGET, naming=Naming("test"), kubernetes_version="1.33", subnet_ids=("subnet-a", "subnet-b"),
    node_groups=(GROUP,), admin_role_arns=("arn:aws:iam::111111111111:role/admin",),
)


def synth_cluster(**overrides) -> dict:
    stack = TerraformStack(Synth.app(), "cluster")
    AwsProvider(stack, "aws", region=TARGET.region)
    Cluster(stack, "cluster", ClusterProps(**{**BASE, **overrides}))
    return json.loads(Synth.synth(stack))


@pytest.fixture(scope="module")
def private() -> dict:
    return synth_cluster()


@pytest.fixture(scope="module")
def public() -> dict:
    return synth_cluster(public_access_cidrs=("203.0.113.0/24",))


def only(document: dict, rtype: str) -> dict:
    (resource,) = document["resource"][rtype].values()
    return resource


def test_the_support_type_is_always_explicit(private):
    # Unset, EKS applies the account's default and the plan hides what happens after standard support.
    assert Synth.to_have_resource_with_properties(json.dumps(private), EksCluster.TF_RESOURCE_TYPE, {
        "version": "1.33", "upgrade_policy": {"support_type": "EXTENDED"}})
    assert only(synth_cluster(support_type="STANDARD"), EksCluster.TF_RESOURCE_TYPE)["upgrade_policy"] == {"support_type": "STANDARD"}


def test_endpoint_is_private_by_default(private):
    vpc = only(private, EksCluster.TF_RESOURCE_TYPE)["vpc_config"]
    assert vpc["endpoint_private_access"] is True and vpc["endpoint_public_access"] is False
    assert "public_access_cidrs" not in vpc


def test_public_endpoint_only_with_allow_list(public):
    vpc = only(public, EksCluster.TF_RESOURCE_TYPE)["vpc_config"]
    assert vpc["endpoint_public_access"] is True and vpc["public_access_cidrs"] == ["203.0.113.0/24"]


def test_control_plane_logs_secrets_encryption_and_access_entries(private):
    assert Synth.to_have_resource_with_properties(json.dumps(private), EksCluster.TF_RESOURCE_TYPE, {
        "enabled_cluster_log_types": list(CONTROL_PLANE_LOG_TYPES),
        "access_config": {"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
        "encryption_config": {"resources": ["secrets"]},
        "bootstrap_self_managed_addons": False,
    })
    cluster = only(private, EksCluster.TF_RESOURCE_TYPE)
    assert "aws_kms_key" in cluster["encryption_config"]["provider"]["key_arn"]
    assert any(d.startswith("aws_cloudwatch_log_group.") for d in cluster["depends_on"])
    log_group = only(private, "aws_cloudwatch_log_group")
    assert log_group["name"] == "/aws/eks/test-cluster/cluster" and log_group["retention_in_days"] == 90
    policy = only(private, "aws_eks_access_policy_association")
    assert policy["policy_arn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert only(private, "aws_eks_access_entry")["principal_arn"] == "arn:aws:iam::111111111111:role/admin"


def test_nodes_require_imdsv2_hop_limit_one_and_encrypted_volumes(private):
    template = only(private, LaunchTemplate.TF_RESOURCE_TYPE)
    assert template["metadata_options"] == {"http_endpoint": "enabled", "http_put_response_hop_limit": 1, "http_tokens": "required"}
    assert template["block_device_mappings"][0]["ebs"]["encrypted"] == "true"
    group = only(private, EksNodeGroup.TF_RESOURCE_TYPE)
    assert group["scaling_config"] == {"desired_size": 2, "max_size": 3, "min_size": 1}
    assert "launch_template" in group and "remote_access" not in group


def test_no_disruption_budget_can_stop_a_node_update(private):
    # A tenant or a preview's chart may write PodDisruptionBudgets; one that admits no eviction would fail every
    # node AMI or version update (PodEvictionFailure) unless EKS may delete what its 15-minute drain leaves.
    group = only(private, EksNodeGroup.TF_RESOURCE_TYPE)
    assert group["force_update_version"] is True
    assert group["update_config"] == {"max_unavailable_percentage": NODE_UPDATE_MAX_UNAVAILABLE_PERCENT}
    # 3 nodes at 33%: one per batch, each batch may take EKS's whole drain; terraform waits for all of them.
    assert group["timeouts"] == {"update": f"{node_update_minutes(3)}m"}
    assert node_update_minutes(3) > max(3 * NODE_DRAIN_MINUTES, 60)  # 60: the provider's default, too short


def test_waiting_for_disruption_budgets_is_an_explicit_choice(bundled_environments, tmp_path):
    from goldenpath.stacks.synth import synthesize
    from tests.conftest import REPO, stack_json

    dev = next(e for e in bundled_environments if e.name == "dev")
    reason = "quorum databases must never lose a member to an upgrade"
    waiting = dev.model_copy(update={"cluster": dev.cluster.model_copy(
        update={"node_updates_wait_for_disruption_budgets_reason": reason})})
    groups = stack_json(synthesize([waiting], tmp_path / "out", project_root=REPO), "dev-cluster")["resource"][
        EksNodeGroup.TF_RESOURCE_TYPE].values()
    assert [g["force_update_version"] for g in groups] == [False]


@pytest.mark.parametrize(("max_size", "batches"), [(1, 1), (3, 3), (4, 4), (6, 6), (7, 4), (9, 5), (12, 4), (100, 4)])
def test_node_update_time_counts_every_batch_at_its_full_drain(max_size, batches):
    # A batch is 33% of the nodes counted down (at least one); each may wait EKS's whole 15-minute drain.
    assert node_update_minutes(max_size) == NODE_SCALE_UP_MINUTES + batches * (NODE_DRAIN_MINUTES + NODE_REPLACE_MINUTES)


def test_addons_are_ordered_around_the_nodes(private):
    addons = private["resource"][EksAddon.TF_RESOURCE_TYPE]
    by_name = {a["addon_name"]: a for a in addons.values()}
    assert set(by_name) == {*ADDONS_BEFORE_NODES, *ADDONS_AFTER_NODES}
    group_depends = only(private, EksNodeGroup.TF_RESOURCE_TYPE)["depends_on"]
    for name in ADDONS_BEFORE_NODES:
        assert any(d.startswith("aws_eks_addon.") and name in d for d in group_depends), name
        # nothing but vpc-cni's own role policy comes before these add-ons
        assert all(d.startswith("aws_iam_role_policy_attachment.cluster_vpc-cni-role") for d in by_name[name].get("depends_on", [])), name
    for name in ADDONS_AFTER_NODES:
        assert any(d.startswith("aws_eks_node_group.") for d in by_name[name]["depends_on"]), name
    assert any(d.startswith("aws_eks_pod_identity_association.") for d in by_name["aws-ebs-csi-driver"]["depends_on"])


def test_vpc_cni_enforces_network_policies_and_the_ebs_role_trusts_only_its_service_account(private):
    import json

    addons = {a["addon_name"]: a for a in private["resource"][EksAddon.TF_RESOURCE_TYPE].values()}
    assert json.loads(addons["vpc-cni"]["configuration_values"]) == {
        "enableNetworkPolicy": "true", "env": {"NETWORK_POLICY_ENFORCING_MODE": "strict"}}
    # the CNI's permissions come through its own Pod Identity role, not the node role
    (association,) = addons["vpc-cni"]["pod_identity_association"]
    assert association["service_account"] == "aws-node" and "cluster_vpc-cni-role" in association["role_arn"]
    roles = private["resource"]["aws_iam_role"]
    (cni,) = [r for r in roles.values() if r["name"].endswith("-vpc-cni")]
    trust = json.loads(cni["assume_role_policy"])["Statement"][0]["Condition"]["StringEquals"]
    assert trust["aws:RequestTag/kubernetes-service-account"] == "aws-node"
    attachments = private["resource"]["aws_iam_role_policy_attachment"].values()
    by_role: dict[str, set[str]] = {}
    for a in attachments:
        by_role.setdefault(a["role"], set()).add(a["policy_arn"].rsplit("/", 1)[-1])
    node = next(p for role, p in by_role.items() if "node-role" in role)
    assert node == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"}  # no CNI policy on every node pod
    assert next(p for role, p in by_role.items() if "vpc-cni-role" in role) == {"AmazonEKS_CNI_Policy"}
    assert all("configuration_values" not in a for name, a in addons.items() if name != "vpc-cni")
    (ebs,) = [r for r in private["resource"]["aws_iam_role"].values() if r["name"].endswith("ebs-csi")]
    condition = json.loads(ebs["assume_role_policy"])["Statement"][0]["Condition"]["StringEquals"]
    assert condition["aws:RequestTag/kubernetes-namespace"] == "kube-system"
    assert condition["aws:RequestTag/kubernetes-service-account"] == "ebs-csi-controller-sa"
    assert condition["aws:RequestTag/eks-cluster-arn"].startswith("${aws_eks_cluster.") and ".arn}" in condition["aws:RequestTag/eks-cluster-arn"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"admin_role_arns": ()}, "admin_role_arns is empty"),
        ({"node_groups": ()}, "node_groups is empty"),
        ({"subnet_ids": ()}, "subnet_ids is empty"),
        ({"support_type": "NEVER"}, "support_type 'NEVER', expected EXTENDED or STANDARD"),
        ({"public_access_cidrs": ("0.0.0.0/0",), "production": True}, "an open public endpoint is never allowed in production"),
        ({"node_groups": (GROUP, GROUP)}, "node group name 'general' is used twice"),
        ({"node_groups": (NodeGroupProps(name="g", instance_types=("m6i.large",), min_size=3, desired_size=1, max_size=2),)},
         "sizes min=3 desired=1 max=2, expected min <= desired <= max"),
    ],
)
def test_cluster_refuses_bad_props(overrides, message):
    with pytest.raises(SynthError, match=message):
        synth_cluster(**overrides)
