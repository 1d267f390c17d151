"""The upgrade of one environment's cluster, one minor version at a time, as a checked list of steps.

EKS moves a control plane one minor version per update, and a node group may not run newer than its control
plane, so a step is: the next minor version must be supported by goldenpath and admitted by every pinned chart,
its add-on and AMI pins read (when the environment pins them), then the version is raised in the environment
file and the cluster stack applied: terraform updates ``aws_eks_cluster`` first (node groups and add-ons depend
on it), then the node groups' AMI release and the add-on versions read for the new version. `validate` checks
the result (support status, chart facts, Kubernetes objects against the new version's schema) before the
in-cluster stacks are applied. Only what the repository says is read here; no cluster is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS, Environment
from goldenpath.lifecycle.calendar import EKS_SUPPORT
from goldenpath.lifecycle.support import SupportStatus, support_status
from goldenpath.observability.charts import CHARTS, ChartPin
from goldenpath.pins.table import PINS_FILE, VersionPins


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str


@dataclass(frozen=True)
class UpgradePlan:
    status: SupportStatus
    target: str
    due: bool
    steps: tuple[Step, ...]

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


def next_minor(version: str) -> str:
    major, minor = version.split(".")
    return f"{major}.{int(minor) + 1}"


def _pins_step(environment: Environment, target: str, pins: VersionPins) -> Step:
    current = pins.for_version(environment.cluster.kubernetes_version)
    wanted = pins.for_version(target)
    title = f"add-on and node AMI pins for {target}"
    if current is None:
        return Step(title, True, f"{environment.name} does not pin them: EKS's defaults for {target} are read at plan time")
    if wanted is None:
        return Step(title, False, f"{PINS_FILE} pins {environment.cluster.kubernetes_version} but not {target}: run "
                                  f"`goldenpath pins refresh --kubernetes-version {target}` and review the diff")
    return Step(title, True, f"{PINS_FILE} pins {target} (read {wanted.read_at.isoformat()}, {wanted.source})")


def _chart_step(target: str, charts: dict[str, ChartPin]) -> Step:
    refusing = [f"{pin.name} {pin.version} (up to {pin.max_kubernetes})" for pin in charts.values() if not pin.supports(target)]
    title = f"every pinned chart admits {target}"
    if refusing:
        return Step(title, False, f"bump {', '.join(refusing)} in goldenpath/observability/charts.py with its facts "
                                  "(docs/upgrading-charts.md)")
    return Step(title, True, f"{', '.join(f'{p.name} {p.version}' for p in charts.values())}: their kubeVersion facts admit {target}")


def upgrade_plan(environment: Environment, day: date, pins: VersionPins,
                 charts: dict[str, ChartPin] | None = None) -> UpgradePlan:
    """The steps from the environment's version to the next minor one, each marked done when the repository
    already shows it. ``due``: the version is past standard support or within the warning window."""
    status = support_status(environment, day)
    due = status.state != "standard" or status.warn
    target = next_minor(status.version)
    name = environment.name
    supported = target in SUPPORTED_KUBERNETES_VERSIONS and target in EKS_SUPPORT
    steps = [
        Step(f"goldenpath supports {target}", supported,
             f"{target} is in goldenpath's versions ({', '.join(SUPPORTED_KUBERNETES_VERSIONS)}) and EKS's calendar"
             if supported else f"{target} is not yet in goldenpath's versions ({', '.join(SUPPORTED_KUBERNETES_VERSIONS)}): "
             "upgrade goldenpath, or add it (calendar, chart facts, kubernetes-validate schemas; docs/upgrading-charts.md)"),
        _chart_step(target, charts or CHARTS),
        _pins_step(environment, target, pins),
        Step(f"control plane to {target}, then node groups and add-ons", False,
             f"set cluster.kubernetes_version: \"{target}\" in environments/{name}.yaml, `goldenpath validate --env {name}`, "
             f"then plan and apply {status.stack} (`goldenpath deploy --env {name}` or the platform workflow): "
             "aws_eks_cluster is updated first; node groups (AMI release) and add-ons follow it in the same apply"),
        Step("check, then the in-cluster stacks", False,
             f"`goldenpath validate --env {name}` (support status, chart facts, objects against the {target} schema), apply "
             f"{name}-platform and the tenants stacks, then `goldenpath upgrade --env {name}` for the next step"),
    ]
    return UpgradePlan(status, target, due, tuple(steps))


def plan_lines(plan: UpgradePlan) -> list[str]:
    status = plan.status
    if status.state == "standard":
        where = f"standard support until {status.standard_end} ({status.days_to_standard_end} days)"
    else:
        where = f"{status.state} support (standard support ended {status.standard_end})"
    lines = [f"{status.environment}: Kubernetes {status.version}, {where}, support_type {status.support_type}",
             f"upgrade to {plan.target}: {'due now' if plan.due else 'not due yet (warning from ' + str(status.warning_days) + ' days)'}"]
    for number, step in enumerate(plan.steps, 1):
        lines.append(f"  {number}. [{'x' if step.done else ' '}] {step.title}: {step.detail}")
    following = plan.next_step
    lines.append(f"next: {following.title}" if following else "next: nothing; every step is done")
    return lines
