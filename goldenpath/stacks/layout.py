"""Which stacks an environment has, in which order, and where each keeps its state.

Pure Python (no jsii), so `goldenpath list` and deploy ordering are instant.
"""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.config.model import Environment

# Deploy order; destroy runs it backwards. Each stack is one lifecycle with its own state.
COMPONENTS = ("network", "cluster", "observability", "platform", "tenants")
# Components whose resources live inside the cluster (they need a Kubernetes API).
IN_CLUSTER_COMPONENTS = ("platform", "tenants")


@dataclass(frozen=True)
class StackLayout:
    environment: str
    component: str
    bucket: str
    region: str
    kms_key: str | None = None

    @property
    def name(self) -> str:
        return f"{self.environment}-{self.component}"

    @property
    def in_cluster(self) -> bool:
        return self.component in IN_CLUSTER_COMPONENTS

    @property
    def state_key(self) -> str:
        return f"{self.environment}/{self.component}.tfstate"


def stack_layouts(environment: Environment) -> list[StackLayout]:
    return [
        StackLayout(environment.name, component, environment.state_bucket, environment.state_region, environment.state.kms_key)
        for component in COMPONENTS
    ]


def stack_layout(environment: Environment, component: str) -> StackLayout:
    if component not in COMPONENTS:
        raise ValueError(f"unknown component {component!r}, expected one of {COMPONENTS}")
    return StackLayout(environment.name, component, environment.state_bucket, environment.state_region, environment.state.kms_key)
