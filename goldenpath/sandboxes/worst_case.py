"""The most a sandbox of a tier can cost over a lease, from dated prices, before any spend data exists.

aws tiers: ``max_instances`` x (the most expensive allowed instance type in any allowed region, on-demand: the
boundary cannot force SPOT; its public IPv4 address; a volume of the tier's largest size, gp3 at its included
performance, the only kind the boundary allows). namespace tiers: the quota's share of one node of the environment's first
node group, and its ``requests.storage`` as gp3 volumes. Both plus the sandbox's own fixed costs (its stacks, priced by the cost estimator). A price that
is missing makes the figure unknown, and an unknown worst case never fits a cap (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from goldenpath.config.model import Environment, SandboxTier
from goldenpath.cost.estimate import HOURS_PER_MONTH, Unpriced, capacity_rate, quota_share
from goldenpath.cost.price_keys import instance_key, volume_key
from goldenpath.cost.prices import PriceSnapshot
from goldenpath.cost.render import usd
from goldenpath.quantities import GIB, quantity

Snapshots = Callable[[str], "PriceSnapshot | None"]
# The only volume type the aws tiers' boundary allows, and the cluster's default StorageClass.
GP3 = volume_key("gp3")


def rate(value: Decimal) -> str:
    """An hourly price with the precision the Price List gives it (cents would round 0.0912 to 0.09)."""
    return str(value.quantize(Decimal("0.0001")))


@dataclass(frozen=True)
class WorstCase:
    tier: str
    hours: int
    usd_per_hour: Decimal
    parts: tuple[str, ...]
    """What the hour is made of, in words with figures."""
    not_priced: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return self.usd_per_hour * self.hours

    def fits(self, cap: Decimal) -> bool:
        return not self.not_priced and self.total <= cap

    def explain(self, cap: Decimal) -> str:
        figure = f"{rate(self.usd_per_hour)}/h x {self.hours} h = {usd(self.total)}"
        if self.not_priced:
            return f"worst case unknown: not priced: {'; '.join(self.not_priced)} (at least {figure}: {'; '.join(self.parts)})"
        verdict = "within" if self.fits(cap) else "above"
        return f"worst case {figure} ({'; '.join(self.parts)}), {verdict} max_spend_usd {usd(cap)}"


def _instance_extras(tier: SandboxTier, snapshot: PriceSnapshot | None) -> tuple[Decimal, list[str]]:
    """What one instance adds per hour besides its type: its public IPv4 address (default VPCs give one) and a
    volume of the tier's largest size (gp3 at its included performance: the boundary allows no other)."""
    ipv4 = snapshot.get("vpc:public-ipv4-hour") if snapshot else None
    gp3 = snapshot.get(GP3) if snapshot else None
    missing = [name for name, price in (("public IPv4", ipv4), ("gp3 storage", gp3)) if price is None]
    if ipv4 is None or gp3 is None:
        return Decimal(0), missing
    return ipv4.usd + gp3.usd * tier.max_volume_gib / HOURS_PER_MONTH, []


def _aws(tier: SandboxTier, environment: Environment, snapshots: Snapshots) -> tuple[Decimal, list[str], list[str]]:
    if not tier.max_instances:
        return Decimal(0), ["no instances"], []
    best: tuple[Decimal, str, str] | None = None
    missing = []
    for region in tier.regions or [environment.region]:
        snapshot = snapshots(region)
        extra, extra_missing = _instance_extras(tier, snapshot)
        missing += [f"{m} in {region}" for m in extra_missing]
        for instance_type in tier.instance_types:
            price = snapshot.get(instance_key(instance_type)) if snapshot else None
            if price is None:
                missing.append(f"{instance_type} in {region}")
            elif best is None or price.usd + extra > best[0]:
                best = (price.usd + extra, instance_type, region)
    if best is None:
        return Decimal(0), [f"{tier.max_instances} x an allowed type"], missing
    hourly, instance_type, region = best
    return hourly * tier.max_instances, [
        f"{tier.max_instances} x ({instance_type} on-demand + public IPv4 + {tier.max_volume_gib} GiB gp3) at "
        f"{rate(hourly)}/h in {region}"], missing


def _namespace(tier: SandboxTier, environment: Environment, snapshots: Snapshots) -> tuple[Decimal, list[str], list[str]]:
    quota = environment.tenancy.tiers[tier.quota or ""]
    group = environment.cluster.node_groups[0]
    snapshot = snapshots(environment.region)
    rate = capacity_rate(list(group.instance_types), group.capacity_type == "SPOT", snapshot, environment.usage) if snapshot else None
    try:
        share = quota_share("quota", quota.requests_cpu, quota.requests_memory, rate)
    except Unpriced as missing:
        return Decimal(0), [f"quota {tier.quota}"], [str(missing)]
    # Its volumes: the quota's requests.storage, all of it gp3 (the cluster's default StorageClass).
    gp3 = snapshot.get(GP3) if snapshot else None
    if gp3 is None:
        return Decimal(0), [f"quota {tier.quota}"], [f"gp3 storage in {environment.region}"]
    gib = quantity(quota.requests_storage) / GIB
    parts = [f"quota {tier.quota}: {share.detail}", f"{quota.requests_storage} of gp3 volumes (requests.storage)"]
    return (share.expected + gp3.usd * gib) / HOURS_PER_MONTH, parts, []


def worst_case(name: str, tier: SandboxTier, environment: Environment, hours: int, snapshots: Snapshots,
               fixed_usd_per_hour: Decimal = Decimal(0), fixed_not_priced: tuple[str, ...] = ()) -> WorstCase:
    """The tier's worst case over ``hours``; ``fixed_*``: the sandbox stacks' own costs per hour."""
    hourly, parts, missing = (_aws if tier.kind == "aws" else _namespace)(tier, environment, snapshots)
    if fixed_usd_per_hour or fixed_not_priced:
        parts.append(f"its own resources {rate(fixed_usd_per_hour)}/h")
    return WorstCase(name, hours, hourly + fixed_usd_per_hour, tuple(parts), tuple(missing) + fixed_not_priced)


def tier_lines(environments: list[Environment], snapshots: Snapshots) -> tuple[list[str], list[str]]:
    """`validate`'s lines: each tier's worst case over its longest lease against its max spend; and the tiers
    (``<env>/<tier>``) that do not fit (above the cap, or unknown for want of a price)."""
    lines: list[str] = []
    over: list[str] = []
    for environment in environments:
        for name, tier in sorted((environment.sandboxes.tiers if environment.sandboxes else {}).items()):
            case = worst_case(name, tier, environment, tier.max_lease_hours, snapshots)
            fits = case.fits(tier.max_spend_usd)
            if not fits:
                over.append(f"{environment.name}/{name}")
            lines.append(f"sandbox tier {environment.name}/{name} ({tier.kind}): {case.explain(tier.max_spend_usd)}"
                         + ("" if fits else f" -- FAILED ({environment.source_file}: sandboxes.tiers.{name})")
                         + _opt_outs(environment, name, tier))
    return lines, over


def _opt_outs(environment: Environment, name: str, tier: SandboxTier) -> str:
    """A tier's explicit opt-outs of the tagged-services default, named where validate prints the tier."""
    named = [f"sandboxes.tiers.{name}.{field}: {', '.join(getattr(tier, field))}"
             for field in ("extra_services", "managed_policies") if getattr(tier, field)]
    if not named:
        return ""
    return (f"; opt-out ({environment.source_file}: {'; '.join(named)}): what the sandbox makes there need not carry its "
            "tag, so its budget and release do not see it")
