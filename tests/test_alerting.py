"""Alerts, SLOs and Alertmanager routing as typed objects (pure Python, no jsii)."""

from __future__ import annotations

import dataclasses

import pytest

from goldenpath.config.loader import parse_environment
from goldenpath.errors import ConfigError
from goldenpath.observability.alertmanager import alertmanager_config, check_noise_budget, secret_keys
from goldenpath.observability.heartbeat import heartbeat_line
from goldenpath.observability.alerts import Alert, AlertContractError, RunbookText
from goldenpath.observability.catalog import APISERVER_AVAILABILITY, CAUSE_ALERTS, PLATFORM_SLOS
from goldenpath.observability.contract import checked_alerts
from goldenpath.observability.rules import all_alerts
from goldenpath.observability.runbooks import render_runbooks
from goldenpath.observability.slo import SLO
from tests.conftest import ENVIRONMENTS, REPO

TEXT = RunbookText("m", "i", ("d",), ("x",))
DEV = (ENVIRONMENTS / "dev.yaml").read_text()
PROD = (ENVIRONMENTS / "prod.yaml").read_text()


def alert(**overrides) -> Alert:
    fields = dict(name="DiskFull", expr="up == 0", severity="ticket", team="platform", summary="s",
                  runbook="pod-crash-looping", runbook_text=TEXT, for_="5m")
    return Alert(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"severity": "critical"}, "alert 'DiskFull': severity 'critical', expected one of page, ticket, info"),
        ({"team": ""}, "alert 'DiskFull': team '', expected the owning team's name"),
        ({"runbook": ""}, "alert 'DiskFull': runbook '', expected the slug of docs/runbooks/<slug>.md"),
        ({"for_": "30s"}, "alert 'DiskFull': for '30s' is shorter than the minimum 1m"),
        ({"for_": "soon"}, "alert 'DiskFull': duration 'soon'"),
        ({"name": "disk_full"}, "alert 'disk_full': name is not CamelCase"),
        ({"labels": {"severity": "page"}}, "labels ['severity'] are set by goldenpath"),
    ],
)
def test_alert_contract_is_enforced_at_creation(overrides, message):
    with pytest.raises(AlertContractError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        alert(**overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"objective": 1.0}, "objective 1.0, expected a fraction strictly between 0 and 1"),
        ({"objective": 0.0}, "objective 0.0, expected a fraction strictly between 0 and 1"),
        ({"objective": 0.9}, "objective 0.9 is too low to page on burn rate"),
        ({"window": "7d"}, "window '7d' is not in the burn-rate table, expected one of 30d"),
        ({"name": "API"}, "name must be lowercase"),
    ],
)
def test_slo_bad_input_names_the_slo(overrides, message):
    with pytest.raises(AlertContractError, match=f"SLO '.*': {message}" if "name must" not in message else message):
        dataclasses.replace(APISERVER_AVAILABILITY, **overrides)


def test_slo_generates_recording_rules_and_four_burn_tiers():
    rules = APISERVER_AVAILABILITY.recording_rules()
    assert [r["record"] for r in rules] == [f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")]
    assert rules[0]["expr"] == (
        'sum(rate(apiserver_request_total{job="apiserver",code=~"5.."}[5m])) / (sum(rate(apiserver_request_total{job="apiserver"}[5m])))'
    )
    alerts = {a.name: a for a in APISERVER_AVAILABILITY.alerts()}
    fast = alerts["ApiserverAvailabilityBudgetBurnFast"]
    assert fast.severity == "page" and fast.for_ == "2m" and fast.labels["burn_tier"] == "1"
    assert 'slo:sli_error:ratio_rate1h{slo="apiserver-availability"} > 0.0144' in fast.expr
    assert 'slo:sli_error:ratio_rate5m{slo="apiserver-availability"} > 0.0144' in fast.expr
    assert [a.severity for a in alerts.values()] == ["page", "page", "ticket", "ticket"]
    assert "ratio_rate3d" in alerts["ApiserverAvailabilityBudgetBurnDrift"].expr
    assert "> 0.001" in alerts["ApiserverAvailabilityBudgetBurnDrift"].expr


def environment(text=DEV):
    return parse_environment(text, "environments/dev.yaml")


def test_alertmanager_routes_by_team_and_severity_with_burn_in_first():
    env = environment()
    config = alertmanager_config(env.observability, all_alerts(PLATFORM_SLOS, CAUSE_ALERTS), PLATFORM_SLOS)
    team_route = next(r for r in config["route"]["routes"] if r["matchers"] == ['team="platform"'])
    assert [(r["matchers"], r["receiver"]) for r in team_route["routes"]] == [
        (['burn_in="true"'], "platform-ticket"),
        (['severity="page"'], "platform-page"),
        (['severity="ticket"'], "platform-ticket"),
        (['severity="info"'], "platform-info"),
    ]
    assert config["route"]["group_by"] == ["alertname", "team", "slo", "namespace"]
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["platform-page"]["slack_configs"][0]["api_url_file"] == (
        "/etc/alertmanager/secrets/alertmanager-slack/platform-webhook-url")
    assert receivers["platform-page"]["slack_configs"][0]["channel"] == "#platform-dev-alerts"


def test_the_heartbeat_has_the_first_route_its_own_receiver_and_repeat_interval():
    env = environment()
    config = alertmanager_config(env.observability, all_alerts(PLATFORM_SLOS, CAUSE_ALERTS), PLATFORM_SLOS)
    first = config["route"]["routes"][0]
    assert first == {"receiver": "heartbeat", "matchers": ['alertname="Watchdog"', 'heartbeat="true"'], "group_by": ["alertname"],
                     "group_wait": "0s", "group_interval": "1m", "repeat_interval": "5m", "continue": False}
    heartbeat = next(r for r in config["receivers"] if r["name"] == "heartbeat")
    assert heartbeat["webhook_configs"] == [{"url_file": "/etc/alertmanager/secrets/alertmanager-heartbeat/url", "send_resolved": True}]
    assert "alertmanager-heartbeat" in secret_keys(env.observability)
    assert heartbeat_line(env) == ("alerting: dev heartbeat Watchdog -> webhook (URL in secret alertmanager-heartbeat/url) "
                                   "every 5 min; the switch pages when it stops")


def test_an_environment_without_a_dead_mans_switch_says_so_or_is_refused():
    without = DEV[:DEV.index("  heartbeat:\n")] + DEV[DEV.index("    repeat_minutes: 5\n") + len("    repeat_minutes: 5\n"):]
    with pytest.raises(ConfigError, match=r"observability.heartbeat: .*missing|observability.heartbeat: Field required"):
        parse_environment(without, "environments/dev.yaml")
    both = DEV.replace("    repeat_minutes: 5\n", "    repeat_minutes: 5\n    opt_out_reason: the switch is being replaced\n")
    with pytest.raises(ConfigError, match=r"observability.heartbeat.receiver: .*expected either a receiver"):
        parse_environment(both, "environments/dev.yaml")
    opted_out = DEV.replace("    receiver: {type: webhook, secret: {name: alertmanager-heartbeat, key: url}}\n",
                            "    opt_out_reason: a throwaway load-test environment, torn down nightly\n")
    env = environment(opted_out)
    config = alertmanager_config(env.observability, all_alerts(PLATFORM_SLOS, []), PLATFORM_SLOS)
    assert "heartbeat" not in {r["name"] for r in config["receivers"]}
    assert heartbeat_line(env).startswith("alerting: dev runs WITHOUT a dead-man's switch (observability.heartbeat."
                                          "opt_out_reason: a throwaway load-test environment, torn down nightly)")


def test_inhibition_covers_severity_and_faster_burn_tiers():
    config = alertmanager_config(environment().observability, all_alerts(PLATFORM_SLOS, []), PLATFORM_SLOS)
    rules = [(r["source_matchers"], r["target_matchers"], r["equal"]) for r in config["inhibit_rules"]]
    assert (['severity="page"'], ['severity=~"ticket|info"'], ["alertname", "namespace", "team"]) in rules
    assert (['burn_tier="1"'], ['burn_tier=~"2|3|4"'], ["slo"]) in rules
    assert (['burn_tier="2"'], ['burn_tier=~"3|4"'], ["slo"]) in rules
    assert (['burn_tier="3"'], ['burn_tier=~"4"'], ["slo"]) in rules


def test_secrets_are_referenced_never_inlined():
    env = environment(PROD.replace("name: prod", "name: dev"))
    config = alertmanager_config(env.observability, all_alerts(PLATFORM_SLOS, []), PLATFORM_SLOS)
    page = next(r for r in config["receivers"] if r["name"] == "platform-page")
    assert page["pagerduty_configs"][0] == {
        "routing_key_file": "/etc/alertmanager/secrets/alertmanager-platform/pagerduty-routing-key", "send_resolved": True,
    }
    assert "routing_key" not in page["pagerduty_configs"][0]


def test_receiver_without_a_secret_is_refused():
    text = PROD.replace("page: {type: pagerduty, secret: {name: alertmanager-platform, key: pagerduty-routing-key}}",
                        "page: {type: pagerduty}")
    with pytest.raises(ConfigError, match=r"observability.teams.platform.page.secret: got null, expected a secret reference"):
        parse_environment(text, "environments/prod.yaml")


def test_retention_shorter_than_a_day_is_refused():
    with pytest.raises(ConfigError, match=r"observability.retention.logs_days: got 0, expected greater than or equal to 1"):
        environment(DEV.replace("logs_days: 7", "logs_days: 0"))


def test_tail_sampling_needs_a_load_balancing_tier():
    text = DEV.replace("  max_page_alerts: 10\n", "  max_page_alerts: 10\n  collector: {tail_sampling: true}\n")
    with pytest.raises(ConfigError, match=r"observability.collector.tail_sampling: got true, expected load_balancing: true as well"):
        environment(text)


def test_alert_without_a_route_names_the_rule():
    stray = alert(team="payments")
    with pytest.raises(AlertContractError, match=r"alert 'DiskFull': team 'payments' has no route; expected one of platform"):
        checked_alerts(environment(), [], [stray], REPO / "docs" / "runbooks")


def test_alert_without_a_runbook_file_names_the_rule(tmp_path):
    with pytest.raises(AlertContractError, match=r"alert 'DiskFull': runbook .*pod-crash-looping.md does not exist"):
        checked_alerts(environment(), [], [alert()], tmp_path)


def test_noise_budget_counts_paging_alerts_but_not_burn_in():
    paging = [alert(name=f"Page{i}", severity="page") for i in range(3)]
    check_noise_budget(paging, 3, "environments/dev.yaml")
    with pytest.raises(AlertContractError, match=r"environments/dev.yaml: 4 page-severity alerts exceed the noise budget observability.max_page_alerts \(3\)"):
        check_noise_budget([*paging, alert(name="Page9", severity="page")], 3, "environments/dev.yaml")
    check_noise_budget([*paging, alert(name="Page9", severity="page", burn_in=True)], 3, "environments/dev.yaml")


def test_burn_in_alerts_carry_the_label_and_do_not_page():
    new = alert(name="NewAlert", severity="page", burn_in=True)
    assert new.rule("https://x")["labels"]["burn_in"] == "true" and not new.pages


def test_bundled_catalog_meets_the_contract_and_budget_in_every_environment(bundled_environments):
    for env in bundled_environments:
        alerts = checked_alerts(env, PLATFORM_SLOS, CAUSE_ALERTS, REPO / "docs" / "runbooks")
        assert sum(a.pages for a in alerts) == 6  # two page tiers for each of three SLOs
        assert {a.severity for a in CAUSE_ALERTS} <= {"ticket", "info"}  # causes never page


def test_committed_runbooks_are_current():
    for runbook in render_runbooks(all_alerts(PLATFORM_SLOS, CAUSE_ALERTS)):
        path = REPO / "docs" / "runbooks" / f"{runbook.slug}.md"
        assert path.read_text() == runbook.text, f"{path} is stale: run `goldenpath runbooks`"
        for heading in ("## Meaning", "## Impact", "## Diagnosis", "## Mitigation", "## What changed"):
            assert heading in runbook.text


def test_validate_names_the_series_budget_and_every_shed_namespace():
    from goldenpath.observability.series_budget import series_line

    assert series_line(environment()) == ("telemetry: dev tickets the platform team when a namespace holds more than 20000 "
                                          "Prometheus series (NamespaceSeriesOverBudget)")
    shed = DEV.replace("    repeat_minutes: 5\n", "    repeat_minutes: 5\n  namespace_series_budget: 5000\n"
                       "  collector: {shed_metrics_namespaces: [storefront-web]}\n")
    assert series_line(environment(shed)) == (
        "telemetry: dev tickets the platform team when a namespace holds more than 5000 Prometheus series "
        "(NamespaceSeriesOverBudget); the collector DROPS every metric of storefront-web "
        "(observability.collector.shed_metrics_namespaces)")
    for bad, message in (("[storefront-web, storefront-web]", "observability.collector.shed_metrics_namespaces: got "
                                                               '["storefront-web", "storefront-web"], expected each namespace once'),
                         ("[Storefront]", "observability.collector.shed_metrics_namespaces[0]: got 'Storefront'")):
        with pytest.raises(ConfigError) as caught:
            environment(DEV.replace("    repeat_minutes: 5\n", f"    repeat_minutes: 5\n  collector: {{shed_metrics_namespaces: {bad}}}\n"))
        assert message in str(caught.value)
    with pytest.raises(ConfigError, match="observability.namespace_series_budget: got 5, expected "):
        environment(DEV.replace("    repeat_minutes: 5\n", "    repeat_minutes: 5\n  namespace_series_budget: 5\n"))
