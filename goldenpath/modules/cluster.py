"""The EKS cluster module: a private, audited, encrypted cluster with managed nodes and add-ons."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

from cdktn import Fn, TerraformResourceLifecycle, Token
from cdktn_provider_aws.data_aws_eks_addon_version import DataAwsEksAddonVersion
from cdktn_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktn_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktn_provider_aws.eks_access_entry import EksAccessEntry
from cdktn_provider_aws.eks_access_policy_association import (
    EksAccessPolicyAssociation,
    EksAccessPolicyAssociationAccessScope,
)
from cdktn_provider_aws.eks_addon import EksAddon, EksAddonPodIdentityAssociation
from cdktn_provider_aws.eks_cluster import (
    EksCluster,
    EksClusterAccessConfig,
    EksClusterEncryptionConfig,
    EksClusterEncryptionConfigProvider,
    EksClusterKubernetesNetworkConfig,
    EksClusterUpgradePolicy,
    EksClusterVpcConfig,
)
from cdktn_provider_aws.eks_node_group import (
    EksNodeGroup,
    EksNodeGroupLaunchTemplate,
    EksNodeGroupScalingConfig,
    EksNodeGroupTimeouts,
    EksNodeGroupUpdateConfig,
)
from cdktn_provider_aws.eks_pod_identity_association import EksPodIdentityAssociation
from cdktn_provider_aws.launch_template import (
    LaunchTemplate,
    LaunchTemplateBlockDeviceMappings,
    LaunchTemplateBlockDeviceMappingsEbs,
    LaunchTemplateMetadataOptions,
    LaunchTemplateTagSpecifications,
)
from constructs import Construct

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.iam import PodIdentityTrust, WorkloadRole, WorkloadRoleProps, service_trust
from goldenpath.constructs.instance_types import group_architecture
from goldenpath.node_updates import NODE_UPDATE_MAX_UNAVAILABLE_PERCENT, node_update_minutes
from goldenpath.modules.eks_releases import ADDONS_AFTER_NODES, ADDONS_BEFORE_NODES, AMI_TYPES, ami_release_parameter
from goldenpath.constructs.kms import KmsKey, KmsKeyProps
from goldenpath.constructs.naming import Naming, NameKind
from goldenpath.errors import SynthError

CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")

# The EBS CSI add-on's controller service account (the name the add-on's pod identity association uses).
EBS_CSI_NAMESPACE, EBS_CSI_SERVICE_ACCOUNT = "kube-system", "ebs-csi-controller-sa"
# vpc-cni's pods run as kube-system/aws-node and take AmazonEKS_CNI_Policy through their own Pod Identity
# role, not the node role every hostNetwork pod can use (EKS user guide, awsdocs/amazon-eks-user-guide
# latest/ug/networking/cni-iam-role.adoc @ 5f7dd03 and latest/ug/security/iam-reference/create-node-role.adoc
# @ c88259a: nodes need AmazonEKSWorkerNodePolicy and AmazonEC2ContainerRegistryPullOnly; "we recommend
# removing [AmazonEKS_CNI_Policy] and attaching it to an IAM role that is mapped to the aws-node service
# account"; latest/ug/workloads/add-ons-iam.adoc @ 2ef9e38: the VPC CNI add-on supports Pod Identity from
# v1.15.5-eksbuild.1, and an add-on's pod identity association is created with it and owned by it).
VPC_CNI_SERVICE_ACCOUNT = "aws-node"
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")
# vpc-cni enforces Kubernetes NetworkPolicies only when asked to: without this every default-deny policy
# (tenants, previews) is inert. Facts: the EKS user guide, awsdocs/amazon-eks-user-guide
# latest/ug/networking/cni-network-policy-configure.adoc @ d9a9cba ("Enter the JSON key
# "enableNetworkPolicy": and value "true" in Configuration values", add-on v1.14.0-eksbuild.3 or later);
# aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/values.yaml @ v1.23.0 declares `enableNetworkPolicy: "false"`
# (a string) and templates/daemonset.yaml passes it as `--enable-network-policy=` to the policy agent.
# Strict mode: a new pod starts denied until its policies are programmed (standard mode starts it allowed,
# a window pull-request code would get on every start). Facts: aws/amazon-vpc-cni-k8s README.md @ v1.23.0
# ("NETWORK_POLICY_ENFORCING_MODE (v1.17.1+)": standard or strict; "In Strict Mode, you must have a network
# policy defined for every pod in your cluster. Host Networking pods are exempted"), and the chart's values
# (the add-on's configuration follows them) carry it under `env` with default "standard". Every namespace
# goldenpath creates has a namespace-wide policy; kube-system gets one in the platform stack
# (goldenpath.modules.system_policies).
NETWORK_POLICY_MODE = "strict"
ADDON_CONFIGURATION: dict[str, dict[str, object]] = {
    "vpc-cni": {"enableNetworkPolicy": "true", "env": {"NETWORK_POLICY_ENFORCING_MODE": NETWORK_POLICY_MODE}}}

CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"


@dataclass(frozen=True)
class NodeGroupProps:
    """One managed node group."""

    name: str
    instance_types: tuple[str, ...]
    min_size: int
    desired_size: int
    max_size: int
    disk_size_gib: int = 50
    """Encrypted gp3 root volume size. Default: 50."""
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    """Default: ON_DEMAND."""
    labels: dict[str, str] = field(default_factory=dict)
    """Kubernetes node labels. Default: none."""


@dataclass(frozen=True)
class ClusterAccess:
    """An IAM role's access to the cluster's Kubernetes API: an access entry with at most one EKS access policy, for
    the whole cluster or for namespaces (wildcards allowed: "dev-*", EKS user guide, access-policies), and optionally
    Kubernetes groups that RBAC objects bind (for what no access policy covers, or instead of one)."""

    role_arn: str
    policy: str | None
    """An EKS access policy name, e.g. AmazonEKSAdminViewPolicy; None: only what RBAC grants its groups."""
    namespaces: tuple[str, ...] = ()
    """Default: none, the whole cluster."""
    kubernetes_groups: tuple[str, ...] = ()
    """Default: none."""
    username: str | None = None
    """The Kubernetes user its sessions act as; may end in ``{{SessionName}}`` after a colon (EKS user guide,
    "Create access entries"). Default: EKS's, ``arn:aws:sts::<account>:assumed-role/<role>/{{SessionName}}``."""


@dataclass(frozen=True)
class ClusterProps:
    """Props of :class:`Cluster`."""

    target: AwsTarget
    naming: Naming
    kubernetes_version: str
    subnet_ids: Sequence[str]
    """Private subnets for the control plane's network interfaces and the nodes."""
    node_groups: tuple[NodeGroupProps, ...]
    admin_role_arns: tuple[str, ...]
    """IAM roles granted cluster admin through access entries; the creator gets no implicit admin."""
    public_access_cidrs: tuple[str, ...] = ()
    """Allow-list for a public API endpoint. Default: none, the endpoint is private only."""
    production: bool = False
    """Refuse an open (0.0.0.0/0) public endpoint. Default: false."""
    log_retention_days: int = 90
    """Control-plane log retention. Default: 90."""
    service_cidr: str = "172.20.0.0/16"
    """Kubernetes service CIDR. Default: 172.20.0.0/16."""
    secrets_key: KmsKey | None = None
    """Key for envelope encryption of Kubernetes secrets. Default: a new KmsKey with rotation."""
    addon_versions: Mapping[str, str] = field(default_factory=dict)
    """Pinned add-on versions (``goldenpath.pins``). Default: each add-on at EKS's default version for
    ``kubernetes_version``, read at plan time (``aws_eks_addon_version``), so a change shows in the plan."""
    node_ami_release: str | None = None
    """Pinned AL2023 AMI release of every node group. Default: the release EKS recommends for
    ``kubernetes_version``, read at plan time from its public SSM parameter."""
    access: tuple[ClusterAccess, ...] = ()
    """More roles' access, besides the admins' (the CI roles'). Default: none."""
    support_type: str = "EXTENDED"
    """EKS ``upgrade_policy.support_type``, always set: ``EXTENDED`` keeps the version past standard support
    (billed extra), ``STANDARD`` lets EKS upgrade the control plane itself. Default: EXTENDED (no unplanned upgrade)."""
    force_node_updates: bool = True
    """Let a node update delete the pods EKS could not drain within its 15 minutes (``force_update_version``), so
    no PodDisruptionBudget, a tenant's or a preview chart's, can stop node AMI and Kubernetes version updates.
    Default: true. False makes such a budget fail the update (PodEvictionFailure) until someone removes it."""


def cluster_name(naming: Naming) -> str:
    """The EKS cluster's name; other stacks find the cluster by it (never through secrets)."""
    return naming.name("cluster", kind=NameKind.EKS_CLUSTER)


class Cluster(Construct):
    """EKS with private endpoint, all control-plane logs, KMS-encrypted secrets, access entries,
    IMDSv2-only nodes with encrypted volumes, and managed add-ons in a safe order."""

    def __init__(self, scope: Construct, id_: str, props: ClusterProps):
        super().__init__(scope, id_)
        self._validate(id_, props)
        self._props = props
        self._ami_releases: dict[str, str] = {}
        target, naming = props.target, props.naming
        self.name = cluster_name(naming)

        self.secrets_key = props.secrets_key or KmsKey(
            self, "secrets-key", KmsKeyProps(target=target, naming=naming, purpose="eks-secrets")
        )
        self.logs_key = KmsKey(
            self, "logs-key", KmsKeyProps(target=target, naming=naming, purpose="eks-logs", logs_service=True)
        )
        # EKS writes to this fixed name; creating it first lets us set retention and encryption.
        log_group = CloudwatchLogGroup(
            self, "control-plane-logs", name=f"/aws/eks/{self.name}/cluster",
            retention_in_days=props.log_retention_days, kms_key_id=self.logs_key.arn,
        )
        cluster_role = WorkloadRole(
            self, "cluster-role",
            WorkloadRoleProps(
                naming=naming, name="cluster",
                trust=service_trust(target.service_principal("eks"), tag_session=True),
                managed_policy_arns=(target.managed_policy("AmazonEKSClusterPolicy"),),
            ),
        )
        public = bool(props.public_access_cidrs)
        self.cluster = EksCluster(
            self, "cluster",
            name=self.name,
            version=props.kubernetes_version,
            role_arn=cluster_role.arn,
            vpc_config=EksClusterVpcConfig(
                subnet_ids=list(props.subnet_ids),
                endpoint_private_access=True,
                endpoint_public_access=public,
                public_access_cidrs=list(props.public_access_cidrs) if public else None,
            ),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            encryption_config=EksClusterEncryptionConfig(
                provider=EksClusterEncryptionConfigProvider(key_arn=self.secrets_key.arn), resources=["secrets"]
            ),
            access_config=EksClusterAccessConfig(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
            ),
            kubernetes_network_config=EksClusterKubernetesNetworkConfig(service_ipv4_cidr=props.service_cidr),
            # Explicit: left unset, EKS applies its account default (EXTENDED) and the plan hides the choice.
            upgrade_policy=EksClusterUpgradePolicy(support_type=props.support_type),
            # The managed add-ons below replace the self-managed defaults.
            bootstrap_self_managed_addons=False,
            depends_on=[log_group, *cluster_role.attachments],
        )

        for arn in props.admin_role_arns:
            role_name = arn.rsplit("/", 1)[-1]
            entry = EksAccessEntry(self, f"admin-{role_name}", cluster_name=self.cluster.name, principal_arn=arn, type="STANDARD")
            EksAccessPolicyAssociation(
                self, f"admin-{role_name}-policy", cluster_name=self.cluster.name, principal_arn=arn,
                policy_arn=f"arn:{target.partition}:eks::aws:cluster-access-policy/{CLUSTER_ADMIN_POLICY}",
                access_scope=EksAccessPolicyAssociationAccessScope(type="cluster"),
                depends_on=[entry],
            )

        for grant in props.access:
            cluster_access(self, grant, self.cluster.name, target.partition)

        cni_role = WorkloadRole(
            self, "vpc-cni-role",
            WorkloadRoleProps(
                naming=naming, name="vpc-cni",
                trust=PodIdentityTrust(self.cluster.arn, "kube-system", VPC_CNI_SERVICE_ACCOUNT),
                managed_policy_arns=(target.managed_policy("AmazonEKS_CNI_Policy"),),
            ),
        )
        identities = {"vpc-cni": [EksAddonPodIdentityAssociation(role_arn=cni_role.arn, service_account=VPC_CNI_SERVICE_ACCOUNT)]}
        # the add-on's pods need the policy attached before they ask for credentials
        needs = {"vpc-cni": list(cni_role.attachments)}
        before_nodes = [self._addon(name, depends_on=needs.get(name), identities=identities.get(name))
                        for name in ADDONS_BEFORE_NODES]
        node_role = WorkloadRole(
            self, "node-role",
            WorkloadRoleProps(
                naming=naming, name="nodes",
                trust=service_trust(target.service_principal("ec2")),
                managed_policy_arns=tuple(target.managed_policy(p) for p in NODE_POLICIES),
            ),
        )
        self.node_role_arn = node_role.arn
        self.node_groups = [
            self._node_group(group, props, node_role, before_nodes) for group in props.node_groups
        ]

        ebs_role = WorkloadRole(
            self, "ebs-csi-role",
            WorkloadRoleProps(
                naming=naming, name="ebs-csi",
                trust=PodIdentityTrust(self.cluster.arn, EBS_CSI_NAMESPACE, EBS_CSI_SERVICE_ACCOUNT),
                managed_policy_arns=(target.managed_policy("service-role/AmazonEBSCSIDriverPolicy"),),
            ),
        )
        ebs_identity = EksPodIdentityAssociation(
            self, "ebs-csi-identity", cluster_name=self.cluster.name, namespace=EBS_CSI_NAMESPACE,
            service_account=EBS_CSI_SERVICE_ACCOUNT, role_arn=ebs_role.arn,
        )
        self.addons = before_nodes + [
            self._addon(name, depends_on=[*self.node_groups, *([ebs_identity] if name == "aws-ebs-csi-driver" else [])])
            for name in ADDONS_AFTER_NODES
        ]

    def _addon(self, name: str, depends_on: list | None = None,
               identities: list[EksAddonPodIdentityAssociation] | None = None) -> EksAddon:
        configuration = ADDON_CONFIGURATION.get(name)
        return EksAddon(
            self, f"addon-{name}", cluster_name=self.cluster.name, addon_name=name,
            addon_version=self._addon_version(name),
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="PRESERVE",
            configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
            pod_identity_association=identities,
            depends_on=depends_on,
        )

    def _addon_version(self, name: str) -> str:
        # Always an explicit version: without one the provider keeps whatever EKS installed at creation,
        # and a Kubernetes upgrade would leave the add-on behind, unseen.
        pinned = self._props.addon_versions.get(name)
        if pinned:
            return pinned
        return DataAwsEksAddonVersion(self, f"addon-{name}-default", addon_name=name,
                                      kubernetes_version=self._props.kubernetes_version, most_recent=False).version

    def _ami_release(self, arch: str) -> str:
        if self._props.node_ami_release:
            return self._props.node_ami_release
        if arch not in self._ami_releases:
            parameter = DataAwsSsmParameter(self, f"node-ami-release-{arch}",
                                            name=ami_release_parameter(self._props.kubernetes_version, arch))
            self._ami_releases[arch] = Fn.nonsensitive(parameter.value)
        return self._ami_releases[arch]

    def _node_group(self, group: NodeGroupProps, props: ClusterProps, role: WorkloadRole, addons: list) -> EksNodeGroup:
        naming = props.naming
        arch = group_architecture(group.instance_types) or "x86_64"  # mixed groups are refused in _validate
        tags = {"Name": naming.name("node", group.name)}
        template = LaunchTemplate(
            self, f"nodes-{group.name}-template",
            name=naming.name("nodes", group.name, kind=NameKind.LAUNCH_TEMPLATE),
            update_default_version=True,
            metadata_options=LaunchTemplateMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1,
            ),
            block_device_mappings=[
                LaunchTemplateBlockDeviceMappings(
                    device_name="/dev/xvda",
                    ebs=LaunchTemplateBlockDeviceMappingsEbs(
                        volume_size=group.disk_size_gib, volume_type="gp3", encrypted="true", delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                LaunchTemplateTagSpecifications(resource_type=kind, tags=tags) for kind in ("instance", "volume")
            ],
        )
        return EksNodeGroup(
            self, f"nodes-{group.name}",
            cluster_name=self.cluster.name,
            node_group_name=naming.name(group.name, kind=NameKind.EKS_NODE_GROUP),
            node_role_arn=role.arn,
            subnet_ids=list(props.subnet_ids),
            instance_types=list(group.instance_types),
            ami_type=AMI_TYPES[arch],
            release_version=self._ami_release(arch),
            capacity_type=group.capacity_type,
            labels=dict(group.labels) or None,
            scaling_config=EksNodeGroupScalingConfig(
                min_size=group.min_size, desired_size=group.desired_size, max_size=group.max_size
            ),
            update_config=EksNodeGroupUpdateConfig(max_unavailable_percentage=NODE_UPDATE_MAX_UNAVAILABLE_PERCENT),
            force_update_version=props.force_node_updates,
            timeouts=EksNodeGroupTimeouts(update=f"{node_update_minutes(group.max_size)}m"),
            launch_template=EksNodeGroupLaunchTemplate(id=template.id, version=Token.as_string(template.latest_version)),
            # The cluster autoscaler owns desired_size once the group exists.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["scaling_config[0].desired_size"]),
            depends_on=[*role.attachments, *addons],
        )

    @staticmethod
    def _validate(id_: str, props: ClusterProps) -> None:
        if props.support_type not in ("EXTENDED", "STANDARD"):
            raise SynthError(f"Cluster {id_!r}: support_type {props.support_type!r}, expected EXTENDED or STANDARD "
                             "(EKS upgrade_policy.support_type)")
        if not props.subnet_ids:
            raise SynthError(f"Cluster {id_!r}: subnet_ids is empty, expected the private subnets (at least 2 AZs)")
        if not props.node_groups:
            raise SynthError(f"Cluster {id_!r}: node_groups is empty, expected at least one managed node group")
        if not props.admin_role_arns:
            raise SynthError(
                f"Cluster {id_!r}: admin_role_arns is empty, expected at least one IAM role "
                "(the creator gets no implicit admin, so nobody could reach the cluster)"
            )
        for cidr in props.public_access_cidrs:
            if ipaddress.ip_network(cidr, strict=False).prefixlen == 0 and props.production:
                raise SynthError(
                    f"Cluster {id_!r}: public_access_cidrs contains {cidr!r}, "
                    "expected a narrow allow-list: an open public endpoint is never allowed in production"
                )
        names = [g.name for g in props.node_groups]
        for group in props.node_groups:
            if group_architecture(group.instance_types) is None:
                raise SynthError(f"Cluster {id_!r}: node group {group.name!r} instance types {list(group.instance_types)} "
                                 "mix architectures, expected all Graviton (arm64) or all x86_64: one AMI serves a group")
            if names.count(group.name) > 1:
                raise SynthError(f"Cluster {id_!r}: node group name {group.name!r} is used twice, expected unique names")
            if not group.min_size <= group.desired_size <= group.max_size:
                raise SynthError(
                    f"Cluster {id_!r}: node group {group.name!r} sizes min={group.min_size} desired={group.desired_size} "
                    f"max={group.max_size}, expected min <= desired <= max"
                )


def cluster_access(scope: Construct, grant: ClusterAccess, cluster: str, partition: str = "aws") -> EksAccessEntry:
    """The access entry and policy association of one ``ClusterAccess`` (construct ids from the role's name)."""
    role_name = grant.role_arn.rsplit("/", 1)[-1]
    entry = EksAccessEntry(scope, f"access-{role_name}", cluster_name=cluster, principal_arn=grant.role_arn, type="STANDARD",
                           kubernetes_groups=list(grant.kubernetes_groups) or None, user_name=grant.username)
    if grant.policy is None:
        return entry
    scope_ = (EksAccessPolicyAssociationAccessScope(type="namespace", namespaces=list(grant.namespaces)) if grant.namespaces
              else EksAccessPolicyAssociationAccessScope(type="cluster"))
    EksAccessPolicyAssociation(scope, f"access-{role_name}-policy", cluster_name=cluster, principal_arn=grant.role_arn,
                               policy_arn=f"arn:{partition}:eks::aws:cluster-access-policy/{grant.policy}",
                               access_scope=scope_, depends_on=[entry])
    return entry
