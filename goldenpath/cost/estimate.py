"""Monthly estimates from one synthesized stack's Terraform JSON, in Decimal arithmetic.

Every resource type either has a pricing rule, is known to cost nothing by itself, or is reported
by name as not priced (never a silent $0). Low / expected / high follow node-group min / desired /
max; SPOT is priced from ``capacity_type`` whatever the launch template says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, Literal

from goldenpath.config.model import UsageProfile
from goldenpath.constructs.instance_types import capacity
from goldenpath.cost.calendar import support_on
from goldenpath.cost.prices import PriceSnapshot, instance_key
from goldenpath.terraform_json import single_block
from goldenpath.tenancy.quantities import GIB, quantity

HOURS_PER_MONTH = Decimal(730)
DAYS_PER_MONTH = Decimal(30)
CENT = Decimal("0.01")
DEFAULT_LOG_RETENTION_DAYS = 365
"""What a log group without ``retention_in_days`` (kept forever) is charged for: a year, stated."""

Kind = Literal["fixed", "usage", "share"]
"""fixed: billed while it exists; usage: from the usage profile; share: a namespace's quota as a share of
the cluster's nodes (already paid by the node group: shown, never added to a stack's total)."""

# Types that cost nothing by themselves (their cost, if any, is billed on another resource).
FREE_TYPES = frozenset({
    "aws_vpc", "aws_subnet", "aws_route", "aws_route_table", "aws_route_table_association", "aws_internet_gateway",
    "aws_default_security_group", "aws_security_group", "aws_flow_log", "aws_iam_role", "aws_iam_role_policy",
    "aws_iam_role_policy_attachment", "aws_iam_openid_connect_provider", "aws_kms_alias", "aws_eks_access_entry", "aws_eks_access_policy_association",
    "aws_eks_addon", "aws_eks_pod_identity_association", "aws_launch_template", "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning", "helm_release", "random_password",
    "time_sleep", "terraform_data", "null_resource",
})


@dataclass(frozen=True)
class CapacityRate:
    """What one node of the environment's first node group costs, to price a namespace's quota share."""

    instance_type: str
    usd_per_hour: Decimal
    vcpus: int
    memory_gib: Decimal


@dataclass(frozen=True)
class PricingContext:
    snapshot: PriceSnapshot
    usage: UsageProfile
    today: date
    capacity: CapacityRate | None = None
    bucket_gb_per_day: dict[str, Decimal] = field(default_factory=dict)
    """Daily writes of the buckets whose construct path ends with a key (the telemetry buckets)."""


@dataclass(frozen=True)
class LineItem:
    address: str
    component: str
    kind: Kind
    low: Decimal
    expected: Decimal
    high: Decimal
    detail: str


@dataclass
class StackEstimate:
    name: str
    items: list[LineItem] = field(default_factory=list)
    not_priced: list[str] = field(default_factory=list)

    def total(self, which: str, kinds: tuple[Kind, ...] = ("fixed", "usage")) -> Decimal:
        """Monthly USD of ``which`` (low, expected or high) over the line items of ``kinds``."""
        return sum((getattr(i, which) for i in self.items if i.kind in kinds), Decimal(0)).quantize(CENT)


class Unpriced(Exception):
    """A resource (or one of its parts) has no price: reported by name, never counted as $0."""


def price_of(ctx: PricingContext, key: str) -> Decimal:
    found = ctx.snapshot.get(key)
    if found is None:
        raise Unpriced(f"no price for {key} in the {ctx.snapshot.region} snapshot of {ctx.snapshot.snapshot_date}")
    return found.usd


def _flat(address: str, component: str, monthly: Decimal, detail: str, kind: Kind = "fixed") -> LineItem:
    return LineItem(address, component, kind, monthly, monthly, monthly, detail)


Rule = Callable[[str, dict, PricingContext], list[LineItem]]


def _eks_cluster(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    version = str(r.get("version"))
    support = support_on(version, ctx.today)
    if support in ("unknown", "ended"):
        raise Unpriced(f"Kubernetes {version} is {support} in EKS's support calendar on {ctx.today}")
    items = [_flat(address, "control plane", HOURS_PER_MONTH * price_of(ctx, "eks:cluster-hour"), f"730 h, {support} support")]
    if support == "extended":
        items.append(_flat(address, "extended support", HOURS_PER_MONTH * price_of(ctx, "eks:extended-support-hour"),
                           f"Kubernetes {version} is past standard support on {ctx.today}"))
    return items


def spot_factor(spot: bool, usage: UsageProfile) -> Decimal:
    return (1 - usage.spot_discount) if spot else Decimal(1)


def node_group_items(address: str, r: dict, ctx: PricingContext) -> tuple[list[LineItem], list[str]]:
    """The node group's instances (low/expected/high from min/desired/max) and the instance types
    without a price (then low and high consider the priced types only, and say so)."""
    types: list[str] = list(r.get("instance_types") or [])
    if not types:
        raise Unpriced("no instance_types on the node group")
    prices = {t: ctx.snapshot.get(instance_key(t)) for t in types}
    first = prices[types[0]]
    if first is None:
        raise Unpriced(f"no price for {instance_key(types[0])} in the {ctx.snapshot.region} snapshot of "
                       f"{ctx.snapshot.snapshot_date}")
    priced = [p.usd for p in prices.values() if p is not None]
    missing = [f"no price for {instance_key(t)} (low and high use the priced types only)"
               for t, p in prices.items() if p is None]
    spot = r.get("capacity_type") == "SPOT"
    factor = spot_factor(spot, ctx.usage) * HOURS_PER_MONTH
    scaling = r["scaling_config"]
    label = f"SPOT at {1 - ctx.usage.spot_discount:%} of on-demand" if spot else "ON_DEMAND"
    item = LineItem(address, "instances", "fixed",
                    min(priced) * factor * scaling["min_size"], first.usd * factor * scaling["desired_size"],
                    max(priced) * factor * scaling["max_size"],
                    f"{scaling['min_size']}/{scaling['desired_size']}/{scaling['max_size']} x {', '.join(types)}, {label}")
    return [item], missing


def _nat_gateway(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    gb = ctx.usage.nat_gb_per_month
    return [
        _flat(address, "gateway hours", HOURS_PER_MONTH * price_of(ctx, "ec2:nat-gateway-hour"), "730 h"),
        _flat(address, "data processed", gb * price_of(ctx, "ec2:nat-gateway-gb"), f"{gb} GB/month (usage profile)", "usage"),
    ]


def _public_ip(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    # Every public IPv4 is billed since 2024-02, attached (a NAT gateway's) or not.
    return [_flat(address, "public IPv4", HOURS_PER_MONTH * price_of(ctx, "vpc:public-ipv4-hour"), "730 h")]


def _log_group(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    """Ingestion per month, and storage at steady state: what ``retention_in_days`` of ingestion keeps."""
    retention = r.get("retention_in_days") or DEFAULT_LOG_RETENTION_DAYS
    per_day = ctx.usage.log_gb_per_day
    return [
        _flat(address, "log ingestion", per_day * DAYS_PER_MONTH * price_of(ctx, "logs:ingestion-gb"),
              f"{per_day} GB/day (usage profile)", "usage"),
        _flat(address, "log storage", per_day * Decimal(retention) * price_of(ctx, "logs:storage-gb-month"),
              f"{per_day} GB/day kept {retention} days", "usage"),
    ]


def _vpc_endpoint(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    if r.get("vpc_endpoint_type", "Gateway") == "Gateway":
        return []  # gateway endpoints (S3, DynamoDB) have no charge
    raise Unpriced("interface endpoints have no pricing rule yet")


def _quota_share(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    """A namespace's requests quota as the share of one node it reserves, priced at the node's rate."""
    hard = single_block(r.get("spec")).get("hard", {})
    cpu, memory = hard.get("requests.cpu"), hard.get("requests.memory")
    if cpu is None or memory is None:
        return []  # a quota without request limits reserves nothing
    return [quota_share(address, str(cpu), str(memory), ctx.capacity)]


def quota_share(address: str, cpu: str, memory: str, rate: CapacityRate | None) -> LineItem:
    """The share of one node that requests of ``cpu`` and ``memory`` reserve, priced at the node's rate."""
    if rate is None:
        raise Unpriced("no priced node group to price the quota's share of the cluster")
    share = max(quantity(cpu) / rate.vcpus, quantity(memory) / GIB / rate.memory_gib)
    monthly = share * rate.usd_per_hour * HOURS_PER_MONTH
    return _flat(address, "capacity share", monthly,
                 f"requests {cpu} CPU / {memory} = {share:.2f} of a {rate.instance_type} node", "share")


def _kms_key(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    # Requests are billed apart (and mostly covered by the free tier): not estimated.
    return [_flat(address, "key", price_of(ctx, "kms:key-month"), "1 customer managed key")]


def _expiration_days(bucket_name: str, document: dict) -> int | None:
    """Days after which the bucket's lifecycle configuration expires objects, if it does."""
    reference = f"${{aws_s3_bucket.{bucket_name}.id}}"
    for lifecycle in document.get("resource", {}).get("aws_s3_bucket_lifecycle_configuration", {}).values():
        if lifecycle.get("bucket") == reference:
            days = [e.get("days") for rule in lifecycle.get("rule", []) for e in rule.get("expiration", []) if e.get("days")]
            return min(days) if days else None
    return None


def _bucket(address: str, r: dict, ctx: PricingContext, document: dict) -> list[LineItem]:
    """Standard storage at steady state: a telemetry bucket's daily writes x its expiry; any other bucket
    ``usage.bucket_gb``. Requests and transfer are not estimated (gateway endpoint: no NAT charge)."""
    price = price_of(ctx, "s3:standard-gb-month")
    path = r.get("//", {}).get("metadata", {}).get("path", "")
    daily = next((gb for suffix, gb in ctx.bucket_gb_per_day.items() if path.endswith(suffix)), None)
    if daily is None:
        gb = ctx.usage.bucket_gb
        return [_flat(address, "storage", gb * price, f"{gb} GB stored (usage profile)", "usage")]
    days = _expiration_days(address.split(".", 1)[1], document) or DEFAULT_LOG_RETENTION_DAYS
    stored = daily * days
    return [_flat(address, "storage", stored * price, f"{daily:.2f} GB/day (usage profile) kept {days} days", "usage")]


RULES: dict[str, Rule] = {
    # aws_eks_node_group and aws_s3_bucket have rules of their own in estimate_stack
    "aws_eks_cluster": _eks_cluster,
    "aws_nat_gateway": _nat_gateway,
    "aws_eip": _public_ip,
    "aws_vpc_endpoint": _vpc_endpoint,
    "aws_kms_key": _kms_key,
    "aws_cloudwatch_log_group": _log_group,
    "kubernetes_resource_quota_v1": _quota_share,
    "kubernetes_resource_quota": _quota_share,
}


def capacity_rate(instance_types: list[str], spot: bool, snapshot: PriceSnapshot, usage: UsageProfile) -> CapacityRate | None:
    """The per-node rate of a node group (its first instance type, SPOT discounted), if priced and sized."""
    if not instance_types:
        return None
    price, size = snapshot.get(instance_key(instance_types[0])), capacity(instance_types[0])
    if price is None or size is None:
        return None
    return CapacityRate(instance_types[0], price.usd * spot_factor(spot, usage), size.vcpus, size.memory_gib)


def _price_resource(rtype: str, address: str, resource: dict, ctx: PricingContext,
                    document: dict) -> tuple[list[LineItem], list[str]]:
    """The resource's line items and what of it has no price; Unpriced when none of it can be priced."""
    if rtype == "aws_s3_bucket":
        return _bucket(address, resource, ctx, document), []
    if rtype == "aws_eks_node_group":
        return node_group_items(address, resource, ctx)
    rule = RULES.get(rtype)
    if rule is None:
        raise Unpriced(f"no pricing rule for {rtype}")
    return rule(address, resource, ctx), []


def estimate_stack(name: str, document: dict, ctx: PricingContext) -> StackEstimate:
    estimate = StackEstimate(name)
    for rtype, resources in sorted(document.get("resource", {}).items()):
        if rtype in FREE_TYPES or (rtype not in RULES and rtype.startswith(("kubernetes_", "helm_"))):
            continue  # free by itself; in-cluster objects cost the nodes they run on (quotas show the share)
        for rname, resource in sorted(resources.items()):
            address = f"{rtype}.{rname}"
            try:
                items, missing = _price_resource(rtype, address, resource, ctx, document)
            except Unpriced as reason:
                estimate.not_priced.append(f"{address}: {reason}")
                continue
            estimate.items += items
            estimate.not_priced += [f"{address}: {m}" for m in missing]
    return estimate
