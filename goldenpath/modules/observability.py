"""The observability module: metrics, logs and traces, correlated, alerting without the noise.

One definition, two halves, each in the stack of its lifecycle:

* ``add_aws_side``: KMS-encrypted, versioned, private S3 buckets for logs (Loki) and traces
  (Tempo) with lifecycle rules that keep data at least as long as the retention, and
  least-privilege roles bound to the Loki and Tempo service accounts by EKS Pod Identity.
* ``add_cluster_side``: the namespace, vendored dashboards, and the pinned charts
  (kube-prometheus-stack, Loki, Tempo, OpenTelemetry Collector) with generated values.

Everything that can be wrong is checked in ``__init__``: the alert contract (severity,
team with a route, runbook file, minimum ``for``), the noise budget, and the chart/Kubernetes
compatibility table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cdktn_provider_aws.eks_pod_identity_association import EksPodIdentityAssociation
from cdktn_provider_helm.release import Release
from cdktn_provider_kubernetes.config_map_v1 import ConfigMapV1, ConfigMapV1Metadata
from cdktn_provider_kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.bucket import EncryptedBucket, EncryptedBucketProps
from goldenpath.constructs.iam import PodIdentityTrust, Statement, WorkloadRole, WorkloadRoleProps
from goldenpath.constructs.kms import KmsKey, KmsKeyProps
from goldenpath.constructs.naming import Naming, NameKind
from goldenpath.observability import collector, dora, values
from goldenpath.observability.dashboards import slo_dashboard
from goldenpath.observability.contract import alerting_config
from goldenpath.observability.alerts import Alert
from goldenpath.observability.catalog import CAUSE_ALERTS, PLATFORM_SLOS
from goldenpath.observability.charts import ChartPin, pinned
from goldenpath.observability.runbooks import DEFAULT_RUNBOOK_DIR
from goldenpath.observability.slo import SLO

NAMESPACE = values.NAMESPACE
# Days that S3 keeps objects beyond the backends' own retention, so the backend always
# deletes first and lifecycle rules are only a backstop.
LIFECYCLE_MARGIN_DAYS = 1


def terraform_literal(text: str) -> str:
    """Escape Terraform template sequences so values reach Helm verbatim."""
    return text.replace("${", "$${").replace("%{", "%%{")


def render_yaml(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=True, default_flow_style=False, width=1000)


@dataclass(frozen=True)
class ObservabilityStackProps:
    """Props of :class:`ObservabilityStack`."""

    environment: Environment
    """Retention, teams and receivers, noise budget and collector settings come from here."""
    cluster_name: str
    slos: tuple[SLO, ...] = tuple(PLATFORM_SLOS)
    """Default: the platform's own SLOs (API server, ingress, telemetry pipeline)."""
    alerts: tuple[Alert, ...] = tuple(CAUSE_ALERTS)
    """Cause alerts (ticket or info). Default: the platform's examples."""
    runbook_dir: Path = DEFAULT_RUNBOOK_DIR
    """Where runbook files must exist. Default: docs/runbooks."""
    charts: dict[str, ChartPin] | None = None
    """Chart table. Default: goldenpath.observability.charts.CHARTS."""
    extra_dashboards: dict[str, dict] = field(default_factory=dict)
    """More vendored Grafana dashboards by file name. Default: none."""


class ObservabilityStack:
    def __init__(self, props: ObservabilityStackProps):
        environment = props.environment
        obs = environment.observability
        self.props = props
        self.naming = Naming(environment.name)
        self.target = AwsTarget(environment.account_id, environment.region)
        self.alerts, self.rules, self.alertmanager = alerting_config(
            environment, list(props.slos), list(props.alerts), props.runbook_dir
        )
        version = environment.cluster.kubernetes_version
        self.charts = {name: pinned(name, version, props.charts) for name in
                       ("kube-prometheus-stack", "loki", "tempo", "opentelemetry-collector")}
        self.agent = collector.agent_config(obs.collector)
        self.sampler = collector.sampler_config(obs.collector)
        for config in (self.agent, self.sampler):
            if config:
                collector.check_pipeline_order(config)
        self.logs_bucket_name = self.naming.name("logs", environment.account_id, kind=NameKind.S3_BUCKET)
        self.traces_bucket_name = self.naming.name("traces", environment.account_id, kind=NameKind.S3_BUCKET)
        self.dashboards = {"dora.json": dora.dashboard(), "slos.json": slo_dashboard(list(props.slos)),
                           **props.extra_dashboards}

    # -- AWS side -----------------------------------------------------------------------------
    def add_aws_side(self, scope: Construct, id_: str = "observability") -> Construct:
        root = Construct(scope, id_)
        retention = self.props.environment.observability.retention
        key = KmsKey(root, "telemetry-key", KmsKeyProps(target=self.target, naming=self.naming, purpose="telemetry"))
        for signal, days, account in (("logs", retention.logs_days, "loki"), ("traces", retention.traces_days, "tempo")):
            bucket = EncryptedBucket(
                root, f"{signal}-bucket",
                EncryptedBucketProps(target=self.target, naming=self.naming, purpose=signal, encryption_key=key,
                                     expiration_days=days + LIFECYCLE_MARGIN_DAYS, noncurrent_version_days=1),
            )
            role = WorkloadRole(
                root, f"{account}-role",
                WorkloadRoleProps(
                    naming=self.naming, name=account, trust=PodIdentityTrust(),
                    statements=(
                        Statement(actions=("s3:ListBucket",), resources=(bucket.arn,)),
                        Statement(actions=("s3:GetObject", "s3:PutObject", "s3:DeleteObject"), resources=(f"{bucket.arn}/*",)),
                        Statement(actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"), resources=(key.arn,)),
                    ),
                ),
            )
            EksPodIdentityAssociation(
                root, f"{account}-identity", cluster_name=self.props.cluster_name, namespace=NAMESPACE,
                service_account=account, role_arn=role.arn,
            )
        return root

    # -- in-cluster side ----------------------------------------------------------------------
    def add_cluster_side(self, scope: Construct, id_: str = "observability") -> Construct:
        root = Construct(scope, id_)
        environment = self.props.environment
        namespace = NamespaceV1(
            root, "namespace",
            metadata=[NamespaceV1Metadata(
                name=NAMESPACE,
                labels={
                    # node-exporter needs host access, so the namespace cannot enforce "restricted";
                    # warn and audit still report anything beyond it.
                    "pod-security.kubernetes.io/enforce": "privileged",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "app.kubernetes.io/managed-by": "goldenpath",
                },
            )],
        )
        for file_name, dashboard in sorted(self.dashboards.items()):
            ConfigMapV1(
                root, f"dashboard-{file_name.removesuffix('.json')}",
                metadata=ConfigMapV1Metadata(name=f"dashboard-{file_name.removesuffix('.json')}", namespace=NAMESPACE,
                                             labels={"grafana_dashboard": "1"}),
                data={file_name: terraform_literal(json.dumps(dashboard, indent=2, sort_keys=True))},
                depends_on=[namespace],
            )
        stack_values = values.kube_prometheus_stack(environment, self.rules, self.alertmanager)
        releases = [
            ("kube-prometheus-stack", "kube-prometheus-stack", stack_values),
            ("loki", "loki", values.loki(environment, self.logs_bucket_name)),
            ("tempo", "tempo", values.tempo(environment, self.traces_bucket_name)),
            ("otel-collector", "opentelemetry-collector", values.otel_collector(self.agent, "otel-collector")),
        ]
        if self.sampler:
            releases.append(("otel-sampler", "opentelemetry-collector", values.otel_collector(self.sampler, "otel-sampler")))
        self.releases = []
        for release_name, chart_name, chart_values in releases:
            pin = self.charts[chart_name]
            self.releases.append(Release(
                root, f"release-{release_name}", name=release_name, namespace=NAMESPACE,
                repository=pin.repository, chart=pin.name, version=pin.version,
                values=[terraform_literal(render_yaml(chart_values))],
                atomic=True, cleanup_on_fail=True, timeout=900, max_history=5,
                depends_on=[namespace],
            ))
        return root
