"""Monthly estimates from one synthesized stack's Terraform JSON, in Decimal arithmetic.

Every resource type either has a pricing rule, is known to cost nothing by itself, or is reported
by name as not priced (never a silent $0). Node groups are priced in ``nodes.py``; every price key a
rule asks for is listed in ``price_keys.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from goldenpath.constructs.instance_types import capacity
from goldenpath.lifecycle.calendar import support_on
from goldenpath.cost.items import (CENT, DAYS_PER_MONTH, HOURS_PER_MONTH, CapacityRate, Kind, LineItem,  # noqa: F401 (API)
                                   PricingContext, StackEstimate, Unpriced, flat, price_of, spot_factor)
from goldenpath.cost.claims import claim_items
from goldenpath.cost.nodes import node_group_items
from goldenpath.cost.price_keys import (EKS_CLUSTER_HOUR, EKS_EXTENDED_SUPPORT_HOUR, INTERFACE_ENDPOINT_GB,
                                        INTERFACE_ENDPOINT_HOUR, KMS_KEY_MONTH, KMS_REQUEST, LOG_INGESTION_GB,
                                        LOG_INSIGHTS_GB_SCANNED, LOG_STORAGE_GB_MONTH, NAT_GATEWAY_GB, NAT_GATEWAY_HOUR,
                                        PUBLIC_IPV4_HOUR, S3_STANDARD_GB_MONTH, S3_TIER1_REQUEST, S3_TIER2_REQUEST,
                                        instance_key)
from goldenpath.cost.prices import PriceSnapshot
from goldenpath.config.model import UsageProfile
from goldenpath.terraform_json import single_block
from goldenpath.quantities import GIB, quantity

DEFAULT_LOG_RETENTION_DAYS = 365
"""What a log group without ``retention_in_days`` (kept forever) is charged for: a year, stated."""
KMS_ROTATIONS_BILLED = 2
"""Each of a key's first two rotations adds a key-month; later ones are free (AWS KMS pricing, since 2024-04)."""

# Types that cost nothing by themselves (their cost, if any, is billed on another resource).
FREE_TYPES = frozenset({
    "aws_vpc", "aws_subnet", "aws_route", "aws_route_table", "aws_route_table_association", "aws_internet_gateway",
    "aws_default_security_group", "aws_security_group", "aws_flow_log", "aws_iam_role", "aws_iam_role_policy",
    "aws_iam_role_policy_attachment", "aws_iam_openid_connect_provider", "aws_kms_alias", "aws_eks_access_entry", "aws_eks_access_policy_association",
    "aws_eks_addon", "aws_eks_pod_identity_association", "aws_launch_template", "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning", "aws_ebs_encryption_by_default",
    "aws_ebs_default_kms_key",
    "random_password",
    "time_sleep", "terraform_data", "null_resource",
})


Rule = Callable[[str, dict, PricingContext], list[LineItem]]


def _eks_cluster(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    control = HOURS_PER_MONTH * price_of(ctx, EKS_CLUSTER_HOUR)
    version = r.get("version")
    if version is None:
        return [flat(address, "control plane", control, "730 h; no version: AWS creates the newest standard-support one")]
    support = support_on(str(version), ctx.today)
    if support in ("unknown", "ended"):
        raise Unpriced(f"Kubernetes {version} is {support} in EKS's support calendar on {ctx.today}")
    if support != "extended":
        return [flat(address, "control plane", control, f"730 h, {support} support")]
    if single_block(r.get("upgrade_policy")).get("support_type") == "STANDARD":
        return [flat(address, "control plane", control, f"730 h; Kubernetes {version} is past standard support on "
                     f"{ctx.today} and upgrade_policy is STANDARD: AWS upgrades it instead of charging extended support")]
    return [flat(address, "control plane", control, "730 h, extended support"),
            flat(address, "extended support", HOURS_PER_MONTH * price_of(ctx, EKS_EXTENDED_SUPPORT_HOUR),
                 f"Kubernetes {version} is past standard support on {ctx.today}")]


def _nat_gateway(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    gb = ctx.usage.nat_gb_per_month
    return [
        flat(address, "gateway hours", HOURS_PER_MONTH * price_of(ctx, NAT_GATEWAY_HOUR), "730 h"),
        flat(address, "data processed", gb * price_of(ctx, NAT_GATEWAY_GB), f"{gb} GB/month (usage profile)", "usage"),
    ]


def _public_ip(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    # Every public IPv4 is billed since 2024-02, attached (a NAT gateway's) or not.
    return [flat(address, "public IPv4", HOURS_PER_MONTH * price_of(ctx, PUBLIC_IPV4_HOUR), "730 h")]


def _log_group(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    """Ingestion per month; storage at steady state: what ``retention_in_days`` of ingestion keeps, compressed;
    Logs Insights scans when the profile says the group is queried."""
    retention = r.get("retention_in_days") or DEFAULT_LOG_RETENTION_DAYS
    usage = ctx.usage
    per_day, compression = usage.log_gb_per_day, usage.log_compression
    items = [
        flat(address, "log ingestion", per_day * DAYS_PER_MONTH * price_of(ctx, LOG_INGESTION_GB),
             f"{per_day} GB/day (usage profile) x 730/24 days", "usage"),
        flat(address, "log storage", per_day * Decimal(retention) * compression * price_of(ctx, LOG_STORAGE_GB_MONTH),
             f"{per_day} GB/day kept {retention} days, stored at {compression} of its size (usage profile)", "usage"),
    ]
    if usage.logs_insights_gb_per_month:
        items.append(flat(address, "logs insights", usage.logs_insights_gb_per_month * price_of(ctx, LOG_INSIGHTS_GB_SCANNED),
                          f"{usage.logs_insights_gb_per_month} GB scanned/month (usage profile)", "usage"))
    return items


def _vpc_endpoint(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    """Gateway endpoints (S3, DynamoDB) cost nothing; an interface endpoint is billed per AZ-hour and per GB."""
    if r.get("vpc_endpoint_type", "Gateway") == "Gateway":
        return []
    subnets = r.get("subnet_ids")
    if not isinstance(subnets, list) or not subnets:
        raise Unpriced(f"an interface endpoint is billed per AZ, and subnet_ids is {subnets!r}, not a list of subnets")
    gb = ctx.usage.endpoint_gb_per_month
    return [flat(address, "endpoint hours", len(subnets) * HOURS_PER_MONTH * price_of(ctx, INTERFACE_ENDPOINT_HOUR),
                 f"{len(subnets)} AZ(s) x 730 h"),
            flat(address, "data processed", gb * price_of(ctx, INTERFACE_ENDPOINT_GB), f"{gb} GB/month (usage profile)", "usage")]


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
    return flat(address, "capacity share", monthly,
                f"requests {cpu} CPU / {memory} = {share:.2f} of a {rate.instance_type} node", "share")


def _kms_key(address: str, r: dict, ctx: PricingContext) -> list[LineItem]:
    """The key-month (a rotating key's first two rotations add one each: low is a new key, expected and high
    the steady state) and its requests from the usage profile."""
    month = price_of(ctx, KMS_KEY_MONTH)
    requests = ctx.usage.kms_requests_per_month
    usage_line = flat(address, "requests", requests * price_of(ctx, KMS_REQUEST), f"{requests} requests/month (usage profile)", "usage")
    if not r.get("enable_key_rotation"):
        return [flat(address, "key", month, "1 customer managed key, not rotated"), usage_line]
    rotated = month * (1 + KMS_ROTATIONS_BILLED)
    period = r.get("rotation_period_in_days") or 365
    return [LineItem(address, "key", "fixed", month, rotated, rotated,
                     f"1 key rotated every {period} days: {month} a month new, {rotated} after its second rotation"),
            usage_line]


def _expiration_days(bucket_name: str, document: dict) -> int | None:
    """Days after which the bucket's lifecycle configuration expires objects, if it does."""
    reference = f"${{aws_s3_bucket.{bucket_name}.id}}"
    for lifecycle in document.get("resource", {}).get("aws_s3_bucket_lifecycle_configuration", {}).values():
        if lifecycle.get("bucket") == reference:
            days = [e.get("days") for rule in lifecycle.get("rule", []) for e in rule.get("expiration", []) if e.get("days")]
            return min(days) if days else None
    return None


def _bucket_storage(address: str, r: dict, ctx: PricingContext, document: dict) -> LineItem:
    """Standard storage at steady state: a telemetry bucket's daily writes x its expiry; any other bucket
    ``usage.bucket_gb``."""
    price = price_of(ctx, S3_STANDARD_GB_MONTH)
    path = r.get("//", {}).get("metadata", {}).get("path", "")
    daily = next((gb for suffix, gb in ctx.bucket_gb_per_day.items() if path.endswith(suffix)), None)
    if daily is None:
        gb = ctx.usage.bucket_gb
        return flat(address, "storage", gb * price, f"{gb} GB stored (usage profile)", "usage")
    days = _expiration_days(address.split(".", 1)[1], document) or DEFAULT_LOG_RETENTION_DAYS
    return flat(address, "storage", daily * days * price, f"{daily:.2f} GB/day (usage profile) kept {days} days", "usage")


def _bucket(address: str, r: dict, ctx: PricingContext, document: dict) -> list[LineItem]:
    """Storage and requests (transfer goes through the gateway endpoint: no NAT charge, no transfer out)."""
    usage = ctx.usage
    writes, reads = usage.bucket_write_requests_per_month, usage.bucket_read_requests_per_month
    return [_bucket_storage(address, r, ctx, document),
            flat(address, "write requests", writes * price_of(ctx, S3_TIER1_REQUEST),
                 f"{writes} PUT/COPY/POST/LIST a month (usage profile)", "usage"),
            flat(address, "read requests", reads * price_of(ctx, S3_TIER2_REQUEST),
                 f"{reads} GET and other requests a month (usage profile)", "usage")]


RULES: dict[str, Rule] = {
    # aws_eks_node_group (nodes.py) and aws_s3_bucket read the rest of the stack: see _price_resource
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
        return node_group_items(address, resource, ctx, document)
    if rtype == "helm_release":
        return claim_items(address, resource, ctx)
    rule = RULES.get(rtype)
    if rule is None:
        raise Unpriced(f"no pricing rule for {rtype}")
    return rule(address, resource, ctx), []


def estimate_stack(name: str, document: dict, ctx: PricingContext) -> StackEstimate:
    estimate = StackEstimate(name)
    for rtype, resources in sorted(document.get("resource", {}).items()):
        if rtype in FREE_TYPES or (rtype not in RULES and rtype != "helm_release" and rtype.startswith(("kubernetes_", "helm_"))):
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
