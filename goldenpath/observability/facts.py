"""Facts about the pinned charts and images, read from their own sources at the pinned tags.

No Kubernetes API, helm, Loki, Tempo, Grafana or collector binary runs where goldenpath is
tested, so every value handed to a chart is checked against this table instead (see
``goldenpath.observability.factcheck`` and docs/upgrading-charts.md). Each fact names the
repository, file and tag it was read from. Bumping a pin in ``charts.py`` without a row here
fails the tests; re-read the listed files at the new tag and update the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a fact was read: ``repository`` (GitHub owner/name), ``path`` and ``ref`` (tag)."""

    repository: str
    path: str
    ref: str

    def __str__(self) -> str:
        return f"{self.repository} {self.path} @ {self.ref}"


@dataclass(frozen=True)
class ServiceFact:
    """A Service a chart creates: name relative to the release's full name, and its ports."""

    suffix: str
    """Appended to the chart's full name ("" for the full name itself)."""
    ports: dict[str, int]
    """Port name -> port, as rendered with goldenpath's values."""
    source: Source


@dataclass(frozen=True)
class ChartFacts:
    chart: str
    version: str
    app_version: str
    published: Source
    """Where the version was seen published (the chart repository's index, or the release tag)."""
    services: tuple[ServiceFact, ...]
    kube_version: str
    """The chart's own ``kubeVersion`` constraint (Chart.yaml), "" when it declares none: Helm refuses to
    install a chart on a cluster outside it, so charts.py's range must lie inside it."""
    kube_version_source: Source
    released: str
    """When the pinned version was published (ISO date, from the same index or tag as ``published``)."""
    newer: tuple[str, ...]
    """Newer releases known when the pin was chosen and not taken, with the security fixes they carry and why they
    wait: where the next bump starts."""
    notes: tuple[str, ...] = field(default_factory=tuple)


_KPS = "prometheus-community/helm-charts"
_GC = "grafana-community/helm-charts"
_OTEL_CHARTS = "open-telemetry/opentelemetry-helm-charts"

CHART_FACTS: dict[tuple[str, str], ChartFacts] = {
    (f.chart, f.version): f
    for f in (
        ChartFacts(
            "kube-prometheus-stack", "81.6.9", "v0.88.1",
            # The repository's gh-pages index.yaml is too large for the mirror here; chart-releaser
            # creates this tag only when it publishes the package to the index.
            published=Source(_KPS, "git tag kube-prometheus-stack-81.6.9 (chart-releaser)", "kube-prometheus-stack-81.6.9"),
            services=(
                ServiceFact("-prometheus", {"http-web": 9090},
                            Source(_KPS, "charts/kube-prometheus-stack/templates/prometheus/service.yaml, values.yaml prometheus.service.port",
                                   "kube-prometheus-stack-81.6.9")),
                ServiceFact("-alertmanager", {"http-web": 9093},
                            Source(_KPS, "charts/kube-prometheus-stack/values.yaml alertmanager.service.port", "kube-prometheus-stack-81.6.9")),
                # The port's name is the parent's value: kube-prometheus-stack sets grafana.service.portName: http-web
                # over the subchart's own default ("service"); templates/service.yaml names the port from it.
                ServiceFact("-grafana", {"http-web": 80},
                            Source(_KPS, "charts/kube-prometheus-stack/values.yaml grafana.service.portName; grafana-community/"
                                         "helm-charts charts/grafana/templates/service.yaml and values.yaml service.port "
                                         "(subchart grafana 11.1.5, tag grafana-11.1.5)", "kube-prometheus-stack-81.6.9")),
            ),
            notes=("Prometheus image quay.io/prometheus/prometheus:v3.9.1 (values.yaml prometheus.prometheusSpec.image.tag)",
                   "Grafana subchart grafana 11.1.5 from grafana-community, appVersion 12.3.3 (Chart.yaml dependencies); "
                   "goldenpath runs Grafana 12.3.2 through grafana.image.tag (GRAFANA_IMAGE_TAG), the version its Grafana "
                   "facts were read at",
                   "From 81.6.2 (git diff of the tags): Chart.yaml bumps only the grafana dependency (11.1.1 -> 11.1.5); "
                   "values.yaml changes image tags only (Alertmanager v0.31.0 -> v0.31.1, kube-webhook-certgen 1.7.7, "
                   "Thanos v0.41.0); templates change in dashboards (labels) and a trailing newline of _helpers.tpl. "
                   "grafana 11.1.1 -> 11.1.5: templates change only in ingress.yaml and route.yaml, which goldenpath "
                   "does not enable; values.yaml unchanged. Every other kube-prometheus-stack and grafana fact below "
                   "therefore holds at the new tags, which their sources now name."),
            kube_version=">=1.25.0-0",
            kube_version_source=Source(_KPS, "charts/kube-prometheus-stack/Chart.yaml kubeVersion (subchart grafana 11.1.5: "
                                             "^1.25.0-0 at grafana-community/helm-charts tag grafana-11.1.5)",
                                       "kube-prometheus-stack-81.6.9"),
            released="2026-02-13",
            newer=("None in the 81.6 line (81.6.9 is its last tag).",
                   "Grafana 12.3.3 (2026-02-12, the subchart's appVersion) and later 12.3.x security releases: passed over "
                   "by GRAFANA_IMAGE_TAG, because the Grafana facts (conf/defaults.ini, setting_plugins.go, provisioning "
                   "values.go, loki types.ts) cannot be re-read at v12.3.3 here: grafana/grafana (3.2 GB) is over the fetch "
                   "limit, and the grafana/grafana files the search index returned were at other versions "
                   "(package.json 12.2.0-pre, 2026-12-05). Re-read them, then drop the override."),
        ),
        ChartFacts(
            "loki", "6.51.0", "3.6.4",
            published=Source(_GC, "index.yaml on gh-pages: loki 6.51.0, appVersion 3.6.4, "
                                  "url releases/download/loki-6.51.0/loki-6.51.0.tgz", "gh-pages"),
            services=(
                ServiceFact("-gateway", {"http-metrics": 80},
                            Source("grafana/loki", "production/helm/loki/templates/gateway/service-gateway.yaml, values.yaml gateway.service.port",
                                   "helm-loki-6.51.0")),
            ),
            notes=("Chart source of 6.51.0 is grafana/loki production/helm/loki at tag helm-loki-6.51.0; "
                   "grafana-community/helm-charts serves the same package and is where the chart continues "
                   "(grafana/helm-charts' Loki chart targets Grafana Enterprise Logs since 2026-03-16).",),
            kube_version="",
            kube_version_source=Source("grafana/loki", "production/helm/loki/Chart.yaml (no kubeVersion)", "helm-loki-6.51.0"),
            released="2026-01-21",
            newer=("no 6.51.x patch release; minor releases 6.52.0 to 6.57.0 (2026-03-18, appVersion 3.6.7) and new major "
                   "lines 11.x and 18.x (Loki 3.7), per grafana-community's index on gh-pages (read 2026-12-05): their "
                   "templates are not re-read yet; the image fixes they would bring are taken through LOKI_IMAGE_TAG (3.6.15)",),
        ),
        ChartFacts(
            "tempo", "1.26.7", "2.10.1",
            published=Source(_GC, "index.yaml on gh-pages: tempo 1.26.7, appVersion 2.10.1, created 2026-03-04", "gh-pages"),
            services=(
                ServiceFact("", {"tempo-prom-metrics": 3200, "grpc-tempo-otlp": 4317, "tempo-otlp-http": 4318,
                                 "tempo-zipkin": 9411},
                            Source(_GC, "charts/tempo/templates/_ports.tpl and service.yaml", "tempo-1.26.7")),
            ),
            kube_version="",
            kube_version_source=Source(_GC, "charts/tempo/Chart.yaml (no kubeVersion)", "tempo-1.26.7"),
            released="2026-03-04",
            newer=("Tempo 2.10.2 to 2.10.8 are newer than the chart's appVersion: goldenpath runs the image TEMPO_IMAGE_TAG "
                   "(2.10.8) instead, see TEMPO_IMAGE_SOURCE",),
            notes=("From 1.26.1 (git diff of the tags): _ports.tpl and service.yaml unchanged; statefulset.yaml reads "
                   "global.imageRegistry, servicemonitor.yaml scrapes jaeger-metrics only with tempoQuery, values.yaml adds "
                   "global.imageRegistry; tempo.receivers still enables jaeger and opencensus by default.",),
        ),
        ChartFacts(
            "opentelemetry-collector", "0.127.4", "0.128.0",
            # 0.127.0 was tagged in git but is absent from the index (0.126.0 -> 0.127.1): never pin by tag alone.
            published=Source(_OTEL_CHARTS, "index.yaml on gh-pages: opentelemetry-collector 0.127.4, appVersion 0.128.0, "
                                           "created 2025-07-14", "gh-pages"),
            services=(
                # Ports are those enabled by goldenpath's values (otlp, otlp-http, metrics); the chart's
                # jaeger and zipkin ports are switched off.
                ServiceFact("", {"otlp": 4317, "otlp-http": 4318, "metrics": 8888},
                            Source(_OTEL_CHARTS, "charts/opentelemetry-collector/values.yaml ports, templates/service.yaml",
                                   "opentelemetry-collector-0.127.4")),
            ),
            kube_version="",
            kube_version_source=Source(_OTEL_CHARTS, "charts/opentelemetry-collector/Chart.yaml (no kubeVersion)",
                                       "opentelemetry-collector-0.127.4"),
            released="2025-07-14",
            newer=("0.128.0 and later start a new line with a new collector (appVersion 0.129.1 and up): the component "
                   "facts of otelcol-k8s must be re-read for it",),
            notes=("From 0.127.2 (git diff of the tags): values.yaml, service.yaml, statefulset.yaml and _helpers.tpl are "
                   "unchanged; _config.tpl changes only where it lists service.telemetry.resource keys (now sorted, #1748), "
                   "which goldenpath does not set, not in the presets it mirrors; prometheusrule.yaml renames the chart's own "
                   "alerts (#1736), which goldenpath does not enable.",),
        ),
    )
}

# --- What the charts' templates do with the cluster's version --------------------------------------------------
# Every semverCompare on .Capabilities.KubeVersion in each pinned chart's templates (git grep at the tag, read
# 2026-12-07 when 1.36 was added). All are lower bounds at or below 1.23, plus the dashboards' "<9.9.9-9", so every
# version goldenpath accepts renders the same objects (tests/test_chart_facts.py). The .Capabilities.APIVersions.Has
# checks (autoscaling/v2 present; policy/v1beta1 PodSecurityPolicy, networking.k8s.io/v1beta1, autoscaling/v2beta2
# absent) answer the same from 1.26 on. Loki's single-binary/statefulset-recreate-job.yaml tags rancher/kubectl with
# the cluster's version, but renders only with singleBinary.persistence.enableStatefulSetRecreationForSizeChange
# (values.yaml default false; goldenpath leaves it).
CHART_VERSION_GATES: dict[str, tuple[tuple[str, ...], Source]] = {
    "kube-prometheus-stack": ((">=1.14.0-0", "<9.9.9-9", ">=1.20.0-0", "> 1.20.0-0", ">= 1.22-0", ">= 1.23-0"), Source(
        _KPS, "charts/kube-prometheus-stack/templates (semverCompare; _helpers.tpl kubeVersionDefaultValue callers)",
        "kube-prometheus-stack-81.6.9")),
    "grafana (subchart)": ((), Source(_GC, "charts/grafana/templates", "grafana-11.1.5")),
    "kube-state-metrics (subchart)": ((), Source(_KPS, "charts/kube-state-metrics/templates", "kube-state-metrics-7.1.0")),
    "prometheus-node-exporter (subchart)": ((">=1.4.0-0",), Source(
        _KPS, "charts/prometheus-node-exporter/templates", "prometheus-node-exporter-4.51.1")),
    "loki": ((">=1.13-0", ">= 1.18-0", ">= 1.19-0", ">=1.19-0", ">=1.21-0", ">= 1.23-0", ">=1.23-0"), Source(
        "grafana/loki", "production/helm/loki/templates", "helm-loki-6.51.0")),
    "tempo": ((">= 1.18-0", ">= 1.19-0", ">= 1.23-0"), Source(_GC, "charts/tempo/templates", "tempo-1.26.7")),
    "opentelemetry-collector": ((">= 1.21-0",), Source(
        _OTEL_CHARTS, "charts/opentelemetry-collector/templates", "opentelemetry-collector-0.127.4")),
}
# Gates that render something only where a value is set: (chart, the gate, the values key, source). goldenpath's
# values never set the key, so they render nothing on any version (tests/test_chart_facts.py).
CHART_VERSION_GATES_BEHIND_VALUES: tuple[tuple[str, str, str, Source], ...] = (
    ("loki", ">=1.33-0", "hostUsers", Source(
        "grafana/loki", "production/helm/loki/templates (all 29 uses, one per workload: hostUsers only when "
                        "(kindIs \"bool\" .Values.<component>.hostUsers))", "helm-loki-6.51.0")),
)

UNPUBLISHED_CHART_VERSIONS: dict[tuple[str, str], Source] = {
    ("opentelemetry-collector", "0.127.0"): Source(
        _OTEL_CHARTS, "index.yaml on gh-pages has 0.126.0 then 0.127.1; the git tag exists, the package does not", "gh-pages"),
}

# --- OpenTelemetry Collector chart ---------------------------------------------------------------
OTEL_CHART_SOURCE = Source(_OTEL_CHARTS, "charts/opentelemetry-collector/values.yaml config", "opentelemetry-collector-0.127.4")
OTEL_PRESET_SOURCE = Source(_OTEL_CHARTS, "charts/opentelemetry-collector/templates/_config.tpl applyKubernetesAttributesConfig",
                            "opentelemetry-collector-0.127.4")

# The chart's default ``config``, which Helm deep-merges under the user's ``config`` (maps merge,
# lists replace, a null deletes a key). Only keys matter here; values are abbreviated to their shape.
OTEL_CHART_DEFAULT_CONFIG: dict = {
    "exporters": {"debug": {}},
    "extensions": {"health_check": {"endpoint": "${env:MY_POD_IP}:13133"}},
    "processors": {"batch": {}, "memory_limiter": {"check_interval": "5s", "limit_percentage": 80, "spike_limit_percentage": 25}},
    "receivers": {
        "jaeger": {"protocols": {"grpc": {}, "thrift_http": {}, "thrift_compact": {}}},
        "otlp": {"protocols": {"grpc": {"endpoint": "${env:MY_POD_IP}:4317"}, "http": {"endpoint": "${env:MY_POD_IP}:4318"}}},
        "prometheus": {"config": {"scrape_configs": [{"job_name": "opentelemetry-collector"}]}},
        "zipkin": {"endpoint": "${env:MY_POD_IP}:9411"},
    },
    "service": {
        "telemetry": {"metrics": {"readers": [{"pull": {"exporter": {"prometheus": {"host": "${env:MY_POD_IP}", "port": 8888}}}}]}},
        "extensions": ["health_check"],
        "pipelines": {
            "logs": {"exporters": ["debug"], "processors": ["memory_limiter", "batch"], "receivers": ["otlp"]},
            "metrics": {"exporters": ["debug"], "processors": ["memory_limiter", "batch"], "receivers": ["otlp", "prometheus"]},
            "traces": {"exporters": ["debug"], "processors": ["memory_limiter", "batch"], "receivers": ["otlp", "jaeger", "zipkin"]},
        },
    },
}
# Chart defaults that goldenpath relies on or overrides (values.yaml at the same tag).
OTEL_CHART_DEFAULT_PORTS_ENABLED = {"otlp": True, "otlp-http": True, "jaeger-compact": True, "jaeger-thrift": True,
                                    "jaeger-grpc": True, "zipkin": True, "metrics": False}
OTEL_CHART_DEFAULT_SERVICE_MONITOR = False
OTEL_CHART_DEFAULT_POD_SECURITY_CONTEXT: dict = {}


@dataclass(frozen=True)
class CollectorImage:
    repository: str
    tag: str
    user_id: int
    components: dict[str, frozenset[str]]
    """Component kind -> component types the distribution's manifest builds in."""
    source: Source


_K8S_MANIFEST = Source("open-telemetry/opentelemetry-collector-releases",
                       "distributions/otelcol-k8s/manifest.yaml and Dockerfile (USER 10001)", "v0.128.0")

COLLECTOR_IMAGES: dict[str, CollectorImage] = {
    "otel/opentelemetry-collector-k8s:0.128.0": CollectorImage(
        "otel/opentelemetry-collector-k8s", "0.128.0", 10001,
        {
            "extensions": frozenset({"zpages", "ack", "basicauth", "bearertokenauth", "headers_setter", "health_check",
                                     "http_forwarder", "oauth2client", "host_observer", "k8s_observer", "oidc", "opamp",
                                     "pprof", "file_storage", "k8s_leader_elector"}),
            # No prometheusremotewrite: metrics go to Prometheus over OTLP instead.
            "exporters": frozenset({"debug", "nop", "otlp", "otlphttp", "file", "loadbalancing", "otelarrow"}),
            "processors": frozenset({"batch", "memory_limiter", "attributes", "cumulativetodelta", "deltatocumulative",
                                     "deltatorate", "filter", "groupbyattrs", "groupbytrace", "interval", "k8sattributes",
                                     "logdedup", "metricstransform", "probabilistic_sampler", "redaction", "remotetap",
                                     "resourcedetection", "resource", "tail_sampling", "transform"}),
            "receivers": frozenset({"otlp", "filelog", "fluentforward", "hostmetrics", "httpcheck", "jaeger", "journald",
                                    "k8s_cluster", "k8s_events", "k8sobjects", "kubeletstats", "opencensus", "otelarrow",
                                    "prometheus", "receiver_creator", "zipkin"}),
            "connectors": frozenset({"forward", "count", "exceptions", "failover", "otlpjson", "roundrobin", "routing",
                                     "servicegraph", "spanmetrics"}),
        },
        _K8S_MANIFEST,
    ),
}

# --- Loki -----------------------------------------------------------------------------------------
LOKI_OTLP_SOURCE = Source("grafana/loki", "pkg/loghttp/push/otlp_config.go (default_resource_attributes_as_index_labels); "
                                          "pkg/loghttp/push/otlp.go (trace_id, span_id as structured metadata; "
                                          "otlptranslator.LabelNamer turns '.' into '_'); unchanged from v3.6.4 "
                                          "(git diff of the tags)", "v3.6.15")
LOKI_DEFAULT_OTLP_INDEX_ATTRIBUTES: tuple[str, ...] = (
    "service.name", "service.namespace", "service.instance.id", "deployment.environment", "deployment.environment.name",
    "cloud.region", "cloud.availability_zone", "k8s.cluster.name", "k8s.namespace.name", "k8s.pod.name",
    "k8s.container.name", "container.name", "k8s.replicaset.name", "k8s.deployment.name", "k8s.statefulset.name",
    "k8s.daemonset.name", "k8s.cronjob.name", "k8s.job.name",
)
LOKI_OTLP_STRUCTURED_METADATA = ("trace_id", "span_id")
# Loki keeps one stream per distinct set of index labels, and with auth_enabled: false every namespace writes as one
# tenant, whose active streams are capped (ingester.max-global-streams-per-user, default 5000) and whose ingestion rate
# is shared (distributor.ingestion-rate-limit-mb, default 4). limits_config.otlp_config.resource_attributes with
# ignore_defaults: true replaces the default index list; an attribute no rule names is kept as structured metadata
# (actionForAttribute's fallback).
LOKI_STREAM_LIMIT = 5000
LOKI_STREAM_SOURCES = (
    Source("grafana/loki", "pkg/validation/limits.go (MaxGlobalStreamsPerUser 5000, IngestionRateMB 4); "
                           "pkg/loghttp/push/otlp_config.go (IgnoreDefaults, ApplyGlobalOTLPConfig, actionForAttribute: "
                           "StructuredMetadata when no rule matches)", "v3.6.15"),
)
# What makes Loki refuse a whole push, every pod's lines in it, by its size (Loki v3.6.15, chart helm-loki-6.51.0):
# - the distributor counts a push as the bytes of its valid entries' lines and structured metadata and refuses it with
#   429 when that exceeds the tenant's ingestion burst (6 MB: "should be set at least to the maximum logs size expected
#   in a single push request"); the collector retries a 429 (max_elapsed_time 0: for ever), so such a batch never
#   leaves its queue, across restarts;
# - the distributor hands the push to the ingester as one gRPC message, which the ingester's server refuses above
#   grpc_server_max_recv_msg_size (4 MiB); the distributor answers 500 and the collector drops the batch;
# - the gateway's nginx refuses a (compressed) body above client_max_body_size (4M) with 413, and the distributor one
#   above max_recv_msg_size (100 MiB), or one that decompresses to more than max_decompressed_size (5000 MiB, read
#   into memory whole: pkg/loghttp/push/otlp.go extractLogs); the collector drops the batch.
# - the ingester refuses a stream's entries in a push whole (429, retried for ever) when they exceed the stream's rate
#   limiter burst (per_stream_rate_limit_burst, 15 MB: 5 x the 3 MB/s rate), because stream sharding is on by default
#   (rate limiting the whole stream) and does not split a stream's first push; one pod's lines are one stream;
# An entry counts at most max_line_size (256 KB; a longer line is discarded alone) plus max_structured_metadata_size
# (64 KB; likewise), so goldenpath sizes the burst and the ingester's limit for a full batch of the largest entries.
LOKI_DEFAULT_INGESTION_BURST_MB = 6
LOKI_DEFAULT_GRPC_SERVER_MAX_RECV = 4 << 20
LOKI_DEFAULT_GATEWAY_BODY = "4M"
LOKI_DEFAULT_MAX_DECOMPRESSED_SIZE = 5000 << 20
LOKI_DEFAULT_PER_STREAM_BURST = "15MB"
LOKI_DISTRIBUTOR_MAX_RECV_MSG_SIZE = 100 << 20  # also the ingester client's max_send_msg_size default
LOKI_MAX_LINE_SIZE, LOKI_MAX_STRUCTURED_METADATA_SIZE = "256KB", "64KB"  # Loki's defaults, set explicitly
LOKI_ENTRY_OVERHEAD_BYTES = 1024  # an entry's timestamp, field tags and up to 128 metadata pairs' framing in the gRPC message
LOKI_PUSH_LIMIT_SOURCES = (
    Source("grafana/loki", "pkg/distributor/distributor.go (ingestionRateLimiter.AllowN on validationMetrics lineSize -> "
                           "429; sendStreamsErr: one PushRequest per ingester; MaxRecvMsgSize 100<<20); pkg/distributor/"
                           "validation_metrics.go compute; pkg/util/entry_size.go EntryTotalSize (line + structured "
                           "metadata); pkg/distributor/http.go (error without HTTP status -> 500); pkg/validation/limits.go "
                           "(ingestion_burst_size_mb 6, max_line_size 256KB, max_structured_metadata_size 64kb); "
                           "docs/sources/shared/configuration.md (grpc_server_max_recv_msg_size 4194304; grpc_client "
                           "max_send_msg_size 104857600; shard_streams.enabled true); pkg/util/flagext/bytesize.go "
                           "(c2h5oh/datasize: KB = 1024); pkg/ingester/instance.go (rateLimitWholeStream = "
                           "ShardStreams.Enabled); pkg/ingester/stream.go (validateEntries: AllowN on the stream's valid "
                           "bytes; errorForFailedEntries -> 429); pkg/ingester/limiter.go NewStreamRateLimiter (burst); "
                           "pkg/validation/limits.go defaultPerStreamBurstLimit (5 x 3 MB); pkg/distributor/"
                           "distributor.go shardCountFor (a stream's first push is not sharded)",
           "v3.6.15"),
    Source("grafana/loki", "production/helm/loki/values.yaml gateway.nginxConfig.clientMaxBodySize 4M, loki.server, "
                           "loki.limits_config; templates/_helpers.tpl loki.nginxFile (client_max_body_size)",
           "helm-loki-6.51.0"),
    Source("open-telemetry/opentelemetry-collector", "exporter/otlphttpexporter/otlp.go isRetryableStatusCode (429, 502, "
                                                     "503, 504 retried; anything else dropped)", "v0.128.0"),
)
LOKI_S3_DUALSTACK_SOURCE = Source(
    "grafana/loki", "pkg/storage/chunk/client/aws/s3_storage_client.go (disable_dualstack, default false); "
                    "chart production/helm/loki/templates/_helpers.tpl passes loki.storage.s3.disable_dualstack; from v3.6.4 "
                    "the file only adds a SHA-256 checksum to PutObject (object-lock buckets)", "v3.6.15 / helm-loki-6.51.0")
# The chart's default image is not its appVersion: helm-loki-6.51.0 values.yaml sets loki.image.tag 3.6.3 (appVersion
# 3.6.4). goldenpath sets the tag to the newest patch release of the 3.6 line, whose security fixes no chart of the
# 6.x line in grafana-community's index carries yet; the facts above were re-read at that tag.
# kube-prometheus-stack 81.6.9's grafana subchart 11.1.5 would run its appVersion, 12.3.3 (values.yaml image.tag "":
# "Overrides the Grafana image tag whose default is the chart appVersion"); the Grafana facts below were read at v12.3.2.
GRAFANA_IMAGE_TAG = "12.3.2"
GRAFANA_IMAGE_SOURCE = Source(
    _GC, "charts/grafana/values.yaml image.tag (default: the chart's appVersion 12.3.3); Grafana facts read at grafana/grafana "
         "v12.3.2 (see GRAFANA_ENV_EXPANSION_SOURCE)", "grafana-11.1.5")

LOKI_IMAGE_TAG = "3.6.15"
LOKI_IMAGE_SOURCE = Source(
    "grafana/loki", "CHANGELOG.md 3.6.5 to 3.6.15: security releases (Go 1.26.5 CVE-2026-39822 and CVE-2026-42505, grpc "
    "v1.82.1, x/net, x/text, klauspost/compress, containerd); tag v3.6.15 (2026-08-05); chart values.yaml loki.image.tag "
    "3.6.3 at helm-loki-6.51.0. The image's presence on Docker Hub is not checked here (no registry access)", "v3.6.15")


def loki_label(attribute: str) -> str:
    """The Loki label an OTLP resource attribute becomes (Prometheus label-name rules: '.' -> '_')."""
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in attribute)



# --- Grafana --------------------------------------------------------------------------------------
GRAFANA_ENV_EXPANSION_SOURCE = Source(
    "grafana/grafana", "pkg/services/provisioning/values/values.go (provisioning files: $VAR and ${VAR} expanded, $$ escapes)", "v12.3.2")
GRAFANA_DERIVED_FIELD_SOURCE = Source(
    "grafana/grafana", "public/app/plugins/datasource/loki/types.ts DerivedFieldConfig.matcherType 'label' | 'regex'", "v12.3.2")
GRAFANA_CHART_ADMIN_SOURCE = Source(_GC, "charts/grafana/values.yaml admin.existingSecret/userKey/passwordKey; "
                                         "templates/secret.yaml (no chart Secret when existingSecret is set)", "grafana-11.1.5")

# --- Settings that phone home, and the value that keeps them quiet -------------------------------------
# (component, path in goldenpath's values, required value, source)
PHONE_HOME_SETTINGS: tuple[tuple[str, tuple[str, ...], object, Source], ...] = (
    ("grafana", ("grafana", "grafana.ini", "analytics", "reporting_enabled"), False,
     Source("grafana/grafana", "conf/defaults.ini [analytics] reporting_enabled = true (stats.grafana.org)", "v12.3.2")),
    ("grafana", ("grafana", "grafana.ini", "analytics", "check_for_updates"), False,
     Source("grafana/grafana", "conf/defaults.ini [analytics] check_for_updates = true", "v12.3.2")),
    ("grafana", ("grafana", "grafana.ini", "analytics", "check_for_plugin_updates"), False,
     Source("grafana/grafana", "conf/defaults.ini [analytics] check_for_plugin_updates = true (grafana.com)", "v12.3.2")),
    ("grafana", ("grafana", "grafana.ini", "plugins", "preinstall_disabled"), True,
     Source("grafana/grafana", "pkg/setting/setting_plugins.go defaultPreinstallPlugins (installed from grafana.com at start-up)", "v12.3.2")),
    ("grafana", ("grafana", "grafana.ini", "news", "news_feed_enabled"), False,
     Source("grafana/grafana", "conf/defaults.ini [news] news_feed_enabled = true", "v12.3.2")),
    ("grafana", ("grafana", "grafana.ini", "snapshots", "external_enabled"), False,
     Source("grafana/grafana", "conf/defaults.ini [snapshots] external_enabled = true (snapshots.raintank.io)", "v12.3.2")),
    ("loki", ("loki", "analytics", "reporting_enabled"), False,
     Source("grafana/loki", "production/helm/loki/values.yaml loki.analytics (rendered into config.yaml analytics)", "helm-loki-6.51.0")),
    ("tempo", ("tempo", "reportingEnabled"), False,
     Source(_GC, "charts/tempo/values.yaml tempo.reportingEnabled: true -> usage_report.reporting_enabled", "tempo-1.26.7")),
)

# --- Tempo image ---------------------------------------------------------------------------------------
# The chart's appVersion (2.10.1) predates Tempo's security releases, so goldenpath sets the image tag to the newest
# patch release of the 2.10 line. Between them one breaking change: 2.10.6 dropped the OpenCensus receiver, which
# the chart still enables by default (values.yaml tempo.receivers), so goldenpath gives Tempo OTLP receivers only.
TEMPO_IMAGE_TAG = "2.10.8"
# overrides.defaults.metrics_generator.max_active_series caps the generator's active series per tenant: past it a new
# series is replaced by one overflow series (localserieslimiter OnAdd: ``maxSeries != 0 && active+count > maxSeries``);
# no flag sets a default, so unset means no limit. The chart writes tempo.overrides under the config's overrides key.
TEMPO_GENERATOR_LIMIT_SOURCE = (
    Source("grafana/tempo", "modules/generator/localserieslimiter/local_series_limiter.go (OnAdd); modules/overrides/"
                            "config.go MetricsGeneratorOverrides.MaxActiveSeries (yaml max_active_series); "
                            "modules/generator/instance.go (localserieslimiter.New with MetricsGeneratorMaxActiveSeries)",
           "v2.10.8"),
    Source(_GC, "charts/tempo/values.yaml tempo.overrides.defaults; templates (config overrides: toYaml .Values.tempo.overrides)",
           "tempo-1.26.7"),
)
TEMPO_IMAGE_SOURCE = Source(
    "grafana/tempo", "CHANGELOG.md: v2.10.3 CVE-2026-28377 (S3 SSE-C key exposed), v2.10.6 and v2.10.8 Go, grpc, x/net, "
    "x/text, otel security updates; v2.10.6 breaking: OpenCensus receiver dropped; tag v2.10.8 (2026-08-13). The "
    "image's presence on Docker Hub is not checked here (no registry access)", "v2.10.8")
TEMPO_DROPPED_RECEIVERS: dict[str, str] = {"opencensus": "2.10.6"}
TEMPO_CHART_DEFAULT_RECEIVERS = ("jaeger", "opencensus", "otlp")
# Tempo's OTLP gRPC receiver takes what grpc-go takes unless told: 4 MiB a message (configgrpc applies
# max_recv_msg_size_mib only when set; the otlpreceiver Tempo v2.10.8 embeds, v0.150.0, sets none). A larger push is
# refused (ResourceExhausted without retry information), and the collector's otlp exporter drops it: a full batch of
# the agent's 8192 spans passes 4 MiB at about 500 bytes a span. Tempo also refuses a push larger than its per-tenant
# ingestion burst (20 MB by default) and rate (15 MB/s), shared by every namespace.
TEMPO_OTLP_GRPC_MAX_MIB = 16  # a full batch of spans of up to 2 KiB, under Tempo's 20 MB burst
TEMPO_PUSH_LIMIT_SOURCES = (
    Source("open-telemetry/opentelemetry-collector", "config/configgrpc/configgrpc.go (MaxRecvMsgSizeMiB > 0 only), "
           "receiver/otlpreceiver/factory.go createDefaultConfig; exporter/otlpexporter/otlp.go shouldRetry "
           "(at v0.128.0)", "v0.150.0"),
    Source("grpc/grpc-go", "server.go defaultServerMaxReceiveMessageSize (1024 * 1024 * 4); through the code index", "master"),
    Source("grafana/tempo", "go.mod (otlpreceiver v0.150.0); modules/overrides/config.go (ingestion rate 15e6 bytes/s, "
           "burst 20e6 bytes); modules/distributor/distributor.go checkForRateLimits", "v2.10.8"),
)
TEMPO_RECEIVERS_SOURCE = Source(_GC, "charts/tempo/values.yaml tempo.receivers (jaeger, opencensus, otlp), rendered by "
                                     "the config template into distributor.receivers", "tempo-1.26.7")

# --- kube-prometheus-stack default rules ------------------------------------------------------------
KPS_RULES_SOURCE = Source(_KPS, "charts/kube-prometheus-stack/templates/prometheus/rules-1.14/*.yaml (condition and rule kinds per file)",
                          "kube-prometheus-stack-81.6.9")
# defaultRules.rules keys whose groups hold alerts (goldenpath turns all of them off: unowned, unrouted)
KPS_ALERTING_RULE_KEYS = frozenset({
    "alertmanager", "configReloaders", "etcd", "general", "kubeApiserverSlos", "kubeStateMetrics", "kubernetesApps",
    "kubernetesResources", "kubernetesStorage", "kubernetesSystem", "kubeControllerManager", "kubeProxy",
    "kubeSchedulerAlerting", "nodeExporterAlerting", "network", "prometheusOperator", "prometheus",
})
# keys whose groups hold only recording rules (the chart's dashboards use them: keep them on)
KPS_RECORDING_RULE_KEYS = frozenset({
    "k8sContainerCpuLimits", "k8sContainerCpuRequests", "k8sContainerCpuUsageSecondsTotal", "k8sContainerMemoryCache",
    "k8sContainerMemoryLimits", "k8sContainerMemoryRequests", "k8sContainerMemoryRss", "k8sContainerMemorySwap",
    "k8sContainerMemoryWorkingSetBytes", "k8sContainerResource", "k8sPodOwner", "kubeApiserverAvailability",
    "kubeApiserverBurnrate", "kubeApiserverHistogram", "kubePrometheusGeneral", "kubePrometheusNodeRecording",
    "kubeSchedulerRecording", "kubelet", "nodeExporterRecording", "node", "windows",
})
KPS_PROMETHEUS_OTLP_SOURCE = Source(_KPS, "charts/kube-prometheus-stack/values.yaml prometheus.prometheusSpec.enableOTLPReceiver; "
                                          "templates/prometheus/prometheus.yaml", "kube-prometheus-stack-81.6.9")
# Delta OTLP metrics from applications become cumulative counters inside Prometheus: the feature flag
# exists since v3.2.0 (the chart pins v3.9.1) and uses the collector's deltatocumulative processor with
# its defaults, which drop a series' running total after max_stale = 5 minutes without a point. Fine for
# an SDK exporting every minute; useless for events hours apart, which is why DORA events are gauge
# samples (dora_events.py), not deltas.
PROMETHEUS_DELTA_SOURCE = (
    Source("prometheus/prometheus", "CHANGELOG.md 3.2.0 ([FEATURE] remote/otlp: feature flag otlp-deltatocumulative, #15165); "
           "cmd/prometheus/main.go (case \"otlp-deltatocumulative\": ConvertOTLPDelta); read through the search index", "v3.2.0"),
    Source("prometheus/prometheus", "docs/feature_flags.md (otlp-deltatocumulative: \"using its default settings\", state "
           "\"periodically (max_stale) cleared of inactive series\"); storage/remote/write_handler.go (deltatocumulative.NewFactory)",
           "v3.9.1"),
    Source("open-telemetry/opentelemetry-collector-contrib", "processor/deltatocumulativeprocessor/config.go createDefaultConfig "
           "(MaxStale: 5 * time.Minute); read through the search index", "main"),
    Source(_KPS, "charts/kube-prometheus-stack/templates/prometheus/prometheus.yaml (enableFeatures); values.yaml "
           "prometheus.prometheusSpec.replicas: 1, shards: 1", "kube-prometheus-stack-81.6.9"),
)
# How Prometheus names OTLP metrics (default translation strategy UnderscoreEscapingWithSuffixes): dots
# become underscores, a unit becomes a suffix (s -> _seconds), a monotonic sum gets _total, a gauge
# without a unit gets no suffix; a gauge point is stored as one sample at its own timestamp.
PROMETHEUS_OTLP_NAMING = (
    Source("prometheus/otlptranslator", "metric_namer.go normalizeName (unit tokens, _total for MetricTypeMonotonicCounter, "
           "_ratio only for unit \"1\" gauges)", "v1.0.0"),
    Source("prometheus/prometheus", "go.mod (github.com/prometheus/otlptranslator v1.0.0); storage/remote/otlptranslator/"
           "prometheusremotewrite/metrics_to_prw.go (MetricTypeGauge -> addGaugeNumberDataPoints, one sample per point)",
           "v3.9.1"),
)
# A promoted resource attribute becomes a label on every series of its resource, named by the same translation
# (label-name characters that are not alphanumerics or '_' become '_'): k8s.namespace.name -> k8s_namespace_name.
PROMETHEUS_PROMOTED_LABEL_SOURCES = (
    Source("prometheus/otlptranslator", "strategy.go (UnderscoreEscapingWithSuffixes: the default; label name "
           "characters that are not alphanumerics/underscores become underscores); label_namer.go LabelNamer.Build",
           "v1.0.0"),
    Source("prometheus/prometheus", "storage/remote/otlptranslator/prometheusremotewrite/helper.go (createAttributes: "
           "PromoteResourceAttributes.addPromotedAttributes with the label namer, on every series); read through the "
           "search index, not at a tag", "main"),
)
# What OpenTelemetry's metrics API allows an instrument: conforming SDKs never send more, so the agent drops more.
OTEL_INSTRUMENT_NAME_MAX, OTEL_INSTRUMENT_UNIT_MAX = 255, 63
OTEL_INSTRUMENT_LIMITS_SOURCE = Source("open-telemetry/opentelemetry-specification", "specification/metrics/api.md "
                                       "(instrument name: at most 255 characters; unit: at most 63)", "v1.60.0")
# How the agent measures an attribute set: OTTL's String converter turns a map into its JSON (json.Marshal of AsRaw;
# json.Marshal fails on NaN or infinite doubles), Len gives its length in bytes.
OTTL_MEASURE_SOURCES = (
    Source("open-telemetry/opentelemetry-collector-contrib", "pkg/ottl/ottlfuncs/func_string.go, func_len.go, "
           "pkg/ottl/expression.go StandardStringLikeGetter; through the code index, not at a tag: String since pull "
           "request #31790 (2024-03), Len since #24420 (2023-07), both before v0.128.0", "main"),
    Source("open-telemetry/opentelemetry-collector", "pdata/pcommon/value.go AsString (what Prometheus writes as a label "
           "value: a double as JSON writes it, a map or slice as its JSON, bytes as base64); through the code index",
           "main"),
)
PROMETHEUS_NAMESPACE_LABEL = "k8s_namespace_name"  # of k8s.namespace.name, promoted by values.PROMOTED_RESOURCE_ATTRIBUTES
PROMETHEUS_DELTA_FEATURE = "otlp-deltatocumulative"
# One bad sample costs its whole request: Prometheus' OTLP handler rolls back every sample of a request when the
# conversion returns any error (an out-of-order, duplicate or too-new sample, an invalid label or metric name, a
# metric without points), answering 400 or 500; the collector's otlphttp exporter retries 429, 502, 503 and 504 only
# and drops the request on any other status; the exporter's queue merges no requests unless told to (batch unset).
PROMETHEUS_OTLP_ROLLBACK_SOURCES = (
    Source("prometheus/prometheus", "storage/remote/write_handler.go (rwExporter.ConsumeMetrics: app.Rollback when "
           "FromMetrics errs; otlpWriteHandler.ServeHTTP); storage/remote/otlptranslator/prometheusremotewrite/"
           "metrics_to_prw.go FromMetrics, combined_appender.go appendFloatOrHistogram (returns the append error)",
           "v3.9.1"),
    Source("open-telemetry/opentelemetry-collector", "exporter/otlphttpexporter/otlp.go isRetryableStatusCode; "
           "exporter/exporterhelper/internal/queue_sender.go NewDefaultQueueConfig (Batch: nil); "
           "exporter/exporterhelper/internal/queuebatch/config.go (a persistent queue counts requests only)", "v0.128.0"),
)
# One span without ids costs its whole push: the collector's receiver accepts an empty (all-zero) trace or span id and
# marshals it as an absent field; Tempo refuses the entire push when any span's trace id is not 16 bytes or its span
# id not 8 non-zero bytes (InvalidArgument), and the otlp exporter does not retry InvalidArgument.
TEMPO_SPAN_ID_SOURCES = (
    Source("grafana/tempo", "modules/distributor/distributor.go requestsByTraceID; pkg/validation/validate.go "
           "ValidTraceID, ValidSpanID", "v2.10.8"),
    Source("open-telemetry/opentelemetry-collector", "pdata/internal/data/traceid.go, spanid.go (Unmarshal of an empty "
           "id, MarshalTo of an empty id writes nothing); exporter/otlpexporter/otlp.go shouldRetry", "v0.128.0"),
    Source("open-telemetry/opentelemetry-collector-contrib", "pkg/ottl/contexts ... accessStringTraceID, "
           "accessStringSpanID (hex of every byte; older releases gave \"\" for an empty id); through the code index",
           "main"),
)
PROMETHEUS_OTLP_PATH = "/api/v1/otlp"  # Prometheus v3 serves OTLP metrics at /api/v1/otlp/v1/metrics
KPS_SECRET_REFERENCES_SOURCE = Source(_KPS, "values.yaml alertmanager.alertmanagerSpec.secrets (mounted; must exist)",
                                      "kube-prometheus-stack-81.6.9")


def facts_for(chart: str, version: str) -> ChartFacts:
    """The fact row of a pinned chart; a clear error naming what to do when there is none."""
    if (chart, version) in UNPUBLISHED_CHART_VERSIONS:
        raise LookupError(f"chart {chart} {version} is not published ({UNPUBLISHED_CHART_VERSIONS[(chart, version)]}); "
                          "expected a version present in the chart repository's index")
    try:
        return CHART_FACTS[(chart, version)]
    except KeyError:
        known = ", ".join(sorted(v for c, v in CHART_FACTS if c == chart)) or "none"
        raise LookupError(f"chart {chart} {version} has no row of facts (known: {known}); expected a row in "
                          "goldenpath/observability/facts.py: follow docs/upgrading-charts.md") from None


# -- custom resources goldenpath creates outside the charts ------------------------------------------

# The kube-prometheus-stack values goldenpath sets (ruleSelectorNilUsesHelmValues: false, no
# ruleSelector, no ruleNamespaceSelector) render `ruleSelector: {}` and `ruleNamespaceSelector: {}`:
# Prometheus loads every PrometheusRule in every namespace, so a tenant's SLO rules need no label.
PROMETHEUS_RULE_SELECTION = Source(_KPS, "charts/kube-prometheus-stack/templates/prometheus/prometheus.yaml "
                                   "(ruleNamespaceSelector / ruleSelector branches) and values.yaml defaults {}",
                                   "kube-prometheus-stack-81.6.9")
_DURATION = r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
# monitoring.coreos.com/v1 PrometheusRule, the fields goldenpath uses, as the CRD's openAPIV3Schema
# states them (required group name and rule expr; duration patterns; string maps). Unknown fields
# are refused here (the CRD would prune them silently).
PROMETHEUS_RULE_SOURCE = Source(_KPS, "charts/kube-prometheus-stack/charts/crds/crds/crd-prometheusrules.yaml "
                                "(prometheus-operator v0.88.1)", "kube-prometheus-stack-81.6.9")
PROMETHEUS_RULE_SCHEMA: dict = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "PrometheusRule"},
        "metadata": {"type": "object", "required": ["name", "namespace"], "additionalProperties": False,
                     "properties": {"name": {"type": "string"}, "namespace": {"type": "string"},
                                    "labels": _STRING_MAP, "annotations": _STRING_MAP}},
        "spec": {"type": "object", "additionalProperties": False, "properties": {"groups": {"type": "array", "items": {
            "type": "object", "required": ["name"], "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "interval": {"type": "string", "pattern": _DURATION},
                "labels": _STRING_MAP,
                "rules": {"type": "array", "items": {
                    "type": "object", "required": ["expr"], "additionalProperties": False,
                    "properties": {
                        "alert": {"type": "string"}, "record": {"type": "string"},
                        "expr": {"type": ["string", "integer"]},
                        "for": {"type": "string", "pattern": _DURATION},
                        "keep_firing_for": {"type": "string", "pattern": _DURATION},
                        "labels": _STRING_MAP, "annotations": _STRING_MAP,
                    },
                }},
            },
        }}}},
    },
}
CUSTOM_RESOURCE_SCHEMAS: dict[tuple[str, str], dict] = {("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE_SCHEMA}


# --- node-exporter in a namespace of its own -------------------------------------------------------
# kube-prometheus-stack 81.6.9 depends on prometheus-node-exporter 4.51.1 (Chart.yaml) and passes
# `prometheus-node-exporter.namespaceOverride` through (values.yaml, default ""). In 4.51.1 the
# DaemonSet, Service, ServiceAccount and ServiceMonitor all take their namespace from the helper
# `prometheus-node-exporter.namespace` / `monitor-namespace`, which use namespaceOverride first
# (templates/_helpers.tpl); the DaemonSet sets hostNetwork: true, hostPID: true and mounts the host's
# root filesystem (values.yaml hostRootFsMount.enabled: true). Prometheus finds the ServiceMonitor there
# because kube-prometheus-stack selects ServiceMonitors in every namespace (serviceMonitorNamespaceSelector: {})
# and goldenpath sets serviceMonitorSelectorNilUsesHelmValues: false.
NODE_EXPORTER_CHART_VERSION = "4.51.1"
NODE_EXPORTER_NAMESPACE_SOURCES = (
    Source(_KPS, "charts/kube-prometheus-stack/Chart.yaml (prometheus-node-exporter 4.51.1); values.yaml "
           "prometheus-node-exporter.namespaceOverride", "kube-prometheus-stack-81.6.9"),
    Source(_KPS, "charts/prometheus-node-exporter/templates/_helpers.tpl (prometheus-node-exporter.namespace, "
           "monitor-namespace); templates/daemonset.yaml, service.yaml, serviceaccount.yaml, servicemonitor.yaml; "
           "values.yaml hostNetwork, hostPID, hostRootFsMount", "prometheus-node-exporter-4.51.1"),
)
NODE_EXPORTER_NEEDS_HOST_ACCESS = True


# --- Grafana's RBAC -------------------------------------------------------------------------------------
# kube-prometheus-stack 81.6.9 depends on grafana 11.1.5 (Chart.yaml, grafana-community repository). In
# grafana 11.1.5 templates/clusterrole.yaml grants get/watch/list on configmaps AND secrets cluster-wide
# whenever a sidecar is enabled (rbac.namespaced: false by default), unless rbac.useExistingClusterRole is
# set, which clusterrolebinding.yaml then binds instead. With rbac.namespaced: true neither is rendered
# (both need "not namespaced" or extraClusterRoleRules); role.yaml is skipped when rbac.useExistingRole is set,
# and rolebinding.yaml binds that Role in Grafana's namespace. Each sidecar's RESOURCE comes from
# sidecar.<kind>.resource (default "both"; templates/_pod.tpl). kube-prometheus-stack provisions its
# datasources as a ConfigMap (templates/grafana/configmaps-datasources.yaml) and its dashboards as
# ConfigMaps (templates/grafana/dashboards-1.14/*.yaml).
GRAFANA_CHART_VERSION = "11.1.5"
GRAFANA_RBAC_SOURCES = (
    Source(_GC, "charts/grafana/templates/clusterrole.yaml, clusterrolebinding.yaml, role.yaml, rolebinding.yaml; "
           "values.yaml rbac, "
           "sidecar.*.resource; templates/_pod.tpl RESOURCE", "grafana-11.1.5"),
    Source(_KPS, "charts/kube-prometheus-stack/Chart.yaml (grafana 11.1.5); templates/grafana/configmaps-datasources.yaml; "
           "templates/grafana/dashboards-1.14/*.yaml (kind: ConfigMap)", "kube-prometheus-stack-81.6.9"),
)
GRAFANA_SIDECARS = ("alerts", "dashboards", "datasources", "plugins", "notifiers")

# --- Which dashboards Grafana loads -----------------------------------------------------------------
# grafana 11.1.5 templates/_pod.tpl: the dashboards sidecar (quay.io/kiwigrid/k8s-sidecar, values.yaml sidecar.image.tag
# 2.5.0; kube-prometheus-stack 81.6.9 does not override it) gets NAMESPACE from sidecar.dashboards.searchNamespace (a list,
# joined with commas) and LABEL/LABEL_VALUE from sidecar.dashboards.label/labelValue. k8s-sidecar 2.5.0 src/sidecar.py lists
# and watches each namespace named there ("ALL": every namespace; unset: its own), and src/resources.py writes each data
# key of a matching ConfigMap to <FOLDER>/<key> (unless UNIQUE_FILENAMES, sidecar.enableUniqueFilenames, default false):
# two ConfigMaps with one key overwrite each other's file, and deleting either removes it. All of kube-prometheus-stack's
# dashboards are ConfigMaps in Grafana's namespace (templates/grafana/dashboards-1.14/*.yaml, namespace
# kube-prometheus-stack-grafana.namespace: grafana.namespaceOverride or the release's). So a sidecar searching every
# namespace lets anyone who can write a ConfigMap anywhere (a tenant, a preview chart) replace or delete another team's
# dashboard, or add one repeating a uid or a title, with which Grafana's file provisioner stops writing that provider's
# dashboards (grafana/grafana pkg/services/provisioning/dashboards/validator.go, duplicateValidator: "dashboards
# provisioning provider has no database write permissions because of duplicates"; read in the code index, an unpinned
# snapshot: grafana/grafana is over the fetch limit). goldenpath's sidecar searches Grafana's namespace only, and every
# goldenpath dashboard lives there.
GRAFANA_DASHBOARD_LABEL = ("grafana_dashboard", "1")
GRAFANA_DASHBOARD_SOURCES = (
    Source(_GC, "charts/grafana/templates/_pod.tpl (dashboards sidecar env NAMESPACE, UNIQUE_FILENAMES); values.yaml "
           "sidecar.image.tag 2.5.0, sidecar.enableUniqueFilenames false", "grafana-11.1.5"),
    Source("kiwigrid/k8s-sidecar", "src/sidecar.py (NAMESPACE split on commas); src/resources.py (_update_file: "
           "<folder>/<data key>); src/helpers.py unique_filename", "2.5.0"),
    Source(_KPS, "templates/grafana/dashboards-1.14/*.yaml (namespace: kube-prometheus-stack-grafana.namespace); "
           "templates/_helpers.tpl", "kube-prometheus-stack-81.6.9"),
)

# --- Who may reach the observability namespace ------------------------------------------------------
# The pods' labels NetworkPolicies select, and the paths into the namespace that must stay open.
OTEL_POD_LABEL_SOURCE = Source(_OTEL_CHARTS, "charts/opentelemetry-collector/templates/_helpers.tpl (selectorLabels: "
                               "app.kubernetes.io/name from nameOverride or the chart name, app.kubernetes.io/instance "
                               "the release); statefulset.yaml pod template labels", "opentelemetry-collector-0.127.4")
OTEL_CHART_NAME = "opentelemetry-collector"
# Grafana's pods: grafana.selectorLabels (app.kubernetes.io/name from nameOverride or the chart name, instance the
# release); kube-prometheus-stack sets no grafana.nameOverride, and goldenpath's values set none either.
GRAFANA_CHART_NAME = "grafana"
# Settings that make Grafana connect outside the cluster: an identity provider's login (grafana.ini auth.* sections,
# Grafana's own configuration) and the chart's `plugins` list (templates/_pod.tpl: GF_PLUGINS_PREINSTALL_SYNC, a
# download from grafana.com at start-up).
GRAFANA_OUTBOUND_AUTH_SECTIONS = ("auth.generic_oauth", "auth.github", "auth.gitlab", "auth.google", "auth.azuread",
                                  "auth.okta", "auth.grafana_com")
GRAFANA_PLUGINS_SOURCE = Source(_GC, "charts/grafana/values.yaml plugins; templates/_pod.tpl GF_PLUGINS_PREINSTALL_SYNC",
                                "grafana-11.1.5")
GRAFANA_POD_LABEL_SOURCES = (
    Source(_GC, "charts/grafana/templates/_helpers.tpl grafana.name, grafana.selectorLabels; deployment.yaml pod "
           "template labels (grafana.labels)", "grafana-11.1.5"),
    Source(_KPS, "charts/kube-prometheus-stack/values.yaml grafana (no nameOverride); Chart.yaml (grafana 11.1.5)",
           "kube-prometheus-stack-81.6.9"),
)
OPERATOR_POD_LABEL_SOURCE = Source(_KPS, "charts/kube-prometheus-stack/templates/prometheus-operator/_prometheus-operator.tpl "
                                   "(app.kubernetes.io/component: prometheus-operator), templates/_helpers.tpl "
                                   "kube-prometheus-stack.labels (app.kubernetes.io/instance: the release), "
                                   "prometheus-operator/deployment.yaml pod template labels", "kube-prometheus-stack-81.6.9")
# The API server calls the operator's admission webhook (PrometheusRule validation) on the operator pod's
# HTTPS port: values.yaml prometheusOperator.tls.enabled: true, internalPort: 10250; deployment.yaml
# `--web.listen-address=:{{ internalPort }}` and `containerPort: {{ internalPort }}`.
OPERATOR_WEBHOOK_PORT = 10250
OPERATOR_WEBHOOK_SOURCE = Source(_KPS, "charts/kube-prometheus-stack/values.yaml prometheusOperator.tls; "
                                 "templates/prometheus-operator/deployment.yaml ports, --web.listen-address",
                                 "kube-prometheus-stack-81.6.9")
# EKS's control plane reaches the VPC (webhooks, kubectl exec and logs) through 2-4 network interfaces it creates
# in the cluster's subnets (awsdocs/amazon-eks-user-guide latest/ug/networking/network-reqs.adoc @ 4d52b4d).
EKS_CONTROL_PLANE_SOURCE = Source("awsdocs/amazon-eks-user-guide", "latest/ug/networking/network-reqs.adoc "
                                  "(network interfaces in the subnets that you specify)", "4d52b4d")
# The VPC CNI's policy agent always admits traffic from the pod's own node, so kubelet probes pass a
# default-deny ingress policy: "Traffic from the local node should always be allowed" (aws/aws-network-policy-agent
# pkg/fwruleprocessor/fw_rule_processor.go @ v1.4.1, the agent aws/amazon-vpc-cni-k8s chart v1.23.0 ships
# as nodeAgent.image.tag).
NODE_TRAFFIC_ALWAYS_ALLOWED_SOURCE = Source("aws/aws-network-policy-agent", "pkg/fwruleprocessor/fw_rule_processor.go "
                                            "ComputeMapEntriesFromEndpointRules", "v1.4.1")
# A pod's egress is matched before kube-proxy rewrites a ClusterIP to a pod address: the node agent's probes sit on
# the pod's veth, so the controller adds the ClusterIPs of the Services a podSelector peer selects ("unable to see
# the pod IP after the DNAT happens for the clusterIPs"). An ipBlock that contains a ClusterIP therefore admits that
# Service, whatever pods stand behind it.
EGRESS_SEES_CLUSTER_IP_SOURCE = Source("aws/amazon-network-policy-controller-k8s", "pkg/resolvers/endpoints.go "
                                       "computeEgressEndpoints, getMatchingServiceClusterIPs", "v1.1.7")
# The API server's `kubernetes` Service takes the first address of the Service range.
API_SERVER_SERVICE_IP_SOURCE = Source("kubernetes/kubernetes", "pkg/controlplane/services.go ServiceIPRange "
                                      "(GetIndexedIP(range, 1))", "36a4ee4")

