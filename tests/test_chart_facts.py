"""The in-cluster stacks against facts read from the pinned charts' and images' own sources.

No cluster, helm or collector runs here, so each fact in goldenpath/observability/facts.py is
checked on the synthesized platform stack of every bundled environment (the passing case) and
on a copy with the defect the fact guards against (the failing case).
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from goldenpath.observability import facts, factcheck
from goldenpath.observability.chart_render import chart_fullname, helm_merge, rendered_collector_config
from goldenpath.observability.charts import CHARTS
from goldenpath.observability.grafana_text import grafana_expand, provisioning_literal, terraform_literal, terraform_unescape
from goldenpath.observability.values import datasources
from tests.conftest import stack_json

ENVIRONMENT_NAMES = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def platform_stacks(bundled_synth):
    return {name: stack_json(bundled_synth, f"{name}-platform") for name in ENVIRONMENT_NAMES}


@pytest.fixture()
def prod(platform_stacks):
    """A private copy of prod's platform stack and its releases, for failing cases."""
    stack = copy.deepcopy(platform_stacks["prod"])
    return stack, factcheck.helm_releases(stack)


@pytest.mark.parametrize("name", ENVIRONMENT_NAMES)
def test_every_bundled_platform_stack_holds_every_fact(platform_stacks, name):
    assert factcheck.check_platform_stack(platform_stacks[name]) == []


# -- pins ------------------------------------------------------------------------------------------
def test_every_pinned_chart_has_a_row_of_facts():
    for pin in CHARTS.values():
        row = facts.facts_for(pin.name, pin.version)
        assert row.published.repository and row.services, pin.name


def test_a_pin_without_facts_or_unpublished_is_refused(prod):
    _, releases = prod
    releases["tempo"] = factcheck.HelmRelease("tempo", "observability", "tempo", "9.9.9", releases["tempo"].values)
    releases["otel-collector"] = factcheck.HelmRelease("otel-collector", "observability", "opentelemetry-collector", "0.127.0",
                                                       releases["otel-collector"].values)
    problems = factcheck.check_chart_versions(releases)
    assert any("tempo 9.9.9 has no row of facts" in p for p in problems)
    assert any("opentelemetry-collector 0.127.0 is not published" in p for p in problems)


# -- Services and ports --------------------------------------------------------------------------------
def test_datasources_and_exporters_use_services_the_charts_create(prod):
    _, releases = prod
    assert factcheck.check_endpoints(releases) == []
    tempo = next(s for s in releases["kube-prometheus-stack"].values["grafana"]["additionalDataSources"] if s["uid"] == "tempo")
    tempo["url"] = "http://tempo.observability.svc.cluster.local:3100"  # the port the stack used to name
    (problem,) = factcheck.check_endpoints(releases)
    assert "uses port 3100, but Service tempo serves [3200, 4317, 4318, 9411]" in problem


def test_an_unknown_service_is_reported(prod):
    _, releases = prod
    releases["tempo"].values["tempo"]["metricsGenerator"]["remoteWriteUrl"] = "http://prometheus.observability.svc.cluster.local:9090/api/v1/write"
    (problem,) = factcheck.check_endpoints(releases)
    assert "names Service prometheus.observability, which no release creates" in problem


def test_a_receiver_pointing_at_a_service_nobody_creates_is_reported_unless_declared(prod):
    _, releases = prod
    receivers = releases["kube-prometheus-stack"].values["alertmanager"]["config"]["receivers"]
    receivers.append({"name": "storefront-ticket-bridge",
                      "webhook_configs": [{"url": "http://alert-bridge.observability.svc:9095/ticket", "send_resolved": True}]})
    (problem,) = factcheck.check_endpoints(releases)
    assert problem.startswith("Alertmanager receiver storefront-ticket-bridge: http://alert-bridge.observability.svc:9095/ticket "
                              "names Service alert-bridge.observability, which no release creates and "
                              "observability.declared_services does not declare")
    assert factcheck.check_endpoints(releases, ["alert-bridge.observability.svc:9095"]) == []
    assert factcheck.check_endpoints(releases, ["alert-bridge.observability.svc:9096"]) != []  # another port is another claim
    # a real Service with a wrong port is still caught
    receivers[-1]["webhook_configs"][0]["url"] = "http://kube-prometheus-stack-alertmanager.observability.svc:9095/"
    (problem,) = factcheck.check_endpoints(releases)
    assert "uses port 9095, but Service kube-prometheus-stack-alertmanager serves [9093]" in problem


def test_the_bundled_environments_route_no_alert_to_a_missing_service(platform_stacks):
    for name, stack in platform_stacks.items():
        releases = factcheck.helm_releases(stack)
        urls = [w.get("url") for r in releases["kube-prometheus-stack"].values["alertmanager"]["config"]["receivers"]
                for w in r.get("webhook_configs", [])]
        assert not any(url and ".svc" in url for url in urls), name
        assert factcheck.check_endpoints(releases) == [], name


def test_chart_fullname_follows_the_charts_helper():
    assert chart_fullname("loki", "loki", {}) == "loki"
    assert chart_fullname("logs", "loki", {}) == "logs-loki"
    assert chart_fullname("x", "tempo", {"fullnameOverride": "tempo"}) == "tempo"


# -- the collector -----------------------------------------------------------------------------------
def test_every_collector_component_is_built_into_the_image(prod):
    _, releases = prod
    assert factcheck.check_collector_components(releases) == []
    config = releases["otel-collector"].values["config"]
    config["exporters"]["prometheusremotewrite"] = {"endpoint": "http://x"}
    (problem,) = factcheck.check_collector_components(releases)
    assert "exporter 'prometheusremotewrite' is not built into otel/opentelemetry-collector-k8s:0.128.0" in problem


def test_pipelines_as_the_chart_renders_them_start_with_memory_limiter(prod):
    _, releases = prod
    assert factcheck.check_pipelines(releases) == []
    # The sampler with the kubernetesAttributes preset on: the chart prepends k8sattributes.
    releases["otel-sampler"].values["presets"]["kubernetesAttributes"]["enabled"] = True
    (problem,) = factcheck.check_pipelines(releases)
    assert "pipeline traces renders processors ['k8sattributes', 'memory_limiter', 'tail_sampling', 'batch']" in problem


def collector_problem(releases: dict, check, change) -> str:
    """The one problem ``check`` finds once ``change`` has edited a copy of the agent's collector config."""
    import copy

    copied = copy.deepcopy(releases)
    change(copied["otel-collector"].values["config"])
    (problem,) = check(copied)
    return problem


def moved_after_batch(pipeline: str, processor: str):
    def change(config: dict) -> None:
        processors = config["service"]["pipelines"][pipeline]["processors"]
        processors.remove(processor)
        processors += [p for p in ("batch",) if p not in processors] + [processor]
    return change


def test_oversized_metrics_are_dropped_before_prometheus(prod):
    from goldenpath.observability.series_budget import BOUND_PROCESSOR

    _, releases = prod
    assert factcheck.check_series_bound(releases) == []
    bound = lambda config: config["processors"][BOUND_PROCESSOR]  # noqa: E731
    for change in (
        lambda config: config["service"]["pipelines"]["metrics"]["processors"].remove(BOUND_PROCESSOR),
        lambda config: bound(config).update(error_mode="ignore"),  # a NaN would pass unmeasured
        lambda config: bound(config)["metrics"].update(
            metric=["Len(name) > 300", "Len(unit) > 63", "Len(String(resource.attributes)) > 32768"]),  # past the API's 255
        lambda config: bound(config)["metrics"].pop("datapoint"),
        moved_after_batch("metrics", BOUND_PROCESSOR),
    ):
        problem = collector_problem(releases, factcheck.check_series_bound, change)
        assert "release otel-collector: the metrics pipeline" in problem and "no filter processor that drops" in problem


def test_spans_without_ids_are_dropped_before_batching(prod):
    from goldenpath.observability.collector import SPAN_IDS_PROCESSOR

    _, releases = prod
    assert factcheck.check_span_ids(releases) == []
    for change in (
        lambda config: config["service"]["pipelines"]["traces"]["processors"].remove(SPAN_IDS_PROCESSOR),
        lambda config: config["processors"][SPAN_IDS_PROCESSOR]["traces"]["span"].pop(),  # "" encoding forgotten
        lambda config: config["processors"][SPAN_IDS_PROCESSOR].update(error_mode="ignore"),
        moved_after_batch("traces", SPAN_IDS_PROCESSOR),
    ):
        problem = collector_problem(releases, factcheck.check_span_ids, change)
        assert problem.startswith("release otel-collector: pipeline traces") and "without first dropping" in problem


def test_keys_without_a_letter_or_digit_are_deleted_before_batching(prod):
    from goldenpath.observability.collector import SERVICE_IDENTITY, STRIP_CLIENT_IDENTITY, STRIP_CLIENT_LABELS

    _, releases = prod
    assert factcheck.check_unnameable_keys(releases) == []
    for change, level in (
        (lambda config: config["processors"][STRIP_CLIENT_IDENTITY]["attributes"].pop(), "resource"),
        (lambda config: config["processors"][STRIP_CLIENT_LABELS]["actions"].pop(), "record"),
        (lambda config: config["processors"][SERVICE_IDENTITY]["log_statements"].pop(), "scope"),
    ):
        copied = copy.deepcopy(releases)
        change(copied["otel-collector"].values["config"])
        problems = factcheck.check_unnameable_keys(copied)
        assert problems and all(f"without a letter or digit (^[^a-zA-Z0-9]*$) from {level} before batching" in p
                                for p in problems), problems
    assert any("pipeline logs" in p for p in problems) and not any("pipeline traces" in p for p in problems)


def test_chart_default_pipelines_are_removed(prod):
    _, releases = prod
    values = releases["otel-sampler"].values
    rendered = rendered_collector_config(values)
    assert set(rendered["service"]["pipelines"]) == {"traces"} and set(rendered["receivers"]) == {"otlp"}
    del values["config"]["service"]["pipelines"]["logs"]  # the null that deletes the chart's logs pipeline
    problems = factcheck.check_pipelines(releases)
    assert any("pipeline logs exports to debug" in p for p in problems)


def test_helm_merge_semantics():
    assert helm_merge({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"c": None, "d": 3}, "l": [2]}) == {"a": {"b": 1, "d": 3}, "l": [2]}


def test_collector_is_scraped_and_its_queue_writable(prod):
    _, releases = prod
    assert factcheck.check_collector_observed_and_writable(releases) == []
    values = releases["otel-collector"].values
    values["serviceMonitor"]["enabled"] = False
    values["podSecurityContext"] = {}
    problems = factcheck.check_collector_observed_and_writable(releases)
    assert any("serviceMonitor.enabled and ports.metrics.enabled must both be true" in p for p in problems)
    assert any("podSecurityContext.fsGroup is None, expected 10001" in p for p in problems)


# -- Secrets --------------------------------------------------------------------------------------------
def test_every_referenced_secret_is_created_by_the_stack(prod):
    stack, releases = prod
    assert factcheck.check_secrets(stack, releases) == []
    secrets = stack["resource"]["kubernetes_secret_v1"]
    names = sorted(s["metadata"]["name"] for s in secrets.values())
    assert names == ["alertmanager-heartbeat", "alertmanager-platform", "alertmanager-slack", "alertmanager-storefront",
                     "grafana-admin"]
    heartbeat = next(s for s in secrets.values() if s["metadata"]["name"] == "alertmanager-heartbeat")
    assert heartbeat["data_wo"] == {"url": "${var.secret_alertmanager_heartbeat_url}"}  # the switch's URL carries its token
    grafana = next(s for s in secrets.values() if s["metadata"]["name"] == "grafana-admin")
    assert grafana["data_wo"]["password"].startswith("${ephemeral.random_password.")  # write-only: never in the state
    receiver = next(s for s in secrets.values() if s["metadata"]["name"] == "alertmanager-platform")
    assert receiver["data_wo"] == {"pagerduty-routing-key": "${var.secret_alertmanager_platform_pagerduty_routing_key}"}
    variable = stack["variable"]["secret_alertmanager_platform_pagerduty_routing_key"]
    assert variable["sensitive"] is True and variable["ephemeral"] is True
    del stack["resource"]["kubernetes_secret_v1"]
    problems = factcheck.check_secrets(stack, releases)
    assert any("grafana.admin.existingSecret names Secret observability/grafana-admin, which the stack does not create" in p for p in problems)
    assert any("alertmanagerSpec.secrets names Secret observability/alertmanager-platform" in p for p in problems)


def test_grafana_secret_must_hold_the_keys_the_chart_reads(prod):
    stack, releases = prod
    grafana = next(s for s in stack["resource"]["kubernetes_secret_v1"].values() if s["metadata"]["name"] == "grafana-admin")
    del grafana["data_wo"]["user"]
    (problem,) = factcheck.check_secrets(stack, releases)
    assert "Secret grafana-admin lacks keys ['user']" in problem


# -- Pod Security ----------------------------------------------------------------------------------------
def test_node_exporter_runs_privileged_alone_and_observability_enforces_baseline(prod):
    import copy

    stack, releases = prod
    assert factcheck.check_pod_security(stack, releases) == []
    (kps,) = [r for r in releases.values() if r.chart == "kube-prometheus-stack"]
    assert kps.values["prometheus-node-exporter"]["namespaceOverride"] == "observability-node"
    # the defects it guards against: node-exporter back in the shared namespace, which then must admit privileged pods
    shared = copy.deepcopy(releases)
    next(r for r in shared.values() if r.chart == "kube-prometheus-stack").values["prometheus-node-exporter"].pop("namespaceOverride")
    assert any("namespaceOverride is unset" in p for p in factcheck.check_pod_security(stack, shared))
    privileged = copy.deepcopy(stack)
    for namespace in privileged["resource"]["kubernetes_namespace_v1"].values():
        labels = namespace["metadata"][0]["labels"] if isinstance(namespace["metadata"], list) else namespace["metadata"]["labels"]
        labels["pod-security.kubernetes.io/enforce"] = "privileged"
    assert any("namespace observability enforces 'privileged'" in p for p in factcheck.check_pod_security(privileged, releases))
    missing = copy.deepcopy(stack)
    missing["resource"]["kubernetes_namespace_v1"] = {
        k: v for k, v in missing["resource"]["kubernetes_namespace_v1"].items() if "node-exporter" not in k}
    assert any("observability-node is not created by the stack" in p for p in factcheck.check_pod_security(missing, releases))


def test_grafana_reads_configmaps_of_its_own_namespace_only(prod):
    import copy

    stack, releases = prod
    assert factcheck.check_grafana_rbac(stack, releases) == []
    (role,) = stack["resource"]["kubernetes_role_v1"].values()
    assert (role["metadata"][0]["namespace"], role["metadata"][0]["name"]) == ("observability", "goldenpath-grafana-configmap-reader")
    assert role["rule"] == [{"api_groups": [""], "resources": ["configmaps"], "verbs": ["get", "watch", "list"]}]
    assert not [r for r in stack["resource"]["kubernetes_cluster_role_v1"].values() if "grafana" in r["metadata"]["name"]]
    grafana_values = next(r for r in releases.values() if r.chart == "kube-prometheus-stack").values["grafana"]
    assert grafana_values["sidecar"]["dashboards"]["searchNamespace"] == ["observability"]
    assert "searchNamespace" not in grafana_values["sidecar"]["datasources"]  # the sidecar's own namespace

    chart_default = copy.deepcopy(releases)
    grafana = next(r for r in chart_default.values() if r.chart == "kube-prometheus-stack").values["grafana"]
    grafana.pop("rbac")
    grafana["sidecar"]["dashboards"].pop("resource")
    grafana["sidecar"]["dashboards"]["searchNamespace"] = "ALL"  # kube-prometheus-stack's own default
    problems = factcheck.check_grafana_rbac(stack, chart_default)
    assert any("grafana.rbac binds a ClusterRole (namespaced: false (the chart default))" in p for p in problems)
    assert any("useExistingRole is unset" in p for p in problems)
    assert any("grafana.sidecar.dashboards.resource is 'both (the chart default)'" in p for p in problems)
    assert any("grafana.sidecar.dashboards.searchNamespace is 'ALL', expected ['observability']" in p for p in problems)
    greedy = copy.deepcopy(stack)
    next(iter(greedy["resource"]["kubernetes_role_v1"].values()))["rule"][0]["resources"].append("secrets")
    assert any("lets Grafana read Secrets" in p for p in factcheck.check_grafana_rbac(greedy, releases))
    elsewhere = copy.deepcopy(stack)
    next(iter(elsewhere["resource"]["kubernetes_role_v1"].values()))["metadata"][0]["namespace"] = "default"
    assert any("which the stack does not create in observability" in p for p in factcheck.check_grafana_rbac(elsewhere, releases))


# -- Who may reach the observability namespace -------------------------------------------------------------
def test_only_the_collector_and_the_operator_webhook_admit_other_namespaces(prod):
    import copy

    from goldenpath.observability import network

    stack, releases = prod
    assert factcheck.check_observability_isolation(stack, releases) == []
    policies = {p["metadata"][0]["name"] if isinstance(p["metadata"], list) else p["metadata"]["name"]: p
                for p in stack["resource"]["kubernetes_network_policy_v1"].values()}
    assert set(policies) >= {"observability-isolation", "observability-otlp-ingest", "observability-operator-webhook"}
    # The ports the policies open are the ones the charts serve (recorded facts).
    (collector_service,) = facts.CHART_FACTS[("opentelemetry-collector", CHARTS["opentelemetry-collector"].version)].services
    assert {collector_service.ports["otlp"], collector_service.ports["otlp-http"]} == set(network.OTLP_PORTS)
    # the defects it guards against: no isolation at all ...
    open_namespace = copy.deepcopy(stack)
    del open_namespace["resource"]["kubernetes_network_policy_v1"]
    assert any("no NetworkPolicy isolates every pod's ingress" in p for p in factcheck.check_observability_isolation(open_namespace, releases))
    # ... a policy letting every namespace reach Loki's gateway ...
    leaky = copy.deepcopy(stack)
    webhook = next(p for p in leaky["resource"]["kubernetes_network_policy_v1"].values()
                   if (p["metadata"][0] if isinstance(p["metadata"], list) else p["metadata"])["name"] == "observability-operator-webhook")
    spec = webhook["spec"][0] if isinstance(webhook["spec"], list) else webhook["spec"]
    spec["pod_selector"] = {"match_labels": {"app.kubernetes.io/name": "loki"}}
    assert any("admits other namespaces or addresses to pods {'app.kubernetes.io/name': 'loki'}" in p
               for p in factcheck.check_observability_isolation(leaky, releases))
    # ... and selectors that no longer match what the charts label (a renamed release, another webhook port).
    renamed = copy.deepcopy(releases)
    renamed["otel-collector"].values["nameOverride"] = "agent"
    renamed["kube-prometheus-stack"].values.setdefault("prometheusOperator", {})["tls"] = {"internalPort": 8443}
    problems = factcheck.check_observability_isolation(stack, renamed)
    assert any("release otel-collector: expected chart opentelemetry-collector without nameOverride" in p for p in problems)
    assert any("release kube-prometheus-stack: expected the operator's webhook on TLS port 10250" in p for p in problems)


def test_the_fact_check_keeps_grafanas_egress_inside(prod):
    """validate's check over Grafana's egress: the bundled stack passes; a policy that gives every pod open egress
    (as before 0.16), a rule to the VPC, and a renamed Grafana (its pods would escape the selector) each fail it,
    and so do settings that need the internet unless the named opt-out is there, and an opt-out wider than HTTPS
    outside the cluster."""
    import copy

    from goldenpath.observability import network

    stack, releases = prod
    assert factcheck.check_observability_isolation(stack, releases) == []

    def policy(document: dict, name: str) -> dict:
        found = next(p for p in document["resource"]["kubernetes_network_policy_v1"].values()
                     if (p["metadata"][0] if isinstance(p["metadata"], list) else p["metadata"])["name"] == name)
        return found["spec"][0] if isinstance(found["spec"], list) else found["spec"]

    everyone = copy.deepcopy(stack)
    policy(everyone, "observability-egress")["pod_selector"] = {}
    assert any("observability-egress: lets Grafana's pods reach everything" in p
               for p in factcheck.check_observability_isolation(everyone, releases))
    to_the_vpc = copy.deepcopy(stack)
    policy(to_the_vpc, "observability-isolation")["egress"].append({"to": [{"ip_block": {"cidr": "10.30.0.0/16"}}]})
    assert any("observability-isolation: lets Grafana's pods reach [{'ip_block'" in p
               for p in factcheck.check_observability_isolation(to_the_vpc, releases))
    to_a_database = copy.deepcopy(stack)  # one address, but not on the API server's port
    policy(to_a_database, "observability-isolation")["egress"].append(
        {"ports": [{"port": "5432", "protocol": "TCP"}], "to": [{"ip_block": {"cidr": "10.30.4.7/32"}}]})
    assert any("observability-isolation: lets Grafana's pods reach [{'ip_block': {'cidr': '10.30.4.7/32'}}]" in p
               for p in factcheck.check_observability_isolation(to_a_database, releases))
    ungoverned = copy.deepcopy(stack)
    policy(ungoverned, "observability-isolation")["pod_selector"] = {"match_labels": {"app.kubernetes.io/name": "loki"}}
    assert any("no NetworkPolicy governs the egress of Grafana's pods" in p
               for p in factcheck.check_observability_isolation(ungoverned, releases))
    renamed = copy.deepcopy(releases)
    renamed["kube-prometheus-stack"].values.setdefault("grafana", {})["nameOverride"] = "dashboards"
    assert any("expected Grafana without nameOverride or podLabels" in p
               for p in factcheck.check_observability_isolation(stack, renamed))

    # Settings that need the internet (single sign-on, plugins) fail without the named opt-out ...
    outbound = copy.deepcopy(releases)
    grafana = outbound["kube-prometheus-stack"].values["grafana"]
    grafana["grafana.ini"]["auth.generic_oauth"] = {"enabled": True}
    grafana["plugins"] = ["grafana-clock-panel"]
    assert any("grafana.ini [auth.generic_oauth], grafana.plugins make Grafana connect outside the cluster" in p
               for p in factcheck.check_observability_isolation(stack, outbound))
    # ... and pass with it: HTTPS outside the cluster's two ranges, and nothing more.
    opted = copy.deepcopy(stack)
    https = {"ports": [{"port": "443", "protocol": "TCP"}],
             "to": [{"ip_block": {"cidr": "0.0.0.0/0", "except": ["10.30.0.0/16", "172.20.0.0/16"]}}]}
    opted["resource"]["kubernetes_network_policy_v1"]["grafana_https"] = {
        "metadata": {"name": network.GRAFANA_HTTPS_POLICY, "namespace": "observability"},
        "spec": {"pod_selector": {"match_labels": dict(network.GRAFANA_POD_LABELS)}, "policy_types": ["Ingress", "Egress"],
                 "egress": [https]}}
    assert factcheck.check_observability_isolation(opted, outbound) == []
    for wider in ({**https, "ports": []}, {**https, "to": [{"ip_block": {"cidr": "0.0.0.0/0"}}]}):
        opted["resource"]["kubernetes_network_policy_v1"]["grafana_https"]["spec"]["egress"] = [wider]
        assert any(f"{network.GRAFANA_HTTPS_POLICY}: lets Grafana's pods reach" in p
                   for p in factcheck.check_observability_isolation(opted, outbound))


# -- Grafana correlation ----------------------------------------------------------------------------------
def test_grafana_expansion_leaves_every_datasource_as_intended(prod):
    _, releases = prod
    assert factcheck.check_grafana_expansion(releases) == []
    # What the stack used to hand Grafana: ${__value.raw} unescaped, expanded to "".
    loki = next(s for s in releases["kube-prometheus-stack"].values["grafana"]["additionalDataSources"] if s["uid"] == "loki")
    loki["jsonData"]["derivedFields"][0]["url"] = "${__value.raw}"
    (problem,) = factcheck.check_grafana_expansion(releases)
    assert "Grafana datasource Loki: after Grafana's $VAR expansion" in problem and "'url': ''" in problem


def test_terraform_and_grafana_escapes_round_trip():
    for text in ("${__value.raw}", "$__rate_interval", "cost $5", "%{x}", "$$"):
        assert grafana_expand(terraform_unescape(terraform_literal(provisioning_literal(text)))) == text
    assert grafana_expand("${HOME}/$USER and $$x", {"HOME": "/h", "USER": "u"}) == "/h/u and $x"


def test_trace_to_logs_uses_labels_loki_derives_from_otlp(prod):
    _, releases = prod
    assert factcheck.check_trace_log_links(releases) == []
    tempo = next(s for s in releases["kube-prometheus-stack"].values["grafana"]["additionalDataSources"] if s["uid"] == "tempo")
    assert tempo["jsonData"]["tracesToLogsV2"]["tags"][0] == {"key": "k8s.namespace.name", "value": "k8s_namespace_name"}
    tempo["jsonData"]["tracesToLogsV2"]["tags"][0]["value"] = "namespace"
    (problem,) = factcheck.check_trace_log_links(releases)
    assert "maps k8s.namespace.name to Loki label 'namespace'; Loki indexes it as 'k8s_namespace_name'" in problem


def test_log_to_trace_reads_structured_metadata(prod):
    _, releases = prod
    loki = next(s for s in releases["kube-prometheus-stack"].values["grafana"]["additionalDataSources"] if s["uid"] == "loki")
    loki["jsonData"]["derivedFields"] = [f for f in loki["jsonData"]["derivedFields"] if f["matcherType"] == "regex"]
    (problem,) = factcheck.check_trace_log_links(releases)
    assert "no derived field reads trace_id from structured metadata" in problem


def test_loki_label_rule():
    assert facts.loki_label("k8s.namespace.name") == "k8s_namespace_name"
    assert facts.loki_label("service.name") == "service_name"


def test_loki_indexes_only_what_the_agent_sets_from_the_pod(prod):
    import copy

    from goldenpath.observability.values import LOKI_INDEXED_ATTRIBUTES

    _, releases = prod
    assert factcheck.check_loki_index_labels(releases) == []
    indexed = factcheck.loki_index_attributes(releases["loki"].values)
    assert indexed == LOKI_INDEXED_ATTRIBUTES
    assert {"service.name", "k8s.namespace.name", "k8s.pod.name"} <= set(indexed)
    assert not {"service.instance.id", "deployment.environment", "cloud.region", "container.name"} & set(indexed)
    defaults = copy.deepcopy(releases)
    del defaults["loki"].values["loki"]["limits_config"]["otlp_config"]
    problems = factcheck.check_loki_index_labels(defaults)
    assert len(problems) == 10  # Loki's own default list: 18 attributes, 10 of them not the agent's
    assert any("Loki indexes the resource attribute service.instance.id, which a pod sets itself" in p for p in problems)
    widened = copy.deepcopy(releases)
    widened["loki"].values["loki"]["limits_config"]["otlp_config"]["resource_attributes"]["attributes_config"][0][
        "attributes"].append("deployment.environment")
    (problem,) = factcheck.check_loki_index_labels(widened)
    assert "deployment.environment" in problem
    narrowed = copy.deepcopy(releases)
    narrowed["loki"].values["loki"]["limits_config"]["otlp_config"]["resource_attributes"]["attributes_config"][0][
        "attributes"].remove("k8s.namespace.name")
    (problem,) = factcheck.check_trace_log_links(narrowed)  # trace -> logs would query a label Loki no longer has
    assert "maps k8s.namespace.name to Loki label 'k8s_namespace_name'" in problem


def test_tempos_generated_series_are_capped(prod, bundled_environments):
    import copy

    _, releases = prod
    assert factcheck.check_tempo_generator_limit(releases) == []
    prod_env = next(e for e in bundled_environments if e.name == "prod")
    generator = releases["tempo"].values["tempo"]["overrides"]["defaults"]["metrics_generator"]
    assert generator["max_active_series"] == prod_env.observability.trace_metrics_series_limit == 50000
    for limit in (None, 0):
        uncapped = copy.deepcopy(releases)
        uncapped["tempo"].values["tempo"]["overrides"]["defaults"]["metrics_generator"]["max_active_series"] = limit
        (problem,) = factcheck.check_tempo_generator_limit(uncapped)
        assert f"max_active_series is {limit!r}: the generator's series are not capped" in problem


def test_tempo_takes_a_full_batch_of_spans(prod):
    from goldenpath.observability.collector import BATCH_SIZE

    _, releases = prod
    assert factcheck.check_tempo_receive_limit(releases) == []
    grpc = releases["tempo"].values["tempo"]["receivers"]["otlp"]["protocols"]["grpc"]
    assert grpc["max_recv_msg_size_mib"] == facts.TEMPO_OTLP_GRPC_MAX_MIB == 16
    # a full batch at a modest span size already passes grpc-go's default
    assert BATCH_SIZE * 600 > 4 * 1024 * 1024
    for limit in (None, 4):
        small = copy.deepcopy(releases)
        small["tempo"].values["tempo"]["receivers"]["otlp"]["protocols"]["grpc"]["max_recv_msg_size_mib"] = limit
        (problem,) = factcheck.check_tempo_receive_limit(small)
        assert f"max_recv_msg_size_mib is {limit!r}, expected at least 16" in problem


def test_samplers_take_a_full_batch_of_the_agents_spans(prod):
    """prod load-balances traces to a sampler tier: its OTLP gRPC receiver takes a full batch, as Tempo's does."""
    _, releases = prod
    assert factcheck.check_sampler_receive_limit(releases) == []
    grpc = releases["otel-sampler"].values["config"]["receivers"]["otlp"]["protocols"]["grpc"]
    assert grpc["max_recv_msg_size_mib"] == facts.TEMPO_OTLP_GRPC_MAX_MIB
    assert "max_recv_msg_size_mib" not in releases["otel-collector"].values["config"]["receivers"]["otlp"]["protocols"]["grpc"]
    for limit in (None, 4, True):
        small = copy.deepcopy(releases)
        receiver = small["otel-sampler"].values["config"]["receivers"]["otlp"]["protocols"]["grpc"]
        receiver.pop("max_recv_msg_size_mib")
        if limit is not None:
            receiver["max_recv_msg_size_mib"] = limit
        (problem,) = factcheck.check_sampler_receive_limit(small)
        assert f"release otel-sampler: receivers.otlp.protocols.grpc.max_recv_msg_size_mib is {limit!r}, expected at least 16" in problem


def test_loki_takes_a_full_batch_of_log_records_whole(prod):
    """The agent's logs batch times Loki's largest entry fits Loki's burst and the ingester's gRPC limit, and the
    gateway takes what Loki takes; Loki's chart defaults and an unbounded batch fail (facts.LOKI_PUSH_LIMIT_SOURCES)."""
    _, releases = prod
    assert factcheck.check_loki_push_limits(releases) == []
    loki = releases["loki"].values
    assert loki["loki"]["limits_config"]["ingestion_burst_size_mb"] == 80  # 256 x (256 KiB + 64 KiB)
    assert loki["gateway"]["nginxConfig"]["clientMaxBodySize"] == "100M"
    defaults = copy.deepcopy(releases)
    del defaults["loki"].values["loki"]["server"], defaults["loki"].values["gateway"]
    del defaults["loki"].values["loki"]["limits_config"]["ingestion_burst_size_mb"]
    del defaults["loki"].values["loki"]["limits_config"]["per_stream_rate_limit_burst"]
    problems = factcheck.check_loki_push_limits(defaults)
    assert len(problems) == 4
    assert "ingestion_burst_size_mb is 6, expected at least 80 (256 entries of 327680 bytes)" in problems[0]
    assert "grpc_server_max_recv_msg_size is 4194304, expected at least 84148224" in problems[1]
    assert "per_stream_rate_limit_burst is '15MB', expected at least 80MB: one pod's lines are one stream" in problems[2]
    assert "clientMaxBodySize refuses bodies Loki takes (expected at least 100M" in problems[3]
    assert loki["loki"]["limits_config"]["per_stream_rate_limit_burst"] == "80MB"
    longer = copy.deepcopy(releases)
    longer["loki"].values["loki"]["limits_config"]["max_line_size"] = "1MB"
    assert "expected at least 272 (256 entries of 1114112 bytes)" in factcheck.check_loki_push_limits(longer)[0]
    unbounded = copy.deepcopy(releases)
    agent = unbounded["otel-collector"].values["config"]
    agent["service"]["pipelines"]["logs"]["processors"].remove("batch/logs")
    (problem,) = factcheck.check_loki_push_limits(unbounded)
    assert "a logs batch of the agent is not bounded (send_batch_max_size None" in problem
    bigger = copy.deepcopy(releases)
    bigger["otel-collector"].values["config"]["processors"]["batch/logs"]["send_batch_max_size"] = 8192
    assert len(factcheck.check_loki_push_limits(bigger)) == 4  # bursts, gRPC and decompressed; the gateway still matches Loki
    assert loki["loki"]["distributor"]["max_decompressed_size"] == 100 << 20  # a bound: Loki's default is 5000 MiB
    tight = copy.deepcopy(releases)
    tight["loki"].values["loki"]["distributor"]["max_decompressed_size"] = 64 << 20
    (problem,) = factcheck.check_loki_push_limits(tight)
    assert "max_decompressed_size is 67108864, expected at least 84148224" in problem
    bad = copy.deepcopy(releases)
    bad["loki"].values["loki"]["limits_config"]["max_line_size"] = "lots"
    assert "loki.limits_config: Loki size 'lots'" in factcheck.check_loki_push_limits(bad)[0]


# -- phone-home, rules, receivers, storage ----------------------------------------------------------------
def test_nothing_phones_home_including_plugin_preinstall(prod):
    _, releases = prod
    assert factcheck.check_phone_home(releases) == []
    del releases["kube-prometheus-stack"].values["grafana"]["grafana.ini"]["plugins"]["preinstall_disabled"]
    releases["tempo"].values["tempo"]["reportingEnabled"] = True
    problems = factcheck.check_phone_home(releases)
    assert len(problems) == 2
    assert any("grafana.grafana.ini.plugins.preinstall_disabled is None, expected True" in p for p in problems)


def test_chart_alert_groups_off_and_recording_rules_on(prod):
    _, releases = prod
    assert factcheck.check_default_rules(releases) == []
    rules = releases["kube-prometheus-stack"].values["defaultRules"]["rules"]
    assert rules["configReloaders"] is False and "node" not in rules
    rules["node"] = False
    del rules["configReloaders"]
    rules["nodes"] = False
    problems = factcheck.check_default_rules(releases)
    assert any("configReloaders holds alerts" in p for p in problems)
    assert any("rules.node holds only recording rules" in p for p in problems)
    assert any("rules.nodes is not a rule group of the chart" in p for p in problems)


def test_prometheus_accepts_otlp_and_remote_write(prod):
    _, releases = prod
    assert factcheck.check_metric_receivers(releases) == []
    releases["kube-prometheus-stack"].values["prometheus"]["prometheusSpec"]["enableOTLPReceiver"] = False
    problems = factcheck.check_metric_receivers(releases)
    assert problems and all("enableOTLPReceiver is not true" in p for p in problems)


def test_loki_uses_the_regional_ipv4_s3_endpoint(prod):
    _, releases = prod
    assert factcheck.check_loki_storage(releases) == []
    del releases["loki"].values["loki"]["storage"]["s3"]["disable_dualstack"]
    (problem,) = factcheck.check_loki_storage(releases)
    assert "disable_dualstack must be true" in problem


def test_intended_datasources_are_what_the_values_module_defines(prod):
    _, releases = prod
    provisioned = releases["kube-prometheus-stack"].values["grafana"]["additionalDataSources"]
    assert json.loads(json.dumps(provisioned)) == provisioning_literal(datasources())


def test_every_accepted_kubernetes_version_is_admitted_by_every_pinned_chart():
    from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS

    assert "1.36" in SUPPORTED_KUBERNETES_VERSIONS
    assert factcheck.check_kubernetes_range(CHARTS, SUPPORTED_KUBERNETES_VERSIONS) == []


def test_every_accepted_kubernetes_version_renders_the_same_chart_objects(prod):
    from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS

    assert factcheck.check_version_gates(facts.CHART_VERSION_GATES, SUPPORTED_KUBERNETES_VERSIONS) == []
    _, releases = prod
    assert releases["loki"].chart == "loki"  # the behind-values facts name Loki's gate, checked on this release
    assert factcheck.check_version_gates_behind_values(releases) == []
    # Failing side: a gate between two accepted versions is named, with its source; a form the check does not read
    # is named too; a value that opens a gate is named.
    split = {"loki": ((">=1.36-0",), facts.CHART_VERSION_GATES["loki"][1])}
    (problem,) = factcheck.check_version_gates(split, SUPPORTED_KUBERNETES_VERSIONS)
    assert problem.startswith("loki: >=1.36-0 splits Kubernetes 1.32") and "helm-loki-6.51.0" in problem
    (unread,) = factcheck.check_version_gates({"loki": (("~1.33",), facts.CHART_VERSION_GATES["loki"][1])},
                                              SUPPORTED_KUBERNETES_VERSIONS)
    assert "'~1.33' is not a bound this check reads" in unread
    opened = {**releases, "loki": dataclasses.replace(releases["loki"], values={
        **releases["loki"].values, "backend": {"hostUsers": False}})}
    (opening,) = factcheck.check_version_gates_behind_values(opened)
    assert opening.startswith("loki sets hostUsers, which >=1.33-0 renders only on some Kubernetes versions")


def test_a_chart_that_refuses_a_version_or_a_range_that_leaves_one_out_is_named(monkeypatch):
    import dataclasses

    from goldenpath.observability.charts import ChartPin

    key = ("kube-prometheus-stack", CHARTS["kube-prometheus-stack"].version)
    monkeypatch.setitem(facts.CHART_FACTS, key, dataclasses.replace(facts.CHART_FACTS[key], kube_version=">=1.36.0-0"))
    problems = factcheck.check_kubernetes_range(CHARTS, ("1.35",))
    assert problems == [f"chart kube-prometheus-stack {key[1]}: kubeVersion '>=1.36.0-0' refuses Kubernetes 1.35 "
                        f"({facts.CHART_FACTS[key].kube_version_source})"]
    narrow = {"tempo": ChartPin("tempo", CHARTS["tempo"].repository, CHARTS["tempo"].version, "1.25", "1.34")}
    assert factcheck.check_kubernetes_range(narrow, ("1.35",)) == [
        f"chart tempo {CHARTS['tempo'].version}: range 1.25-1.34 leaves out Kubernetes 1.35, which goldenpath accepts"]
    monkeypatch.setitem(facts.CHART_FACTS, key, dataclasses.replace(facts.CHART_FACTS[key], kube_version="~1.25"))
    assert "expected >=X.Y.Z-0, ^X.Y.Z-0 or none" in factcheck.check_kubernetes_range(CHARTS, ("1.35",))[0]


def test_every_pin_records_when_it_was_released_and_what_newer_release_it_leaves():
    from datetime import date

    for pin in CHARTS.values():
        row = facts.facts_for(pin.name, pin.version)
        assert date.fromisoformat(row.released) <= date(2026, 12, 5), pin.name
        assert row.newer and all(len(line) > 20 for line in row.newer), pin.name


def test_tempo_runs_its_newest_patch_release_with_receivers_its_image_has(prod):
    _, releases = prod
    tempo = releases["tempo"].values["tempo"]
    assert tempo["tag"] == facts.TEMPO_IMAGE_TAG == "2.10.8"  # CVE-2026-28377 and later security releases
    assert factcheck.check_tempo_receivers(releases) == []
    assert tempo["receivers"]["opencensus"] is None and tempo["receivers"]["jaeger"] is None
    del tempo["receivers"]["opencensus"]  # the chart's default comes back: Tempo 2.10.8 would refuse its config
    (problem,) = factcheck.check_tempo_receivers(releases)
    assert problem.startswith("release tempo: Tempo 2.10.8 has no opencensus receiver (dropped in 2.10.6;")
    del tempo["tag"]  # the chart's own 2.10.1 still has it
    assert factcheck.check_tempo_receivers(releases) == []


def test_grafana_runs_the_version_its_facts_were_read_at_not_the_subcharts(prod):
    _, releases = prod
    grafana = releases["kube-prometheus-stack"].values["grafana"]
    assert grafana["image"]["tag"] == facts.GRAFANA_IMAGE_TAG == "12.3.2"
    assert all(s.ref == "v12.3.2" for s in (facts.GRAFANA_ENV_EXPANSION_SOURCE, facts.GRAFANA_DERIVED_FIELD_SOURCE))
    del grafana["image"]  # the subchart's own default would run its appVersion, 12.3.3
    (problem,) = factcheck.check_image_tags(releases)
    assert problem.startswith("release kube-prometheus-stack: grafana.image.tag is None, expected '12.3.2'")


def test_loki_and_tempo_run_the_image_tags_their_facts_were_read_at(prod):
    _, releases = prod
    assert factcheck.check_image_tags(releases) == []
    assert releases["loki"].values["loki"]["image"]["tag"] == facts.LOKI_IMAGE_TAG == "3.6.15"
    del releases["loki"].values["loki"]["image"]  # the chart's own default would run 3.6.3
    (problem,) = factcheck.check_image_tags(releases)
    assert problem.startswith("release loki: loki.image.tag is None, expected '3.6.15'")
