"""`goldenpath service scaffold TEAM NAME`: the service repository's workflows.

``deploy.yml`` deploys the service's pinned chart to each of its environments in order (each a
GitHub environment, so approvals live in repository settings), into its tenant namespace with its
service account, and records a DORA deployment event after each deploy (see
``goldenpath.observability.dora_events``). A service that opted in to previews also gets the
preview workflows. Same conventions as the preview workflows: OIDC role, no default token
permissions, actions pinned by commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from goldenpath.templating import package_templates, write_rendered

from goldenpath.config.model import PreviewService
from goldenpath.constructs.naming import Naming
from goldenpath.errors import GoldenpathError
from goldenpath.modules.cluster import cluster_name
from goldenpath.previews.workflows import (AWS_CREDENTIALS, CHECKOUT, PINNED_PACKAGE, WorkflowSettings, check_role_arn,
                                           render_workflows)
from goldenpath.tenancy.catalog import Catalog, namespace_name



@dataclass(frozen=True)
class ScaffoldSettings:
    team: str
    service: str
    role_arn: str
    """IAM role the workflows assume through GitHub's OIDC provider (it needs an EKS access entry)."""
    chart: PreviewService | None = None
    """The chart to deploy. Default: the service's previews block."""
    package: str = PINNED_PACKAGE


def render_service_workflows(catalog: Catalog, settings: ScaffoldSettings) -> dict[str, str]:
    team = catalog.team(settings.team)
    service = next((s for s in team.services if s.name == settings.service), None)
    if service is None:
        known = ", ".join(s.name for s in team.services) or "none yet"
        raise GoldenpathError(f"{team.source_file}: service: got {settings.service!r}, expected one of {known}")
    chart = settings.chart or service.previews
    if chart is None:
        raise GoldenpathError(f"{team.source_file}: service {service.name!r} names no chart; expected a previews block "
                              "(repository, chart, version, image_repository) or --chart options")
    check_role_arn(settings.role_arn)
    environments = {e.name: e for e in catalog.environments}
    missing = [e for e in service.environments if e not in environments]
    if missing:
        raise GoldenpathError(f"--environments: {', '.join(missing)} not loaded; expected every environment of the service")
    stages = [{"environment": name, "region": environments[name].region, "cluster": cluster_name(Naming(name))}
              for name in service.environments]
    workflows = {"deploy.yml": package_templates("goldenpath.scaffold").get_template("deploy.yml.j2").render(
        team=team.name, service=service.name, namespace=namespace_name(team.name, service.name), service_account=service.name,
        stages=stages, role_arn=settings.role_arn, package=settings.package, repository=chart.repository,
        chart=chart.chart, version=chart.version, image_repository=chart.image_repository,
        checkout_sha=CHECKOUT[0], checkout_version=CHECKOUT[1],
        aws_credentials_sha=AWS_CREDENTIALS[0], aws_credentials_version=AWS_CREDENTIALS[1],
    )}
    hosts = [p for env in service.environments for p in catalog.placements(env)
             if p.service.name == service.name and p.team.name == team.name and p.previews]
    if hosts:
        host = hosts[0].environment
        workflows.update(render_workflows(WorkflowSettings(host.name, service.name, settings.role_arn, host.region,
                                                           package=settings.package)))
    return workflows


def write_service_workflows(catalog: Catalog, settings: ScaffoldSettings, directory: Path) -> list[Path]:
    return write_rendered(render_service_workflows(catalog, settings), directory)  # every check before anything is written
