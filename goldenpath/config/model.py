"""The typed environment model: what an `environments/<name>.yaml` file may say.

Every field documents its default. Validation errors raise ``FieldProblem`` (a
ValueError that names the sub-field) so the loader can report the exact field path.
"""

from __future__ import annotations

import ipaddress
import math
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator, PrivateAttr

from goldenpath.constructs.instance_types import group_architecture
from goldenpath.ingress_nginx import acceptance_problem
from goldenpath.pod_priority import PRIORITY_WITHOUT_A_CLASS, ceiling_problem
from goldenpath.quantities import quantity

# EKS versions a cluster can still be created with (standard or extended support) that the pinned charts
# (goldenpath.observability.charts) and kubernetes-validate's schemas accept. checkov's CKV_AWS_339 (3.3.30)
# stops at 1.35: for a newer version GP_EKS_001 holds its rule (goldenpath.policies.suppressions). Where each
# stands on a given day: goldenpath.lifecycle.calendar (1.31 left extended support on 2026-11-26; 1.32-1.34 are
# in extended support, billed extra, on 2026-12-07; 1.35 is in standard support until 2027-03-27, 1.36 until
# 2027-08-02).
SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = ("1.32", "1.33", "1.34", "1.35", "1.36")

ENV_NAME_MAX = 20  # leaves room in 32-character ALB/target-group names for the service part
NODE_GROUP_NAME_MAX = 24

def _decimal(value: Any) -> Any:
    """YAML numbers as exact Decimals (a float through its shortest text: 0.1 stays 0.1)."""
    if isinstance(value, bool):
        return value  # refused below, with the field's expectation
    if isinstance(value, (int, float, str)):
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return value
    return value


Amount = Annotated[Decimal, BeforeValidator(_decimal)]
"""A number read exactly (money, GB, ratios)."""

DnsLabel = Annotated[str, StringConstraints(pattern=r"^[a-z]([a-z0-9-]*[a-z0-9])?$")]
# A lowercase DNS name of two labels or more, no wildcard (previews' domain, a service's Ingress hosts).
DnsName = Annotated[str, StringConstraints(max_length=253, pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]


class FieldProblem(ValueError):
    """A validation failure for a named sub-field, with its value and what was expected."""

    def __init__(self, field: str, value: Any, expected: str):
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: got {value!r}, expected {expected}")


def unique_items(field: str, value: list[str], what: str) -> list[str]:
    """``value`` when no item repeats; otherwise a FieldProblem naming the repeated ones."""
    repeated = sorted({item for item in value if value.count(item) > 1})
    if repeated:
        raise FieldProblem(field, value, f"each {what} once (repeated: {', '.join(repeated)})")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SourcedDocument(_Strict):
    """A model read from a YAML file (an environment, a team): it remembers the file for messages."""

    # The file it was read from (not part of the schema). Set by the loader.
    _source: str = PrivateAttr(default="")


def _network(value: str, field: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise FieldProblem(field, value, f"an IPv4 CIDR block with no host bits set ({exc})") from None


class Tags(_Strict):
    """Mandatory tags; goldenpath adds `environment` and `managed-by` itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    owner: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        description="Team that owns the environment; tagged on every resource."
    )
    cost_center: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        alias="cost-center", description="Cost centre billed for the environment."
    )
    extra: dict[str, str] = Field(default_factory=dict, description="Additional tags. Default: none.")


class StateBackend(_Strict):
    """Where Terraform state lives (S3 with native locking)."""

    bucket: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")] | None = Field(
        default=None,
        description="State bucket. Default: goldenpath-tfstate-<account_id>-<region>.",
    )
    region: str | None = Field(default=None, description="Bucket region. Default: the environment's region.")
    kms_key: Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$")] | None = Field(
        default=None,
        description="KMS key (key or alias ARN) that encrypts state objects (SSE-KMS). Required when the environment hosts "
        "previews or sandboxes (their states share the bucket). Default: none, the bucket's default encryption (SSE-S3); "
        "goldenpath does not create the state bucket or its key.",
    )


class Kms(_Strict):
    """Who administers the environment's KMS keys (flow logs, control-plane logs, secrets, telemetry, buckets)."""

    administrators: list[Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$")]] | None = Field(
        default=None, min_length=1,
        description="IAM roles or users that administer the keys (never use them). Whoever applies a stack is "
        "always added. Default: cluster.admin_role_arns.",
    )
    account_administration: bool = Field(
        default=False,
        description="Also let the account root administer the keys through IAM policies (AWS's default key "
        "policy, kms:*): an opt-out that validate shows as a GP_AWS_007 suppression. Default: false.",
    )


class Network(_Strict):
    cidr: str = Field(description="VPC IPv4 CIDR, e.g. 10.10.0.0/16 (prefix /16 to /24).")
    az_count: int = Field(default=2, ge=2, le=6, description="Availability zones. Default: 2.")
    nat: Literal["none", "single", "per_az"] = Field(
        default="single",
        description="NAT gateways: none, one shared (cheap), or one per AZ (resilient). Default: single.",
    )
    zones: list[Annotated[str, StringConstraints(pattern=r"^[a-z]$")]] | None = Field(
        default=None,
        description="Availability-zone letters, pinned so subnets never move when AWS adds or "
        "retires a zone. Default: the first az_count letters (a, b, c, ...).",
    )
    s3_endpoint_read_buckets: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]] = Field(
        default_factory=list,
        description="Buckets of other accounts workloads may read through the S3 gateway endpoint, besides ECR's "
        "image layers and registry.k8s.io's regional mirror (e.g. an OS package repository). The endpoint allows "
        "every action on this account's buckets and nothing else. Default: none.",
    )
    ebs_default_key: Literal["environment", "aws-managed"] = Field(
        default="environment",
        description="The key that encrypts every new EBS volume of the account in this region (EBS encryption by "
        "default is on either way; both settings are account- and region-wide): `environment`, this environment's "
        "own key (alias `<env>-ebs`, administered like its other keys, usable by the account's principals through "
        "EC2 only, as AWS's `aws/ebs` is); `aws-managed`, AWS's `aws/ebs` key. Only one environment per account and "
        "region may set `environment`. Default: environment.",
    )
    subnet_prefix_length: int | None = Field(
        default=None,
        description="Prefix of each subnet (one public and one private per AZ). "
        "Default: the largest subnets that fit 2 x az_count into the VPC.",
    )

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        net = _network(value, "cidr")
        if not 16 <= net.prefixlen <= 24:
            raise FieldProblem("cidr", value, "a prefix length between /16 and /24")
        if not net.is_private:
            raise FieldProblem("cidr", value, "a private (RFC 1918) range")
        return value

    @model_validator(mode="after")
    def _zones(self) -> Network:
        if self.zones is None:
            return self
        if len(self.zones) != self.az_count:
            raise FieldProblem("zones", self.zones, f"exactly az_count ({self.az_count}) zone letters")
        if len(set(self.zones)) != len(self.zones):
            raise FieldProblem("zones", self.zones, "distinct zone letters")
        return self

    @property
    def zone_letters(self) -> list[str]:
        return list(self.zones) if self.zones is not None else [chr(ord("a") + i) for i in range(self.az_count)]

    @model_validator(mode="after")
    def _subnets_fit(self) -> Network:
        vpc = ipaddress.IPv4Network(self.cidr)
        needed_bits = math.ceil(math.log2(2 * self.az_count))
        if self.subnet_prefix_length is None:
            return self
        if not vpc.prefixlen < self.subnet_prefix_length <= 28:
            raise FieldProblem(
                "subnet_prefix_length",
                self.subnet_prefix_length,
                f"a prefix longer than the VPC's /{vpc.prefixlen} and at most /28",
            )
        if self.subnet_prefix_length - vpc.prefixlen < needed_bits:
            raise FieldProblem(
                "subnet_prefix_length",
                self.subnet_prefix_length,
                f"/{vpc.prefixlen + needed_bits} or longer: {2 * self.az_count} subnets "
                f"(public + private in {self.az_count} AZs) must fit in {self.cidr}",
            )
        return self

    @property
    def effective_subnet_prefix(self) -> int:
        if self.subnet_prefix_length is not None:
            return self.subnet_prefix_length
        vpc = ipaddress.IPv4Network(self.cidr)
        return vpc.prefixlen + math.ceil(math.log2(2 * self.az_count))

    def subnet_cidrs(self) -> tuple[list[str], list[str]]:
        """(public, private) subnet CIDRs, one per AZ, allocated in order from the VPC."""
        subnets = list(ipaddress.IPv4Network(self.cidr).subnets(new_prefix=self.effective_subnet_prefix))
        private = [str(s) for s in subnets[: self.az_count]]
        public = [str(s) for s in subnets[self.az_count : 2 * self.az_count]]
        return public, private


class NodeGroup(_Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z]([a-z0-9-]*[a-z0-9])?$")] = Field(
        description=f"Node group name: lowercase letters, digits, hyphens; at most {NODE_GROUP_NAME_MAX}."
    )
    instance_types: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")]] = Field(
        min_length=1, description="EC2 instance types, e.g. [m6i.large]."
    )
    min_size: int = Field(ge=0, le=1000)
    desired_size: int = Field(ge=0, le=1000)
    max_size: int = Field(ge=1, le=1000)
    disk_size_gib: int = Field(default=50, ge=20, le=16384, description="Encrypted gp3 root volume. Default: 50.")
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field(default="ON_DEMAND", description="Default: ON_DEMAND.")
    labels: dict[str, str] = Field(default_factory=dict, description="Kubernetes node labels. Default: none.")

    @field_validator("name")
    @classmethod
    def _name_length(cls, value: str) -> str:
        if len(value) > NODE_GROUP_NAME_MAX:
            raise FieldProblem("name", value, f"at most {NODE_GROUP_NAME_MAX} characters (got {len(value)})")
        return value

    @model_validator(mode="after")
    def _sizes(self) -> NodeGroup:
        if group_architecture(self.instance_types) is None:
            raise FieldProblem("instance_types", self.instance_types,
                               "types of one architecture (all Graviton arm64 or all x86_64): one AMI serves a group")
        if self.min_size > self.max_size:
            raise FieldProblem("min_size", self.min_size, f"at most max_size ({self.max_size})")
        if not self.min_size <= self.desired_size <= self.max_size:
            raise FieldProblem(
                "desired_size", self.desired_size, f"between min_size ({self.min_size}) and max_size ({self.max_size})"
            )
        return self


class EndpointAccess(_Strict):
    """API server endpoint. The private endpoint is always on."""

    public: bool = Field(default=False, description="Expose a public endpoint. Default: false (private only).")
    public_access_cidrs: list[str] = Field(
        default_factory=list,
        description="Allow-list for the public endpoint; required when public is true. Default: none.",
    )

    @model_validator(mode="after")
    def _allow_list(self) -> EndpointAccess:
        for index, cidr in enumerate(self.public_access_cidrs):
            _network(cidr, f"public_access_cidrs[{index}]")
        if self.public and not self.public_access_cidrs:
            raise FieldProblem(
                "public_access_cidrs", [], "at least one CIDR when public is true (an allow-list, never open)"
            )
        if not self.public and self.public_access_cidrs:
            raise FieldProblem("public", False, "true when public_access_cidrs is set (or remove the allow-list)")
        return self


class Cluster(_Strict):
    kubernetes_version: str = Field(
        description=f"EKS Kubernetes version, one of {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}."
    )
    support_type: Literal["EXTENDED", "STANDARD"] = Field(
        default="EXTENDED",
        description="EKS upgrade_policy.support_type: what happens when the version leaves standard support. EXTENDED: the "
                    "cluster stays on its version, billed extended support, and validate fails (GP_EKS_001) until it is "
                    "upgraded or the finding is suppressed with a reason; STANDARD: EKS upgrades the control plane itself, "
                    "outside goldenpath's upgrade procedure (add-ons, node AMIs and chart facts are not moved with it). "
                    "Default: EXTENDED (no upgrade nobody planned; the cost shows in validate and cost).",
    )
    support_warning_days: int = Field(
        default=90, ge=0, le=365,
        description="validate warns this many days before the version leaves standard support. Default: 90.",
    )
    node_updates_wait_for_disruption_budgets_reason: str | None = Field(
        default=None, min_length=10,
        description="Let PodDisruptionBudgets stop node updates, and why: EKS then fails a node AMI or version update "
                    "(PodEvictionFailure) when a node's pods have not left after 15 minutes, instead of deleting them; "
                    "any namespace that may write a budget (tenants, previews' charts) can hold the cluster's node "
                    "updates (validate shows it). Default: none (pods still there after EKS's 15-minute drain are "
                    "deleted: force_update_version).")
    endpoint: EndpointAccess = Field(default_factory=EndpointAccess, description="Default: private only.")
    service_cidr: str = Field(
        default="172.20.0.0/16", description="Kubernetes service CIDR; must not overlap the VPC. Default: 172.20.0.0/16."
    )
    node_groups: list[NodeGroup] = Field(min_length=1, description="Managed node groups (at least one).")
    admin_role_arns: list[Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+$")]] = Field(
        min_length=1,
        description="IAM roles granted cluster admin through access entries. Required: the creator gets no implicit admin.",
    )

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value not in SUPPORTED_KUBERNETES_VERSIONS:
            raise FieldProblem("kubernetes_version", value, f"one of {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}")
        return value

    @field_validator("service_cidr")
    @classmethod
    def _service_cidr(cls, value: str) -> str:
        _network(value, "service_cidr")
        return value

    @model_validator(mode="after")
    def _unique_node_groups(self) -> Cluster:
        seen: set[str] = set()
        for index, group in enumerate(self.node_groups):
            if group.name in seen:
                raise FieldProblem(f"node_groups[{index}].name", group.name, "a name not used by another node group")
            seen.add(group.name)
        return self


class Retention(_Strict):
    """How long each signal is kept. Required: there is no safe default for cost or compliance."""

    metrics_days: int = Field(ge=1, le=3650, description="Prometheus retention in days (at least 1).")
    logs_days: int = Field(ge=1, le=3650, description="Loki retention in days (at least 1).")
    traces_days: int = Field(ge=1, le=3650, description="Tempo retention in days (at least 1).")


class SecretRef(_Strict):
    """A key of a Kubernetes secret in the observability namespace, mounted into Alertmanager."""

    name: DnsLabel = Field(description="Secret name.")
    key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,253}$")] = Field(description="Key in the secret.")


class Receiver(_Strict):
    """Where alerts go. Credentials are referenced from a Kubernetes secret, never inlined."""

    type: Literal["pagerduty", "slack", "webhook"]
    secret: SecretRef | None = Field(
        default=None,
        description="pagerduty: the routing key; slack: the webhook URL; webhook: the URL (optional). Required for pagerduty and slack.",
    )
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")] | None = Field(
        default=None, description="webhook only: a URL that carries no credentials (e.g. an in-cluster bridge)."
    )
    channel: Annotated[str, StringConstraints(pattern=r"^#[a-z0-9._-]{1,80}$")] | None = Field(
        default=None, description="slack only: the channel, e.g. #platform-alerts."
    )

    @model_validator(mode="after")
    def _credentials(self) -> Receiver:
        if self.type in ("pagerduty", "slack") and self.secret is None:
            raise FieldProblem("secret", None, f"a secret reference ({{name, key}}) for a {self.type} receiver; credentials are never inlined")
        if self.type == "webhook" and (self.url is None) == (self.secret is None):
            raise FieldProblem("url", self.url, "either url (no credentials in it) or secret (the URL in a secret), not both or neither")
        if self.type != "webhook" and self.url is not None:
            raise FieldProblem("url", self.url, f"no url for a {self.type} receiver (use secret)")
        if self.type == "slack" and self.channel is None:
            raise FieldProblem("channel", None, "a channel such as #platform-alerts")
        return self


class TeamRouting(_Strict):
    """Receivers of one team, by severity. ``page`` wakes someone; ``ticket`` and ``info`` do not."""

    page: Receiver
    ticket: Receiver
    info: Receiver | None = Field(default=None, description="Default: the ticket receiver.")


class Heartbeat(_Strict):
    """The dead-man's switch: an alert that always fires (``Watchdog``), re-sent every ``repeat_minutes`` to a
    service that pages when it stops arriving, so a dead Prometheus, Alertmanager or route is noticed."""

    receiver: Receiver | None = Field(
        default=None,
        description="Where the heartbeat goes: a dead-man's-switch service (PagerDuty or Opsgenie heartbeat, "
                    "healthchecks.io, any webhook; the URL in a secret when it carries a token). Required unless opt_out_reason.")
    repeat_minutes: int = Field(
        default=5, ge=1, le=60,
        description="How often Alertmanager re-sends the heartbeat; the switch's own timeout must be longer. Default: 5.")
    opt_out_reason: str | None = Field(
        default=None, min_length=10,
        description="Run without a dead-man's switch, and why (validate shows it). Default: none (a receiver is required).")

    @model_validator(mode="after")
    def _one(self) -> Heartbeat:
        if (self.receiver is None) == (self.opt_out_reason is None):
            raise FieldProblem("receiver", self.receiver, "either a receiver (the dead-man's switch) or opt_out_reason "
                                                          "(why this environment runs without one), not both or neither")
        return self


IN_CLUSTER_SERVICE = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\.[a-z0-9]([a-z0-9-]*[a-z0-9])?\.svc(\.cluster\.local)?:[0-9]{1,5}$"


# What the collector's persistent queue holds per item, for sizing its volume: the OTLP encoding of a span or log
# record with the usual semantic-convention attributes is well under this; a metric export is one pod's whole SDK
# export. Headroom as for the queue's entry count.
QUEUE_ITEM_BYTES, QUEUE_EXPORT_BYTES, QUEUE_HEADROOM = 2048, 65536, 1.2


class CollectorSettings(_Strict):
    """OpenTelemetry Collector cost and durability controls."""

    expected_spans_per_second: int = Field(default=2000, ge=1, description="Sizing input for the sending queue. Default: 2000.")
    expected_metric_exports_per_second: int = Field(
        default=20, ge=1, le=10000,
        description="OTLP metric exports reaching the collector agent per second, all pods together (an SDK exports every "
        "60 s by default, so 1200 pods make 20). Sizes the metrics sending queue, which holds one export per entry: the "
        "agent sends each pod's export to Prometheus alone, because Prometheus refuses a whole request for one bad "
        "sample. Default: 20.")
    expected_log_records_per_second: int = Field(
        default=2000, ge=1, le=10_000_000,
        description="Log records reaching the collector agent per second, all pods together. Sizes the logs sending "
        "queue and the queue volume. Default: 2000.")
    outage_tolerance_minutes: int = Field(
        default=30, ge=1, le=1440, description="Backend outage the persistent queue absorbs without loss. Default: 30."
    )
    queue_volume_gib: int = Field(
        default=20, ge=1, le=16384,
        description="Each collector replica's persistent-queue volume, in GiB. It must hold the outage at the expected "
        f"rates, at {QUEUE_ITEM_BYTES} bytes a span or log record and {QUEUE_EXPORT_BYTES // 1024} KiB a metric export "
        "(config refuses less): outage minutes x 60 x 1.2 x the bytes per second. A running cluster's volumes do not "
        "grow by themselves (docs/upgrading.md). Default: 20.")
    tail_sampling: bool = Field(default=False, description="Tail-based sampling; needs load_balancing. Default: false.")
    load_balancing: bool = Field(default=False, description="A load-balancing tier in front of the samplers. Default: false.")
    sampling_percentage: int = Field(default=10, ge=1, le=100, description="Kept share of ordinary traces with tail sampling. Default: 10.")
    shed_metrics_namespaces: list[DnsLabel] = Field(
        default_factory=list,
        description="Namespaces whose metrics the collector agent drops (logs and traces still flow): the way to stop "
        "one namespace's series from exhausting Prometheus (runbook namespace-series-over-budget). validate names "
        "them. Default: none.")
    max_point_attribute_bytes: int = Field(
        default=4096, ge=256, le=65536,
        description="Largest attribute set of one metric data point, measured as JSON, that the collector agent passes "
        "to Prometheus; a larger point is dropped. A point's labels take fewer bytes than that, so each namespace's "
        "series budget also bounds its label memory. Default: 4096.")
    max_resource_attribute_bytes: int = Field(
        default=32768, ge=4096, le=262144,
        description="Largest resource attribute set, measured as JSON after the agent adds the pod's metadata, whose "
        "metrics the collector agent passes to Prometheus (it becomes the labels of target_info); a larger resource's "
        "metrics are dropped. Default: 32768.")

    @field_validator("shed_metrics_namespaces")
    @classmethod
    def _shed_once(cls, value: list[str]) -> list[str]:
        return unique_items("shed_metrics_namespaces", value, "namespace")

    def queue_volume_needed_gib(self) -> int:
        """GiB one replica's queue holds through the outage, if all the traffic reaches that replica."""
        per_second = ((self.expected_spans_per_second + self.expected_log_records_per_second) * QUEUE_ITEM_BYTES
                      + self.expected_metric_exports_per_second * QUEUE_EXPORT_BYTES)
        return math.ceil(self.outage_tolerance_minutes * 60 * QUEUE_HEADROOM * per_second / 2**30)

    @model_validator(mode="after")
    def _queue_volume(self) -> CollectorSettings:
        needed = self.queue_volume_needed_gib()
        if self.queue_volume_gib < needed:
            raise FieldProblem(
                "queue_volume_gib", self.queue_volume_gib,
                f"at least {needed} (GiB) to hold {self.outage_tolerance_minutes} minutes of "
                f"{self.expected_spans_per_second} spans, {self.expected_log_records_per_second} log records and "
                f"{self.expected_metric_exports_per_second} metric exports a second; or a shorter outage_tolerance_minutes")
        return self

    @model_validator(mode="after")
    def _tail_sampling(self) -> CollectorSettings:
        if self.tail_sampling and not self.load_balancing:
            raise FieldProblem(
                "tail_sampling", True,
                "load_balancing: true as well (tail sampling needs every span of a trace on one collector)",
            )
        return self


class Observability(_Strict):
    retention: Retention
    runbook_base_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+[^/]$")] = Field(
        description="Where docs/runbooks/ is browsable, e.g. https://git.example.com/platform/goldenpath/blob/main/docs/runbooks (no trailing slash)."
    )
    max_page_alerts: int = Field(
        default=25, ge=0, le=500, description="Noise budget: most page-severity alert rules allowed. Default: 25."
    )
    teams: dict[DnsLabel, TeamRouting] = Field(min_length=1, description="Alert routing per owning team.")
    heartbeat: Heartbeat = Field(description="The dead-man's switch (required: a receiver, or an opt-out with a reason).")
    namespace_series_budget: int = Field(
        default=20000, ge=10, le=10_000_000,
        description="Most Prometheus series one namespace's telemetry may hold before the platform team gets a ticket "
        "(NamespaceSeriesOverBudget). Default: 20000.")
    trace_metrics_series_limit: int = Field(
        default=50000, ge=1000, le=10_000_000,
        description="Most active series Tempo's metrics generator (service graphs, span metrics) writes to Prometheus; "
        "past it new series fold into one overflow series. Span names come from the application, so without a limit one "
        "pod naming each span anew would add Prometheus series without bound, under no namespace's count. Default: 50000.")
    declared_services: dict[Annotated[str, StringConstraints(pattern=IN_CLUSTER_SERVICE)], Annotated[str, StringConstraints(min_length=10)]] = Field(
        default_factory=dict,
        description="In-cluster Services that something other than goldenpath installs, which receivers may point at: "
                    "'name.namespace.svc:port' -> who installs it. validate refuses a receiver URL naming an in-cluster "
                    "Service that no stack creates and nobody declares. Default: none.")
    collector: CollectorSettings = Field(default_factory=CollectorSettings, description="Default: see CollectorSettings.")
    grafana_admin_secret: SecretRef = Field(
        default_factory=lambda: SecretRef(name="grafana-admin", key="password"),
        description="Secret holding Grafana's admin password. Default: grafana-admin/password.",
    )
    grafana_https_out_reason: str | None = Field(
        default=None, min_length=10,
        description="Let Grafana open HTTPS (443) to addresses outside the cluster, and why: an identity provider for "
                    "single sign-on, plugins, datasources elsewhere (validate shows it). Default: none (Grafana reaches "
                    "DNS, the observability namespace and the API server only).")


_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti)?$"
Quantity = Annotated[str, StringConstraints(pattern=_QUANTITY)]


class PreviewService(_Strict):
    """How a service is deployed into previews: its Helm chart (``previews:`` of a catalog service)."""

    repository: Annotated[str, StringConstraints(pattern=r"^(https://|oci://)[^\s]+$")] = Field(description="Chart repository.")
    chart: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    version: Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$")] = Field(
        description="Pinned chart version."
    )
    image_repository: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.:/_-]+$")]
    port: int = Field(default=8080, ge=1, le=65535, description="Container port the ingress routes to. Default: 8080.")


class QuotaTier(_Strict):
    """A namespace's ResourceQuota (requests/limits totals, pods) and LimitRange container defaults."""

    requests_cpu: Quantity = "2"
    requests_memory: Quantity = "4Gi"
    limits_cpu: Quantity = "4"
    limits_memory: Quantity = "8Gi"
    pods: int = Field(default=20, ge=1, le=500)
    default_request_cpu: Quantity = "100m"
    default_request_memory: Quantity = "128Mi"
    default_limit_cpu: Quantity = "500m"
    default_limit_memory: Quantity = "512Mi"
    requests_storage: Quantity = Field(
        default="50Gi", description="Total storage the namespace's PersistentVolumeClaims may request (each is an EBS "
        "volume, billed per GiB-month). Default: 50Gi.")
    persistent_volume_claims: int = Field(default=10, ge=0, le=1000, description="PersistentVolumeClaims. Default: 10.")
    limits_ephemeral_storage: Quantity = Field(
        default="20Gi", description="Total ephemeral-storage limits of the namespace's containers (node disk: writable "
        "layers, logs, emptyDir). Default: 20Gi.")
    default_request_ephemeral_storage: Quantity = "50Mi"
    default_limit_ephemeral_storage: Quantity = Field(
        default="1Gi", description="A container's ephemeral-storage limit when it names none (past it, the kubelet "
        "evicts the pod). Default: 1Gi.")
    objects_per_kind: int = Field(
        default=200, ge=10, le=10000, description="Objects of each kind the namespace's owners can write (ConfigMaps, "
        "Secrets, Deployments, Jobs, ...; see docs/tenancy.md). Default: 200.")

    @model_validator(mode="after")
    def _defaults_fit(self) -> QuotaTier:
        # The API server refuses a LimitRange whose default request exceeds its default limit; a default limit over
        # the quota's total would refuse every container that names none.
        for resource, request, limit, total in (
                ("cpu", self.default_request_cpu, self.default_limit_cpu, self.limits_cpu),
                ("memory", self.default_request_memory, self.default_limit_memory, self.limits_memory),
                ("ephemeral_storage", self.default_request_ephemeral_storage, self.default_limit_ephemeral_storage,
                 self.limits_ephemeral_storage)):
            if quantity(request) > quantity(limit):
                raise FieldProblem(f"default_request_{resource}", request,
                                   f"at most default_limit_{resource} ({limit}): a container's default request "
                                   "cannot exceed its default limit")
            if quantity(limit) > quantity(total):
                raise FieldProblem(f"default_limit_{resource}", limit,
                                   f"at most limits_{resource} ({total}), the namespace's total")
        return self


# The name previews have always used for their quota section.
PreviewLimits = QuotaTier

DEFAULT_TIERS: dict[str, QuotaTier] = {
    "small": QuotaTier(requests_cpu="1", requests_memory="2Gi", limits_cpu="2", limits_memory="4Gi", pods=20,
                       requests_storage="20Gi", persistent_volume_claims=5, limits_ephemeral_storage="10Gi"),
    "medium": QuotaTier(requests_cpu="2", requests_memory="4Gi", limits_cpu="4", limits_memory="8Gi", pods=40),
    "large": QuotaTier(requests_cpu="4", requests_memory="8Gi", limits_cpu="8", limits_memory="16Gi", pods=80,
                       default_limit_cpu="1", default_limit_memory="1Gi", requests_storage="100Gi",
                       persistent_volume_claims=20, limits_ephemeral_storage="40Gi", objects_per_kind=400),
}


class Tenancy(_Strict):
    """What a service of the catalog (teams/<team>.yaml) gets on this environment's cluster."""

    tiers: dict[DnsLabel, QuotaTier] = Field(
        default_factory=lambda: dict(DEFAULT_TIERS),
        description="Size tiers a service may pick (quota and container defaults). "
        "Default: small (1 CPU / 2Gi requested), medium (2 / 4Gi), large (4 / 8Gi).",
    )
    default_tier: DnsLabel = Field(default="small", description="Tier of a service that names none. Default: small.")
    ingress_namespace: DnsLabel = Field(
        default="ingress-nginx", description="Namespace of the ingress controller tenants admit. Default: ingress-nginx."
    )
    edit_role: DnsLabel = Field(
        default="goldenpath-tenant-edit",
        description="ClusterRole bound, inside its own namespace only, to a team's owner group (with view). Default: "
        "goldenpath-tenant-edit, created in the platform stack: Kubernetes' edit minus NetworkPolicy and Event writes. A "
        "built-in role that may write NetworkPolicies (edit, admin) fails GP_K8S_004 unless suppressed.",
    )

    ingress_annotations_accepted: dict[str, Annotated[str, StringConstraints(min_length=10, max_length=500)]] = Field(
        default_factory=dict,
        description="High-risk ingress-nginx annotations (name without the nginx.ingress.kubernetes.io/ prefix -> why) "
        "that tenants' and previews' Ingresses may carry besides the Low and Medium ones, e.g. auth-url for an "
        "external authentication service (validate shows them). Critical ones (snippets) are never accepted. "
        "Default: none.",
    )
    max_pod_priority: int = Field(
        default=PRIORITY_WITHOUT_A_CLASS,
        description="Highest priority (the value of a PriorityClass, as the API server resolves it onto each pod) a pod in "
        "a tenant namespace (a service's, a preview's, a sandbox's) may run at; an admission policy refuses the rest, "
        "since a higher one preempts other namespaces' pods. Default: 0, what a pod naming no PriorityClass gets on a "
        "cluster without a global default class: Kubernetes' system-cluster-critical and system-node-critical are "
        "refused. Raise it to the value of a class you created for tenants (at most 1000000000); validate shows it.",
    )

    @model_validator(mode="after")
    def _default_tier(self) -> Tenancy:
        if self.default_tier not in self.tiers:
            raise FieldProblem("default_tier", self.default_tier, f"one of the tiers ({', '.join(sorted(self.tiers))})")
        for name in self.ingress_annotations_accepted:
            problem = acceptance_problem(name)
            if problem is not None:
                raise FieldProblem("ingress_annotations_accepted", name, problem)
        problem = ceiling_problem(self.max_pod_priority)
        if problem is not None:
            raise FieldProblem("max_pod_priority", self.max_pod_priority, problem)
        return self


class AcceptedUnpriced(_Strict):
    """A line `goldenpath cost` cannot price, accepted by name so the budget gate may pass without it."""

    stack: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The stack, as `goldenpath cost` names it (e.g. dev-cluster).")
    resource: Annotated[str, StringConstraints(min_length=3, max_length=400)] = Field(
        description="The resource address, as `goldenpath cost` lists it under not priced.")
    reason: Annotated[str, StringConstraints(min_length=10, max_length=500)] = Field(
        description="Why the budget may ignore it (shown by `validate` and `cost`).")


class Budget(_Strict):
    """What the environment may cost per month; `goldenpath validate` gates on it."""

    monthly_usd: Amount = Field(
        gt=0, max_digits=12, decimal_places=2,
        description="Fail `validate` when the expected monthly estimate of the environment's stacks exceeds this (USD).",
    )
    accept_unpriced: list[AcceptedUnpriced] = Field(
        default_factory=list,
        description="Lines without a price the gate may ignore, each by name with a reason. Default: none (a line "
                    "without a price fails the gate: its expected figure would only be a lower bound).",
    )


class UsageProfile(_Strict):
    """Assumptions for usage-based prices. Every cost report states the values it used."""

    nat_gb_per_month: Amount = Field(
        default=Decimal(100), ge=0, le=10_000_000, description="Data through each NAT gateway per month, in GB. Default: 100."
    )
    log_gb_per_day: Amount = Field(
        default=Decimal(1), ge=0, le=100_000,
        description="CloudWatch Logs ingested per log group per day (flow logs, control-plane logs), in GB. Default: 1.",
    )
    spot_discount: Amount = Field(
        default=Decimal("0.5"), ge=0, lt=1,
        description="Share below the on-demand price that SPOT capacity costs (the Price List has no Spot prices). Default: 0.5 "
                    "(eu-west-1 Spot samples of t3a.large, m6i.large/xlarge and m6a.xlarge ran at 43-50 % of on-demand).",
    )
    burstable_cpu_percent: Amount = Field(
        default=Decimal(40), ge=0, le=100,
        description="Average CPU of a T3/T3a node, in percent; above the type's baseline (30 % for large) each vCPU-hour is "
                    "billed as surplus CPU credits (unlimited mode, the default, Spot included). Default: 40 (a packed node).",
    )
    log_compression: Amount = Field(
        default=Decimal("0.15"), gt=0, le=1,
        description="Stored size of CloudWatch Logs over ingested size (storage is billed on compressed bytes; AWS's "
                    "calculator assumes about 0.15). Default: 0.15.",
    )
    logs_insights_gb_per_month: Amount = Field(
        default=Decimal(0), ge=0, le=10_000_000,
        description="Logs Insights data scanned per log group per month, in GB (goldenpath's own logs go to Loki; the "
                    "log groups hold flow and control-plane logs). Default: 0.",
    )
    kms_requests_per_month: Amount = Field(
        default=Decimal(10_000), ge=0, le=10_000_000_000,
        description="API requests per KMS key per month (S3 bucket keys and EKS's key cache keep them few). Default: 10000.",
    )
    bucket_write_requests_per_month: Amount = Field(
        default=Decimal(100_000), ge=0, le=10_000_000_000,
        description="PUT, COPY, POST and LIST requests per S3 bucket per month. Default: 100000.",
    )
    bucket_read_requests_per_month: Amount = Field(
        default=Decimal(1_000_000), ge=0, le=10_000_000_000,
        description="GET and other requests per S3 bucket per month. Default: 1000000.",
    )
    endpoint_gb_per_month: Amount = Field(
        default=Decimal(10), ge=0, le=10_000_000,
        description="Data through each interface VPC endpoint per month, in GB. Default: 10.",
    )
    telemetry_log_gb_per_day: Amount = Field(
        default=Decimal(5), ge=0, le=1_000_000,
        description="Logs Loki writes to its bucket per day, in GB (kept observability.retention.logs_days). Default: 5.",
    )
    span_kb: Amount = Field(
        default=Decimal("0.5"), gt=0, le=1000,
        description="Stored size of one span in Tempo's bucket, in KB; with observability.collector.expected_spans_per_second "
                    "(and sampling_percentage when tail_sampling) it sizes the traces bucket. Default: 0.5.",
    )
    bucket_gb: Amount = Field(
        default=Decimal(10), ge=0, le=10_000_000,
        description="Data stored in each other S3 bucket (a service's, a preview's), in GB. Default: 10.",
    )


class Previews(_Strict):
    """Preview environments hosted on this environment's cluster."""

    domain: DnsName = Field(
        description="Previews get <name>.<domain>."
    )
    ttl_hours: int = Field(default=72, ge=1, description="Lifetime after the last push. Default: 72.")
    max_ttl_hours: int = Field(default=168, ge=1, description="Longest TTL a request may ask for. Default: 168.")
    max_per_repository: int = Field(default=10, ge=1, le=500, description="Concurrent previews per repository. Default: 10.")
    ingress_namespace: DnsLabel = Field(default="ingress-nginx", description="Where the ingress controller runs.")
    limits: QuotaTier = Field(default_factory=QuotaTier, description="Each preview namespace's quota. Default: see QuotaTier.")
    max_monthly_usd: Amount | None = Field(
        default=None, gt=0, max_digits=10, decimal_places=2,
        description="Cap on one preview's expected monthly estimate; `preview up` refuses a preview above it. Default: no cap.",
    )

    @model_validator(mode="after")
    def _ttl(self) -> Previews:
        if self.ttl_hours > self.max_ttl_hours:
            raise FieldProblem("ttl_hours", self.ttl_hours, f"at most max_ttl_hours ({self.max_ttl_hours})")
        return self


# -- Sandbox tiers --------------------------------------------------------------------------------------------
Region = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")]


class BudgetThreshold(_Strict):
    """One threshold of a sandbox's budget: notify, or deny (apply the deny-all policy) at this share of the cap."""

    percent: int = Field(ge=1, le=100, description="Share of max_spend_usd of actual spend, in percent.")
    action: Literal["notify", "deny"] = Field(description="notify: e-mail the owner and notify list; deny: stop the sandbox's role.")


DEFAULT_THRESHOLDS = (BudgetThreshold(percent=50, action="notify"), BudgetThreshold(percent=80, action="notify"),
                      BudgetThreshold(percent=100, action="deny"))


class SandboxApproval(_Strict):
    required: bool = Field(default=False, description="A request waits for an approver. Default: false.")
    approvers: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(
        default_factory=list, description="Who may approve (never the requester). Required when required is true.")

    @model_validator(mode="after")
    def _approvers(self) -> SandboxApproval:
        if self.required and not self.approvers:
            raise FieldProblem("approvers", [], "at least one approver when required is true")
        return self


class SandboxTier(_Strict):
    """A kind of sandbox developers may request: what it may do, for how long, and for how much."""

    kind: Literal["namespace", "aws"] = Field(
        description="namespace: a tenant namespace on this environment's cluster with a quota tier; aws: an IAM role "
        "with a permission boundary in the sandbox account (sandboxes.account_id).")
    max_lease_hours: int = Field(ge=1, le=720, description="Longest lease a request or extension may reach.")
    max_spend_usd: Amount = Field(gt=0, max_digits=10, decimal_places=2,
                                  description="Most one lease may cost; the tier's worst case must fit under it.")
    thresholds: list[BudgetThreshold] = Field(
        default_factory=lambda: list(DEFAULT_THRESHOLDS),
        description="Budget thresholds. Default: notify at 50% and 80%, deny at 100%.")
    notify: list[Email] = Field(default_factory=list, description="Addresses told at every threshold, besides none. Default: none.")
    approval: SandboxApproval = Field(default_factory=SandboxApproval, description="Default: no approval.")
    max_per_user: int = Field(default=1, ge=1, le=50, description="Concurrent sandboxes of one owner in this tier. Default: 1.")
    quota: DnsLabel | None = Field(default=None, description="namespace kind: a tenancy.tiers name (its quota). Required for namespace.")
    regions: list[Region] = Field(default_factory=list, description="aws kind: allowed regions. Default: the environment's region.")
    instance_types: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")]] = Field(
        default_factory=list, description="aws kind: EC2 instance types the role may launch. Default: none.")
    max_instances: int = Field(default=0, ge=0, le=100,
                               description="aws kind: instances the worst case assumes running all lease long. Default: 0.")
    max_volume_gib: int = Field(default=100, ge=1, le=16384,
                                description="aws kind: largest EBS volume (gp3 at its included performance) the boundary "
                                "allows; the worst case counts one per instance. Default: 100.")
    extra_services: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,40}$")]] = Field(
        default_factory=list,
        description="aws kind: service prefixes (e.g. s3) the boundary allows beyond goldenpath's tagged services. An opt-out: "
        "their resources need not carry the sandbox's tag, so their spend is invisible to its budget and release; "
        "validate shows it. Default: none.")
    managed_policies: list[Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[A-Za-z0-9+=,.@_/-]+$")]] = Field(
        default_factory=list,
        description="aws kind: policies attached to a sandbox's role besides goldenpath's tagged-services policy, always "
        "inside the permission boundary (which still allows only the tagged and extra services). An opt-out validate "
        "shows. Default: none.")

    @model_validator(mode="after")
    def _kind(self) -> SandboxTier:
        denies = [t for t in self.thresholds if t.action == "deny"]
        if len(denies) != 1:
            raise FieldProblem("thresholds", [f"{t.percent}% {t.action}" for t in self.thresholds], "exactly one deny threshold")
        if len({t.percent for t in self.thresholds}) != len(self.thresholds):
            raise FieldProblem("thresholds", [t.percent for t in self.thresholds], "distinct percentages")
        if self.kind == "namespace":
            if self.quota is None:
                raise FieldProblem("quota", None, "a tenancy.tiers name for a namespace sandbox")
            for name in ("regions", "instance_types", "extra_services", "managed_policies"):
                if getattr(self, name):
                    raise FieldProblem(name, getattr(self, name), "nothing: a namespace sandbox has no AWS access")
        else:
            if self.quota is not None:
                raise FieldProblem("quota", self.quota, "nothing: an aws sandbox has no namespace")
            if self.max_instances and not self.instance_types:
                raise FieldProblem("instance_types", [], f"the types max_instances ({self.max_instances}) may run")
            if not self.notify:
                raise FieldProblem("notify", [], "at least one address: an aws sandbox's budget notifications and its "
                                   "deny action each need a subscriber")
        return self


EKS_RESERVED_USER_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")
IDENTITY_CENTER_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/aws-reserved/sso\.amazonaws\.com/([a-z0-9-]+/)?[A-Za-z0-9+=,.@_*-]+$")


def identity_center_role(arn: str) -> bool:
    """An IAM Identity Center permission-set role (path aws-reserved/sso.amazonaws.com/, optionally a region):
    Identity Center names each of its sessions after the person who signed in, so the session name is a person."""
    return IDENTITY_CENTER_ROLE.match(arn) is not None


class Sandboxes(_Strict):
    """Self-service sandboxes on this environment (never a production one)."""

    account_id: Annotated[str, StringConstraints(pattern=r"^\d{12}$")] | None = Field(
        default=None,
        description="The AWS account aws sandboxes live in (12 digits, quoted): never an environment's account. Required "
        "when a tier is kind aws.")
    operator_role: Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+$")] | None = Field(
        default=None,
        description="The role in the sandbox account goldenpath assumes to apply and release aws sandboxes. Default: "
        "arn:aws:iam::<account_id>:role/OrganizationAccountAccessRole (what AWS Organizations creates in a new account).")
    identity_roles: list[str] = Field(
        min_length=1,
        description="IAM Identity Center roles (arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/..., wildcards "
        "allowed) whose sessions are people: who may request, approve, extend and release a sandbox (as the name Identity "
        "Center gives the session), and the only principals an aws sandbox's role trusts, for its owner's sessions.")
    tiers: dict[DnsLabel, SandboxTier] = Field(min_length=1, description="Tiers by name.")
    warn_hours: int = Field(default=24, ge=1, le=168,
                            description="`sandbox reap` warns about sandboxes expiring within this many hours. Default: 24.")
    kubernetes_user_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9:._@-]{0,40}$")] = Field(
        default="sso:",
        description="How the cluster names a namespace sandbox's owner: this prefix, then the Identity Center user name. "
        "The sandbox binds that Kubernetes user to goldenpath-tenant-edit and view in its namespace; map the people's "
        "Identity Center role with an EKS access entry whose user name is `<prefix>{{SessionName}}` (so the prefix holds "
        "a colon and starts with none of EKS's reserved system:, eks:, aws:, amazon:, iam:). Default: sso:.")

    @field_validator("kubernetes_user_prefix")
    @classmethod
    def _user_prefix(cls, value: str) -> str:
        # Fact, EKS user guide (awsdocs/amazon-eks-user-guide doc_source/access-entries.md @ 171dc94, "Creating access
        # entries"): a user name may not start with those prefixes, and needs a colon before {{SessionName}}.
        reserved = next((r for r in EKS_RESERVED_USER_PREFIXES if value.startswith(r)), None)
        if reserved:
            raise FieldProblem("kubernetes_user_prefix", value, f"a prefix not starting with {reserved} (EKS reserves "
                               f"{', '.join(EKS_RESERVED_USER_PREFIXES)} for its own user names), for example sso:")
        if ":" not in value:
            raise FieldProblem("kubernetes_user_prefix", value, "a prefix holding a colon (EKS refuses the access entry user "
                               "name <prefix>{{SessionName}} without a colon before {{SessionName}}), for example sso:")
        return value

    @model_validator(mode="after")
    def _account(self) -> Sandboxes:
        for index, arn in enumerate(self.identity_roles):
            if not identity_center_role(arn):
                raise FieldProblem(f"identity_roles[{index}]", arn, "an IAM Identity Center role (arn:aws:iam::<account>:role/"
                                   "aws-reserved/sso.amazonaws.com/AWSReservedSSO_<set>_*): only Identity Center names its "
                                   "sessions after the person, so only its sessions can own a sandbox")
        aws = sorted(name for name, tier in self.tiers.items() if tier.kind == "aws")
        if aws and self.account_id is None:
            raise FieldProblem("account_id", None, f"the sandbox account's id: tiers {', '.join(aws)} are kind aws, and aws "
                               "sandboxes live in an account of their own")
        if self.operator_role is not None and self.operator_role.split(":")[4] != self.account_id:
            raise FieldProblem("operator_role", self.operator_role, f"a role of the sandbox account {self.account_id}")
        return self

    @property
    def operator_role_arn(self) -> str:
        return self.operator_role or f"arn:aws:iam::{self.account_id}:role/OrganizationAccountAccessRole"


# -- Delivery on GitHub Actions ---------------------------------------------------------------------------------
GitHubRepository = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")]
# What a generated workflow pip-installs, always pinned: a version from an index, a wheel by https URL (a release
# asset, a private artifact store), or a git tag or commit. No spaces, quotes or `$`: it is written into a `run:` line.
PACKAGE_SPEC = (r"^(goldenpath(\[[a-z,]+\])?==[0-9][0-9A-Za-z.+-]*"
                r"|https://[A-Za-z0-9._~/%+-]+(:[0-9]+)?[A-Za-z0-9._~/%+-]*/goldenpath-[0-9][0-9A-Za-z.+_-]*\.whl(#sha256=[0-9a-f]{64})?"
                r"|git\+https://[A-Za-z0-9._~/%+-]+@[A-Za-z0-9._/-]+)$")
PackageSpec = Annotated[str, StringConstraints(pattern=PACKAGE_SPEC)]


class GitHubIds(_Strict):
    """A repository's immutable ids: GitHub puts them in the OIDC subject of repositories created after
    2026-07-15 (``repo:OWNER@OWNER_ID/REPO@REPO_ID:...``), and of older ones that opted in."""

    owner: int = Field(ge=1, description="The owner's (organization's or user's) numeric id.")
    repository: int = Field(ge=1, description="The repository's numeric id.")


class Ci(_Strict):
    """The roles this environment's pipelines use on GitHub Actions (the `<env>-ci` stack, in this account)."""

    repository: GitHubRepository = Field(description="The platform repository, owner/name: where plan, apply and drift "
                                         "run, and where the reusable preview and deploy workflows live.")
    ids: GitHubIds | None = Field(
        default=None, description="The platform repository's numeric ids, for GitHub's immutable OIDC subject form. "
        "Default: none (the name-only form of repositories created before 2026-07-15).")
    default_branch: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._/-]{1,100}$")] = Field(
        default="main", description="Where merged changes are applied from. Default: main.")
    apply_actions: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+:[A-Za-z0-9*]+$")]] = Field(
        default_factory=list,
        description="IAM actions the apply role needs beyond what goldenpath knows its stacks use, for resource types "
        "your platform_extensions add (e.g. dynamodb:*). Default: none.")
    oidc_provider: Literal["create"] | Annotated[str, StringConstraints(
        pattern=r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$")] = Field(
        default="create", description="GitHub's OIDC provider in this account: create it here, or the ARN of one that "
        "exists (an account has one per URL). Default: create.")
    package: PackageSpec | None = Field(
        default=None, description="What the generated workflows pip-install, pinned: goldenpath==X.Y.Z (PyPI or the "
        "runner's PIP_INDEX_URL), an https URL of a goldenpath-X.Y.Z wheel (a release asset, a private store), or "
        "git+https://...@TAG. Default: goldenpath==<the version that renders the workflows>.")


class Environment(SourcedDocument):
    """One environment: the data that turns into its network, cluster and platform stacks."""

    @property
    def source_file(self) -> str:
        """The environment file's path as given to the loader (``environments/<name>.yaml`` if unknown)."""
        return self._source or f"environments/{self.name}.yaml"

    name: DnsLabel = Field(description=f"Environment name: lowercase DNS label of at most {ENV_NAME_MAX} characters.")
    production: bool = Field(
        default=False, description="Production environments get stricter checks (no public endpoint). Default: false."
    )
    region: Region = Field(description="AWS region, e.g. eu-west-1.")
    account_id: Annotated[str, StringConstraints(pattern=r"^\d{12}$")] = Field(
        description="AWS account id (12 digits, quoted in YAML)."
    )
    tags: Tags
    state: StateBackend = Field(default_factory=StateBackend, description="Default: bucket derived from account and region.")
    log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] = Field(
        description="CloudWatch retention for flow logs and control-plane logs (a value CloudWatch accepts)."
    )
    network: Network
    cluster: Cluster
    observability: Observability
    previews: Previews | None = Field(default=None, description="Host preview environments here. Default: no previews.")
    tenancy: Tenancy = Field(default_factory=Tenancy, description="Tenant namespaces of catalog services. Default: see Tenancy.")
    budget: Budget | None = Field(
        default=None, description="Monthly budget `validate` gates on. Default: none (the estimate is reported, nothing is gated)."
    )
    usage: UsageProfile = Field(default_factory=UsageProfile, description="Usage assumptions of cost estimates. Default: see UsageProfile.")
    kms: Kms = Field(default_factory=Kms, description="KMS key administration. Default: see Kms.")
    sandboxes: Sandboxes | None = Field(default=None, description="Sandbox tiers developers may request. Default: none.")
    ci: Ci | None = Field(default=None, description="Roles for the GitHub Actions pipelines (plan, apply, drift, previews, "
                          "service deploys) and the repository they trust. Default: none (no CI stack).")

    @field_validator("name")
    @classmethod
    def _name_length(cls, value: str) -> str:
        if len(value) > ENV_NAME_MAX:
            raise FieldProblem("name", value, f"at most {ENV_NAME_MAX} characters (got {len(value)})")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> Environment:
        vpc = ipaddress.IPv4Network(self.network.cidr)
        service = ipaddress.IPv4Network(self.cluster.service_cidr)
        if vpc.overlaps(service):
            raise FieldProblem("cluster.service_cidr", self.cluster.service_cidr, f"a range that does not overlap network.cidr {self.network.cidr}")
        if self.production and self.previews is not None:
            raise FieldProblem("previews", "(set)", "no previews section: a production environment never hosts previews")
        if self.production and self.sandboxes is not None:
            raise FieldProblem("sandboxes", "(set)", "no sandboxes section: a production environment never hosts sandboxes")
        for name, tier in (self.sandboxes.tiers.items() if self.sandboxes else []):
            if tier.quota is not None and tier.quota not in self.tenancy.tiers:
                raise FieldProblem(f"sandboxes.tiers.{name}.quota", tier.quota, f"one of tenancy.tiers: {', '.join(sorted(self.tenancy.tiers))}")
        shared = [name for name, section in (("previews", self.previews), ("sandboxes", self.sandboxes)) if section is not None]
        if shared and self.state.kms_key is None:
            raise FieldProblem("state.kms_key", None, f"a KMS key for the state bucket: {' and '.join(shared)} keep their "
                               "states in it next to this environment's, so its objects must need a key to read as well "
                               "(see `goldenpath state-policy`)")
        if self.sandboxes is not None and self.sandboxes.account_id == self.account_id:
            raise FieldProblem("sandboxes.account_id", self.account_id, "an account of its own, not this environment's: a "
                               "sandbox in the environment's account could reach its cluster, state and keys")
        if self.production and self.cluster.endpoint.public:
            for index, cidr in enumerate(self.cluster.endpoint.public_access_cidrs):
                if ipaddress.IPv4Network(cidr).prefixlen == 0:
                    raise FieldProblem(
                        f"cluster.endpoint.public_access_cidrs[{index}]", cidr, "a narrow allow-list: never 0.0.0.0/0 in production"
                    )
        return self

    @property
    def state_bucket(self) -> str:
        return self.state.bucket or f"goldenpath-tfstate-{self.account_id}-{self.region}"

    @property
    def state_region(self) -> str:
        return self.state.region or self.region

    @property
    def key_administrators(self) -> list[str]:
        return list(self.kms.administrators if self.kms.administrators is not None else self.cluster.admin_role_arns)

    def mandatory_tags(self) -> dict[str, str]:
        return {
            **self.tags.extra,
            "environment": self.name,
            "owner": self.tags.owner,
            "cost-center": self.tags.cost_center,
            "managed-by": "goldenpath",
        }
