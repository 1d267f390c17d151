"""The catalog's services on an environment's cluster: `<env>-tenants` holds what the teams share (the key of
the tenants' buckets), and one `<env>-tenants-<team>` per team holds that team's tenant namespaces (with their
AWS side when they have cloud access, their SLO rules and dashboards, and their CI deploy roles). Each has its own
state key, so onboarding a service changes only its team's stack, whatever the size of the catalog. kubernetes is
configured from the cluster looked up by name, like the platform stack."""

from __future__ import annotations

from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.github_oidc import GitHubOidcRole, GitHubOidcRoleProps
from goldenpath.ci_identities import permissions
from goldenpath.ci_identities.roles import CiRole, github_provider_arn
from goldenpath.constructs.kms import KmsKey, KmsKeyLookup, KmsKeyProps, key_alias
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import ClusterAccess, cluster_access, cluster_name
from goldenpath.modules.service_observability import ServiceObservability, ServiceObservabilityProps
from goldenpath.modules.tenant import TenantNamespace, TenantNamespaceProps
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.ci_stack import cluster_arn
from goldenpath.stacks.in_cluster import configure_in_cluster_providers
from goldenpath.stacks.layout import TEAM_COMPONENT, stack_layout
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.catalog import Placement, namespace_name
from goldenpath.tenancy.slos import service_slos
from goldenpath.tenancy.tenants import tenant_spec

KEY_PURPOSE = "tenants"
DEPLOYERS = "deployers"
"""The deploy role's RoleBindings in its namespace: ``deployers-edit`` and ``deployers-view``."""


def deployers_group(namespace: str) -> str:
    """The Kubernetes group of a service's deploy role (its access entry's group, bound in its namespace only)."""
    return f"goldenpath:deployers:{namespace}"


def needs_tenants_key(placements: list[Placement]) -> bool:
    return any(p.service.cloud is not None for p in placements)


TEAM_STACK_TYPES = (
    "aws_eks_access_entry", "aws_eks_access_policy_association", "aws_eks_pod_identity_association", "aws_iam_role",
    "aws_iam_role_policy", "aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning", "data.aws_eks_cluster", "data.aws_eks_cluster_auth", "data.aws_kms_alias",
)
"""Every AWS type a team's tenants stack can declare (the CI apply role gets their services whether or not a synth
builds every team's stack; a test holds every synthesized team stack to this list)."""


class TenantsStack(GoldenpathStack):
    """`<env>-tenants`: one key for every tenant bucket of the environment (a key per bucket costs $1/month each).
    Its construct ids are those of the single tenants stack before 0.7, so the key keeps its address."""

    def __init__(self, scope: Construct, environment: Environment, placements: list[Placement],
                 emulator: EmulatorEndpoint | None = None):
        super().__init__(scope, environment, stack_layout(environment, TEAM_COMPONENT), emulator)
        self.key = KmsKey(self, "tenants-key", KmsKeyProps(target=self.target, naming=self.naming, purpose=KEY_PURPOSE)) \
            if needs_tenants_key(placements) else None


class TeamTenantsStack(GoldenpathStack):
    """`<env>-tenants-<team>`: ``placements`` are the team's services on this cluster. Tenants keep the construct
    ids they had in the single tenants stack (their namespace), so `goldenpath migrate tenants` moves their state
    without changing an address."""

    def __init__(self, scope: Construct, environment: Environment, team: str, placements: list[Placement],
                 emulator: EmulatorEndpoint | None = None, deploy_roles: list[CiRole] | None = None):
        """``deploy_roles``: the team's services' CI deploy roles on this environment (goldenpath.ci_identities.roles).
        Default: none."""
        super().__init__(scope, environment, stack_layout(environment, TEAM_COMPONENT, team), emulator)
        cluster = cluster_name(Naming(environment.name))
        configure_in_cluster_providers(self, cluster)
        self.tenants: dict[str, TenantNamespace] = {}
        key = KmsKeyLookup(self, "tenants-key", alias=key_alias(self.naming, KEY_PURPOSE)) if needs_tenants_key(placements) else None
        for placement in placements:
            spec = tenant_spec(placement)
            tenant = TenantNamespace(self, placement.namespace, TenantNamespaceProps(
                spec=spec, cluster_name=cluster, target=self.target,
                naming=Naming(environment.name, placement.namespace), encryption_key=key))
            slos = service_slos(placement.team, placement.service, placement.namespace)
            if slos:
                ServiceObservability(tenant, "observability", ServiceObservabilityProps(
                    namespace=placement.namespace, slos=tuple(slos),
                    runbook_base_url=environment.observability.runbook_base_url, labels=spec.labels,
                ), depends_on=[tenant.namespace])
            self.tenants[placement.namespace] = tenant
        self.deploy_roles = [self._deploy_role(environment, role, cluster) for role in deploy_roles or []]

    def _deploy_role(self, environment: Environment, role: CiRole, cluster: str) -> GitHubOidcRole:
        """A service's deploy role: trusted only from its repository's deploy job in this environment, through the
        platform's reusable deploy workflow; in Kubernetes, what the namespace's owners hold (``goldenpath-tenant-edit``
        and ``view``), in its own namespace only. Not an EKS access policy: AmazonEKSEditPolicy writes NetworkPolicies
        and Events (``goldenpath.eks_access_policies``), so the service's chart could lift its own isolation."""
        namespace = namespace_name(role.team or "", role.service or "")
        tenant = self.tenants[namespace]
        deploy = GitHubOidcRole(tenant, "deploy", GitHubOidcRoleProps(
            name=role.name, subjects=role.subjects, provider_arn=github_provider_arn(environment), kind="deploy",
            inline_policy=permissions.deploy_document(cluster_arn(environment))))
        group = deployers_group(namespace)
        cluster_access(deploy, ClusterAccess(role.arn, None, kubernetes_groups=(group,)), cluster, self.target.partition)
        tenant.grant_edit(group, DEPLOYERS)
        return deploy
