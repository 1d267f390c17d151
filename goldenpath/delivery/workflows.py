"""The platform repository's GitHub Actions workflows (`goldenpath ci render platform`): thin, pinned callers of
typed `goldenpath ci` commands.

| file | runs | jobs and the role each assumes |
|---|---|---|
| goldenpath-plan.yml | pull requests to the default branch | affected (no cloud access); plan per environment (plan role); comment (none) |
| goldenpath-apply.yml | pushes to the default branch; manual with ``confirm`` | synth (none); check per environment (drift role); apply per environment (apply role) |
| goldenpath-drift.yml | nightly; manual | synth (none); drift per environment (drift role); issues (none) |
| goldenpath-preview-reap.yml | hourly; manual | reap per preview environment (reap role) |
| goldenpath-previews-<env>.yml | called by service repositories' pull requests | up, down (preview role) |
| goldenpath-deploy.yml | called by service repositories' deploy workflows | deploy (the service's deploy role) |

Conventions: no default token permissions (each job asks for what it uses, said why in a comment); no static keys
(OIDC); actions pinned by full commit SHA; goldenpath pinned to the version that rendered them and installed
before any credentials are loaded; event fields reach shell only through environment variables; saved plans
never leave the job that made them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from goldenpath._version import __version__
from goldenpath.config.model import Environment
from goldenpath.ci_identities.roles import github_environment, platform_roles, previews_workflow
from goldenpath.errors import GoldenpathError
from goldenpath.node_updates import apply_timeout_minutes
from goldenpath.templating import workflow_templates, write_rendered
from goldenpath.tenancy.catalog import Catalog

PINNED_PACKAGE = f"goldenpath=={__version__}"
"""What generated workflows install: the version that rendered them, never whatever is newest."""
TERRAFORM_VERSION = "1.11.4"
PYTHON_VERSION = "3.11"
# (action, commit, tag): pinned by full commit SHA, read from each action's repository; bump both together.
ACTIONS = {
    "checkout": ("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "setup_python": ("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "aws_credentials": ("aws-actions/configure-aws-credentials", "e3dd6a429d7300a6a4c196c26e071d42e0343502", "v4.0.2"),
    "upload_artifact": ("actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "download_artifact": ("actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    "setup_terraform": ("hashicorp/setup-terraform", "dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1"),
    "upload_sarif": ("github/codeql-action/upload-sarif", "8aad20d150bbac5944a9f9d289da16a4b0d87c1e", "v4.36.2"),
}
USES = {key: f"{name}@{sha} # {tag}" for key, (name, sha, tag) in ACTIONS.items()}


@dataclass(frozen=True)
class PlatformWorkflowSettings:
    package: str | None = None
    """What `pip install` installs. Default: the environments' ``ci.package``, else this goldenpath's version, pinned."""
    terraform_version: str = TERRAFORM_VERSION
    drift_cron: str = "23 3 * * *"
    """Default: nightly at 03:23 UTC."""
    reap_cron: str = "17 * * * *"
    """Default: hourly."""
    max_parallel: int = 20
    """Plan jobs running at once. Default: 20."""

    def check(self) -> None:
        for option, cron in (("--drift-cron", self.drift_cron), ("--reap-cron", self.reap_cron)):
            if len(cron.split()) != 5:
                raise GoldenpathError(f"{option}: got {cron!r}, expected five cron fields")


@dataclass(frozen=True)
class Platform:
    repository: str
    default_branch: str
    package: str | None


def platform_of(environments: list[Environment]) -> Platform:
    """The one platform repository every environment's ``ci`` section names."""
    with_ci = [e for e in environments if e.ci is not None]
    if not with_ci:
        raise GoldenpathError("ci: no environment file has a ci section; expected at least one (ci.repository: the "
                              "platform repository, owner/name) to generate its pipelines")
    first = with_ci[0]
    for other in with_ci[1:]:
        for field in ("repository", "default_branch", "package"):
            if getattr(other.ci, field) != getattr(first.ci, field):
                raise GoldenpathError(f"{other.source_file}: ci.{field}: got {getattr(other.ci, field)!r}, expected "
                                      f"{getattr(first.ci, field)!r} as in {first.source_file} (one platform repository)")
    assert first.ci is not None
    return Platform(first.ci.repository, first.ci.default_branch, first.ci.package)


def _roles(environment: Environment, catalog: Catalog) -> dict[str, str]:
    return {role.kind: role.arn for role in platform_roles(environment, catalog)}


def _context(environments: list[Environment], catalog: Catalog, settings: PlatformWorkflowSettings) -> dict:
    platform = platform_of(environments)
    with_ci = [e for e in environments if e.ci is not None]
    ordered = [*(e for e in with_ci if not e.production), *(e for e in with_ci if e.production)]
    earlier = [e.name for e in with_ci if not e.production]
    rows = []
    for env in ordered:
        roles = _roles(env, catalog)
        after = [f"apply-{name}" for name in earlier] if env.production else []
        rows.append({"name": env.name, "region": env.region, "apply_role": roles["apply"], "drift_role": roles["drift"],
                     "drift_environment": github_environment("drift", env.name), "after": after,
                     "needs": f"[{', '.join([f'check-{env.name}', *after])}]",
                     "reap_role": roles.get("reap"), "preview_role": roles.get("preview"),
                     "reap_environment": github_environment("reap", env.name),
                     "apply_timeout": apply_timeout_minutes(env)})
    return {"platform": platform.repository, "default_branch": platform.default_branch, "uses": USES,
            "package": settings.package or platform.package or PINNED_PACKAGE, "terraform_version": settings.terraform_version,
            "python_version": PYTHON_VERSION, "drift_cron": settings.drift_cron, "reap_cron": settings.reap_cron,
            "max_parallel": settings.max_parallel, "environments": rows,
            "preview_environments": [r for r in rows if r["reap_role"]]}


def render_platform_workflows(environments: list[Environment], catalog: Catalog,
                              settings: PlatformWorkflowSettings = PlatformWorkflowSettings()) -> dict[str, str]:
    settings.check()
    context = _context(environments, catalog, settings)
    templates = workflow_templates("goldenpath.delivery")
    names = ["goldenpath-plan.yml", "goldenpath-apply.yml", "goldenpath-drift.yml", "goldenpath-deploy.yml"]
    files = {name: templates.get_template(f"{name}.j2").render(**context) for name in names}
    if context["preview_environments"]:
        files["goldenpath-preview-reap.yml"] = templates.get_template("goldenpath-preview-reap.yml.j2").render(**context)
    for env in context["preview_environments"]:
        if env["preview_role"]:  # an environment hosting previews of at least one service with a repository
            files[previews_workflow(env["name"])] = templates.get_template("goldenpath-previews.yml.j2").render(**context, env=env)
    return dict(sorted(files.items()))


def write_platform_workflows(environments: list[Environment], catalog: Catalog, directory: Path,
                             settings: PlatformWorkflowSettings = PlatformWorkflowSettings()) -> list[Path]:
    return write_rendered(render_platform_workflows(environments, catalog, settings), directory)  # all checks first
