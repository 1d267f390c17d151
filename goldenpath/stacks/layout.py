"""Which stacks an environment has, in which order, and where each keeps its state.

Pure Python (no jsii), so `goldenpath list` and deploy ordering are instant.

Per environment: ``<env>-ci`` (the roles its pipelines use, when the environment file has a ``ci`` section),
``<env>-network``, ``<env>-cluster``, ``<env>-observability``, ``<env>-platform``, ``<env>-tenants`` (what the
teams share: the tenant buckets' key) and one ``<env>-tenants-<team>`` per team with services on the cluster, so
onboarding a service changes only its team's stack, whatever the size of the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from goldenpath.config.model import Environment

# Deploy order; destroy runs it backwards. Each stack is one lifecycle with its own state.
COMPONENTS = ("ci", "network", "cluster", "observability", "platform", "tenants")
# Components whose resources live inside the cluster (they need a Kubernetes API); a team's tenants stack too.
IN_CLUSTER_COMPONENTS = ("platform",)
TEAM_COMPONENT = "tenants"


@dataclass(frozen=True)
class StackLayout:
    environment: str
    component: str
    bucket: str
    region: str
    kms_key: str | None = None
    team: str | None = None
    """A team's tenants stack (component ``tenants``): its namespaces, buckets, roles and SLO rules."""

    @property
    def name(self) -> str:
        return f"{self.environment}-{self.component}" + (f"-{self.team}" if self.team else "")

    @property
    def in_cluster(self) -> bool:
        return self.component in IN_CLUSTER_COMPONENTS or self.team is not None

    @property
    def state_key(self) -> str:
        if self.team:
            return f"{self.environment}/{self.component}/{self.team}.tfstate"
        return f"{self.environment}/{self.component}.tfstate"


def _layout(environment: Environment, component: str, team: str | None = None) -> StackLayout:
    return StackLayout(environment.name, component, environment.state_bucket, environment.state_region,
                       environment.state.kms_key, team)


def stack_layouts(environment: Environment, teams: Iterable[str] = ()) -> list[StackLayout]:
    """The environment's stacks in deploy order; ``teams``: the teams with services on its cluster."""
    components = [c for c in COMPONENTS if c != "ci" or environment.ci is not None]
    return [*(_layout(environment, c) for c in components),
            *(_layout(environment, TEAM_COMPONENT, team) for team in sorted(set(teams)))]


def stack_layout(environment: Environment, component: str, team: str | None = None) -> StackLayout:
    if component not in COMPONENTS:
        raise ValueError(f"unknown component {component!r}, expected one of {COMPONENTS}")
    if team is not None and component != TEAM_COMPONENT:
        raise ValueError(f"component {component!r} has no team stacks, expected {TEAM_COMPONENT!r}")
    return _layout(environment, component, team)


def teams_of_synthesized(environment: Environment, names: Iterable[str], others: Iterable[Environment] = ()) -> list[str]:
    """The teams whose tenants stacks of ``environment`` are among ``names`` (a synth output: base and head of a
    change can differ in teams). A name that is a fixed stack of another environment (``dev-tenants-network`` of an
    environment named ``dev-tenants``) is not taken for a team."""
    prefix = f"{environment.name}-{TEAM_COMPONENT}-"
    taken = {layout.name for other in others if other.name != environment.name for layout in stack_layouts(other)}
    return sorted(n[len(prefix):] for n in names if n.startswith(prefix) and n not in taken)


def synthesized_layouts(environment: Environment, names: Iterable[str], others: Iterable[Environment] = ()) -> list[StackLayout]:
    """``environment``'s stacks as found in a synth output, in deploy order."""
    names = list(names)
    return [layout for layout in stack_layouts(environment, teams_of_synthesized(environment, names, others))
            if layout.name in names]
