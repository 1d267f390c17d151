"""OpenTelemetry Collector configuration with cost and durability controls.

Pipeline order matters: memory_limiter first (refuse data before the collector is
OOM-killed), batch after it; exporters retry and use a persistent (file-backed) sending
queue sized to ride out a backend outage of the configured length.

Metrics are the exception to batching: Prometheus rolls back every sample of a request when one of them is refused
(an out-of-order or too-new timestamp, an invalid label name, a metric without points), and the exporter then drops
the request (facts.PROMETHEUS_OTLP_ROLLBACK_SOURCES). A batch mixing pods would let one pod's bad sample cost every
namespace its metrics, so the metrics pipeline has no batch processor and its queue merges nothing: each pod's export
reaches Prometheus alone, and its queue is sized in exports (``expected_metric_exports_per_second``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from goldenpath.config.model import CollectorSettings
from goldenpath.observability.facts import PROMETHEUS_OTLP_PATH, TEMPO_OTLP_GRPC_MAX_MIB
from goldenpath.observability.series_budget import BOUND_PROCESSOR, bound_processor, shed_processor
from goldenpath.labels import SERVICE_LABEL, TEAM_LABEL

BATCH_SIZE = 8192
BATCH_TIMEOUT_SECONDS = 0.2
# Log records are batched by fewer: every batch must fit through Loki whole, and Loki takes a log line of up to
# max_line_size with up to max_structured_metadata_size of attributes (facts.LOKI_PUSH_LIMIT_SOURCES). 256 of the
# largest entries it accepts make the push limits goldenpath gives Loki (values.loki, check_loki_push_limits).
LOG_BATCH_SIZE = 256
LOG_BATCH = "batch/logs"
# Fact: the batch processor sends once send_batch_size items are pending and, each time its timer fires, whatever is
# pending (shard.processItem and shard.startLoop in processor/batchprocessor/batch_processor.go,
# open-telemetry/opentelemetry-collector @ v0.128.0). A steady flow of more than one item per timeout therefore makes
# a batch every timeout, full or not; and a persistent queue counts requests, whatever their size (it takes the
# requests sizer only: exporter/exporterhelper/internal/queuebatch/config.go Validate @ v0.128.0). So a queue fills
# at the batch rate below, not at the item rate divided by the batch size.

# Telemetry identity comes from the sending pod, never from what it says about itself.
# Fact: k8sattributes fills a resource attribute only when it is absent or empty (``setResourceAttribute``
# in processor/k8sattributesprocessor/processor.go, open-telemetry/opentelemetry-collector-contrib @ 008fe35e),
# and the chart's preset associates a pod by the *resource attributes* k8s.pod.ip and k8s.pod.uid before the
# connection (open-telemetry/opentelemetry-helm-charts charts/opentelemetry-collector/templates/_config.tpl
# kubernetesAttributesConfig @ opentelemetry-collector-0.127.4). So a pod could name another pod, or keep a
# forged k8s.namespace.name. The resource processor's ``delete`` takes a key regex (``pattern``;
# internal/coreinternal/attraction/attraction.go @ 045e588c). The agent therefore deletes every client-supplied k8s.*, service.namespace and
# goldenpath.* attribute, associates by the connection only, and sets service.name from the namespace's
# goldenpath.dev/service label (a label tenants cannot write: they may not update namespaces).
STRIP_CLIENT_IDENTITY = "resource/strip-client-identity"
# The same claim one level down: Prometheus turns a data point's attributes into labels first and adds a promoted
# resource attribute only where no label of that name exists yet (storage/remote/otlptranslator/prometheusremotewrite
# helper.go createAttributes and metrics_to_prw.go addPromotedAttributes, ``builder.Get(normalized) == ""``,
# prometheus/prometheus @ v3.9.1). Label names come from otlptranslator's LabelNamer (v1.0.0 label_namer.go and
# strconv.go sanitizeLabelName: every rune outside [a-zA-Z0-9_] becomes '_', repeated underscores kept by Prometheus'
# default LabelNamePreserveMultipleUnderscores, config.go DefaultOTLPConfig @ v3.9.1). So a data point attribute
# ``k8s.namespace.name`` (or k8s_namespace_name, k8s/namespace/name, ...) would become the series' namespace label,
# the one services' SLOs and the per-namespace series count select on. The attributes processor applies its actions
# to every data point's attributes (processor/attributesprocessor/attributes_metric.go, open-telemetry/opentelemetry-
# collector-contrib @ 060380d through the code index; the processor is in otelcol-k8s 0.128.0), and to span and log
# record attributes in those pipelines: the agent deletes every attribute whose label name would start with k8s_.
STRIP_CLIENT_LABELS = "attributes/strip-client-labels"
CLIENT_LABEL_PATTERN = r"^k8s[^a-zA-Z0-9]"
# An attribute key with no letter or digit (empty, "_", ".", "é") has no label name: Prometheus' and Loki's label
# namer refuses it (otlptranslator v1.0.0 LabelNamer.Build: empty, or only underscores once every other rune is
# '_'), and Loki then refuses the whole OTLP request it came in, every pod's logs batched with it (pkg/loghttp/push/
# otlp.go attributeToLabels, on resource, scope and log record attributes; grafana/loki v3.6.15). The agent deletes
# such keys at all three levels before batching.
UNNAMEABLE_KEY_PATTERN = r"^[^a-zA-Z0-9]*$"
SERVICE_IDENTITY = "transform/service-identity"
NAMESPACE_SERVICE_ATTRIBUTE, NAMESPACE_TEAM_ATTRIBUTE = "goldenpath.service", "goldenpath.team"
POD_METADATA = ("k8s.namespace.name", "k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name",
                "k8s.cronjob.name", "k8s.job.name", "k8s.node.name", "k8s.pod.name", "k8s.pod.uid", "k8s.pod.start_time")
# What the agent sets from the sending pod and its namespace, whatever the pod sends (service.name from the label).
AGENT_SET_ATTRIBUTES = (*POD_METADATA, "service.name")
IDENTITY_STATEMENTS = [
    f'set(attributes["service.name"], attributes["{NAMESPACE_SERVICE_ATTRIBUTE}"]) '
    f'where attributes["{NAMESPACE_SERVICE_ATTRIBUTE}"] != nil',
]
# delete_matching_keys takes a key regex (pkg/ottl/ottlfuncs/func_delete_matching_keys.go, through the code index).
SCOPE_STATEMENTS = [f'delete_matching_keys(attributes, "{UNNAMEABLE_KEY_PATTERN}")']
QUEUE_DIRECTORY = "/var/lib/otelcol/queue"


# Services and ports as the pinned charts create them (facts.CHART_FACTS; checked by the tests).
PROMETHEUS = "http://kube-prometheus-stack-prometheus.observability.svc.cluster.local:9090"
LOKI_GATEWAY = "http://loki-gateway.observability.svc.cluster.local"
TEMPO = "tempo.observability.svc.cluster.local"


@dataclass(frozen=True)
class Backends:
    """In-cluster endpoints of the signal backends."""

    traces_otlp: str = f"{TEMPO}:4317"
    logs_otlp_http: str = f"{LOKI_GATEWAY}/otlp"
    metrics_otlp_http: str = f"{PROMETHEUS}{PROMETHEUS_OTLP_PATH}"
    """Prometheus' OTLP receiver (the exporter appends /v1/metrics)."""
    metrics_remote_write: str = f"{PROMETHEUS}/api/v1/write"
    """Prometheus' remote-write receiver, used by Tempo's metrics generator."""
    sampler_headless: str = "otel-sampler.observability.svc.cluster.local"


def _entries_for_outage(settings: CollectorSettings, entries_per_second: float) -> int:
    """Queue entries that ride out the configured outage at this rate, with 20% headroom (at least 100)."""
    return max(100, math.ceil(settings.outage_tolerance_minutes * 60 * entries_per_second * 1.2))


def batches_per_second(items_per_second: float, batch_size: int = BATCH_SIZE) -> float:
    """Batches the batch processor makes of a steady flow: one per batch_size items, but at least one per timeout
    (never more than one per item)."""
    return min(items_per_second, max(items_per_second / batch_size, 1 / BATCH_TIMEOUT_SECONDS))


def queue_size(settings: CollectorSettings) -> int:
    """Span batches to buffer: the outage length times the batch rate."""
    return _entries_for_outage(settings, batches_per_second(settings.expected_spans_per_second))


def logs_queue_size(settings: CollectorSettings) -> int:
    """Log record batches to buffer: the outage length times the batch rate."""
    return _entries_for_outage(settings, batches_per_second(settings.expected_log_records_per_second, LOG_BATCH_SIZE))


def is_batch(processor: str) -> bool:
    return processor.split("/")[0] == "batch"


def metrics_queue_size(settings: CollectorSettings) -> int:
    """Exports to buffer for Prometheus: the outage length times the export rate (one pod's export per entry: nothing
    merges them)."""
    return _entries_for_outage(settings, settings.expected_metric_exports_per_second)


def _exporter_reliability(settings: CollectorSettings, size: int | None = None) -> dict:
    return {
        "retry_on_failure": {"enabled": True, "initial_interval": "5s", "max_interval": "30s", "max_elapsed_time": "0s"},
        "sending_queue": {"enabled": True, "num_consumers": 4, "queue_size": size or queue_size(settings),
                          "storage": "file_storage/queue"},
    }


def _processors(settings: CollectorSettings, *, sampler: bool) -> dict:
    processors = {
        "memory_limiter": {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 25},
        "batch": _batch(BATCH_SIZE),
    }
    if not sampler:
        # Only the agent sees the application's connection; the sampler receives enriched data.
        processors.update(identity_processors())
    if sampler and settings.tail_sampling:
        processors["tail_sampling"] = {
            "decision_wait": "10s",
            "policies": [
                {"name": "errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}},
                {"name": "slow", "type": "latency", "latency": {"threshold_ms": 1000}},
                {"name": "sample", "type": "probabilistic", "probabilistic": {"sampling_percentage": settings.sampling_percentage}},
            ],
        }
    return processors


def _batch(size: int) -> dict:
    return {"send_batch_size": size, "send_batch_max_size": size, "timeout": f"{round(BATCH_TIMEOUT_SECONDS * 1000)}ms"}


def identity_processors() -> dict:
    """Strip what the client says about who it is (on its resource, and as data point attributes that would become
    the same labels), then set it from the connection's pod and its namespace."""
    return {
        STRIP_CLIENT_IDENTITY: {"attributes": [
            {"action": "delete", "pattern": r"^k8s\..*"},
            {"action": "delete", "pattern": r"^goldenpath\..*"},
            {"action": "delete", "key": "service.namespace"},
            {"action": "delete", "pattern": UNNAMEABLE_KEY_PATTERN},
        ]},
        STRIP_CLIENT_LABELS: {"actions": [{"action": "delete", "pattern": CLIENT_LABEL_PATTERN},
                                          {"action": "delete", "pattern": UNNAMEABLE_KEY_PATTERN}]},
        "k8sattributes": {
            "passthrough": False,
            "pod_association": [{"sources": [{"from": "connection"}]}],
            "extract": {"metadata": list(POD_METADATA), "labels": [
                {"tag_name": NAMESPACE_SERVICE_ATTRIBUTE, "key": SERVICE_LABEL, "from": "namespace"},
                {"tag_name": NAMESPACE_TEAM_ATTRIBUTE, "key": TEAM_LABEL, "from": "namespace"},
            ]},
        },
        SERVICE_IDENTITY: {"error_mode": "ignore", **{f"{signal}_statements": [
            {"context": "resource", "statements": IDENTITY_STATEMENTS},
            {"context": "scope", "statements": SCOPE_STATEMENTS}] for signal in ("trace", "metric", "log")}},
    }


# Spans Tempo would refuse with the whole push they travel in, after the batch processor merged other pods' into it
# (facts.TEMPO_SPAN_ID_SOURCES): no trace id or no span id. Both encodings of an empty id, hex zeros and "".
SPAN_IDS_PROCESSOR = "filter/span-ids"
SPAN_ID_CONDITIONS = [f'{field}.string == "{empty}"' for field, size in (("trace_id", 16), ("span_id", 8))
                      for empty in ("0" * 2 * size, "")]


def span_ids_processor() -> dict:
    """Drop spans without a trace or span id before batching; a condition that cannot be evaluated refuses the
    sender's request rather than passing the span."""
    return {SPAN_IDS_PROCESSOR: {"error_mode": "propagate", "traces": {"span": list(SPAN_ID_CONDITIONS)}}}


AGENT_PROCESSORS = ["memory_limiter", STRIP_CLIENT_IDENTITY, STRIP_CLIENT_LABELS, "k8sattributes", SERVICE_IDENTITY, "batch"]


def _base(settings: CollectorSettings, *, sampler: bool = False) -> dict:
    grpc: dict = {"endpoint": "${env:MY_POD_IP}:4317"}
    if sampler:
        # The agent's load-balancing exporter sends a sampler the traces of a whole batch routed to it in one request
        # (up to all of it when one sampler is up): at grpc-go's 4 MiB default a full batch of 8192 spans of about
        # 500 bytes is refused whole and dropped (facts.TEMPO_PUSH_LIMIT_SOURCES), so the sampler takes what Tempo does.
        grpc["max_recv_msg_size_mib"] = TEMPO_OTLP_GRPC_MAX_MIB
    return {
        "extensions": {
            "health_check": {"endpoint": "${env:MY_POD_IP}:13133"},
            "file_storage/queue": {"directory": QUEUE_DIRECTORY, "create_directory": True},
        },
        "receivers": {"otlp": {"protocols": {"grpc": grpc, "http": {"endpoint": "${env:MY_POD_IP}:4318"}}}},
        "processors": _processors(settings, sampler=sampler),
    }


def agent_config(settings: CollectorSettings, backends: Backends = Backends()) -> dict:
    """The collector applications send to. With load balancing it forwards traces, by trace id,
    to the sampler tier (so every span of a trace meets on one sampler); otherwise it exports."""
    reliability = _exporter_reliability(settings)
    config = _base(settings)
    config["exporters"] = {
        "otlphttp/loki": {"endpoint": backends.logs_otlp_http, **_exporter_reliability(settings, logs_queue_size(settings))},
        # OTLP to Prometheus: the collector image ships no prometheusremotewrite exporter.
        "otlphttp/prometheus": {"endpoint": backends.metrics_otlp_http,
                                **_exporter_reliability(settings, metrics_queue_size(settings))},
    }
    if settings.load_balancing:
        config["exporters"]["loadbalancing"] = {
            "routing_key": "traceID",
            "protocol": {"otlp": {"tls": {"insecure": True}, **reliability}},
            "resolver": {"dns": {"hostname": backends.sampler_headless, "port": 4317}},
        }
        trace_exporters = ["loadbalancing"]
    else:
        config["exporters"]["otlp/tempo"] = {"endpoint": backends.traces_otlp, "tls": {"insecure": True}, **reliability}
        trace_exporters = ["otlp/tempo"]
    shed = shed_processor(settings)
    config["processors"].update(shed)
    config["processors"].update(bound_processor(settings))
    config["processors"].update(span_ids_processor())
    config["processors"][LOG_BATCH] = _batch(LOG_BATCH_SIZE)
    config["service"] = {
        "extensions": ["health_check", "file_storage/queue"],
        "telemetry": {"metrics": {"level": "detailed"}},
        "pipelines": {
            "traces": {"receivers": ["otlp"], "processors": _after_identity([SPAN_IDS_PROCESSOR]), "exporters": trace_exporters},
            "logs": {"receivers": ["otlp"], "processors": [*AGENT_PROCESSORS[:-1], LOG_BATCH], "exporters": ["otlphttp/loki"]},
            "metrics": {"receivers": ["otlp"], "exporters": ["otlphttp/prometheus"],
                        "processors": [p for p in _after_identity([*shed, BOUND_PROCESSOR]) if p != "batch"]},
        },
    }
    return config


def _after_identity(processors: list[str]) -> list[str]:
    """The agent's processors with ``processors`` right after the identity is set from the connection."""
    at = AGENT_PROCESSORS.index(SERVICE_IDENTITY) + 1
    return [*AGENT_PROCESSORS[:at], *processors, *AGENT_PROCESSORS[at:]]


def sampler_config(settings: CollectorSettings, backends: Backends = Backends()) -> dict | None:
    """The second tier behind the load balancer (tail sampling happens here), or None without one."""
    if not settings.load_balancing:
        return None
    processors = ["memory_limiter", *(["tail_sampling"] if settings.tail_sampling else []), "batch"]
    config = _base(settings, sampler=True)
    config["exporters"] = {
        "otlp/tempo": {"endpoint": backends.traces_otlp, "tls": {"insecure": True}, **_exporter_reliability(settings)},
    }
    config["service"] = {
        "extensions": ["health_check", "file_storage/queue"],
        "telemetry": {"metrics": {"level": "detailed"}},
        "pipelines": {"traces": {"receivers": ["otlp"],
                                 "processors": processors, "exporters": ["otlp/tempo"]}},
    }
    return config


def pipeline_order_problems(config: dict) -> list[str]:
    """memory_limiter must come first in every pipeline and batch after it, except in metrics pipelines, where nothing
    may merge two pods' exports (one sentence per breach)."""
    problems = []
    for name, pipeline in config["service"]["pipelines"].items():
        if pipeline is None:  # a chart default pipeline deleted by a null
            continue
        processors = pipeline.get("processors", [])
        metrics = name.split("/")[0] == "metrics"
        if not processors or processors[0] != "memory_limiter" or any(map(is_batch, processors)) == metrics:
            expected = ("memory_limiter first and no batch (Prometheus refuses a whole request for one bad sample, so "
                        "one pod's must not share a request with another's)" if metrics else
                        "memory_limiter first and batch after it")
            problems.append(f"pipeline {name} renders processors {processors}; expected {expected}")
        for exporter in pipeline.get("exporters", []) if metrics else []:
            if ((config.get("exporters") or {}).get(exporter) or {}).get("sending_queue", {}).get("batch") is not None:
                problems.append(f"pipeline {name}: exporter {exporter} batches in its sending queue; expected none "
                                "(one pod's export must not share a request with another's)")
    return problems


def check_pipeline_order(config: dict) -> None:
    problems = pipeline_order_problems(config)
    if problems:
        raise ValueError(f"collector {problems[0]}")
