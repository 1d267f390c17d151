"""Each environment's Kubernetes version against EKS's calendar on a day: a line for `validate`, a warning
ahead of the end of standard support, and a finding (GP_EKS_001) once the cluster is past it.

A cluster in extended support costs the surcharge every hour (about $365 a month per cluster in eu-west-1),
so it fails the gate unless a suppression with a reason and an owner accepts it for that cluster's stack
(``Suppression("GP_EKS_001", reason, owner, stack="prod-cluster")``), like any other accepted risk. A version
past extended support cannot be accepted: EKS upgrades such clusters itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, Sequence

from goldenpath.config.model import Environment
from goldenpath.lifecycle.calendar import CALENDAR_READ, EKS_SUPPORT, support_on
from goldenpath.observability.charts import version_key
from goldenpath.policies.suppressions import CLUSTER_PATH, Suppression
from goldenpath.stacks.layout import stack_layout

CHECK_ID = "GP_EKS_001"
# The month the estimates use (cost.items.HOURS_PER_MONTH); not imported, since cost imports this package's calendar.
HOURS_PER_MONTH = Decimal(730)
SurchargePerHour = Callable[[str], Decimal | None]
"""Region -> the extended-support surcharge per cluster-hour (None: no price known for the region)."""


@dataclass(frozen=True)
class SupportStatus:
    environment: str
    stack: str
    version: str
    state: str
    """standard, extended, ended or unknown (on the day asked)."""
    standard_end: date | None
    extended_end: date | None
    days_to_standard_end: int | None
    support_type: str
    warning_days: int

    @property
    def warn(self) -> bool:
        return self.state == "standard" and self.days_to_standard_end is not None and self.days_to_standard_end <= self.warning_days


@dataclass
class SupportReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    failed_stacks: list[str] = field(default_factory=list)
    """The cluster stacks behind ``problems``, for validate's verdict."""
    calendar: str = ""
    """How old goldenpath's copy of EKS's calendar is on the report's day (``calendar_line``)."""


def support_status(environment: Environment, day: date) -> SupportStatus:
    cluster = environment.cluster
    version = cluster.kubernetes_version
    standard_end, extended_end = EKS_SUPPORT.get(version, (None, None))
    return SupportStatus(
        environment=environment.name, stack=stack_layout(environment, "cluster").name, version=version,
        state=support_on(version, day), standard_end=standard_end, extended_end=extended_end,
        days_to_standard_end=(standard_end - day).days if standard_end else None,
        support_type=cluster.support_type, warning_days=cluster.support_warning_days,
    )


# EKS has released a minor version about every four months; a calendar older than that may lack one, which
# goldenpath then refuses (1.36 ran on EKS for six months while the calendar stopped at 1.35).
CALENDAR_STALE_DAYS = 120


def calendar_line(day: date, read: date = CALENDAR_READ) -> str:
    """One `validate` line: how old goldenpath's copy of EKS's calendar is, with a warning once EKS may have moved on."""
    newest = max(EKS_SUPPORT, key=version_key)
    age = (day - read).days
    line = f"kubernetes calendar: EKS versions up to {newest}, read {read} ({age} days ago)"
    if age <= CALENDAR_STALE_DAYS:
        return line
    return (f"{line}; WARNING older than {CALENDAR_STALE_DAYS} days: EKS releases a minor version about every four "
            f"months, and goldenpath refuses one its calendar lacks: upgrade goldenpath, or add the version "
            f"(docs/upgrading-charts.md)")


def _upgrade_hint(status: SupportStatus) -> str:
    return f"`goldenpath upgrade --env {status.environment}` shows the next step"


def _extended_finding(status: SupportStatus, surcharge: Decimal | None) -> str:
    """What being past standard support means for this cluster: its monthly surcharge, or an upgrade by EKS."""
    if status.support_type == "STANDARD":
        consequence = ("support_type is STANDARD, so EKS upgrades the control plane itself, outside the upgrade "
                       "procedure (add-ons, node AMIs and chart facts are not moved with it)")
    elif surcharge is not None:
        consequence = f"+${(surcharge * HOURS_PER_MONTH).quantize(Decimal('0.01'))} a month ({surcharge} USD per cluster-hour)"
    else:
        consequence = "billed extended support (no price for the region in the snapshot)"
    return (f"Kubernetes {status.version} is past EKS standard support since {status.standard_end} "
            f"(extended support until {status.extended_end}): {consequence}")


def _extended_problem(status: SupportStatus, finding: str) -> str:
    return (f"{CHECK_ID} {status.stack}: {finding}; expected a version in standard support: upgrade "
            f"({_upgrade_hint(status)}), or accept it with a Suppression({CHECK_ID!r}, reason, owner, stack={status.stack!r})")


def support_report(environments: Sequence[Environment], day: date, suppressions: Sequence[Suppression],
                   surcharge_per_hour: SurchargePerHour) -> SupportReport:
    """One line per environment; a problem for every cluster past standard support that no suppression accepts."""
    report = SupportReport(calendar=calendar_line(day))
    for environment in environments:
        status = support_status(environment, day)
        head = f"kubernetes: {status.environment} ({status.version}, support_type {status.support_type}):"
        if status.state == "standard":
            line = f"{head} standard support until {status.standard_end} ({status.days_to_standard_end} days)"
            if status.warn:
                line = (f"{head} WARNING standard support ends {status.standard_end}, in {status.days_to_standard_end} days "
                        f"(warning from {status.warning_days}); {_upgrade_hint(status)}")
            report.lines.append(line)
        elif status.state == "extended":
            finding = _extended_finding(status, surcharge_per_hour(environment.region))
            accepted = next((s for s in suppressions if s.matches(CHECK_ID, status.stack, CLUSTER_PATH.format(stack=status.stack))), None)
            if accepted:
                report.lines.append(f"{head} extended support, accepted by {accepted.owner}: {accepted.reason} [{finding}]")
            else:
                report.lines.append(f"{head} FAILED extended support since {status.standard_end}")
                report.problems.append(_extended_problem(status, finding))
                report.failed_stacks.append(status.stack)
        else:
            report.lines.append(f"{head} FAILED {status.state} in EKS's calendar on {day}")
            report.problems.append(
                f"{CHECK_ID} {status.stack}: Kubernetes {status.version} is {status.state} in EKS's support calendar on {day} "
                f"(goldenpath/lifecycle/calendar.py); expected a version EKS still runs: {_upgrade_hint(status)}")
            report.failed_stacks.append(status.stack)
    return report
