"""`goldenpath validate`'s in-cluster tier: no cluster runs here, so the in-cluster stacks are
checked against the pinned charts' facts and their Kubernetes objects against the schema of
the cluster's Kubernetes version."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from goldenpath.config.model import Environment
from goldenpath.observability.factcheck import check_platform_stack
from goldenpath.policies.dashboards import dashboard_problems
from goldenpath.policies.kubernetes_objects import KubernetesObject, kubernetes_objects, validate_objects
from goldenpath.policies.secrets_in_state import RULE_ID as SECRETS_RULE, secrets_in_state


RULE_ID = "GP_IN_CLUSTER"
"""The SARIF rule of in-cluster problems (chart facts and the Kubernetes schema)."""


@dataclass
class InClusterReport:
    stacks: list[str] = field(default_factory=list)
    objects: int = 0
    by_stack: list[tuple[str, str]] = field(default_factory=list)
    """(stack, problem) pairs."""

    @property
    def problems(self) -> list[str]:
        return [f"{stack}: {problem}" for stack, problem in self.by_stack]

    def summary(self) -> str:
        head = (f"in-cluster checks: {len(self.stacks)} stack(s) ({', '.join(self.stacks) or 'none'}), "
                f"{self.objects} Kubernetes objects, {len(self.problems)} problems")
        return "\n".join([head, *(f"  FAILED {problem}" for problem in self.problems)])


def check_in_cluster_stacks(stacks: dict[str, Path], environments: list[Environment],
                            hosted: Mapping[str, Environment] | None = None) -> InClusterReport:
    """Fact checks for stacks that install the pinned charts, strict schema validation for
    stacks that create Kubernetes objects (stacks of neither kind are left out), and, for every stack, no
    secret routed into the state (``goldenpath.policies.secrets_in_state``). ``hosted`` names the
    environment of stacks not named after one (sample previews: their hosting environment)."""
    report = InClusterReport()
    hosted = hosted or {}
    for environment in environments:
        names = [n for n in stacks if n.startswith(f"{environment.name}-") or hosted.get(n) is environment]
        cluster_objects: dict[str, list[KubernetesObject]] = {}
        for name in sorted(names):
            document = json.loads((stacks[name] / "cdk.tf.json").read_text())
            report.by_stack += [(name, f"{SECRETS_RULE}: {problem}") for problem in secrets_in_state(document)]
            resources = document.get("resource", {})
            if "helm_release" not in resources and not any(t.startswith("kubernetes_") for t in resources):
                continue
            report.stacks.append(name)
            objects = kubernetes_objects(document)
            cluster_objects[name] = objects
            report.objects += len(objects)
            problems = validate_objects(objects, environment.cluster.kubernetes_version) + check_platform_stack(
                document, environment.observability.declared_services)
            report.by_stack += [(name, problem) for problem in problems]
        report.by_stack += dashboard_problems(cluster_objects)  # across the cluster's stacks: none sees the others
    return report
