"""Load ``teams/<team>.yaml`` into a Catalog and check it against the environments.

Every failure is one ConfigError naming the team file, the field path, the value and what
was expected; nothing is written before the whole catalog holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from goldenpath.config.loader import check_file_name, parse_document, read_text, yaml_files
from goldenpath.config.model import Environment, FieldProblem, PreviewService, QuotaTier, unique_items
from goldenpath.constructs.naming import NameKind
from goldenpath.errors import ConfigError
from goldenpath.policies.suppressions import Suppression, immutable_subject_suppression, tenant_bucket_suppressions
from goldenpath.tenancy.capacity import tier_fits
from goldenpath.tenancy.model import Service, Team
from goldenpath.tenancy.reserved import reserved_because
from goldenpath.tenancy.slos import check_team_noise_budgets

DEFAULT_TEAMS_DIR = "teams"


@dataclass(frozen=True)
class Placement:
    """One service on one environment's cluster: where it lives and what it gets."""

    team: Team
    service: Service
    environment: Environment
    tier_name: str
    tier: QuotaTier

    @property
    def namespace(self) -> str:
        return namespace_name(self.team.name, self.service.name)

    @property
    def previews(self) -> bool:
        """Whether this cluster hosts the service's previews: it is one the service names in
        ``previews.environments``, or (when it names none) it has a previews section and is not production."""
        previews, environment = self.service.previews, self.environment
        if previews is None:
            return False
        if previews.environments is not None:
            return environment.name in previews.environments
        return not environment.production and environment.previews is not None


def namespace_name(team: str, service: str) -> str:
    return f"{team}-{service}"


@dataclass(frozen=True)
class Catalog:
    teams: tuple[Team, ...]
    environments: tuple[Environment, ...]

    def team(self, name: str) -> Team:
        for team in self.teams:
            if team.name == name:
                return team
        known = ", ".join(t.name for t in self.teams) or "none yet"
        raise ConfigError(f"{DEFAULT_TEAMS_DIR}/", [f"team: got {name!r}, expected one of {known} (teams/<team>.yaml)"])

    def placements(self, environment: str) -> list[Placement]:
        """Every service placed on ``environment``'s cluster, ordered by namespace."""
        env = {e.name: e for e in self.environments}.get(environment)
        if env is None:
            return []
        found = []
        for team in self.teams:
            for service in team.services:
                if environment in service.environments:
                    tier_name = service.tier or env.tenancy.default_tier
                    found.append(Placement(team, service, env, tier_name, env.tenancy.tiers[tier_name]))
        return sorted(found, key=lambda p: p.namespace)

    def teams_on(self, environment: str) -> list[str]:
        """The teams with at least one service on ``environment``'s cluster (each has a tenants stack there)."""
        return sorted({p.team.name for p in self.placements(environment)})

    def previewable(self, environment: Environment) -> dict[str, PreviewService]:
        """Service name -> its preview chart, for the services that opted in on ``environment``."""
        return {p.service.name: p.service.previews for p in self.placements(environment.name)
                if p.previews and p.service.previews is not None}

    def suppressions(self) -> list[Suppression]:
        """Accepted checkov findings of the services' own buckets, owned by their teams, and of roles trusting a
        repository by GitHub's immutable subject form (which checkov 3.3 does not know)."""
        buckets = [s for env in self.environments for p in self.placements(env.name) if p.service.cloud is not None
                   for s in tenant_bucket_suppressions(p.team.name, p.team.source_file, env.name, p.namespace)]
        immutable = [(env, p) for env in self.environments if env.ci is not None for p in self.placements(env.name)
                     if p.service.repository and p.service.repository_ids]
        deploy = [immutable_subject_suppression(p.team.name, p.team.source_file, f"{env.name}-tenants-{p.team.name}",
                                                f"{p.namespace}/deploy/role") for env, p in immutable]
        previews = [immutable_subject_suppression("platform-team", p.team.source_file, f"{env.name}-ci", "ci/preview/role")
                    for env, p in immutable if p.previews]
        return [*buckets, *deploy, *previews]

    def owners_of(self, environment: Environment, service: str) -> str | None:
        """The owner group of the team running ``service`` on ``environment`` (None when none does)."""
        for placement in self.placements(environment.name):
            if placement.service.name == service:
                return placement.team.owners
        return None


def catalog_for(project_root: Path, environments: list[Environment]) -> Catalog:
    """The catalog of a platform repository: ``<project_root>/teams``, checked against the loaded
    environments and aware of the others in ``<project_root>/environments``."""
    names = {p.stem for p in yaml_files(Path(project_root) / "environments")}
    return load_catalog(Path(project_root) / DEFAULT_TEAMS_DIR, environments, names - {e.name for e in environments})


def parse_team(text: str, source: str) -> Team:
    return parse_document(text, source, Team)


def load_team(path: Path) -> Team:
    team = parse_team(read_text(path, "a team YAML file"), str(path))
    check_file_name(team.name, path)
    return team


def load_catalog(directory: Path | str, environments: list[Environment], other_environments: set[str] | None = None) -> Catalog:
    """The catalog in ``directory`` (empty when the folder does not exist), checked against
    ``environments``. ``other_environments`` names environments that exist but were not loaded
    (``--env``): services there are accepted without their per-environment checks."""
    directory = Path(directory)
    teams = tuple(load_team(f) for f in yaml_files(directory))
    catalog = Catalog(teams, tuple(environments))
    check_catalog(catalog, frozenset(other_environments or ()))
    return catalog


def check_catalog(catalog: Catalog, other_environments: frozenset[str] = frozenset()) -> None:
    """Cross-file rules: known environments and tiers, routed teams, one service name per cluster,
    namespace length, tiers that fit the cluster, no previews in production, the noise budget."""
    environments = {e.name: e for e in catalog.environments}
    owner_of: dict[tuple[str, str], Team] = {}
    for team in catalog.teams:
        for index, service in enumerate(team.services):
            where = f"services[{index}]"
            _check_namespace(team, service, where)
            for position, env_name in enumerate(service.environments):
                environment = environments.get(env_name)
                if environment is None and env_name in other_environments:
                    continue
                if environment is None:
                    raise ConfigError(team.source_file, [
                        f"{where}.environments[{position}]: got {env_name!r}, expected one of "
                        f"{', '.join(sorted({*environments, *other_environments}))} (environments/<name>.yaml)"])
                _check_placement(team, service, where, environment)
                other = owner_of.get((env_name, service.name))
                if other is not None:
                    raise ConfigError(team.source_file, [
                        f"{where}.name: got {service.name!r}, expected a name not used on cluster {env_name!r}: "
                        f"team {other.name!r} ({other.source_file}) runs a service of that name there"])
                owner_of[(env_name, service.name)] = team
            _check_previews(team, service, where, environments)
    _check_repositories(catalog)
    _check_hosts(catalog, environments)
    check_team_noise_budgets(catalog)


def _check_repositories(catalog: Catalog) -> None:
    """One service per repository: a service's deploy and preview roles trust its repository's jobs, so two
    services sharing a repository could each use the other's role."""
    seen: dict[str, tuple[Team, str]] = {}
    for team in catalog.teams:
        for index, service in enumerate(team.services):
            if service.repository is None:
                continue
            key = service.repository.lower()  # GitHub names are case-insensitive
            if key in seen:
                other_team, other_service = seen[key]
                raise ConfigError(team.source_file, [
                    f"services[{index}].repository: got {service.repository!r}, expected a repository no other service "
                    f"names: service {other_service!r} of team {other_team.name!r} ({other_team.source_file}) deploys "
                    "from it (a deploy role trusts its repository's jobs, so each service needs its own repository)"])
            seen[key] = (team, service.name)


def _check_hosts(catalog: Catalog, environments: dict[str, Environment]) -> None:
    """A service's Ingress hosts: on its own environments, one owner per host and environment (the shared
    ingress controller merges the rules of every Ingress naming a host), none of them a preview's."""
    owner: dict[tuple[str, str], tuple[Team, str]] = {}
    for team in catalog.teams:
        for index, service in enumerate(team.services):
            for env_name, hosts in service.hosts.items():
                field = f"services[{index}].hosts.{env_name}"
                if env_name not in service.environments:
                    raise ConfigError(team.source_file, [
                        f"{field}: got {env_name!r}, expected one of the service's environments "
                        f"({', '.join(service.environments)})"])
                try:
                    unique_items(field, hosts, "host")
                except FieldProblem as problem:
                    raise ConfigError(team.source_file, [str(problem)]) from None
                for position, host in enumerate(hosts):
                    _check_host(team, f"{field}[{position}]", host, environments.get(env_name), owner.get((env_name, host)))
                    owner[(env_name, host)] = (team, service.name)


def _check_host(team: Team, field: str, host: str, environment: Environment | None, taken: tuple[Team, str] | None) -> None:
    if taken is not None:
        other_team, other_service = taken
        raise ConfigError(team.source_file, [
            f"{field}: got {host!r}, expected a host no other service names on this environment: service "
            f"{other_service!r} of team {other_team.name!r} ({other_team.source_file}) serves it"])
    if environment is None or environment.previews is None:
        return
    previews = environment.previews
    if host == previews.domain or host.endswith(f".{previews.domain}"):
        raise ConfigError(team.source_file, [
            f"{field}: got {host!r}, expected a host outside {previews.domain} (previews.domain of "
            f"{environment.source_file}: each preview gets <namespace>.{previews.domain})"])


def _check_namespace(team: Team, service: Service, where: str) -> None:
    namespace = namespace_name(team.name, service.name)
    limit = NameKind.KUBERNETES.max_length
    if len(namespace) > limit:
        raise ConfigError(team.source_file, [
            f"{where}.name: namespace {namespace!r} (<team>-<service>) is {len(namespace)} characters, expected at most "
            f"{limit} (a Kubernetes namespace is a DNS label): shorten the service or team name"])


def _check_placement(team: Team, service: Service, where: str, environment: Environment) -> None:
    namespace = namespace_name(team.name, service.name)
    reserved = reserved_because(namespace, environment.tenancy.ingress_namespace)
    if reserved:
        raise ConfigError(team.source_file, [
            f"{where}.name: namespace {namespace!r} (<team>-<service>) on {environment.name!r} is {reserved}; "
            "expected a name no platform or system namespace uses: rename the service or team"])
    tiers = environment.tenancy.tiers
    tier_name = service.tier or environment.tenancy.default_tier
    if tier_name not in tiers:
        raise ConfigError(team.source_file, [
            f"{where}.tier: got {tier_name!r}, expected one of {', '.join(sorted(tiers))} "
            f"(tenancy.tiers of {environment.source_file})"])
    problem = tier_fits(tiers[tier_name], environment)
    if problem:
        raise ConfigError(team.source_file, [f"{where}.tier: {tier_name!r} {problem}"])
    if service.slos is not None and team.name not in environment.observability.teams:
        raise ConfigError(team.source_file, [
            f"name: team {team.name!r} has SLOs in {environment.name!r} but no alert route there; expected "
            f"observability.teams.{team.name} in {environment.source_file} (page and ticket receivers)"])


def _check_previews(team: Team, service: Service, where: str, environments: dict[str, Environment]) -> None:
    if service.previews is None or service.previews.environments is None:
        return
    for position, env_name in enumerate(service.previews.environments):
        field = f"{where}.previews.environments[{position}]"
        environment = environments.get(env_name)
        if env_name not in service.environments:
            raise ConfigError(team.source_file, [
                f"{field}: got {env_name!r}, expected one of the service's environments ({', '.join(service.environments)})"])
        if environment is None:
            continue  # not loaded (--env); checked when it is
        if environment.production:
            raise ConfigError(team.source_file, [
                f"{field}: got {env_name!r}, a production environment ({environment.source_file}); previews never run "
                "in production: expected a non-production environment"])
        if environment.previews is None:
            raise ConfigError(team.source_file, [
                f"{field}: got {env_name!r}, expected an environment that hosts previews "
                f"(a previews section in {environment.source_file})"])
