"""`goldenpath service scaffold TEAM NAME`: the service repository's workflows, small callers of the platform
repository's reusable workflows (`goldenpath ci render platform` writes those).

``deploy.yml`` deploys the service to each of its environments in order, each job in the service repository's
GitHub environment of that name (approvals live in its settings); ``preview.yml`` (a service that opted in to
previews) brings a preview up per pull request and down when it closes. The callers pass only inputs (service,
image tag): roles, limits and charts come from the platform repository's default branch. Their jobs present the
``job_workflow_ref`` claim only once the repository's OIDC subject template includes it (``subject_template_command``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from goldenpath.ci_identities.subjects import REUSABLE_TEMPLATE
from goldenpath.delivery.workflows import platform_of
from goldenpath.errors import GoldenpathError
from goldenpath.templating import workflow_templates, write_rendered
from goldenpath.tenancy.catalog import Catalog


@dataclass(frozen=True)
class ScaffoldSettings:
    team: str
    service: str
    branch: str = "main"
    """The service repository's branch whose pushes deploy. Default: main."""


def render_service_workflows(catalog: Catalog, settings: ScaffoldSettings) -> dict[str, str]:
    team = catalog.team(settings.team)
    service = next((s for s in team.services if s.name == settings.service), None)
    if service is None:
        known = ", ".join(s.name for s in team.services) or "none yet"
        raise GoldenpathError(f"{team.source_file}: service: got {settings.service!r}, expected one of {known}")
    if service.repository is None:
        raise GoldenpathError(f"{team.source_file}: service {service.name!r}: repository: missing, expected the "
                              "service's GitHub repository (owner/name): its deploy and preview roles trust that repository")
    if service.previews is None:
        raise GoldenpathError(f"{team.source_file}: service {service.name!r} names no chart; expected a previews block "
                              "(repository, chart, version, image_repository)")
    environments = {e.name: e for e in catalog.environments}
    missing = [e for e in service.environments if e not in environments]
    if missing:
        raise GoldenpathError(f"--env: {', '.join(missing)} not loaded; expected every environment of the service")
    without_ci = [e for e in service.environments if environments[e].ci is None]
    if without_ci:
        raise GoldenpathError(f"{environments[without_ci[0]].source_file}: ci: missing, expected a ci section (the "
                              f"platform repository) on every environment {service.name!r} deploys to")
    platform = platform_of([environments[e] for e in service.environments])
    context = {"team": team.name, "service": service.name, "branch": settings.branch, "platform": platform.repository,
               "default_branch": platform.default_branch, "stages": [{"environment": e} for e in service.environments]}
    templates = workflow_templates("goldenpath.scaffold")
    workflows = {"deploy.yml": templates.get_template("service-deploy.yml.j2").render(**context)}
    hosts = [p.environment.name for env in service.environments for p in catalog.placements(env)
             if p.service.name == service.name and p.team.name == team.name and p.previews]
    if hosts:
        workflows["preview.yml"] = templates.get_template("service-preview.yml.j2").render(**context, environment=hosts[0])
    return workflows


def subject_template_command(repository: str) -> str:
    """The `gh` command that makes the service repository's OIDC subjects name the reusable workflow a job runs
    (GitHub REST API: "Set the customization template for an OIDC subject claim for a repository")."""
    body = json.dumps({"use_default": False, "include_claim_keys": list(REUSABLE_TEMPLATE)})
    return f"gh api -X PUT repos/{repository}/actions/oidc/customization/sub --input - <<< '{body}'"


def write_service_workflows(catalog: Catalog, settings: ScaffoldSettings, directory: Path) -> list[Path]:
    return write_rendered(render_service_workflows(catalog, settings), directory)  # every check before anything is written
