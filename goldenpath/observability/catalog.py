"""The platform's own SLOs and cause alerts, shipped as working examples.

Symptoms page (SLO burn); causes never do: they are tickets or info, so the people on
call are woken by user-visible harm only.
"""

from __future__ import annotations

from goldenpath.observability import series_budget
from goldenpath.observability.alerts import Alert, RunbookText
from goldenpath.observability.slo import SLO, RatioSLI, Selector

PLATFORM = "platform"

APISERVER_AVAILABILITY = SLO(
    name="apiserver-availability",
    service="kubernetes-api",
    team=PLATFORM,
    objective=0.999,
    description="Share of Kubernetes API requests that do not fail with a 5xx.",
    sli=RatioSLI(
        bad=Selector("apiserver_request_total", {"job": "apiserver"}, {"code": "5.."}, {"code": "503"}),
        total=(Selector("apiserver_request_total", {"job": "apiserver"}),),
        good_example=Selector("apiserver_request_total", {"job": "apiserver", "code": "200"}),
    ),
    runbook="apiserver-availability",
    runbook_text=RunbookText(
        meaning="The Kubernetes API server answers too many requests with 5xx errors, fast enough to spend the 30-day error budget early.",
        impact="Deployments, autoscaling and controllers fail or stall; preview environments cannot be created.",
        diagnosis=(
            "Open the SLO dashboard and check which burn window fired and whether errors are still rising.",
            "`kubectl get --raw='/readyz?verbose'` and the EKS console health tab for control-plane issues.",
            "Break errors down by verb and resource: `sum by (verb, resource) (rate(apiserver_request_total{code=~\"5..\"}[5m]))`.",
            "Look for a webhook timing out: `apiserver_admission_webhook_rejection_count` and webhook latency.",
        ),
        mitigation=(
            "If one admission webhook fails, set its failurePolicy to Ignore or scale its backend.",
            "If a client floods the API (a controller in a loop), scale it to zero and file a ticket with its owner.",
            "If the control plane itself is unhealthy, open an AWS support case (EKS) with the cluster ARN.",
        ),
    ),
)

INGRESS_ERRORS = SLO(
    name="ingress-availability",
    service="ingress",
    team=PLATFORM,
    objective=0.995,
    description="Share of requests through the shared ingress that are not answered with a 5xx.",
    sli=RatioSLI(
        bad=Selector("nginx_ingress_controller_requests", {}, {"status": "5.."}, {"status": "502"}),
        total=(Selector("nginx_ingress_controller_requests"),),
        good_example=Selector("nginx_ingress_controller_requests", {"status": "200"}),
    ),
    runbook="ingress-availability",
    runbook_text=RunbookText(
        meaning="The shared ingress returns too many 5xx responses for the SLO.",
        impact="Users of services behind the ingress see errors; preview URLs fail.",
        diagnosis=(
            "Split errors by ingress and upstream: `sum by (ingress, status) (rate(nginx_ingress_controller_requests{status=~\"5..\"}[5m]))`.",
            "502/504 from one ingress point at its backend (check its pods); errors on all point at the controller.",
            "Check controller pods: `kubectl -n ingress-nginx get pods` and their restarts.",
        ),
        mitigation=(
            "Roll back the backend's last deploy if errors started with it (see What changed).",
            "Scale the ingress controller if it is saturated (CPU, connections).",
        ),
    ),
)

PIPELINE_DELIVERY = SLO(
    name="telemetry-pipeline-delivery",
    service="otel-collector",
    team=PLATFORM,
    objective=0.999,
    description="Share of spans the OpenTelemetry Collector delivers to Tempo without a send failure.",
    sli=RatioSLI(
        bad=Selector("otelcol_exporter_send_failed_spans_total"),
        total=(Selector("otelcol_exporter_sent_spans_total"), Selector("otelcol_exporter_send_failed_spans_total")),
        good_example=Selector("otelcol_exporter_sent_spans_total"),
    ),
    runbook="telemetry-pipeline-delivery",
    runbook_text=RunbookText(
        meaning="The collector fails to deliver spans to the tracing backend often enough to burn the pipeline's error budget.",
        impact="Traces are lost (once the persistent queue is full); trace-to-log correlation has gaps.",
        diagnosis=(
            "Check queue fill: `otelcol_exporter_queue_size / otelcol_exporter_queue_capacity`.",
            "Check Tempo's distributor: `kubectl -n observability logs deploy/tempo` for rejections (rate limits, storage).",
            "Check the collector's memory limiter refusals: `otelcol_processor_refused_spans_total`.",
        ),
        mitigation=(
            "If Tempo rejects for rate limits, raise its ingestion limits or lower sampling_percentage.",
            "If S3 writes fail, check the bucket policy and the Pod Identity association of tempo.",
        ),
    ),
)

PLATFORM_SLOS = [APISERVER_AVAILABILITY, INGRESS_ERRORS, PIPELINE_DELIVERY]

CAUSE_ALERTS = [
    Alert(
        name="PodCrashLooping",
        expr='max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[10m]) >= 1',
        severity="ticket",
        team=PLATFORM,
        summary="{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash looping",
        runbook="pod-crash-looping",
        for_="15m",
        runbook_text=RunbookText(
            meaning="A container keeps restarting and Kubernetes backs off between restarts.",
            impact="The workload runs with less capacity or not at all; no user impact unless an SLO burns too.",
            diagnosis=(
                "`kubectl -n <namespace> logs <pod> -c <container> --previous` for the last crash.",
                "`kubectl -n <namespace> describe pod <pod>` for OOMKilled, probes, or image errors.",
            ),
            mitigation=("Roll back the last deploy of the workload, or raise its memory limit if it was OOMKilled.",),
        ),
    ),
    Alert(
        name="NodeFilesystemAlmostFull",
        expr=(
            '(node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"}) < 0.10'
        ),
        severity="ticket",
        team=PLATFORM,
        summary="{{ $labels.instance }} {{ $labels.mountpoint }} has less than 10% space left",
        runbook="node-filesystem-almost-full",
        for_="30m",
        runbook_text=RunbookText(
            meaning="A node's filesystem is more than 90% full.",
            impact="Kubelet evicts pods at 85-90% usage; images cannot be pulled.",
            diagnosis=("Find large consumers: container logs, emptyDir volumes, unused images (`crictl images`).",),
            mitigation=("Cordon and drain the node; managed node groups replace it. Raise disk_size_gib if it recurs.",),
        ),
    ),
    Alert(
        name="CollectorQueueFilling",
        expr="max by (exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity) > 0.5",
        severity="ticket",
        team=PLATFORM,
        summary="Collector exporter {{ $labels.exporter }} queue is over half full",
        runbook="collector-queue-filling",
        for_="10m",
        runbook_text=RunbookText(
            meaning="The collector is buffering telemetry because a backend is slow or down.",
            impact="None yet; data is lost once the queue is full (sized for observability.collector.outage_tolerance_minutes).",
            diagnosis=("Check the backend the exporter sends to (Tempo, Loki, Prometheus) for errors and latency.",
                       "A request the backend refuses for good but answers with a retryable status (429 from Loki) is "
                       "retried for ever: the collector's log repeats 'Exporting failed. Will retry the request after "
                       "interval' with the same error while the backend is otherwise healthy.",
                       "The queue's volume can fill before its entry count does: "
                       "`kubelet_volume_stats_available_bytes{persistentvolumeclaim=~\"queue-otel-.*\"}`."),
            mitigation=("Fix the backend; the queue drains by itself. Raise outage_tolerance_minutes if outages last "
                        "longer (config then names the queue_volume_gib it needs; growing the volumes: docs/upgrading.md).",),
        ),
    ),
    Alert(
        name=series_budget.ALERT,
        expr=series_budget.ALERT_EXPR,
        severity="ticket",
        team=PLATFORM,
        summary=(f"Namespace {{{{ $labels.{series_budget.NAMESPACE_LABEL} }}}} holds {{{{ $value }}}} Prometheus series, "
                 "over the per-namespace budget"),
        runbook="namespace-series-over-budget",
        for_="10m",
        runbook_text=RunbookText(
            meaning="One namespace's telemetry holds more metric series in Prometheus than "
                    "observability.namespace_series_budget: usually a label with unbounded values (a user or request id, "
                    "a full URL) on one of its metrics. The namespace is the sending pod's, set by the collector.",
            impact="None yet for others. If it keeps growing, Prometheus runs out of memory and every alert and page of "
                   "the cluster goes silent (the heartbeat then pages).",
            diagnosis=(
                "Which metrics: `topk(10, count by (__name__) ({k8s_namespace_name=\"<namespace>\"}))`.",
                "Which label grows: `count(count by (<label>) ({__name__=\"<metric>\", k8s_namespace_name=\"<namespace>\"}))` "
                "for each of the metric's labels.",
                "Prometheus' head: `prometheus_tsdb_head_series` and the pod's memory against its limit.",
            ),
            mitigation=(
                "Ask the owning team (the namespace is `<team>-<service>`) to drop or bound the label.",
                "If Prometheus is at risk: add the namespace to observability.collector.shed_metrics_namespaces and deploy "
                "the platform stack; the collector drops its metrics (logs and traces keep flowing), `validate` names it "
                "until you remove it. Old series leave Prometheus' head within about three hours.",
                "If the service really needs more series, raise observability.namespace_series_budget and Prometheus' memory.",
            ),
        ),
    ),
    Alert(
        name="ScrapeTargetDown",
        expr='up{job!~"kubelet|apiserver"} == 0',
        severity="info",
        team=PLATFORM,
        summary="Prometheus cannot scrape {{ $labels.job }} on {{ $labels.instance }}",
        runbook="scrape-target-down",
        for_="15m",
        runbook_text=RunbookText(
            meaning="A scrape target stopped answering.",
            impact="Missing metrics for that target; alerts based on them cannot fire.",
            diagnosis=("Prometheus UI, Status > Targets, shows the scrape error.",),
            mitigation=("Fix the target's metrics endpoint or its ServiceMonitor.",),
        ),
    ),
]
