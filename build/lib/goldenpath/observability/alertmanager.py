"""Alertmanager configuration generated from the same alert objects as the rules.

Routes by team, then severity; burn-in alerts go to the team's non-paging receiver.
Receivers reference credentials in Kubernetes secrets (mounted by the operator at
/etc/alertmanager/secrets/<secret>/<key>) and never inline them.
"""

from __future__ import annotations

from goldenpath.config.model import Receiver, TeamRouting
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


def secret_keys(teams: dict[str, TeamRouting]) -> dict[str, list[str]]:
    """Secret name -> the keys receivers read from it (the platform stack creates these Secrets)."""
    keys: dict[str, set[str]] = {}
    for routing in teams.values():
        for receiver in (routing.page, routing.ticket, routing.info):
            if receiver and receiver.secret:
                keys.setdefault(receiver.secret.name, set()).add(receiver.secret.key)
    return {name: sorted(found) for name, found in sorted(keys.items())}


def mounted_secrets(teams: dict[str, TeamRouting]) -> list[str]:
    return list(secret_keys(teams))


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


def alertmanager_config(teams: dict[str, TeamRouting], alerts: list[Alert], slos: list[SLO]) -> dict:
    check_routes(alerts, teams)
    receivers, routes = [], []
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
