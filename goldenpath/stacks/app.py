"""Build the CDK Terrain app: every environment's stacks, with their dependencies declared."""

from __future__ import annotations

from pathlib import Path

from cdktn import App, TerraformDataSource, TerraformResource

from goldenpath.config.model import Environment
from goldenpath.ci_identities.roles import deploy_roles, platform_roles
from goldenpath.extensions import Extensions, load_extensions
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.observability import ObservabilityStack, ObservabilityStackProps
from goldenpath.observability.runbooks import DEFAULT_RUNBOOK_DIR, check_runbooks_exist
from goldenpath.pins.table import VersionPins, load_pins
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.ci_stack import CiStack
from goldenpath.stacks.cluster_stack import ClusterStack
from goldenpath.stacks.network_stack import NetworkStack
from goldenpath.stacks.observability_stack import ObservabilityAwsStack
from goldenpath.stacks.platform_stack import PlatformStack
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.stacks.tenants_stack import TEAM_STACK_TYPES, TeamTenantsStack, TenantsStack
from goldenpath.tenancy.catalog import Catalog, catalog_for
from goldenpath.tenancy.slos import catalog_slos

# Tell the engine which Terraform/OpenTofu releases the output targets (cdktf.json says the same).
TARGET_VERSIONS = {"terraform": ">=1.11.0", "opentofu": ">=1.11.0"}


def new_app(outdir: Path | str | None = None) -> App:
    context = {"targetVersions": TARGET_VERSIONS}
    return App(outdir=str(outdir), context=context) if outdir else App(context=context)


def resource_types(stacks: list[GoldenpathStack]) -> set[str]:
    """Every Terraform type the stacks declare, data sources as ``data.<type>`` (what their CI apply role manages,
    and what it only reads)."""
    found = set()
    for stack in stacks:
        for construct in stack.node.find_all():
            if isinstance(construct, TerraformResource):
                found.add(construct.terraform_resource_type)
            elif isinstance(construct, TerraformDataSource):
                found.add(f"data.{construct.terraform_resource_type}")
    return found


def add_environment(app: App, environment: Environment, emulator: EmulatorEndpoint | None = None,
                    project_root: Path = Path("."), extensions: Extensions | None = None,
                    catalog: Catalog | None = None, pins: VersionPins | None = None,
                    others: list[Environment] | None = None, teams: frozenset[str] | None = None) -> list[GoldenpathStack]:
    """``project_root`` holds environments/, teams/ and docs/runbooks/ (runbook files must exist there);
    ``extensions`` default to those in ``<project_root>/platform_extensions.py``, ``catalog`` to
    the service catalog in ``<project_root>/teams``, ``pins`` to ``<project_root>/versions.yaml``; ``others``:
    every environment of the app (a CI role is denied the state prefixes of those sharing its bucket); ``teams``:
    only these teams' tenants stacks (a pull request's synth of what its inputs can change; default: every team)."""
    extensions = load_extensions(project_root) if extensions is None else extensions
    catalog = catalog_for(project_root, [environment]) if catalog is None else catalog
    pins = load_pins(project_root) if pins is None else pins
    placements = catalog.placements(environment.name)
    # Service SLO alerts honour the same contract: runbook files exist (team routes and budgets: catalog).
    check_runbooks_exist([a for slo in catalog_slos(catalog, environment.name) for a in slo.alerts()],
                         project_root / DEFAULT_RUNBOOK_DIR)
    # The module validates its alerts, runbooks, noise budget and chart pins before any stack exists.
    observability_module = ObservabilityStack(
        ObservabilityStackProps(environment=environment, cluster_name=cluster_name(Naming(environment.name)),
                                runbook_dir=project_root / DEFAULT_RUNBOOK_DIR,
                                slos=extensions.all_slos(), alerts=extensions.all_alerts(),
                                extra_dashboards=extensions.dashboards, helm_values=extensions.helm_values)
    )
    network = NetworkStack(app, environment, emulator)
    ci_roles = platform_roles(environment, catalog)
    cluster = ClusterStack(app, environment, emulator, pins.for_version(environment.cluster.kubernetes_version), ci_roles)
    cluster.add_dependency(network)
    observability = ObservabilityAwsStack(app, environment, observability_module, emulator)
    observability.add_dependency(cluster)
    platform = PlatformStack(app, environment, observability_module, emulator)
    platform.add_dependency(observability)
    tenants = TenantsStack(app, environment, placements, emulator)
    stacks: list[GoldenpathStack] = [network, cluster, observability, platform, tenants]
    # The team stacks' types are declared, not collected: the CI stack is the same whichever teams are built.
    types = resource_types(stacks) | (set(TEAM_STACK_TYPES) if placements else set())
    team_stacks = []
    for team in sorted({p.team.name for p in placements}):
        if teams is not None and team not in teams:
            continue
        team_stack = TeamTenantsStack(app, environment, team, [p for p in placements if p.team.name == team], emulator,
                                      deploy_roles(environment, catalog, team))
        team_stack.add_dependency(platform)  # the ingress namespace and the PrometheusRule CRD come first
        team_stack.add_dependency(tenants)  # the shared key of the tenants' buckets
        team_stacks.append(team_stack)
    stacks += team_stacks
    if environment.ci is not None:
        ci = CiStack(app, environment, catalog, types, others or [environment], emulator)
        cluster.add_dependency(ci)  # the cluster's access entries name the CI roles, which must exist first
        for team_stack in team_stacks:
            team_stack.add_dependency(ci)  # deploy roles trust the OIDC provider it creates
        stacks.insert(0, ci)
    return stacks


def build_app(environments: list[Environment], outdir: Path | str | None = None,
              emulator: EmulatorEndpoint | None = None, project_root: Path = Path("."),
              extensions: Extensions | None = None, catalog: Catalog | None = None,
              teams: frozenset[str] | None = None) -> App:
    app = new_app(outdir)
    extensions = load_extensions(project_root) if extensions is None else extensions
    catalog = catalog_for(project_root, environments) if catalog is None else catalog
    pins = load_pins(project_root)
    for environment in environments:
        add_environment(app, environment, emulator, project_root, extensions, catalog, pins, environments, teams)
    return app
