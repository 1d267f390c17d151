"""The observability module on synthesized Terraform, plus collector, chart and egress rules."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from goldenpath.config.loader import parse_environment
from goldenpath.errors import SynthError
from goldenpath.observability import collector
from goldenpath.observability.charts import CHARTS, ChartPin, pinned
from goldenpath.observability.egress import egress_endpoints, in_cluster
from goldenpath.observability.grafana_text import terraform_unescape
from tests.conftest import ENVIRONMENTS, resources_of, stack_json


def helm_values(document: dict, release: str) -> dict:
    body = document["resource"]["helm_release"]
    (match,) = [r for r in body.values() if r["name"] == release]
    return match, yaml.safe_load(terraform_unescape(match["values"][0]))


def test_buckets_keep_data_at_least_as_long_as_retention(bundled_synth, bundled_environments):
    for env in bundled_environments:
        document = stack_json(bundled_synth, f"{env.name}-observability")
        days = {}
        for lifecycle in resources_of(document, "aws_s3_bucket_lifecycle_configuration").values():
            path = lifecycle["//"]["metadata"]["path"]
            days["logs" if "logs-bucket" in path else "traces"] = lifecycle["rule"][0]["expiration"][0]["days"]
        retention = env.observability.retention
        assert days["logs"] >= retention.logs_days and days["traces"] >= retention.traces_days
        encryption = resources_of(document, "aws_s3_bucket_server_side_encryption_configuration")
        assert len(encryption) == 2 and all(e["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms" for e in encryption.values())
        assert len(resources_of(document, "aws_s3_bucket_public_access_block")) == 2


def test_collector_roles_are_least_privilege_and_bound_by_pod_identity(bundled_synth):
    document = stack_json(bundled_synth, "dev-observability")
    policies = {p["name"]: json.loads(p["policy"]) for p in resources_of(document, "aws_iam_role_policy").values()}
    loki = policies["dev-loki-inline"]["Statement"]
    assert [s["Action"] for s in loki] == [["s3:ListBucket"], ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                                           ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]]
    assert all("*" != s["Resource"] for s in loki) and "logs" in json.dumps(loki) and "traces" not in json.dumps(loki)
    associations = sorted((a["service_account"], a["namespace"], a["cluster_name"])
                          for a in resources_of(document, "aws_eks_pod_identity_association").values())
    assert associations == [("loki", "observability", "dev-cluster"), ("tempo", "observability", "dev-cluster")]


def test_in_cluster_providers_come_from_the_cluster_by_name(bundled_synth):
    document = stack_json(bundled_synth, "dev-platform")
    assert document["data"]["aws_eks_cluster"]["cluster"]["name"] == "dev-cluster"
    assert document["data"]["aws_eks_cluster_auth"]["cluster-auth"]["name"] == "dev-cluster"
    kubernetes = document["provider"]["kubernetes"][0]
    assert kubernetes["host"] == "${data.aws_eks_cluster.cluster.endpoint}"
    assert kubernetes["token"] == "${data.aws_eks_cluster_auth.cluster-auth.token}"
    assert "terraform_remote_state" not in document.get("data", {})


def test_charts_are_pinned_from_the_table(bundled_synth):
    document = stack_json(bundled_synth, "prod-platform")
    releases = {r["name"]: r for r in resources_of(document, "helm_release").values()}
    assert set(releases) == {"kube-prometheus-stack", "loki", "tempo", "otel-collector", "otel-sampler"}
    for release in releases.values():
        pin = CHARTS[release["chart"]]
        assert (release["repository"], release["version"]) == (pin.repository, pin.version)
        assert release["atomic"] is True


def test_namespace_pod_security_labels(bundled_synth):
    namespaces = {n["metadata"][0]["name"]: n["metadata"][0]["labels"]
                  for n in resources_of(stack_json(bundled_synth, "dev-platform"), "kubernetes_namespace_v1").values()}
    assert set(namespaces) == {"observability", "observability-node"}
    labels = namespaces["observability"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"  # nothing here needs host access
    assert labels["pod-security.kubernetes.io/warn"] == "restricted" and labels["pod-security.kubernetes.io/audit"] == "restricted"
    assert namespaces["observability-node"]["pod-security.kubernetes.io/enforce"] == "privileged"  # node-exporter alone


def test_datasources_correlate_metrics_traces_and_logs(bundled_synth):
    _, values = helm_values(stack_json(bundled_synth, "dev-platform"), "kube-prometheus-stack")
    grafana = values["grafana"]
    assert grafana["sidecar"]["datasources"]["exemplarTraceIdDestinations"] == {"datasourceUid": "tempo", "traceIdLabelName": "trace_id"}
    sources = {d["uid"]: d for d in grafana["additionalDataSources"]}
    assert sources["tempo"]["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "loki"
    derived = sources["loki"]["jsonData"]["derivedFields"][0]
    # Escaped for Grafana's env expansion ($$ -> $): Grafana itself sees ${__value.raw}.
    assert derived["datasourceUid"] == "tempo" and derived["url"] == "$${__value.raw}"
    assert derived["matcherType"] == "label" and derived["matcherRegex"] == "trace_id"


def test_terraform_sequences_in_values_are_escaped(bundled_synth):
    release, _ = helm_values(stack_json(bundled_synth, "dev-platform"), "kube-prometheus-stack")
    raw = release["values"][0]
    # Terraform turns $$${ into $${ (Helm), and Grafana turns $${ into ${.
    assert "$$${__value.raw}" in raw and "${__value.raw}" not in raw.replace("$${", "")


def test_nothing_phones_home(bundled_synth):
    document = stack_json(bundled_synth, "dev-platform")
    _, stack = helm_values(document, "kube-prometheus-stack")
    analytics = stack["grafana"]["grafana.ini"]["analytics"]
    assert analytics["reporting_enabled"] is False and analytics["check_for_updates"] is False
    assert helm_values(document, "loki")[1]["loki"]["analytics"]["reporting_enabled"] is False
    assert helm_values(document, "tempo")[1]["tempo"]["reportingEnabled"] is False


def test_retention_reaches_every_backend(bundled_synth):
    document = stack_json(bundled_synth, "prod-platform")
    assert helm_values(document, "kube-prometheus-stack")[1]["prometheus"]["prometheusSpec"]["retention"] == "30d"
    assert helm_values(document, "loki")[1]["loki"]["limits_config"]["retention_period"] == f"{90 * 24}h"
    assert helm_values(document, "tempo")[1]["tempo"]["retention"] == f"{14 * 24}h"


def test_dashboards_are_vendored_config_maps(bundled_synth):
    maps = resources_of(stack_json(bundled_synth, "dev-platform"), "kubernetes_config_map_v1")
    names = sorted(m["metadata"]["name"] for m in maps.values())
    assert names == ["dashboard-dora", "dashboard-slos"]
    assert all(m["metadata"]["labels"] == {"grafana_dashboard": "1"} for m in maps.values())
    dora = next(m for m in maps.values() if m["metadata"]["name"] == "dashboard-dora")
    titles = [p["title"] for p in json.loads(dora["data"]["dora.json"])["panels"]]
    assert titles[:4] == ["Deployment frequency", "Lead time for changes", "Change failure rate", "Time to restore"]


def environment(name: str):
    return parse_environment((ENVIRONMENTS / f"{name}.yaml").read_text(), f"environments/{name}.yaml")


def test_collector_pipeline_order_batching_and_queue():
    settings = environment("dev").observability.collector
    config = collector.agent_config(settings)
    pipelines = config["service"]["pipelines"]
    for name, batch in (("traces", "batch"), ("logs", "batch/logs")):
        assert pipelines[name]["processors"][0] == "memory_limiter" and pipelines[name]["processors"][-1] == batch
    assert config["processors"]["batch/logs"]["send_batch_max_size"] == 256  # a batch Loki takes whole
    assert pipelines["metrics"]["processors"][0] == "memory_limiter" and "batch" not in pipelines["metrics"]["processors"]
    assert config["processors"]["memory_limiter"] == {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 25}
    assert config["processors"]["batch"]["send_batch_size"] == 8192 and config["processors"]["batch"]["timeout"] == "200ms"
    queue = config["exporters"]["otlp/tempo"]["sending_queue"]
    assert queue["storage"] == "file_storage/queue"
    # 2000 spans/s make a batch every 200 ms, not one per 8192 spans: 30 minutes x 5 a second x 1.2 = 10800
    assert queue["queue_size"] == 10800
    # 2000 log records/s in batches of 256: 7.8 a second -> ceil(1800 * 2000/256 * 1.2) = 16875
    assert config["exporters"]["otlphttp/loki"]["sending_queue"]["queue_size"] == 16875
    # metrics: one pod's export per entry, 20 a second for 30 minutes, 20% headroom -> 1800 * 20 * 1.2 = 43200
    metrics_queue = config["exporters"]["otlphttp/prometheus"]["sending_queue"]
    assert metrics_queue["queue_size"] == 43200 and "batch" not in metrics_queue
    assert collector.sampler_config(settings) is None


def test_tail_sampling_runs_behind_the_load_balancer():
    settings = environment("prod").observability.collector
    agent = collector.agent_config(settings)
    assert agent["service"]["pipelines"]["traces"]["exporters"] == ["loadbalancing"]
    assert agent["exporters"]["loadbalancing"]["routing_key"] == "traceID"
    sampler = collector.sampler_config(settings)
    assert sampler["service"]["pipelines"]["traces"]["processors"] == ["memory_limiter", "tail_sampling", "batch"]


def test_pipeline_order_is_enforced():
    config = collector.agent_config(environment("dev").observability.collector)
    collector.check_pipeline_order(config)
    config["service"]["pipelines"]["logs"]["processors"] = ["batch", "memory_limiter"]
    with pytest.raises(ValueError, match="expected memory_limiter first"):
        collector.check_pipeline_order(config)


def test_nothing_merges_two_pods_metrics_into_one_prometheus_request():
    config = collector.agent_config(environment("dev").observability.collector)
    assert collector.pipeline_order_problems(config) == []
    config["exporters"]["otlphttp/prometheus"]["sending_queue"]["batch"] = {"flush_timeout": "200ms"}
    (problem,) = collector.pipeline_order_problems(config)
    assert problem.startswith("pipeline metrics: exporter otlphttp/prometheus batches in its sending queue")
    del config["exporters"]["otlphttp/prometheus"]["sending_queue"]["batch"]
    config["service"]["pipelines"]["metrics"]["processors"].append("batch")
    (problem,) = collector.pipeline_order_problems(config)
    assert "expected memory_limiter first and no batch (Prometheus refuses a whole request for one bad sample" in problem


def test_unsupported_chart_and_kubernetes_combination_is_refused():
    table = {**CHARTS, "loki": ChartPin("loki", "https://example", "6.0.0", "1.25", "1.32")}
    with pytest.raises(SynthError, match=r"chart loki 6.0.0 supports Kubernetes 1.25 to 1.32, but the cluster runs 1.33"):
        pinned("loki", "1.33", table)
    assert pinned("loki", "1.32", table).version == "6.0.0"


def test_egress_lists_every_receiver_that_leaves_the_cluster():
    names = [e.name for e in egress_endpoints(environment("dev"))]
    assert names == ["receiver platform-page (slack)", "receiver platform-ticket (slack)", "receiver storefront-page (slack)",
                     "receiver storefront-ticket (slack)", "receiver heartbeat (webhook)"]
    prod = {e.name: e.destination for e in egress_endpoints(environment("prod"))}
    assert prod["receiver platform-page (pagerduty)"] == prod["receiver storefront-page (pagerduty)"] == (
        "https://events.pagerduty.com/v2/enqueue")
    assert prod["receiver heartbeat (webhook)"] == "webhook URL held in secret alertmanager-heartbeat/url"
    assert in_cluster("http://alert-bridge.observability.svc:9095/page") and not in_cluster("https://hooks.example.com/x")


def batches_sent(items_per_second: float, seconds: int, size: int, timeout_ms: int) -> int:
    """The batch processor as its source behaves (processor/batchprocessor/batch_processor.go @ v0.128.0): items
    arrive steadily; a full batch leaves at once and restarts the timer; when the timer fires, whatever is pending
    leaves and the timer restarts. Stepped per millisecond."""
    pending, arrived, sent, timer = 0, 0.0, 0, timeout_ms
    for _ in range(seconds * 1000):
        arrived += items_per_second / 1000
        pending, arrived = pending + int(arrived), arrived - int(arrived)
        if pending >= size:
            pending, sent, timer = pending % size, sent + pending // size, timeout_ms
        timer -= 1
        if timer == 0:
            sent, pending, timer = sent + (pending > 0), 0, timeout_ms
    return sent


@pytest.mark.parametrize("items_per_second", [1, 3, 50, 2000, 60000, 200000])
def test_the_queue_holds_every_batch_of_the_outage(items_per_second):
    """The queue counts requests; at any steady rate it holds the batches the processor makes during the outage."""
    from goldenpath.config.model import CollectorSettings
    settings = CollectorSettings(outage_tolerance_minutes=1, expected_spans_per_second=items_per_second,
                                 expected_log_records_per_second=items_per_second, queue_volume_gib=1000)
    made = batches_sent(items_per_second, 60, collector.BATCH_SIZE, 200)
    assert collector.queue_size(settings) >= made
    assert collector.logs_queue_size(settings) >= batches_sent(items_per_second, 60, collector.LOG_BATCH_SIZE, 200)
    # the old sizing (items / batch size) held a tenth of them at ordinary rates
    if 50 <= items_per_second <= 2000:
        assert math.ceil(60 * items_per_second / collector.BATCH_SIZE * 1.2) < made / 10


def test_queue_volume_holds_the_outage(bundled_synth):
    settings = environment("prod").observability.collector
    for name in ("otel-collector", "otel-sampler"):
        _, values = helm_values(stack_json(bundled_synth, "prod-platform"), name)
        claim = values["statefulset"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
        assert claim == f"{settings.queue_volume_gib}Gi" == "64Gi"
    assert settings.queue_volume_needed_gib() == 63  # 60 min x 60 x 1.2 x (7000 x 2 KiB + 20 x 64 KiB) = 62.95 GiB
