"""Alerts as typed objects, with the alert contract checked when they are created.

The contract: a severity from a fixed set (page, ticket, info), an owning team, a runbook
(checked against the files in docs/runbooks/ at synth), a ``for`` of at least one minute,
and, at synth, a route that delivers it (see ``alertmanager.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from goldenpath.errors import GoldenpathError
from goldenpath.observability.durations import seconds

Severity = Literal["page", "ticket", "info"]
SEVERITIES: tuple[str, ...] = ("page", "ticket", "info")
MIN_FOR_SECONDS = 60
_ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{2,80}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TEAM = re.compile(r"^[a-z]([a-z0-9-]*[a-z0-9])?$")


class AlertContractError(GoldenpathError):
    """An alert or SLO breaks the alert contract; the message names the rule."""


@dataclass(frozen=True)
class RunbookText:
    """What the generated runbook says. Each field is Markdown."""

    meaning: str
    impact: str
    diagnosis: tuple[str, ...]
    mitigation: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    name: str
    """Alert name, CamelCase (e.g. ``PodCrashLooping``); with the runbook it identifies the rule."""
    expr: str
    """PromQL that returns the firing series."""
    severity: Severity
    team: str
    """Owning team; must have a route in the environment's ``observability.teams``."""
    summary: str
    """One line for the notification; may use ``{{ $labels.x }}``."""
    runbook: str
    """Slug of ``docs/runbooks/<slug>.md``."""
    runbook_text: RunbookText
    for_: str = "5m"
    """How long the condition must hold. Default: 5m; at least 1m."""
    labels: dict[str, str] = field(default_factory=dict)
    """Extra labels. Default: none."""
    burn_in: bool = False
    """New alerts go to the team's non-paging receiver until promoted (set back to False). Default: false."""

    def __post_init__(self) -> None:
        where = f"alert {self.name!r}"
        if not _ALERT_NAME.match(self.name):
            raise AlertContractError(f"{where}: name is not CamelCase letters and digits (3-81 characters)")
        if self.severity not in SEVERITIES:
            raise AlertContractError(f"{where}: severity {self.severity!r}, expected one of {', '.join(SEVERITIES)}")
        if not _TEAM.match(self.team or ""):
            raise AlertContractError(f"{where}: team {self.team!r}, expected the owning team's name (a DNS label)")
        if not _SLUG.match(self.runbook or ""):
            raise AlertContractError(f"{where}: runbook {self.runbook!r}, expected the slug of docs/runbooks/<slug>.md")
        if not self.expr.strip() or not self.summary.strip():
            raise AlertContractError(f"{where}: expr and summary must not be empty")
        try:
            held = seconds(self.for_)
        except ValueError as exc:
            raise AlertContractError(f"{where}: {exc}") from None
        if held < MIN_FOR_SECONDS:
            raise AlertContractError(f"{where}: for {self.for_!r} is shorter than the minimum 1m (flapping pages)")
        reserved = {"severity", "team", "burn_in"} & set(self.labels)
        if reserved:
            raise AlertContractError(f"{where}: labels {sorted(reserved)} are set by goldenpath, not by hand")

    @property
    def pages(self) -> bool:
        """True when this alert can wake someone: page severity and not in burn-in."""
        return self.severity == "page" and not self.burn_in

    def rule(self, runbook_base_url: str) -> dict:
        labels = {**self.labels, "severity": self.severity, "team": self.team}
        if self.burn_in:
            labels["burn_in"] = "true"
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": dict(sorted(labels.items())),
            "annotations": {
                "summary": self.summary,
                "runbook_url": f"{runbook_base_url}/{self.runbook}.md",
            },
        }
