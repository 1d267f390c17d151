"""DORA metrics from deployment and incident events, one Prometheus sample per event.

Source: the CD pipeline sends OTLP gauge points (``dora_events.py``), labelled by ``service``:

- ``goldenpath_dora_deployment``: value 1, one sample per production deployment (failed ones too).
- ``goldenpath_dora_change_failure``: value 1, one sample per failed deployment (rolled back,
  hot-fixed, or linked to an incident).
- ``goldenpath_dora_lead_time_seconds``: one sample per deployment, seconds from the first commit of
  the change to the deployment.
- ``goldenpath_dora_restore_time_seconds``: one sample per resolved incident, seconds from incident
  start to restore (sent by the incident tooling the same way, OTLP name ``goldenpath.dora.restore_time``,
  unit ``s``).

Events are hours or days apart, so the rules count and sum samples over their windows
(``count_over_time``, ``sum_over_time``) instead of reading counters with ``increase()``, which would
need something to keep a running total between events (see ``dora_events``):

- deployment frequency = deployments over 7 days / 7 (per day);
- lead time for changes = sum of lead times / number of lead times, over 7 days;
- change failure rate = change failures / deployments, over 30 days (0 when deploys had no failure);
- time to restore = sum of restore times / incidents, over 30 days.
"""

from __future__ import annotations

DEPLOYMENT = "goldenpath_dora_deployment"
CHANGE_FAILURE = "goldenpath_dora_change_failure"
LEAD_TIME = "goldenpath_dora_lead_time_seconds"
RESTORE_TIME = "goldenpath_dora_restore_time_seconds"


def _per_service(function: str, metric: str, window: str) -> str:
    """``function`` over ``window``, per service, where the service is who sent the event: ``job``, which Prometheus
    takes from ``service.name``, which the collector sets from the sending pod's namespace label (a label tenants
    cannot write; ``collector.IDENTITY_STATEMENTS``). The event's own ``service`` attribute is a claim any pod that
    reaches the collector can make about any service, so it is overwritten, and events without a sender are dropped."""
    return (f'sum by (service) (label_replace({function}({metric}{{job!=""}}[{window}]), '
            f'"service", "$1", "job", "(.+)"))')


def _mean(metric: str, window: str) -> str:
    return f"{_per_service('sum_over_time', metric, window)}\n/\n{_per_service('count_over_time', metric, window)}"


RECORDING_RULES = [
    ("dora:deployment_frequency:per_day_7d", f"{_per_service('count_over_time', DEPLOYMENT, '7d')} / 7"),
    ("dora:lead_time_seconds:mean_7d", _mean(LEAD_TIME, "7d")),
    # A service that deployed without failing has no failure samples: `or` gives it 0, not nothing.
    ("dora:change_failure_ratio:30d",
     f"(\n  {_per_service('count_over_time', CHANGE_FAILURE, '30d')}\n"
     f"  or\n  0 * {_per_service('count_over_time', DEPLOYMENT, '30d')}\n)\n"
     f"/\n{_per_service('count_over_time', DEPLOYMENT, '30d')}"),
    ("dora:time_to_restore_seconds:mean_30d", _mean(RESTORE_TIME, "30d")),
]


def rule_group() -> dict:
    return {"name": "dora", "interval": "5m", "rules": [{"record": r, "expr": e} for r, e in RECORDING_RULES]}


def _events(every_hours: int, value: float, hours: int) -> str:
    """promtool series text for 1-hour steps: ``value`` every ``every_hours`` hours, nothing in between."""
    events = hours // every_hours + 1
    return " ".join([f"{value:g}"] + [f"_x{every_hours - 1} {value:g}"] * (events - 1))


# Between two events, so a window's edges never fall on a sample: Prometheus 3 ranges are open at the
# start and promtool from Debian (Prometheus 2) closes them; both then count the same samples.
EVAL_TIME = "30d18h"


def promtool_tests() -> list[dict]:
    """Fixture events with known answers and hours of silence between them (as deploys really are):
    checkout deploys every 12 h with a 3 h lead time, one deploy in four fails, and one incident a day
    is restored in 30 minutes; search deploys once a day and never fails (its failure rate is 0). A pod in
    search's namespace also claims, every 8 hours, failed checkout deploys with a lead time of a week: the
    rules count those as search's own events (who sent them), so checkout's figures do not move."""
    hours = 31 * 24
    checkout, search = 'service="checkout"', 'service="search"'
    own_checkout, own_search, forged = f'{checkout},job="checkout"', f'{search},job="search"', f'{checkout},job="search"'
    series = [
        (f"{DEPLOYMENT}{{{own_checkout}}}", _events(12, 1, hours)),
        (f"{CHANGE_FAILURE}{{{own_checkout}}}", _events(48, 1, hours)),
        (f"{LEAD_TIME}{{{own_checkout}}}", _events(12, 10800, hours)),
        (f"{RESTORE_TIME}{{{own_checkout}}}", _events(24, 1800, hours)),
        (f"{DEPLOYMENT}{{{own_search}}}", _events(24, 1, hours)),
        (f"{CHANGE_FAILURE}{{{forged}}}", _events(8, 1, hours)),
        (f"{LEAD_TIME}{{{forged}}}", _events(8, 604800, hours)),
        (f"{DEPLOYMENT}{{{checkout}}}", _events(1, 1, hours)),  # no sender (no job): not counted for anyone
    ]
    expected: dict[str, dict[str, float]] = {
        "dora:deployment_frequency:per_day_7d": {checkout: 2, search: 1},
        "dora:lead_time_seconds:mean_7d": {checkout: 10800, search: 604800},
        "dora:change_failure_ratio:30d": {checkout: 0.25, search: 3},
        "dora:time_to_restore_seconds:mean_30d": {checkout: 1800},
    }
    return [{
        "name": "DORA formulas on events hours apart, counted for the service that sent them",
        "interval": "1h",
        "input_series": [{"series": s, "values": v} for s, v in series],
        "promql_expr_test": [
            {"expr": record, "eval_time": EVAL_TIME,
             "exp_samples": [{"labels": f"{record}{{{labels}}}", "value": value} for labels, value in sorted(answers.items())]}
            for record, answers in expected.items()
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
        "targets": [{"refId": "A", "expr": f'sum by (job) (count_over_time({DEPLOYMENT}{{job=~"$service"}}[1h]))',
                     "legendFormat": "{{job}}"}],
    })
    return {
        "uid": "goldenpath-dora", "title": "goldenpath / DORA", "tags": ["goldenpath", "dora"],
        "schemaVersion": 39, "version": 1, "editable": False, "time": {"from": "now-30d", "to": "now"},
        "annotations": {"list": [{
            "name": "Deployments", "enable": True, "iconColor": "blue",
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "expr": f'count_over_time({DEPLOYMENT}{{job=~"$service"}}[2m]) > 0',
            "titleFormat": "deploy {{job}}",
        }]},
        "templating": {"list": [{
            "name": "service", "type": "query", "includeAll": True, "multi": True, "current": {"text": "All", "value": "$__all"},
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "query": f"label_values({DEPLOYMENT}, job)",
        }]},
        "panels": panels,
    }
