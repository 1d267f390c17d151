"""Every role a pipeline job assumes, per environment, with the exact OIDC subjects it trusts (pure Python: the
stacks create them, the workflow renderer names them, the tests match one against the other).

| role | who assumes it | subject (exact) | may |
|---|---|---|---|
| plan | the plan job of a pull request of the platform repository, in GitHub environment ``goldenpath-plan-<env>`` | ``repo:P:environment:goldenpath-plan-<env>`` | read the environment (no data reads), its state |
| apply | the apply job after merge, in the GitHub environment named after the environment | ``repo:P:environment:<env>`` | change the environment's services, its state |
| drift | the nightly drift job, in GitHub environment ``goldenpath-drift-<env>`` | ``repo:P:environment:goldenpath-drift-<env>`` | like plan |
| reap | the hourly preview reaper, in GitHub environment ``goldenpath-reap-<env>`` | ``repo:P:environment:goldenpath-reap-<env>`` | destroy previews |
| preview | a service repository's pull request, only through the platform's reusable workflow ``goldenpath-previews-<env>.yml`` | ``repo:S:pull_request:job_workflow_ref:P/.github/workflows/goldenpath-previews-<env>.yml@refs/heads/<default>`` | its previews |
| deploy | a service repository's deploy job, in the GitHub environment named after the environment, only through the platform's reusable ``goldenpath-deploy.yml`` | ``repo:S:environment:<env>:job_workflow_ref:P/.github/workflows/goldenpath-deploy.yml@refs/heads/<default>`` | its namespace |

Every job gets its own subject, so exactly one role accepts it: the environment's name is in each (a pull request's
subject names no environment, so the plan job names a GitHub environment ``goldenpath-plan-<env>`` that has no
protection rule; it exists to tell one environment's plan role from another's). The environments that apply
(``<env>``) allow only the default branch (a deployment branch rule, set up once; see docs/delivery.md), so a pull
request cannot reach an apply or deploy role even with a workflow it wrote. No role trusts a pull request together
with an environment or a branch (GP_AWS_011), and apply and deploy roles trust environment subjects only (GP_AWS_012).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from goldenpath.config.model import Environment
from goldenpath.constructs.github_oidc import provider_arn_of
from goldenpath.constructs.naming import NameKind, Naming
from goldenpath.ci_identities.subjects import PULL_REQUEST, Repository, environment_context, subject, workflow_ref
from goldenpath.tenancy.catalog import Catalog

Kind = Literal["plan", "apply", "drift", "reap", "preview", "deploy"]
ROLE_TAG = "goldenpath:ci-role"
"""Tag naming a CI role's kind (the policy checks read it)."""
DEPLOY_WORKFLOW = "goldenpath-deploy.yml"


def github_environment(kind: Kind, environment: str) -> str:
    """The GitHub environment a platform job of ``kind`` runs in (apply: the environment's own name)."""
    return environment if kind == "apply" else f"goldenpath-{kind}-{environment}"


def previews_workflow(environment: str) -> str:
    """The platform repository's reusable preview workflow of a preview-hosting environment."""
    return f"goldenpath-previews-{environment}.yml"
PLATFORM_KINDS: tuple[Kind, ...] = ("plan", "apply", "drift", "reap", "preview")


@dataclass(frozen=True)
class CiRole:
    kind: Kind
    environment: str
    account_id: str
    name: str
    subjects: tuple[str, ...]
    team: str | None = None
    service: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{self.name}"


def platform_repository(environment: Environment) -> Repository:
    if environment.ci is None:
        raise ValueError(f"{environment.name} has no ci section")
    return Repository(environment.ci.repository, environment.ci.ids)


def github_provider_arn(environment: Environment) -> str:
    """GitHub's OIDC provider of the environment's account: the one `<env>-ci` creates, or the one it names."""
    if environment.ci is not None and environment.ci.oidc_provider != "create":
        return environment.ci.oidc_provider
    return provider_arn_of(environment.account_id)


def role_name(environment: str, kind: str, *suffix: str) -> str:
    return Naming("goldenpath", environment).name(kind, *suffix, kind=NameKind.IAM_ROLE)


def _service_repositories(catalog: Catalog, environment: Environment, previews_only: bool) -> list[tuple[str, str, Repository]]:
    """Services the pipeline deploys on this environment (a repository and a chart; ``previews_only``: and previews)."""
    found = []
    for placement in catalog.placements(environment.name):
        service = placement.service
        if service.repository is None or service.previews is None or (previews_only and not placement.previews):
            continue
        found.append((placement.team.name, service.name, Repository(service.repository, service.repository_ids)))
    return found


def platform_role(environment: Environment, kind: Kind) -> CiRole:
    """One of the platform repository's roles (plan, apply, drift or reap): assumable from its GitHub environment."""
    if kind not in ("plan", "apply", "drift", "reap"):
        raise ValueError(f"{kind!r} is not a platform repository role; expected plan, apply, drift or reap")
    env = environment.name
    return CiRole(kind, env, environment.account_id, role_name(env, f"ci-{kind}"),
                  (subject(platform_repository(environment), environment_context(github_environment(kind, env))),))


def preview_role(environment: Environment, subjects: tuple[str, ...] = ()) -> CiRole:
    """The environment's preview role (its subjects: the pull requests of the services that opted in)."""
    return CiRole("preview", environment.name, environment.account_id, role_name(environment.name, "ci-preview"), subjects)


def platform_roles(environment: Environment, catalog: Catalog) -> list[CiRole]:
    """The `<env>-ci` stack's roles (plan, apply, drift, and reap and preview where the environment hosts previews)."""
    if environment.ci is None:
        return []
    platform, branch = platform_repository(environment), environment.ci.default_branch
    env = environment.name
    kinds: tuple[Kind, ...] = ("plan", "apply", "drift", *(("reap",) if environment.previews is not None else ()))
    roles = [platform_role(environment, kind) for kind in kinds]
    if environment.previews is not None:
        reusable = workflow_ref(platform, previews_workflow(env), branch)
        previews = sorted({subject(repo, PULL_REQUEST, reusable) for _, _, repo in _service_repositories(catalog, environment, True)})
        if previews:
            roles.append(preview_role(environment, tuple(previews)))
    return roles


def deploy_roles(environment: Environment, catalog: Catalog, team: str | None = None) -> list[CiRole]:
    """One deploy role per service of the catalog on this environment that names its repository and chart (the
    reusable deploy workflow deploys exactly those; ``team``: only its)."""
    if environment.ci is None:
        return []
    platform, branch = platform_repository(environment), environment.ci.default_branch
    reusable = workflow_ref(platform, DEPLOY_WORKFLOW, branch)
    return [CiRole("deploy", environment.name, environment.account_id, role_name(environment.name, "deploy", t, s),
                   (subject(repo, environment_context(environment.name), reusable),), t, s)
            for t, s, repo in _service_repositories(catalog, environment, False) if team is None or t == team]


def all_roles(environment: Environment, catalog: Catalog) -> list[CiRole]:
    return [*platform_roles(environment, catalog), *deploy_roles(environment, catalog)]
