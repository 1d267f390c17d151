"""Existing Prometheus alerts come in under the contract, in burn-in."""

from __future__ import annotations

import pytest

from goldenpath.observability.alerts import AlertContractError
from goldenpath.observability.importer import import_prometheus_rules

RULES = """
groups:
  - name: legacy
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
      - alert: HighErrorRate
        expr: job:errors:rate5m > 10
        for: 10m
        labels: {severity: critical, component: api}
        annotations:
          summary: "{{ $labels.job }} errors"
          runbook_url: https://wiki.example.com/runbooks/High-Error-Rate.md
"""


def test_existing_alerts_are_imported_in_burn_in(tmp_path):
    path = tmp_path / "legacy.yaml"
    path.write_text(RULES)
    (alert,) = import_prometheus_rules(path, team="payments")
    assert (alert.name, alert.severity, alert.team, alert.for_, alert.burn_in) == ("HighErrorRate", "page", "payments", "10m", True)
    assert alert.runbook == "high-error-rate" and alert.labels == {"component": "api"} and not alert.pages


def test_rules_that_break_the_contract_are_refused_by_name(tmp_path):
    path = tmp_path / "legacy.yaml"
    path.write_text(RULES.replace("        for: 10m\n", ""))
    with pytest.raises(AlertContractError, match=r"legacy.yaml: alert 'HighErrorRate': no `for`"):
        import_prometheus_rules(path, team="payments")
    path.write_text(RULES.replace("          runbook_url: https://wiki.example.com/runbooks/High-Error-Rate.md\n", ""))
    with pytest.raises(AlertContractError, match=r"alert 'HighErrorRate': no runbook_url annotation"):
        import_prometheus_rules(path, team="payments")
