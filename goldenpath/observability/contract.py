"""The alert contract for one environment, checked in one place before anything is rendered."""

from __future__ import annotations

from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.observability import dora, heartbeat, series_budget
from goldenpath.observability.alertmanager import alertmanager_config, check_noise_budget, check_routes
from goldenpath.observability.alerts import Alert, AlertContractError
from goldenpath.observability.rules import all_alerts, rule_groups
from goldenpath.observability.runbooks import check_runbooks_exist
from goldenpath.observability.slo import SLO


def checked_alerts(environment: Environment, slos: list[SLO], alerts: list[Alert], runbook_dir: Path) -> list[Alert]:
    """Every alert (SLO burn alerts and cause alerts) once its contract holds: a runbook file that
    exists, a team with a route, and the environment's noise budget respected. Severity, team
    name and minimum ``for`` were checked when each Alert was created."""
    everything = all_alerts(slos, alerts)
    names = [a.name for a in everything]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AlertContractError(f"alert names must be unique; defined more than once: {', '.join(duplicates)}")
    check_runbooks_exist(everything, runbook_dir)
    check_routes(everything, environment.observability.teams)
    check_noise_budget(everything, environment.observability.max_page_alerts, environment.source_file)
    return everything


def alerting_config(environment: Environment, slos: list[SLO], alerts: list[Alert],
                    runbook_dir: Path) -> tuple[list[Alert], dict, dict]:
    """(every alert, Prometheus rule file, Alertmanager config) once the contract holds.

    The platform stack deploys exactly these and `goldenpath alerts` hands exactly these to
    promtool and amtool, so what is checked is what is deployed.
    """
    everything = checked_alerts(environment, slos, alerts, runbook_dir)
    obs = environment.observability
    beat = [heartbeat.rule_group(obs.runbook_base_url)] if obs.heartbeat.receiver else []
    rules = rule_groups(slos, alerts, obs.runbook_base_url,
                        [dora.rule_group(), series_budget.rule_group(obs.namespace_series_budget), *beat])
    return everything, rules, alertmanager_config(obs, everything, slos)
