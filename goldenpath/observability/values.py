"""Helm values for the observability charts: retention, correlation, no phone-home, sizing.

Every component's requests and limits live in ``RESOURCES`` (also rendered in the README).
"""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.config.model import Environment
from goldenpath.observability import collector
from goldenpath.observability.alertmanager import mounted_secrets

NAMESPACE = "observability"


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


RESOURCES: dict[str, Resources] = {
    "prometheus": Resources("500m", "2Gi", "2", "4Gi", storage="50Gi"),
    "alertmanager": Resources("50m", "64Mi", "200m", "128Mi", storage="2Gi"),
    "grafana": Resources("100m", "256Mi", "500m", "512Mi"),
    "prometheus-operator": Resources("100m", "128Mi", "500m", "256Mi"),
    "kube-state-metrics": Resources("50m", "128Mi", "200m", "256Mi"),
    "node-exporter (per node)": Resources("50m", "32Mi", "200m", "64Mi"),
    "loki (single binary)": Resources("500m", "1Gi", "2", "2Gi", storage="10Gi (WAL; chunks in S3)"),
    "tempo": Resources("250m", "1Gi", "1", "2Gi", storage="10Gi (WAL; blocks in S3)"),
    "otel-collector (per replica)": Resources("200m", "256Mi", "1", "512Mi", storage="5Gi (persistent queue)"),
}

# Datasource uids are fixed so that correlations (and the vendored dashboards) can name them.
PROMETHEUS_UID, LOKI_UID, TEMPO_UID = "prometheus", "loki", "tempo"


def datasources() -> list[dict]:
    """Grafana datasources wired for correlation: exemplar -> trace, trace -> logs, log -> trace."""
    return [
        {
            "name": "Loki", "uid": LOKI_UID, "type": "loki", "access": "proxy",
            "url": f"http://loki-gateway.{NAMESPACE}.svc.cluster.local",
            "jsonData": {"derivedFields": [{
                "name": "TraceID", "datasourceUid": TEMPO_UID, "matcherRegex": r"(?:trace_id|traceID)[=:]\s*\"?(\w+)",
                "url": "${__value.raw}", "urlDisplayLabel": "Open trace",
            }]},
        },
        {
            "name": "Tempo", "uid": TEMPO_UID, "type": "tempo", "access": "proxy",
            "url": f"http://tempo.{NAMESPACE}.svc.cluster.local:3100",
            "jsonData": {
                "tracesToLogsV2": {"datasourceUid": LOKI_UID, "filterByTraceID": True, "spanStartTimeShift": "-5m",
                                   "spanEndTimeShift": "5m", "tags": [{"key": "k8s.namespace.name", "value": "namespace"}]},
                "tracesToMetrics": {"datasourceUid": PROMETHEUS_UID},
                "serviceMap": {"datasourceUid": PROMETHEUS_UID},
                "nodeGraph": {"enabled": True},
                "lokiSearch": {"datasourceUid": LOKI_UID},
            },
        },
    ]


def kube_prometheus_stack(environment: Environment, rules: dict, alertmanager: dict) -> dict:
    obs = environment.observability
    return {
        "fullnameOverride": "kube-prometheus-stack",
        "crds": {"enabled": True},
        # goldenpath ships curated, routed, runbooked alerts; the chart's ~150 default alerts
        # (the main source of unowned pages) stay off. Its recording rules stay on for dashboards.
        "defaultRules": {"create": True, "rules": {
            "alertmanager": False, "etcd": False, "general": False, "kubeApiserverSlos": False,
            "kubernetesApps": False, "kubernetesResources": False, "kubernetesStorage": False,
            "kubernetesSystem": False, "kubeSchedulerAlerting": False, "kubeStateMetrics": False,
            "network": False, "node": False, "nodeExporterAlerting": False, "prometheus": False,
            "prometheusOperator": False, "kubeControllerManager": False, "kubeProxy": False,
        }},
        "additionalPrometheusRulesMap": {"goldenpath": rules},
        "prometheus": {"prometheusSpec": {
            "retention": f"{obs.retention.metrics_days}d",
            "enableRemoteWriteReceiver": True,
            "enableFeatures": ["exemplar-storage"],
            "ruleSelectorNilUsesHelmValues": False, "serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
            "resources": RESOURCES["prometheus"].render(),
            "storageSpec": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": RESOURCES["prometheus"].storage}}}}},
        }},
        "alertmanager": {
            "config": alertmanager,
            "alertmanagerSpec": {
                "secrets": mounted_secrets(obs.teams), "resources": RESOURCES["alertmanager"].render(),
                # Silences and notification state survive restarts.
                "storage": {"volumeClaimTemplate": {"spec": {
                    "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": RESOURCES["alertmanager"].storage}}}}},
            },
        },
        "grafana": {
            "admin": {"existingSecret": obs.grafana_admin_secret.name, "passwordKey": obs.grafana_admin_secret.key,
                      "userKey": "user"},
            "grafana.ini": {
                "analytics": {"reporting_enabled": False, "check_for_updates": False, "check_for_plugin_updates": False,
                              "feedback_links_enabled": False},
                "news": {"news_feed_enabled": False},
                "plugins": {"public_key_retrieval_disabled": True},
                "snapshots": {"external_enabled": False},
            },
            "sidecar": {"dashboards": {"enabled": True, "label": "grafana_dashboard", "searchNamespace": "ALL"},
                        "datasources": {"enabled": True, "exemplarTraceIdDestinations": {
                            "datasourceUid": TEMPO_UID, "traceIdLabelName": "trace_id"}}},
            "additionalDataSources": datasources(),
            "resources": RESOURCES["grafana"].render(),
        },
        "prometheusOperator": {"resources": RESOURCES["prometheus-operator"].render()},
        "kube-state-metrics": {"resources": RESOURCES["kube-state-metrics"].render()},
        "prometheus-node-exporter": {"resources": RESOURCES["node-exporter (per node)"].render()},
    }


def loki(environment: Environment, bucket: str) -> dict:
    days = environment.observability.retention.logs_days
    return {
        "deploymentMode": "SingleBinary",
        "loki": {
            "auth_enabled": False,
            "analytics": {"reporting_enabled": False},
            "commonConfig": {"replication_factor": 1},
            "schemaConfig": {"configs": [{"from": "2024-01-01", "store": "tsdb", "object_store": "s3",
                                          "schema": "v13", "index": {"prefix": "index_", "period": "24h"}}]},
            "storage": {"type": "s3", "bucketNames": {"chunks": bucket, "ruler": bucket, "admin": bucket},
                        "s3": {"region": environment.region}},
            "limits_config": {"retention_period": f"{days * 24}h", "allow_structured_metadata": True},
            "compactor": {"retention_enabled": True, "delete_request_store": "s3"},
        },
        "singleBinary": {"replicas": 1, "resources": RESOURCES["loki (single binary)"].render(),
                         "persistence": {"size": "10Gi"}},
        "read": {"replicas": 0}, "write": {"replicas": 0}, "backend": {"replicas": 0},
        "chunksCache": {"enabled": False}, "resultsCache": {"enabled": False},
        "lokiCanary": {"enabled": False}, "test": {"enabled": False},
        "serviceAccount": {"name": "loki"},
    }


def tempo(environment: Environment, bucket: str) -> dict:
    hours = environment.observability.retention.traces_days * 24
    return {
        "fullnameOverride": "tempo",
        "tempo": {
            "reportingEnabled": False,
            "retention": f"{hours}h",
            "storage": {"trace": {"backend": "s3", "s3": {"bucket": bucket, "endpoint": f"s3.{environment.region}.amazonaws.com",
                                                          "region": environment.region}}},
            "metricsGenerator": {"enabled": True,
                                 "remoteWriteUrl": collector.Backends().metrics_remote_write},
            "overrides": {"defaults": {"metrics_generator": {"processors": ["service-graphs", "span-metrics"]}}},
            "resources": RESOURCES["tempo"].render(),
        },
        "persistence": {"enabled": True, "size": "10Gi"},
        "serviceAccount": {"name": "tempo"},
    }


def otel_collector(config: dict, name: str) -> dict:
    return {
        "fullnameOverride": name,
        "mode": "statefulset",
        "replicaCount": 2,
        "image": {"repository": "otel/opentelemetry-collector-k8s"},
        "config": config,
        "resources": RESOURCES["otel-collector (per replica)"].render(),
        "extraVolumes": [],
        "statefulset": {"volumeClaimTemplates": [{
            "metadata": {"name": "queue"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}}]},
        "extraVolumeMounts": [{"name": "queue", "mountPath": collector.QUEUE_DIRECTORY}],
        "service": {"clusterIP": "None"} if name.endswith("sampler") else {},
        "presets": {"kubernetesAttributes": {"enabled": True}},
    }
