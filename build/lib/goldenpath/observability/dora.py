"""DORA metrics from deployment and incident events that the CD pipeline pushes.

Source: the pipeline pushes these counters (Pushgateway or OTLP to the collector), labelled
by ``service``:

- ``goldenpath_dora_deployments_total``: +1 per production deployment.
- ``goldenpath_dora_change_failures_total``: +1 when a deployment is marked failed
  (rolled back, hot-fixed, or linked to an incident).
- ``goldenpath_dora_lead_time_seconds`` (summary: ``_sum``/``_count``): one observation per
  deployment, seconds from the first commit of the change to the deployment.
- ``goldenpath_dora_restore_seconds`` (summary): one observation per resolved incident,
  seconds from incident start to restore.

Formulas (recording rules below):

- deployment frequency = deployments over 7 days / 7 (per day);
- lead time for changes = sum of lead times / number of deployments, over 7 days;
- change failure rate = change failures / deployments, over 30 days;
- time to restore = sum of restore times / incidents, over 30 days.
"""

from __future__ import annotations

RECORDING_RULES = [
    ("dora:deployment_frequency:per_day_7d", "sum by (service) (increase(goldenpath_dora_deployments_total[7d])) / 7"),
    ("dora:lead_time_seconds:mean_7d",
     "sum by (service) (increase(goldenpath_dora_lead_time_seconds_sum[7d]))\n"
     "/\nsum by (service) (increase(goldenpath_dora_lead_time_seconds_count[7d]))"),
    ("dora:change_failure_ratio:30d",
     "sum by (service) (increase(goldenpath_dora_change_failures_total[30d]))\n"
     "/\nsum by (service) (increase(goldenpath_dora_deployments_total[30d]))"),
    ("dora:time_to_restore_seconds:mean_30d",
     "sum by (service) (increase(goldenpath_dora_restore_seconds_sum[30d]))\n"
     "/\nsum by (service) (increase(goldenpath_dora_restore_seconds_count[30d]))"),
]


def rule_group() -> dict:
    return {"name": "dora", "interval": "5m", "rules": [{"record": r, "expr": e} for r, e in RECORDING_RULES]}


def promtool_tests() -> list[dict]:
    """Fixture events with known answers: 2 deploys a day with 3 h lead time each, a quarter of
    them failing, and one incident a day restored in 30 minutes. Samples every 6 h keep every
    increment exact in binary floating point."""
    service = 'service="checkout"'
    steps = 130  # 32.5 days of 6-hour samples
    series = [
        (f"goldenpath_dora_deployments_total{{{service}}}", 0.5),
        (f"goldenpath_dora_change_failures_total{{{service}}}", 0.125),
        (f"goldenpath_dora_lead_time_seconds_sum{{{service}}}", 0.5 * 10800),
        (f"goldenpath_dora_lead_time_seconds_count{{{service}}}", 0.5),
        (f"goldenpath_dora_restore_seconds_sum{{{service}}}", 0.25 * 1800),
        (f"goldenpath_dora_restore_seconds_count{{{service}}}", 0.25),
    ]
    expected = {
        "dora:deployment_frequency:per_day_7d": 2,
        "dora:lead_time_seconds:mean_7d": 10800,
        "dora:change_failure_ratio:30d": 0.25,
        "dora:time_to_restore_seconds:mean_30d": 1800,
    }
    return [{
        "name": "DORA formulas on fixture events with known answers",
        "interval": "6h",
        "input_series": [{"series": s, "values": f"0+{step:g}x{steps}"} for s, step in series],
        "promql_expr_test": [
            {"expr": record, "eval_time": "31d", "exp_samples": [{"labels": f"{record}{{{service}}}", "value": value}]}
            for record, value in expected.items()
        ],
    }]


def dashboard() -> dict:
    """The DORA dashboard (vendored: provisioned from a ConfigMap, never fetched)."""
    stats = [
        ("Deployment frequency", "dora:deployment_frequency:per_day_7d", "short", "Deployments per day, 7-day average."),
        ("Lead time for changes", "dora:lead_time_seconds:mean_7d", "s", "Mean commit-to-deploy time, last 7 days."),
        ("Change failure rate", "dora:change_failure_ratio:30d", "percentunit", "Failed deployments / deployments, last 30 days."),
        ("Time to restore", "dora:time_to_restore_seconds:mean_30d", "s", "Mean incident restore time, last 30 days."),
    ]
    panels = []
    for index, (title, record, unit, description) in enumerate(stats):
        panels.append({
            "id": index + 1, "type": "stat", "title": title, "description": description,
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "gridPos": {"h": 6, "w": 6, "x": 6 * index, "y": 0},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"]}},
            "targets": [{"refId": "A", "expr": f'avg({record}{{service=~"$service"}})'}],
        })
    panels.append({
        "id": 5, "type": "timeseries", "title": "Deployments",
        "description": "Deployments per hour by service; each deploy is also an annotation.",
        "datasource": {"type": "prometheus", "uid": "prometheus"},
        "gridPos": {"h": 8, "w": 24, "x": 0, "y": 6},
        "targets": [{"refId": "A", "expr": 'sum by (service) (increase(goldenpath_dora_deployments_total{service=~"$service"}[1h]))',
                     "legendFormat": "{{service}}"}],
    })
    return {
        "uid": "goldenpath-dora", "title": "goldenpath / DORA", "tags": ["goldenpath", "dora"],
        "schemaVersion": 39, "version": 1, "editable": False, "time": {"from": "now-30d", "to": "now"},
        "annotations": {"list": [{
            "name": "Deployments", "enable": True, "iconColor": "blue",
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "expr": 'changes(goldenpath_dora_deployments_total{service=~"$service"}[2m]) > 0',
            "titleFormat": "deploy {{service}}",
        }]},
        "templating": {"list": [{
            "name": "service", "type": "query", "includeAll": True, "multi": True, "current": {"text": "All", "value": "$__all"},
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "query": "label_values(goldenpath_dora_deployments_total, service)",
        }]},
        "panels": panels,
    }
