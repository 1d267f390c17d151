"""The dead-man's switch: an alert that always fires, routed on its own to a service that pages when it stops.

kube-prometheus-stack's own ``Watchdog`` lives in its ``general`` rule group, which goldenpath keeps off (it also
holds unowned, unrouted alerts), so goldenpath generates the same alert itself, with the same name (dead-man's
switch integrations and the chart's runbook know it by it). Its route comes first and sends nothing else: when
Prometheus stops evaluating, Alertmanager stops sending, or the route to the switch breaks, the heartbeat stops
arriving and the switch pages, from outside the cluster.
"""

from __future__ import annotations

from goldenpath.config.model import Environment, Heartbeat

ALERT = "Watchdog"
RECEIVER = "heartbeat"
LABELS = {"severity": "none", "heartbeat": "true"}
RUNBOOK = "heartbeat"
SUMMARY = "Heartbeat: always firing while Prometheus evaluates rules and Alertmanager sends; its absence pages"


def rule_group(runbook_base_url: str) -> dict:
    return {"name": "goldenpath-heartbeat", "rules": [{
        "alert": ALERT, "expr": "vector(1)", "labels": dict(LABELS),
        "annotations": {"summary": SUMMARY, "runbook_url": f"{runbook_base_url}/{RUNBOOK}.md"},
    }]}


def route(heartbeat: Heartbeat) -> dict:
    """First of the routes: the heartbeat goes at once and again every ``repeat_minutes``, and only to the switch."""
    return {"receiver": RECEIVER, "matchers": [f'alertname="{ALERT}"', 'heartbeat="true"'],
            "group_by": ["alertname"], "group_wait": "0s", "group_interval": "1m",
            "repeat_interval": f"{heartbeat.repeat_minutes}m", "continue": False}


def promtool_tests(runbook_base_url: str) -> list[dict]:
    return [{
        "name": "the heartbeat fires without any input series",
        "interval": "1m", "input_series": [],
        "alert_rule_test": [{"eval_time": "1m", "alertname": ALERT, "exp_alerts": [{
            "exp_labels": dict(LABELS),
            "exp_annotations": {"summary": SUMMARY, "runbook_url": f"{runbook_base_url}/{RUNBOOK}.md"}}]}],
    }]


def heartbeat_line(environment: Environment) -> str:
    """What `validate` says about the environment's dead-man's switch (an opt-out is shown with its reason)."""
    heartbeat = environment.observability.heartbeat
    if heartbeat.receiver is None:
        return (f"alerting: {environment.name} runs WITHOUT a dead-man's switch (observability.heartbeat.opt_out_reason: "
                f"{heartbeat.opt_out_reason}); a dead Prometheus or Alertmanager would be silent")
    receiver = heartbeat.receiver
    where = (f"URL in secret {receiver.secret.name}/{receiver.secret.key}" if receiver.secret else receiver.url)
    return (f"alerting: {environment.name} heartbeat {ALERT} -> {receiver.type} ({where}) every "
            f"{heartbeat.repeat_minutes} min; the switch pages when it stops")
