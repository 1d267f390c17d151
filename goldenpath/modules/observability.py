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
from typing import Any, Mapping

import yaml
from cdktn import TerraformStack, TerraformVariable
from cdktn_provider_aws.eks_pod_identity_association import EksPodIdentityAssociation
from cdktn_provider_helm.release import Release
from cdktn_provider_kubernetes.config_map_v1 import ConfigMapV1, ConfigMapV1Metadata
from cdktn_provider_kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata
from cdktn_provider_kubernetes.network_policy_v1 import NetworkPolicyV1
from cdktn_provider_kubernetes.role_v1 import RoleV1, RoleV1Metadata, RoleV1Rule
from cdktn_provider_kubernetes.secret_v1 import SecretV1, SecretV1Metadata
from cdktn_provider_random.ephemeral_random_password import EphemeralRandomPassword
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.errors import SynthError
from goldenpath.constructs.bucket import EncryptedBucket, EncryptedBucketProps
from goldenpath.constructs.iam import PodIdentityTrust, WorkloadRole, WorkloadRoleProps
from goldenpath.constructs.kms import KmsKey, KmsKeyProps
from goldenpath.constructs.naming import Naming, NameKind
from goldenpath.constructs.network_policy import network_policy
from goldenpath.observability.network import ISOLATION_POLICY, OPEN_EGRESS_POLICY, observability_policies
from goldenpath.observability.values import MANAGED_BY
from goldenpath.observability import collector, dora, facts, values
from goldenpath.observability.alertmanager import secret_keys
from goldenpath.observability.chart_render import helm_merge, rendered_collector_config
from goldenpath.observability.grafana_text import terraform_literal
from goldenpath.observability.dashboards import slo_dashboard
from goldenpath.observability.contract import alerting_config
from goldenpath.observability.alerts import Alert
from goldenpath.observability.catalog import CAUSE_ALERTS, PLATFORM_SLOS
from goldenpath.observability.charts import RELEASE_CHARTS, ChartPin, pinned
from goldenpath.observability.runbooks import DEFAULT_RUNBOOK_DIR
from goldenpath.observability.slo import SLO

NAMESPACE = values.NAMESPACE
# Days that S3 keeps objects beyond the backends' own retention, so the backend always
# deletes first and lifecycle rules are only a backstop.
LIFECYCLE_MARGIN_DAYS = 1


GRAFANA_ADMIN_USER = "admin"


SECRETS_REVISION_VARIABLE = "secrets_revision"


def secret_variable_name(secret: str, key: str) -> str:
    """The Terraform variable that carries a receiver credential (set it as TF_VAR_<name>)."""
    return "secret_" + "".join(ch if ch.isalnum() else "_" for ch in f"{secret}_{key}")


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
    extra_dashboards: Mapping[str, dict] = field(default_factory=dict)
    """More vendored Grafana dashboards by file name. Default: none."""
    helm_values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Release name -> values merged over goldenpath's with Helm's rules (maps merge, lists
    replace, None deletes). Default: none. `goldenpath validate` checks the result against the
    charts' facts."""


class ObservabilityStack:
    """Metrics, logs and traces, correlated, with alerting: one definition, two halves
    (``add_aws_side`` in the AWS-only stack, ``add_cluster_side`` in the in-cluster stack)."""

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
        self.logs_bucket_name = self.naming.name("logs", environment.account_id, kind=NameKind.S3_BUCKET)
        self.traces_bucket_name = self.naming.name("traces", environment.account_id, kind=NameKind.S3_BUCKET)
        self.dashboards = {"dora.json": dora.dashboard(), "slos.json": slo_dashboard(list(props.slos)),
                           **props.extra_dashboards}
        self.release_values = self._release_values()
        for name, chart_values in self.release_values.items():
            if name.startswith("otel-"):
                # As the chart renders it: its default config merged in and its presets applied.
                collector.check_pipeline_order(rendered_collector_config(chart_values))

    def _release_values(self) -> dict[str, dict]:
        """Release name -> the values Helm receives: goldenpath's, then the team's merged over them."""
        environment = self.props.environment
        found = {
            "kube-prometheus-stack": values.kube_prometheus_stack(environment, self.rules, self.alertmanager),
            "loki": values.loki(environment, self.logs_bucket_name),
            "tempo": values.tempo(environment, self.traces_bucket_name),
            "otel-collector": values.otel_collector(self.agent, "otel-collector", kubernetes_attributes=True,
                                                     queue_volume_gib=environment.observability.collector.queue_volume_gib),
        }
        if self.sampler:
            found["otel-sampler"] = values.otel_collector(
                self.sampler, "otel-sampler", kubernetes_attributes=False,
                queue_volume_gib=environment.observability.collector.queue_volume_gib)
        unknown = sorted(set(self.props.helm_values) - set(RELEASE_CHARTS))
        if unknown:
            raise SynthError(f"helm_values: got release(s) {', '.join(map(repr, unknown))}, expected one of "
                             f"{', '.join(RELEASE_CHARTS)} (otel-sampler only where collector.load_balancing is on)")
        return {name: helm_merge(chart_values, dict(self.props.helm_values.get(name, {}))) for name, chart_values in found.items()}

    # -- AWS side -----------------------------------------------------------------------------
    def add_aws_side(self, scope: Construct, id_: str = "observability") -> Construct:
        """Telemetry key, the Loki and Tempo buckets, and their Pod Identity roles (granted their own bucket)."""
        root = Construct(scope, id_)
        retention = self.props.environment.observability.retention
        key = KmsKey(root, "telemetry-key", KmsKeyProps(target=self.target, naming=self.naming, purpose="telemetry"))
        for signal, days, account in (("logs", retention.logs_days, "loki"), ("traces", retention.traces_days, "tempo")):
            bucket = EncryptedBucket(
                root, f"{signal}-bucket",
                EncryptedBucketProps(target=self.target, naming=self.naming, purpose=signal, encryption_key=key,
                                     expiration_days=days + LIFECYCLE_MARGIN_DAYS, noncurrent_version_days=1),
            )
            role = WorkloadRole(root, f"{account}-role",
                                WorkloadRoleProps(naming=self.naming, name=account,
                                                  trust=PodIdentityTrust.of(self.target, self.props.cluster_name, NAMESPACE, account)))
            bucket.grant_read_write(role)  # its own bucket only, and the telemetry key
            EksPodIdentityAssociation(
                root, f"{account}-identity", cluster_name=self.props.cluster_name, namespace=NAMESPACE,
                service_account=account, role_arn=role.arn,
            )
        return root

    # -- in-cluster side ----------------------------------------------------------------------
    def add_cluster_side(self, scope: Construct, id_: str = "observability") -> Construct:
        """The namespace, dashboards, the Secrets the charts use, and the pinned Helm releases."""
        root = Construct(scope, id_)
        environment = self.props.environment
        namespace = NamespaceV1(
            root, "namespace",
            metadata=[NamespaceV1Metadata(
                name=NAMESPACE,
                labels={
                    # No pod here needs host access (node-exporter has its own namespace): enforce baseline;
                    # warn and audit report anything beyond restricted.
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                    **MANAGED_BY,
                },
            )],
        )
        # node-exporter reads the host (hostNetwork, hostPID, the root filesystem): it alone runs privileged.
        node_namespace = NamespaceV1(
            root, "node-exporter-namespace",
            metadata=[NamespaceV1Metadata(
                name=values.NODE_EXPORTER_NAMESPACE,
                labels={"pod-security.kubernetes.io/enforce": "privileged", **MANAGED_BY},
            )],
        )
        for file_name, dashboard in sorted(self.dashboards.items()):
            ConfigMapV1(
                root, f"dashboard-{file_name.removesuffix('.json')}",
                metadata=ConfigMapV1Metadata(name=f"dashboard-{file_name.removesuffix('.json')}", namespace=NAMESPACE,
                                             labels=dict([facts.GRAFANA_DASHBOARD_LABEL])),
                data={file_name: terraform_literal(json.dumps(dashboard, indent=2, sort_keys=True))},
                depends_on=[namespace],
            )
        # Grafana's sidecars read dashboards and datasources (ConfigMaps) in this namespace, and nothing else.
        grafana_role = RoleV1(
            root, "grafana-role",
            metadata=[RoleV1Metadata(name=values.GRAFANA_ROLE, namespace=NAMESPACE, labels=MANAGED_BY)],
            rule=[RoleV1Rule(api_groups=[""], resources=["configmaps"], verbs=["get", "watch", "list"])],
            depends_on=[namespace],
        )
        # Nothing outside the namespace reaches Loki, Prometheus or Alertmanager; Grafana reaches nothing outside
        # the namespace but DNS and the API server (observability/network.py).
        policies = self._network_policies(root, namespace, environment)
        secrets = [*self._secrets(root, namespace), grafana_role, *policies]
        self.releases = []
        prometheus_stack: Release | None = None
        for release_name, chart_values in self.release_values.items():
            pin = self.charts[RELEASE_CHARTS[release_name]]
            # The collectors create ServiceMonitors, whose CRD kube-prometheus-stack installs.
            after = [namespace, node_namespace, *secrets] if prometheus_stack is None else [namespace, prometheus_stack]
            release = Release(
                root, f"release-{release_name}", name=release_name, namespace=NAMESPACE,
                repository=pin.repository, chart=pin.name, version=pin.version,
                values=[terraform_literal(render_yaml(chart_values))],
                atomic=True, cleanup_on_fail=True, timeout=900, max_history=5,
                depends_on=after,
            )
            prometheus_stack = prometheus_stack or release
            self.releases.append(release)
        return root

    @staticmethod
    def _network_policies(root: Construct, namespace: NamespaceV1, environment: Environment) -> list[NetworkPolicyV1]:
        """The namespace's NetworkPolicies. The open-egress policy exists before the isolation policy narrows, so an
        upgrade from open egress never leaves Prometheus, Loki, Tempo or Alertmanager without it."""
        manifests = observability_policies(environment.network.cidr, environment.cluster.service_cidr,
                                           grafana_https_out=environment.observability.grafana_https_out_reason is not None)
        rendered: dict[str, NetworkPolicyV1] = {}
        for manifest in sorted(manifests, key=lambda m: m["metadata"]["name"] != OPEN_EGRESS_POLICY):
            name = manifest["metadata"]["name"]
            after = [rendered[OPEN_EGRESS_POLICY]] if name == ISOLATION_POLICY else []
            rendered[name] = network_policy(root, f"policy-{name}", manifest, depends_on=[namespace, *after])
        return [rendered[m["metadata"]["name"]] for m in manifests]

    def _secrets(self, root: Construct, namespace: NamespaceV1) -> list[SecretV1]:
        """Every Secret the charts are told to use: Grafana's admin (a generated password) and the Alertmanager
        receiver credentials (ephemeral variables, set as TF_VAR_secret_...).

        No secret value reaches the state: the password is an ephemeral resource and the credentials are
        ephemeral variables, and both go only into ``data_wo``, the Secret's write-only data (Terraform 1.11+).
        Terraform writes it when ``data_wo_revision`` changes: bump ``secrets_revision`` to rotate them all
        (Grafana gets a new password, the receivers the current TF_VAR values)."""
        obs = self.props.environment.observability
        stack = TerraformStack.of(root)
        revision = TerraformVariable(stack, SECRETS_REVISION_VARIABLE, type="number", default=1, nullable=False,
                                     description="Increase to write new values into the write-only Secrets "
                                                 "(rotates Grafana's admin password, pushes new receiver credentials)")
        password = EphemeralRandomPassword(root, "grafana-admin-password", length=32, special=False)
        created = [SecretV1(
            root, "grafana-admin-secret",
            metadata=SecretV1Metadata(name=obs.grafana_admin_secret.name, namespace=NAMESPACE, labels=MANAGED_BY),
            data_wo={values.GRAFANA_ADMIN_USER_KEY: GRAFANA_ADMIN_USER, obs.grafana_admin_secret.key: password.result},
            data_wo_revision=revision.number_value, depends_on=[namespace],
        )]
        for secret, keys in secret_keys(obs).items():
            data = {}
            for key in keys:
                variable = TerraformVariable(stack, secret_variable_name(secret, key), type="string", sensitive=True,
                                             description=f"Alertmanager receiver credential: key {key} of Secret {NAMESPACE}/{secret}")
                variable.add_override("ephemeral", True)  # never stored in the plan or the state
                data[key] = variable.string_value
            created.append(SecretV1(
                root, f"receiver-secret-{secret}",
                metadata=SecretV1Metadata(name=secret, namespace=NAMESPACE, labels=MANAGED_BY),
                data_wo=data, data_wo_revision=revision.number_value, depends_on=[namespace],
            ))
        return created
