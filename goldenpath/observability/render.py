"""Write the generated alerting files to disk, for promtool/amtool and for review."""

from __future__ import annotations

from pathlib import Path

import yaml

from goldenpath.config.model import Environment
from goldenpath.observability import dora, heartbeat, series_budget
from goldenpath.observability.catalog import CAUSE_ALERTS, PLATFORM_SLOS
from goldenpath.observability.contract import alerting_config
from goldenpath.observability.rules import RULE_FILE, all_alerts, promtool_test_file, rule_groups
from goldenpath.observability.runbooks import DEFAULT_RUNBOOK_DIR, check_runbooks_exist
from goldenpath.observability.slo import SLO

TEST_FILE = "goldenpath-rules.test.yaml"
DORA_RULE_FILE = "dora-rules.yaml"
DORA_TEST_FILE = "dora-rules.test.yaml"
ALERTMANAGER_FILE = "alertmanager.yaml"


def _dump(path: Path, document: dict) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1000))
    return path


SERIES_RULE_FILE = "namespace-series-rules.yaml"
SERIES_TEST_FILE = "namespace-series-rules.test.yaml"
SERIES_TEST_BUDGET = 3


def _series_budget_files(directory: Path, rules: dict, runbook_base_url: str) -> dict[str, Path]:
    """The deployed NamespaceSeriesOverBudget rule with a budget of 3, so its test needs a handful of series
    instead of the environment's thousands (the budget is a recording rule: the alert rule is the same)."""
    deployed = [r for group in rules["groups"] for r in group["rules"] if r.get("alert") == series_budget.ALERT]
    if not deployed:  # a custom alert list without it
        return {}
    groups = [series_budget.rule_group(SERIES_TEST_BUDGET), {"name": "namespace-series-alert", "rules": deployed}]
    return {"series_rules": _dump(directory / SERIES_RULE_FILE, {"groups": groups}),
            "series_tests": _dump(directory / SERIES_TEST_FILE, {
                "rule_files": [SERIES_RULE_FILE], "evaluation_interval": "1m",
                "tests": series_budget.promtool_tests(runbook_base_url, SERIES_TEST_BUDGET)})}


SERVICE_RULE_FILE = "service-slo-rules.yaml"
SERVICE_TEST_FILE = "service-slo-rules.test.yaml"


def render_alerting(environment: Environment, directory: Path, slos=None, alerts=None,
                    runbook_dir: Path = DEFAULT_RUNBOOK_DIR, service_slos: list[SLO] | None = None) -> dict[str, Path]:
    """Rules, their promtool unit tests, and the Alertmanager config for one environment.
    ``service_slos`` (the catalog's, deployed as PrometheusRules by the tenants stack) get their
    own rule and test files, checked by the same tools."""
    slos = list(PLATFORM_SLOS if slos is None else slos)
    alerts = list(CAUSE_ALERTS if alerts is None else alerts)
    _, rules, alertmanager = alerting_config(environment, slos, alerts, runbook_dir)
    services = list(service_slos or [])
    check_runbooks_exist(all_alerts(services, []), runbook_dir)
    obs = environment.observability
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "rules": _dump(directory / RULE_FILE, rules),
        "tests": _dump(directory / TEST_FILE, promtool_test_file(
            slos, obs.runbook_base_url, heartbeat.promtool_tests(obs.runbook_base_url) if obs.heartbeat.receiver else [])),
        # DORA windows are 7 and 30 days: tested alone, evaluated hourly, so the test takes a second.
        "dora_rules": _dump(directory / DORA_RULE_FILE, {"groups": [dora.rule_group()]}),
        "dora_tests": _dump(directory / DORA_TEST_FILE, {"rule_files": [DORA_RULE_FILE], "evaluation_interval": "1h",
                                                         "tests": dora.promtool_tests()}),
        **_series_budget_files(directory, rules, obs.runbook_base_url),
        "alertmanager": _dump(directory / ALERTMANAGER_FILE, alertmanager),
        "service_rules": _dump(directory / SERVICE_RULE_FILE, rule_groups(services, [], obs.runbook_base_url)),
        "service_tests": _dump(directory / SERVICE_TEST_FILE, {
            **promtool_test_file(services, obs.runbook_base_url), "rule_files": [SERVICE_RULE_FILE]}),
    }
