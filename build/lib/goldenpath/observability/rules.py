"""Prometheus rule files and promtool test files from alerts and SLOs."""

from __future__ import annotations

from goldenpath.observability.alerts import Alert
from goldenpath.observability.slo import SLO

RULE_FILE = "goldenpath-rules.yaml"


def rule_groups(slos: list[SLO], alerts: list[Alert], runbook_base_url: str, extra_groups: list[dict] | None = None) -> dict:
    groups = []
    for slo in slos:
        groups.append({"name": f"slo-{slo.name}-recording", "interval": "30s", "rules": slo.recording_rules()})
        groups.append({"name": f"slo-{slo.name}-alerts", "rules": [a.rule(runbook_base_url) for a in slo.alerts()]})
    by_team: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_team.setdefault(alert.team, []).append(alert)
    for team in sorted(by_team):
        groups.append({"name": f"{team}-alerts", "rules": [a.rule(runbook_base_url) for a in by_team[team]]})
    groups.extend(extra_groups or [])
    return {"groups": groups}


def all_alerts(slos: list[SLO], alerts: list[Alert]) -> list[Alert]:
    return [*(a for slo in slos for a in slo.alerts()), *alerts]


def promtool_test_file(slos: list[SLO], runbook_base_url: str, extra_tests: list[dict] | None = None) -> dict:
    tests = [t for slo in slos for t in slo.promtool_tests(runbook_base_url)]
    tests.extend(extra_tests or [])
    return {"rule_files": [RULE_FILE], "evaluation_interval": "1m", "tests": tests}
