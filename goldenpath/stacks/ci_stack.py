"""`<env>-ci`: the roles this environment's pipelines use (goldenpath.ci_identities.roles), in its own account, with
what each may do (goldenpath.ci_identities.permissions). Deploy roles live with their team's tenants stack. No
dependency: it is applied first, by a person, and then keeps itself up to date through the apply role."""

from __future__ import annotations

from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.naming import Naming
from goldenpath.ci_identities import permissions
from goldenpath.ci_identities.roles import CiRole, platform_roles
from goldenpath.modules.ci import CiRoles, CiRolesProps, CiRoleSpec
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.preview_request import STATE_PREFIX as PREVIEWS_PREFIX
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.layout import stack_layout
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.catalog import Catalog
from goldenpath.state_prefixes import SANDBOXES_STATE_PREFIX as SANDBOXES_PREFIX
from goldenpath.tenancy.reserved import PREVIEW_PREFIX


def cluster_arn(environment: Environment) -> str:
    return f"arn:aws:eks:{environment.region}:{environment.account_id}:cluster/{cluster_name(Naming(environment.name))}"


def state_access(environment: Environment, others: list[Environment], prefix: str) -> permissions.StateAccess:
    """``prefix`` of the environment's state bucket, every other owner's prefix there denied."""
    shared = [f"{e.name}/" for e in others if e.state_bucket == environment.state_bucket and e.name != environment.name]
    owners = [f"{environment.name}/", f"{PREVIEWS_PREFIX}/", f"{SANDBOXES_PREFIX}/", *shared]
    return permissions.StateAccess(environment.state_bucket, prefix, environment.state.kms_key,
                                   tuple(sorted(p for p in owners if p != prefix)))


def _spec(role: CiRole, environment: Environment, others: list[Environment], services: list[str]) -> CiRoleSpec:
    own = state_access(environment, others, f"{environment.name}/")
    if role.kind in ("plan", "drift"):
        return CiRoleSpec(role.kind, role.name, role.subjects, (permissions.READ_ONLY,), permissions.read_only_document(own))
    if role.kind == "apply":
        return CiRoleSpec(role.kind, role.name, role.subjects, (), permissions.apply_document(services, own))
    previews = state_access(environment, others, f"{PREVIEWS_PREFIX}/")
    return CiRoleSpec(role.kind, role.name, role.subjects, (),
                      permissions.preview_document(previews, cluster_arn(environment), PREVIEW_PREFIX))


class CiStack(GoldenpathStack):
    def __init__(self, scope: Construct, environment: Environment, catalog: Catalog, resource_types: set[str],
                 others: list[Environment], emulator: EmulatorEndpoint | None = None):
        """``resource_types``: every Terraform type the environment's other stacks use (the apply role's services);
        ``others``: the environments of the app (their state prefixes in a shared bucket are denied)."""
        super().__init__(scope, environment, stack_layout(environment, "ci"), emulator)
        if environment.ci is None:
            raise ValueError(f"{environment.name}: no ci section")
        services = permissions.services_of(resource_types, tuple(environment.ci.apply_actions),
                                           f"{environment.source_file}: ci.apply_actions")
        provider = None if environment.ci.oidc_provider == "create" else environment.ci.oidc_provider
        self.roles = CiRoles(self, "ci", CiRolesProps(
            roles=tuple(_spec(r, environment, others, services) for r in platform_roles(environment, catalog)),
            account_id=environment.account_id, provider_arn=provider))
