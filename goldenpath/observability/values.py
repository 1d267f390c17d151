"""Helm values for the observability charts: retention, correlation, no phone-home, sizing.

Every component's requests and limits live in ``RESOURCES`` (also rendered in the README).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from goldenpath.config.model import Environment
from goldenpath.observability import collector, facts
from goldenpath.observability.alertmanager import mounted_secrets
from goldenpath.observability.grafana_text import provisioning_literal

NAMESPACE = "observability"
MANAGED_BY = {"app.kubernetes.io/managed-by": "goldenpath"}
"""The label on every Kubernetes object goldenpath creates itself (not those the charts create)."""
NODE_EXPORTER_NAMESPACE = "observability-node"
"""node-exporter alone needs host access (hostNetwork, hostPID, the root filesystem): it gets a namespace
of its own that admits privileged pods, so the observability namespace can enforce Pod Security baseline."""
GRAFANA_ROLE = "goldenpath-grafana-configmap-reader"
"""The Role Grafana's sidecars get instead of the chart's ClusterRole, which also reads every Secret in the cluster:
ConfigMaps of the observability namespace only, the one namespace the sidecars search (dashboards and datasources are
ConfigMaps; see facts.GRAFANA_RBAC_SOURCES and facts.GRAFANA_DASHBOARD_SOURCES)."""


@dataclass(frozen=True)
class Resources:
    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str
    storage: str | None = None

    def render(self) -> dict:
        return {"requests": {"cpu": self.cpu_request, "memory": self.memory_request},
                "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit}}


GRAFANA_ADMIN_USER_KEY = "user"
# Resource attributes Prometheus keeps as labels on OTLP metrics, so SLOs can group by them.
PROMOTED_RESOURCE_ATTRIBUTES = ("k8s.namespace.name", "k8s.pod.name", "k8s.deployment.name", "k8s.container.name")

RESOURCES: dict[str, Resources] = {
    "prometheus": Resources("500m", "2Gi", "2", "4Gi", storage="50Gi"),
    "alertmanager": Resources("50m", "64Mi", "200m", "128Mi", storage="2Gi"),
    "grafana": Resources("100m", "256Mi", "500m", "512Mi"),
    "prometheus-operator": Resources("100m", "128Mi", "500m", "256Mi"),
    "kube-state-metrics": Resources("50m", "128Mi", "200m", "256Mi"),
    "node-exporter (per node)": Resources("50m", "32Mi", "200m", "64Mi"),
    "loki (single binary)": Resources("500m", "1Gi", "2", "2Gi", storage="10Gi (WAL; chunks in S3)"),
    "tempo": Resources("250m", "1Gi", "1", "2Gi", storage="10Gi (WAL; blocks in S3)"),
    "otel-collector (per replica)": Resources("200m", "256Mi", "1", "512Mi", storage="queue_volume_gib (persistent queue; default 20Gi)"),
}

# Datasource uids are fixed so that correlations (and the vendored dashboards) can name them.
PROMETHEUS_UID, LOKI_UID, TEMPO_UID = "prometheus", "loki", "tempo"


# Grafana expands $VAR and ${VAR} in provisioning files; these strings are what Grafana must
# see after that expansion, and ``provisioning_literal`` escapes them on the way in.
TRACE_QUERY = "${__value.raw}"
# Tempo's query API is its HTTP port 3200 (facts.CHART_FACTS, checked by the tests).
LOKI_URL = collector.LOKI_GATEWAY
TEMPO_URL = f"http://{collector.TEMPO}:3200"
# OTLP resource attributes that link a span to its logs; Loki indexes them as labels with
# dots turned into underscores (facts.LOKI_DEFAULT_OTLP_INDEX_ATTRIBUTES).
TRACE_TO_LOGS_ATTRIBUTES = ("k8s.namespace.name", "service.name")
# The resource attributes Loki indexes: of its defaults (facts.LOKI_DEFAULT_OTLP_INDEX_ATTRIBUTES), only those the
# collector agent sets from the sending pod (collector.AGENT_SET_ATTRIBUTES).
# The rest (service.instance.id, deployment.environment, cloud.*, container.name) are the pod's own word: indexed, a
# pod varying one per line would open streams without bound, and every namespace shares Loki's one tenant and its
# stream cap (facts.LOKI_STREAM_SOURCES). They stay searchable as structured metadata.
LOKI_INDEXED_ATTRIBUTES = tuple(a for a in facts.LOKI_DEFAULT_OTLP_INDEX_ATTRIBUTES if a in collector.AGENT_SET_ATTRIBUTES)


def datasources() -> list[dict]:
    """Grafana datasources wired for correlation: exemplar -> trace, trace -> logs, log -> trace."""
    return [
        {
            "name": "Loki", "uid": LOKI_UID, "type": "loki", "access": "proxy", "url": LOKI_URL,
            "jsonData": {"derivedFields": [
                # Loki's OTLP ingestion keeps the log record's trace id as structured metadata
                # `trace_id`; a label matcher reads it there, whatever the log line says.
                {"name": "TraceID", "matcherType": "label", "matcherRegex": "trace_id", "datasourceUid": TEMPO_UID,
                 "url": TRACE_QUERY, "urlDisplayLabel": "Open trace"},
                # Apps that log to stdout (no OTLP) must print the id in the line for this one to match.
                {"name": "TraceIDInLine", "matcherType": "regex", "matcherRegex": r"(?:trace_id|traceID)[=:]\s*\"?(\w+)",
                 "datasourceUid": TEMPO_UID, "url": TRACE_QUERY, "urlDisplayLabel": "Open trace"},
            ]},
        },
        {
            "name": "Tempo", "uid": TEMPO_UID, "type": "tempo", "access": "proxy", "url": TEMPO_URL,
            "jsonData": {
                "tracesToLogsV2": {"datasourceUid": LOKI_UID, "filterByTraceID": True, "spanStartTimeShift": "-5m",
                                   "spanEndTimeShift": "5m",
                                   "tags": [{"key": attribute, "value": facts.loki_label(attribute)}
                                            for attribute in TRACE_TO_LOGS_ATTRIBUTES]},
                "tracesToMetrics": {"datasourceUid": PROMETHEUS_UID},
                "serviceMap": {"datasourceUid": PROMETHEUS_UID},
                "nodeGraph": {"enabled": True},
                "lokiSearch": {"datasourceUid": LOKI_UID},
            },
        },
    ]


def default_rules() -> dict:
    """The chart's rule groups: every group holding alerts off (unowned, unrouted), recording rules on."""
    return {"create": True, "rules": {key: False for key in sorted(facts.KPS_ALERTING_RULE_KEYS)}}


def kube_prometheus_stack(environment: Environment, rules: dict, alertmanager: dict) -> dict:
    obs = environment.observability
    return {
        "fullnameOverride": "kube-prometheus-stack",
        "crds": {"enabled": True},
        # goldenpath ships curated, routed, runbooked alerts; the chart's ~150 default alerts
        # (the main source of unowned pages) stay off. Its recording rules stay on for dashboards.
        # goldenpath ships curated, routed, runbooked alerts; the chart's default alerts (the main
        # source of unowned pages) stay off. Its recording rules stay on for its dashboards.
        "defaultRules": default_rules(),
        "additionalPrometheusRulesMap": {"goldenpath": rules},
        "prometheus": {"prometheusSpec": {
            "retention": f"{obs.retention.metrics_days}d",
            # The collector sends metrics over OTLP (its k8s image has no remote-write exporter);
            # Tempo's metrics generator still uses remote write.
            "enableOTLPReceiver": True,
            "otlp": {"promoteResourceAttributes": list(PROMOTED_RESOURCE_ATTRIBUTES)},
            "enableRemoteWriteReceiver": True,
            # Applications' OTLP delta metrics become counters (facts.PROMETHEUS_DELTA_SOURCE: a series
            # silent for 5 minutes restarts, so DORA events are gauge samples, not deltas).
            "enableFeatures": ["exemplar-storage", "otlp-deltatocumulative"],
            "ruleSelectorNilUsesHelmValues": False, "serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
            "resources": RESOURCES["prometheus"].render(),
            "storageSpec": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": RESOURCES["prometheus"].storage}}}}},
        }},
        "alertmanager": {
            "config": alertmanager,
            "alertmanagerSpec": {
                "secrets": mounted_secrets(obs), "resources": RESOURCES["alertmanager"].render(),
                # Silences and notification state survive restarts.
                "storage": {"volumeClaimTemplate": {"spec": {
                    "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": RESOURCES["alertmanager"].storage}}}}},
            },
        },
        "grafana": {
            # The version goldenpath's Grafana facts were read at (facts.GRAFANA_IMAGE_TAG), not the subchart's own.
            "image": {"tag": facts.GRAFANA_IMAGE_TAG},
            # The platform stack creates this Secret with a generated password (see the module).
            "admin": {"existingSecret": obs.grafana_admin_secret.name, "passwordKey": obs.grafana_admin_secret.key,
                      "userKey": GRAFANA_ADMIN_USER_KEY},
            "grafana.ini": {
                "analytics": {"reporting_enabled": False, "check_for_updates": False, "check_for_plugin_updates": False,
                              "feedback_links_enabled": False},
                "news": {"news_feed_enabled": False},
                # Grafana 12 installs a default plugin list from grafana.com at start-up otherwise.
                "plugins": {"public_key_retrieval_disabled": True, "preinstall_disabled": True},
                "snapshots": {"external_enabled": False},
            },
            # The chart's ClusterRole reads Secrets in every namespace; goldenpath binds its own Role, ConfigMaps of this
            # namespace only (namespaced: no ClusterRole or ClusterRoleBinding), and the sidecars watch ConfigMaps only.
            "rbac": {"namespaced": True, "useExistingRole": GRAFANA_ROLE},
            # Dashboards from Grafana's own namespace only: a sidecar searching every namespace would let a tenant replace,
            # delete or freeze other teams' dashboards (facts.GRAFANA_DASHBOARD_SOURCES).
            "sidecar": {"dashboards": {"enabled": True, "label": facts.GRAFANA_DASHBOARD_LABEL[0],
                                       "labelValue": facts.GRAFANA_DASHBOARD_LABEL[1], "searchNamespace": [NAMESPACE],
                                       "resource": "configmap"},
                        "datasources": {"enabled": True, "resource": "configmap", "exemplarTraceIdDestinations": {
                            "datasourceUid": TEMPO_UID, "traceIdLabelName": "trace_id"}}},
            "additionalDataSources": provisioning_literal(datasources()),
            "resources": RESOURCES["grafana"].render(),
        },
        "prometheusOperator": {"resources": RESOURCES["prometheus-operator"].render()},
        "kube-state-metrics": {"resources": RESOURCES["kube-state-metrics"].render()},
        "prometheus-node-exporter": {"namespaceOverride": NODE_EXPORTER_NAMESPACE,
                                     "resources": RESOURCES["node-exporter (per node)"].render()},
    }


def loki(environment: Environment, bucket: str) -> dict:
    days = environment.observability.retention.logs_days
    return {
        "deploymentMode": "SingleBinary",
        "loki": {
            # the chart would run 3.6.3 (its values' image tag, not its appVersion): the 3.6 line's newest patch release
            "image": {"tag": facts.LOKI_IMAGE_TAG},
            "auth_enabled": False,
            "analytics": {"reporting_enabled": False},
            "commonConfig": {"replication_factor": 1},
            "schemaConfig": {"configs": [{"from": "2024-01-01", "store": "tsdb", "object_store": "s3",
                                          "schema": "v13", "index": {"prefix": "index_", "period": "24h"}}]},
            "storage": {"type": "s3", "bucketNames": {"chunks": bucket, "ruler": bucket, "admin": bucket},
                        # Regional IPv4 endpoint, reached through the VPC's S3 gateway endpoint.
                        "s3": {"region": environment.region, "disable_dualstack": True}},
            # A full batch of the agent's log records passes whole (facts.LOKI_PUSH_LIMIT_SOURCES; check_loki_push_limits).
            "server": {"grpc_server_max_recv_msg_size": facts.LOKI_DISTRIBUTOR_MAX_RECV_MSG_SIZE},
            # A push's body is read into memory whole once decompressed: 100 MiB holds a full batch, where Loki's
            # default (50 times the compressed limit, 5000 MiB) would let one compressible batch exhaust Loki's memory.
            "distributor": {"max_decompressed_size": facts.LOKI_DISTRIBUTOR_MAX_RECV_MSG_SIZE},
            "limits_config": {"retention_period": f"{days * 24}h", "allow_structured_metadata": True,
                              "max_line_size": facts.LOKI_MAX_LINE_SIZE,
                              "max_structured_metadata_size": facts.LOKI_MAX_STRUCTURED_METADATA_SIZE,
                              "ingestion_burst_size_mb": loki_push_mib(collector.LOG_BATCH_SIZE),
                              # one pod's lines are one stream, and a batch may hold nothing else
                              "per_stream_rate_limit_burst": f"{loki_push_mib(collector.LOG_BATCH_SIZE)}MB",
                              "otlp_config": {"resource_attributes": {"ignore_defaults": True, "attributes_config": [
                                  {"action": "index_label", "attributes": list(LOKI_INDEXED_ATTRIBUTES)}]}}},
            "compactor": {"retention_enabled": True, "delete_request_store": "s3"},
        },
        "gateway": {"nginxConfig": {"clientMaxBodySize": f"{facts.LOKI_DISTRIBUTOR_MAX_RECV_MSG_SIZE >> 20}M"}},
        "singleBinary": {"replicas": 1, "resources": RESOURCES["loki (single binary)"].render(),
                         "persistence": {"size": "10Gi"}},
        "read": {"replicas": 0}, "write": {"replicas": 0}, "backend": {"replicas": 0},
        "chunksCache": {"enabled": False}, "resultsCache": {"enabled": False},
        "lokiCanary": {"enabled": False}, "test": {"enabled": False},
        "serviceAccount": {"name": "loki"},
    }


def loki_size(text: str) -> int:
    """Bytes of a Loki size setting ("256KB"; c2h5oh/datasize, whose KB is 1024)."""
    match = re.fullmatch(r"(\d+)\s*([KMG]?)B?", str(text).strip().upper())
    if not match:
        raise ValueError(f"Loki size {text!r}: expected a number of bytes with an optional KB, MB or GB")
    return int(match.group(1)) * 1024 ** "_KMG".index(match.group(2) or "_")


def loki_push_mib(entries: int) -> int:
    """MiB that ``entries`` of the largest entries Loki takes count for (its ingestion burst is in MiB)."""
    per_entry = loki_size(facts.LOKI_MAX_LINE_SIZE) + loki_size(facts.LOKI_MAX_STRUCTURED_METADATA_SIZE)
    return math.ceil(entries * per_entry / 2**20)


def tempo(environment: Environment, bucket: str) -> dict:
    hours = environment.observability.retention.traces_days * 24
    return {
        "fullnameOverride": "tempo",
        "tempo": {
            "tag": facts.TEMPO_IMAGE_TAG,  # the chart's appVersion predates Tempo's security releases
            # OTLP only (what the collector sends); nulls drop the chart's default jaeger and opencensus receivers
            # (Tempo dropped OpenCensus in 2.10.6: facts.TEMPO_DROPPED_RECEIVERS).
            "receivers": {**{name: None for name in facts.TEMPO_CHART_DEFAULT_RECEIVERS if name != "otlp"},
                          "otlp": {"protocols": {
                              # grpc-go's 4 MiB default refuses a full batch of the agent's spans whole
                              # (facts.TEMPO_PUSH_LIMIT_SOURCES).
                              "grpc": {"endpoint": "0.0.0.0:4317", "max_recv_msg_size_mib": facts.TEMPO_OTLP_GRPC_MAX_MIB},
                              "http": {"endpoint": "0.0.0.0:4318"}}}},
            "reportingEnabled": False,
            "retention": f"{hours}h",
            "storage": {"trace": {"backend": "s3", "s3": {"bucket": bucket, "endpoint": f"s3.{environment.region}.amazonaws.com",
                                                          "region": environment.region}}},
            "metricsGenerator": {"enabled": True,
                                 "remoteWriteUrl": collector.Backends().metrics_remote_write},
            # Span names (a span-metrics dimension) are the application's: the generator's series are capped
            # (facts.TEMPO_GENERATOR_LIMIT_SOURCE; 0, the default, is no limit).
            "overrides": {"defaults": {"metrics_generator": {
                "processors": ["service-graphs", "span-metrics"],
                "max_active_series": environment.observability.trace_metrics_series_limit}}},
            "resources": RESOURCES["tempo"].render(),
        },
        "persistence": {"enabled": True, "size": "10Gi"},
        "serviceAccount": {"name": "tempo"},
    }


COLLECTOR_IMAGE = facts.COLLECTOR_IMAGES["otel/opentelemetry-collector-k8s:0.128.0"]
# Chart ports goldenpath does not use (the collector receives OTLP only); metrics serves its own telemetry.
_COLLECTOR_PORTS = {"jaeger-compact": False, "jaeger-thrift": False, "jaeger-grpc": False, "zipkin": False, "metrics": True}


def without_chart_defaults(config: dict) -> dict:
    """``config`` plus nulls for the chart's default components and pipelines it does not use:
    Helm deep-merges the chart's default config under ours, and a null deletes a key."""
    def nulled(defaults: dict, ours: dict) -> dict:
        return {**{name: None for name in defaults if name not in ours}, **ours}

    result = dict(config)
    for kind in ("receivers", "exporters", "processors", "extensions"):
        result[kind] = nulled(facts.OTEL_CHART_DEFAULT_CONFIG.get(kind, {}), config.get(kind, {}))
    pipelines = nulled(facts.OTEL_CHART_DEFAULT_CONFIG["service"]["pipelines"], config["service"]["pipelines"])
    result["service"] = {**config["service"], "pipelines": pipelines}
    return result


def otel_collector(config: dict, name: str, *, kubernetes_attributes: bool, queue_volume_gib: int) -> dict:
    """Values of one collector tier. ``kubernetes_attributes`` turns on the chart's preset (RBAC and
    the k8sattributes processor): the agent tier only, where the peer is the application pod. Each replica's
    persistent queue gets a volume of ``queue_volume_gib`` (CollectorSettings.queue_volume_gib)."""
    uid = COLLECTOR_IMAGE.user_id
    return {
        "fullnameOverride": name,
        "mode": "statefulset",
        "replicaCount": 2,
        "image": {"repository": COLLECTOR_IMAGE.repository, "tag": COLLECTOR_IMAGE.tag},
        "config": without_chart_defaults(config),
        "ports": {port: {"enabled": enabled} for port, enabled in _COLLECTOR_PORTS.items()},
        # Prometheus scrapes the collector's own metrics (queue fill, refused and failed spans).
        "serviceMonitor": {"enabled": True, "metricsEndpoints": [{"port": "metrics"}]},
        # The image runs as 10001; fsGroup makes the persistent queue volume writable for it.
        "podSecurityContext": {"runAsNonRoot": True, "runAsUser": uid, "runAsGroup": uid, "fsGroup": uid,
                               "seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "resources": RESOURCES["otel-collector (per replica)"].render(),
        "statefulset": {"volumeClaimTemplates": [{
            "metadata": {"name": "queue"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": f"{queue_volume_gib}Gi"}}}}]},
        "extraVolumeMounts": [{"name": "queue", "mountPath": collector.QUEUE_DIRECTORY}],
        "service": {"clusterIP": "None"} if name.endswith("sampler") else {},
        "presets": {"kubernetesAttributes": {"enabled": kubernetes_attributes}},
    }
