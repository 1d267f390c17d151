"""Generated alerting config checked by the real tools: promtool (rules, unit tests) and amtool.

promtool and amtool come from the Debian packages prometheus and prometheus-alertmanager
(.ci/run installs them). Missing tools fail these tests; they never skip. promtool unit
tests evaluate every rule each minute of the test range, so they run once, not per
environment (the rules do not differ between environments except for routing).
"""

from __future__ import annotations

import copy
import re
import dataclasses

import pytest
import yaml

from goldenpath.errors import GoldenpathError
from goldenpath.observability.catalog import APISERVER_AVAILABILITY
from goldenpath.observability.render import render_alerting
from goldenpath.observability.rules import RULE_FILE
from goldenpath.observability.toolcheck import check_alerting_files, run_tool
from tests.conftest import REPO

RUNBOOKS = REPO / "docs" / "runbooks"
# amtool's routing test: the heartbeat reaches the dead-man's switch, and a page still reaches its team
ROUTES = ["amtool config routes test alertname=Watchdog heartbeat=true severity=none: heartbeat",
          "amtool config routes test alertname=Watchdog team=platform severity=page: platform-page",
          "amtool config routes test alertname=Watchdog team=storefront severity=page: storefront-page"]


def environment(bundled_environments, name):
    return next(e for e in bundled_environments if e.name == name)


@pytest.mark.parametrize("name", ["dev", "staging"])
def test_rules_and_alertmanager_config_pass_the_real_tools(bundled_environments, tmp_path, name):
    files = render_alerting(environment(bundled_environments, name), tmp_path, runbook_dir=RUNBOOKS)
    lines = check_alerting_files(files, unit_tests=False)
    assert lines == ["promtool check rules goldenpath-rules.yaml: SUCCESS: 45 rules found",
                     "promtool check rules service-slo-rules.yaml: SUCCESS: 0 rules found",
                     "promtool check rules namespace-series-rules.yaml: SUCCESS: 3 rules found",
                     "amtool check-config: SUCCESS", *ROUTES]


def test_prod_rules_pass_promtool_unit_tests_and_amtool(bundled_environments, tmp_path):
    files = render_alerting(environment(bundled_environments, "prod"), tmp_path, runbook_dir=RUNBOOKS)
    assert check_alerting_files(files) == [
        "promtool check rules goldenpath-rules.yaml: SUCCESS: 45 rules found",
        "promtool check rules service-slo-rules.yaml: SUCCESS: 0 rules found",
        "promtool check rules namespace-series-rules.yaml: SUCCESS: 3 rules found",
        "promtool test rules goldenpath-rules.test.yaml: SUCCESS",
        "promtool test rules dora-rules.test.yaml: SUCCESS",
        "promtool test rules service-slo-rules.test.yaml: SUCCESS",
        "promtool test rules namespace-series-rules.test.yaml: SUCCESS",
        "amtool check-config: SUCCESS",
        *ROUTES,
    ]
    tests = yaml.safe_load(files["tests"].read_text())["tests"]
    names = [t["name"] for t in tests]
    for slo in ("ApiserverAvailability", "IngressAvailability", "TelemetryPipelineDelivery"):
        for tier in ("Fast", "Medium"):
            assert sum(n.startswith(f"{slo}BudgetBurn{tier} fires") for n in names) == 1
            assert sum(n.startswith(f"{slo}BudgetBurn{tier} stays silent") for n in names) == 1
    assert all(t["alert_rule_test"][0]["exp_alerts"] == [] for t in tests if "stays silent" in t["name"])


@pytest.fixture(scope="module")
def single_slo(bundled_environments, tmp_path_factory):
    directory = tmp_path_factory.mktemp("single")
    return render_alerting(environment(bundled_environments, "prod"), directory, slos=[APISERVER_AVAILABILITY],
                           alerts=[], runbook_dir=RUNBOOKS)


def test_generated_tests_catch_a_wrong_threshold(single_slo, tmp_path):
    """The tests have teeth: doubling a page threshold makes its 'fires' test fail."""
    rules = yaml.safe_load(single_slo["rules"].read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "ApiserverAvailabilityBudgetBurnFast":
                rule["expr"] = rule["expr"].replace("> 0.0144", "> 0.0288")
    (tmp_path / RULE_FILE).write_text(yaml.safe_dump(rules))
    (tmp_path / "t.yaml").write_text(single_slo["tests"].read_text())
    with pytest.raises(GoldenpathError, match="ApiserverAvailabilityBudgetBurnFast"):
        run_tool("promtool", "test", "rules", "t.yaml", cwd=tmp_path)


def test_dora_tests_fail_on_a_wrong_answer(single_slo, tmp_path):
    test_file = yaml.safe_load(single_slo["dora_tests"].read_text())
    assert {s["exp_samples"][0]["value"] for s in test_file["tests"][0]["promql_expr_test"]} == {2, 10800, 0.25, 1800}
    assert {s["labels"] for t in test_file["tests"][0]["promql_expr_test"] for s in t["exp_samples"]} >= {
        'dora:change_failure_ratio:30d{service="search"}'}  # a service that never failed reads 0, not nothing
    wrong = copy.deepcopy(test_file)
    wrong["tests"][0]["promql_expr_test"][0]["exp_samples"][0]["value"] = 3  # not 2 deploys a day
    (tmp_path / "dora-rules.yaml").write_text(single_slo["dora_rules"].read_text())
    (tmp_path / "wrong.yaml").write_text(yaml.safe_dump(wrong))
    with pytest.raises(GoldenpathError):
        run_tool("promtool", "test", "rules", "wrong.yaml", cwd=tmp_path)


def test_dora_rules_that_trusted_the_events_own_service_label_would_fail(single_slo, tmp_path):
    """The test feeds failures a pod in search's namespace claims for checkout: rules keyed on the claimed `service`
    (not on `job`, the sender's identity set by the collector) would count them for checkout, and fail."""
    rules = yaml.safe_load(single_slo["dora_rules"].read_text())
    naive = re.compile(r'label_replace\((.*?)\{job!=""\}(\[\w+\])\), "service", "\$1", "job", "\(\.\+\)"\)')
    for rule in rules["groups"][0]["rules"]:
        assert naive.search(rule["expr"]), rule["expr"]
        rule["expr"] = naive.sub(r"\1\2)", rule["expr"])
    (tmp_path / "dora-rules.yaml").write_text(yaml.safe_dump(rules))
    (tmp_path / "t.yaml").write_text(single_slo["dora_tests"].read_text())
    with pytest.raises(GoldenpathError, match='dora:change_failure_ratio:30d'):
        run_tool("promtool", "test", "rules", "t.yaml", cwd=tmp_path)


def test_amtool_rejects_a_broken_config(single_slo, tmp_path):
    config = yaml.safe_load(single_slo["alertmanager"].read_text())
    config["route"]["receiver"] = "nobody"
    (tmp_path / "am.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(GoldenpathError, match="amtool check-config"):
        run_tool("amtool", "check-config", "am.yaml", cwd=tmp_path)


def test_burn_in_routes_page_alerts_to_the_non_paging_receiver(bundled_environments, tmp_path):
    trial = dataclasses.replace(APISERVER_AVAILABILITY, burn_in=True)
    files = render_alerting(environment(bundled_environments, "prod"), tmp_path, slos=[trial], alerts=[], runbook_dir=RUNBOOKS)
    assert "SUCCESS" in check_alerting_files(files)[1]  # the fires-tests expect the burn_in label
    base = ["alertname=ApiserverAvailabilityBudgetBurnFast", "team=platform", "severity=page"]
    route = ("amtool", "config", "routes", "test", "--config.file", files["alertmanager"].name)
    assert run_tool(*route, *base, "burn_in=true", cwd=tmp_path).splitlines()[0].strip() == "platform-ticket"
    assert run_tool(*route, *base, cwd=tmp_path).splitlines()[0].strip() == "platform-page"


def test_amtool_fails_when_the_heartbeat_would_not_reach_the_switch(bundled_environments, tmp_path):
    files = render_alerting(environment(bundled_environments, "dev"), tmp_path, runbook_dir=RUNBOOKS)
    config = yaml.safe_load(files["alertmanager"].read_text())
    assert config["route"]["routes"][0]["receiver"] == "heartbeat"
    del config["route"]["routes"][0]  # the switch's receiver stays, its route is gone: Watchdog falls to the default
    files["alertmanager"].write_text(yaml.safe_dump(config))
    with pytest.raises(GoldenpathError, match="Expected receivers did not match resolved receivers"):
        check_alerting_files(files, unit_tests=False)


def test_an_amtool_too_old_for_url_file_is_refused_loudly(tmp_path, monkeypatch):
    old = tmp_path / "amtool"
    old.write_text("#!/bin/sh\necho 'amtool, version 0.25.0 (branch: debian/sid, revision: 0.25.0-1+b4)'\n")
    old.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(GoldenpathError, match=r"amtool 0.25.0, expected 0.26 or newer \(webhook url_file\)"):
        run_tool("amtool", "--version", cwd=tmp_path)


@pytest.fixture(scope="module")
def prod_files(bundled_environments, tmp_path_factory):
    return render_alerting(environment(bundled_environments, "prod"), tmp_path_factory.mktemp("prod"), runbook_dir=RUNBOOKS)


def test_the_deployed_series_rules_carry_the_environments_budget(prod_files):
    from goldenpath.observability import series_budget

    groups = {g["name"]: g for g in yaml.safe_load(prod_files["rules"].read_text())["groups"]}
    budget = {r["record"]: r["expr"] for r in groups[series_budget.GROUP]["rules"]}[series_budget.BUDGET_RECORD]
    assert budget == "vector(20000)"  # observability.namespace_series_budget's default
    tested = yaml.safe_load(prod_files["series_rules"].read_text())["groups"][1]["rules"]
    assert tested == [r for g in groups.values() for r in g["rules"] if r.get("alert") == series_budget.ALERT]


@pytest.mark.parametrize(("case", "old", "new"), [
    ("counting the alert's own ALERTS series", "|ALERTS|ALERTS_FOR_STATE", ""),
    ("a budget one too high", "vector(3)", "vector(4)"),
    ("an alert at the budget, not over it", "> on() group_left()", ">= on() group_left()"),
])
def test_the_series_budget_tests_fail_when_the_rules_break(prod_files, tmp_path, case, old, new):
    text = prod_files["series_rules"].read_text()
    assert old in text
    (tmp_path / prod_files["series_rules"].name).write_text(text.replace(old, new))
    (tmp_path / "t.yaml").write_text(prod_files["series_tests"].read_text())
    with pytest.raises(GoldenpathError):
        run_tool("promtool", "test", "rules", "t.yaml", cwd=tmp_path)


def test_the_namespace_label_is_the_promoted_attribute_as_prometheus_names_it():
    """The series count and the service SLOs read one label; it exists only while Prometheus promotes
    k8s.namespace.name, and its name is that attribute under the default translation (facts)."""
    from goldenpath.observability import series_budget
    from goldenpath.observability.facts import PROMETHEUS_NAMESPACE_LABEL
    from goldenpath.observability.values import PROMOTED_RESOURCE_ATTRIBUTES
    from goldenpath.tenancy import slos

    assert "k8s.namespace.name" in PROMOTED_RESOURCE_ATTRIBUTES
    assert PROMETHEUS_NAMESPACE_LABEL == re.sub(r"[^a-zA-Z0-9_]", "_", "k8s.namespace.name")
    assert series_budget.NAMESPACE_LABEL == slos.NAMESPACE_LABEL == PROMETHEUS_NAMESPACE_LABEL
