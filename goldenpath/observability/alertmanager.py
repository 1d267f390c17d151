"""Alertmanager configuration generated from the same alert objects as the rules.

Routes by team, then severity; burn-in alerts go to the team's non-paging receiver.
Receivers reference credentials in Kubernetes secrets (mounted by the operator at
/etc/alertmanager/secrets/<secret>/<key>) and never inline them.
"""

from __future__ import annotations

from goldenpath.config.model import Observability, Receiver, TeamRouting
from goldenpath.observability import heartbeat
from goldenpath.observability.alerts import SEVERITIES, Alert, AlertContractError
from goldenpath.observability.slo import SLO

SECRETS_MOUNT = "/etc/alertmanager/secrets"
GROUP_BY = ["alertname", "team", "slo", "namespace"]


def _receiver_config(name: str, receiver: Receiver) -> dict:
    path = f"{SECRETS_MOUNT}/{receiver.secret.name}/{receiver.secret.key}" if receiver.secret else None
    if receiver.type == "pagerduty":
        body = {"pagerduty_configs": [{"routing_key_file": path, "send_resolved": True}]}
    elif receiver.type == "slack":
        body = {"slack_configs": [{"api_url_file": path, "channel": receiver.channel, "send_resolved": True,
                                   "title": '{{ template "slack.default.title" . }}'}]}
    else:
        target = {"url_file": path} if path else {"url": receiver.url}
        body = {"webhook_configs": [{**target, "send_resolved": True}]}
    return {"name": name, **body}


def receiver_name(team: str, severity: str) -> str:
    return f"{team}-{severity}"


def check_routes(alerts: list[Alert], teams: dict[str, TeamRouting]) -> None:
    """Every alert must reach a receiver of its team (the last clause of the alert contract)."""
    for alert in alerts:
        if alert.team not in teams:
            raise AlertContractError(
                f"alert {alert.name!r}: team {alert.team!r} has no route; expected one of "
                f"{', '.join(sorted(teams))} in observability.teams (the alert would be delivered nowhere)"
            )


def check_noise_budget(alerts: list[Alert], max_page_alerts: int, source: str) -> None:
    paging = sorted(a.name for a in alerts if a.pages)
    if len(paging) > max_page_alerts:
        raise AlertContractError(
            f"{source}: {len(paging)} page-severity alerts exceed the noise budget observability.max_page_alerts "
            f"({max_page_alerts}): {', '.join(paging)}; demote some to ticket, put new ones in burn-in, or raise the budget"
        )


def named_receivers(obs: Observability) -> list[tuple[str, Receiver]]:
    """Every receiver the environment configures, by its Alertmanager name (the heartbeat's included)."""
    found = []
    for team in sorted(obs.teams):
        routing = obs.teams[team]
        for severity, receiver in (("page", routing.page), ("ticket", routing.ticket), ("info", routing.info)):
            if receiver:
                found.append((receiver_name(team, severity), receiver))
    if obs.heartbeat.receiver:
        found.append((heartbeat.RECEIVER, obs.heartbeat.receiver))
    return found


def secret_keys(obs: Observability) -> dict[str, list[str]]:
    """Secret name -> the keys receivers read from it (the platform stack creates these Secrets)."""
    keys: dict[str, set[str]] = {}
    for _, receiver in named_receivers(obs):
        if receiver.secret:
            keys.setdefault(receiver.secret.name, set()).add(receiver.secret.key)
    return {name: sorted(found) for name, found in sorted(keys.items())}


def mounted_secrets(obs: Observability) -> list[str]:
    return list(secret_keys(obs))


def _inhibit_rules(slos: list[SLO]) -> list[dict]:
    rules = [
        {"source_matchers": ['severity="page"'], "target_matchers": ['severity=~"ticket|info"'],
         "equal": ["alertname", "namespace", "team"]},
        {"source_matchers": ['severity="ticket"'], "target_matchers": ['severity="info"'],
         "equal": ["alertname", "namespace", "team"]},
    ]
    tiers = sorted({t.number for slo in slos for t in slo.tiers})
    for tier in tiers[:-1]:
        slower = "|".join(str(t) for t in tiers if t > tier)
        rules.append(
            {"source_matchers": [f'burn_tier="{tier}"'], "target_matchers": [f'burn_tier=~"{slower}"'], "equal": ["slo"]}
        )
    return rules


def alertmanager_config(obs: Observability, alerts: list[Alert], slos: list[SLO]) -> dict:
    teams = obs.teams
    check_routes(alerts, teams)
    receivers, routes = [], []
    if obs.heartbeat.receiver:
        receivers.append(_receiver_config(heartbeat.RECEIVER, obs.heartbeat.receiver))
        routes.append(heartbeat.route(obs.heartbeat))
    for team in sorted(teams):
        routing = teams[team]
        by_severity = {"page": routing.page, "ticket": routing.ticket, "info": routing.info or routing.ticket}
        for severity in SEVERITIES:
            receivers.append(_receiver_config(receiver_name(team, severity), by_severity[severity]))
        routes.append({
            "receiver": receiver_name(team, "ticket"),
            "matchers": [f'team="{team}"'],
            "routes": [
                # Burn-in first: a new alert never pages until it is promoted.
                {"receiver": receiver_name(team, "ticket"), "matchers": ['burn_in="true"']},
                {"receiver": receiver_name(team, "page"), "matchers": ['severity="page"'], "repeat_interval": "1h"},
                {"receiver": receiver_name(team, "ticket"), "matchers": ['severity="ticket"']},
                {"receiver": receiver_name(team, "info"), "matchers": ['severity="info"'], "repeat_interval": "24h"},
            ],
        })
    default_team = "platform" if "platform" in teams else sorted(teams)[0]
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": receiver_name(default_team, "ticket"),
            "group_by": GROUP_BY,
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "12h",
            "routes": routes,
        },
        "inhibit_rules": _inhibit_rules(slos),
        "receivers": receivers,
        "templates": ["/etc/alertmanager/config/*.tmpl"],
    }


def routing_cases(config: dict) -> list[tuple[list[str], str]]:
    """(alert labels, the receiver it must reach) for `amtool config routes test`: the heartbeat reaches the
    switch, and each team's page still reaches that team (the heartbeat's route swallows nothing else)."""
    receivers = {r["name"] for r in config["receivers"]}
    cases = []
    if heartbeat.RECEIVER in receivers:
        cases.append(([f"alertname={heartbeat.ALERT}", *(f"{k}={v}" for k, v in sorted(heartbeat.LABELS.items()))],
                      heartbeat.RECEIVER))
    for route in config["route"]["routes"]:
        if route["receiver"] == heartbeat.RECEIVER:
            continue
        team = route["matchers"][0].split("=", 1)[1].strip('"')
        cases.append(([f"alertname={heartbeat.ALERT}", f"team={team}", "severity=page"], receiver_name(team, "page")))
    return cases
