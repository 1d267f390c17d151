"""`<env>-cluster`: the EKS cluster, its node groups and add-ons, in the network stack's subnets."""

from __future__ import annotations

from cdktn import TerraformOutput
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.ci_identities.roles import CiRole
from goldenpath.modules.cluster import Cluster, ClusterAccess, ClusterProps, NodeGroupProps
from goldenpath.modules.preview_access import SESSION_USER_PREFIX, SESSIONS_GROUP
from goldenpath.pins.table import KubernetesPins
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.layout import stack_layout
from goldenpath.stacks.target import EmulatorEndpoint


PREVIEW_NAMESPACES = ("pr-*",)
PREVIEWS_GROUP = "goldenpath:previews"
"""Kubernetes group of the preview and reap roles: bound to creating and deleting ``pr-*`` namespaces only (the
platform stack's ClusterRole and admission policy)."""
PREVIEW_SESSION_USER = SESSION_USER_PREFIX + "{{SessionName}}"
"""The preview role's Kubernetes user: one per session, and each preview job names its session after the preview."""


def ci_cluster_access(roles: list[CiRole]) -> tuple[ClusterAccess, ...]:
    """What each CI role may do in the cluster: apply administers it, drift views it (Helm releases are Secrets),
    reap administers ``pr-*`` namespaces, a preview session only the namespace named after it (RBAC and admission of
    the platform stack: no access policy, which would reach every ``pr-*`` namespace); plan never reaches it (a pull
    request's code runs with that role)."""
    access = []
    for role in roles:
        if role.kind == "apply":
            access.append(ClusterAccess(role.arn, "AmazonEKSClusterAdminPolicy"))
        elif role.kind == "drift":
            access.append(ClusterAccess(role.arn, "AmazonEKSAdminViewPolicy"))
        elif role.kind == "reap":
            access.append(ClusterAccess(role.arn, "AmazonEKSAdminPolicy", PREVIEW_NAMESPACES, (PREVIEWS_GROUP,)))
        elif role.kind == "preview":
            access.append(ClusterAccess(role.arn, None, (), (PREVIEWS_GROUP, SESSIONS_GROUP), PREVIEW_SESSION_USER))
    return tuple(access)


class ClusterStack(GoldenpathStack):
    OUTPUTS = ("cluster_name", "cluster_arn", "cluster_endpoint", "oidc_issuer_url", "node_role_arn")

    def __init__(self, scope: Construct, environment: Environment, emulator: EmulatorEndpoint | None = None,
                 pins: KubernetesPins | None = None, ci_roles: list[CiRole] | None = None):
        """``pins``: the add-on versions and node AMI release for the environment's Kubernetes version
        (``versions.yaml``). Default: none, EKS's defaults read at plan time. ``ci_roles``: the environment's
        pipeline roles (goldenpath.ci_identities.roles.platform_roles). Default: none."""
        super().__init__(scope, environment, stack_layout(environment, "cluster"), emulator)
        network = self.remote_state("network", stack_layout(environment, "network"))
        spec = environment.cluster
        self.cluster = Cluster(
            self, "cluster",
            ClusterProps(
                target=self.target,
                naming=self.naming,
                kubernetes_version=spec.kubernetes_version,
                subnet_ids=network.get_list("private_subnet_ids"),
                node_groups=tuple(
                    NodeGroupProps(
                        name=g.name, instance_types=tuple(g.instance_types), min_size=g.min_size,
                        desired_size=g.desired_size, max_size=g.max_size, disk_size_gib=g.disk_size_gib,
                        capacity_type=g.capacity_type, labels=dict(g.labels),
                    )
                    for g in spec.node_groups
                ),
                admin_role_arns=tuple(spec.admin_role_arns),
                public_access_cidrs=tuple(spec.endpoint.public_access_cidrs) if spec.endpoint.public else (),
                production=environment.production,
                log_retention_days=environment.log_retention_days,
                service_cidr=spec.service_cidr,
                addon_versions=dict(pins.addons) if pins else {},
                node_ami_release=pins.node_ami_release if pins else None,
                access=ci_cluster_access(ci_roles or []),
                support_type=spec.support_type,
                force_node_updates=spec.node_updates_wait_for_disruption_budgets_reason is None,
            ),
        )
        eks = self.cluster.cluster
        TerraformOutput(self, "cluster_name", value=eks.name, description="EKS cluster name (in-cluster stacks look the cluster up by it)")
        TerraformOutput(self, "cluster_arn", value=eks.arn, description="EKS cluster ARN")
        TerraformOutput(self, "cluster_endpoint", value=eks.endpoint, description="Kubernetes API endpoint")
        TerraformOutput(self, "oidc_issuer_url", value=eks.identity.get(0).oidc.get(0).issuer, description="OIDC issuer (for IRSA)")
        TerraformOutput(self, "node_role_arn", value=self.cluster.node_role_arn, description="IAM role of the managed nodes")
