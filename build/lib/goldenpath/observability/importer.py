"""Bring existing Prometheus alerting rules under the alert contract.

Imported alerts keep their expressions and ``for``; their severity is mapped onto page,
ticket or info; they get an owning team; and they start in burn-in (routed to the team's
non-paging receiver) until someone reviews and promotes them. A rule that cannot meet the
contract (no ``for``, no runbook) is refused with its name.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from goldenpath.observability.alerts import Alert, AlertContractError, RunbookText

DEFAULT_SEVERITY_MAP = {"critical": "page", "error": "ticket", "warning": "ticket", "info": "info", "none": "info"}


def import_prometheus_rules(path: Path | str, team: str, severity_map: dict[str, str] | None = None,
                            burn_in: bool = True) -> list[Alert]:
    """Alerts from a Prometheus rule file (``groups: [{rules: [...]}]``) or a PrometheusRule object."""
    path = Path(path)
    document = yaml.safe_load(path.read_text()) or {}
    groups = (document.get("spec") or document).get("groups", [])
    mapping = {**DEFAULT_SEVERITY_MAP, **(severity_map or {})}
    alerts = []
    for group in groups:
        for rule in group.get("rules", []):
            if "alert" not in rule:
                continue  # recording rules are not alerts
            name = rule["alert"]
            where = f"{path}: alert {name!r}"
            labels = dict(rule.get("labels", {}))
            source_severity = labels.pop("severity", "warning")
            if source_severity not in mapping:
                raise AlertContractError(f"{where}: severity {source_severity!r} has no mapping; expected one of {sorted(mapping)}")
            annotations = rule.get("annotations", {})
            runbook_url = annotations.get("runbook_url")
            if not runbook_url:
                raise AlertContractError(f"{where}: no runbook_url annotation; expected a runbook for every alert")
            slug = runbook_url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".md").lower()
            if "for" not in rule:
                raise AlertContractError(f"{where}: no `for`; expected at least 1m so a single scrape cannot page")
            description = annotations.get("description") or annotations.get("summary") or name
            alerts.append(Alert(
                name=name, expr=str(rule["expr"]).strip(), severity=mapping[source_severity], team=team,  # type: ignore[arg-type]  # checked by Alert
                summary=annotations.get("summary") or description, runbook=slug, for_=rule["for"],
                labels={k: str(v) for k, v in labels.items() if k not in ("team", "burn_in")},
                burn_in=burn_in,
                runbook_text=RunbookText(
                    meaning=description,
                    impact=f"Imported from {path.name}; describe the user impact before promoting the alert.",
                    diagnosis=(f"Follow the original runbook: {runbook_url}",),
                    mitigation=(f"Follow the original runbook: {runbook_url}",),
                ),
            ))
    return alerts
