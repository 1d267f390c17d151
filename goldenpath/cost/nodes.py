"""A managed node group's monthly cost: its instances, their disks and, for T3/T3a, surplus CPU credits.

Low / expected / high follow ``min_size`` / ``desired_size`` / ``max_size`` (and the cheapest / first /
dearest instance type); SPOT is priced from ``capacity_type``, whatever the launch template says.
"""

from __future__ import annotations

import re
from decimal import Decimal

from goldenpath.constructs.instance_types import burstable_baseline, burstable_vcpus
from goldenpath.cost.items import HOURS_PER_MONTH, LineItem, PricingContext, Unpriced, price_of, spot_factor
from goldenpath.cost.price_keys import cpu_credit_key, instance_key, volume_key
from goldenpath.terraform_json import single_block

PROVIDER_DEFAULT_DISK_GIB = 20
"""hashicorp/aws ``aws_eks_node_group.disk_size``: "Defaults to 20" (Linux), when no launch template is used."""
AMI_ROOT_GIB = 20
"""The EKS-optimized AMIs' root volume, used when a launch template maps no block device."""
UNSTATED_VOLUME_TYPE = "gp2"
"""EC2's default volume type when a mapping or EKS names none (Infracost prices these as gp2 too)."""
_TEMPLATE_REFERENCE = re.compile(r"^\$\{aws_launch_template\.([^.}]+)\.(?:id|name)\}$")


def scaling(address: str, r: dict) -> tuple[int, int, int]:
    block = single_block(r.get("scaling_config"))
    found = block.get("min_size"), block.get("desired_size"), block.get("max_size")
    if not all(isinstance(n, int) for n in found):
        raise Unpriced(f"scaling_config needs whole numbers min_size, desired_size and max_size; found {found}")
    low, expected, high = (int(n) for n in found)  # type: ignore[arg-type]  # checked just above
    if not 0 <= low <= expected <= high:
        raise Unpriced(f"scaling_config must hold 0 <= min_size <= desired_size <= max_size; found "
                       f"min_size {low}, desired_size {expected}, max_size {high} (AWS refuses it)")
    return low, expected, high


def launch_template(r: dict, document: dict) -> dict | None:
    """The launch template the node group references in the same stack, if any."""
    reference = single_block(r.get("launch_template"))
    for value in (reference.get("id"), reference.get("name")):
        found = _TEMPLATE_REFERENCE.match(str(value or ""))
        if found:
            return document.get("resource", {}).get("aws_launch_template", {}).get(found.group(1))
    return None


def instance_items(address: str, r: dict, ctx: PricingContext, sizes: tuple[int, int, int]) -> tuple[list[LineItem], list[str]]:
    """The instances, and the listed types without a price (then low and high consider the priced ones only)."""
    types: list[str] = list(r.get("instance_types") or [])
    if not types:
        raise Unpriced("no instance_types on the node group")
    prices = {t: ctx.snapshot.get(instance_key(t)) for t in types}
    first = prices[types[0]]
    if first is None:
        raise Unpriced(ctx.snapshot.missing(instance_key(types[0])))
    priced = [p.usd for p in prices.values() if p is not None]
    missing = [f"no price for {instance_key(t)} (low and high use the priced types only)"
               for t, p in prices.items() if p is None]
    spot = r.get("capacity_type") == "SPOT"
    factor = spot_factor(spot, ctx.usage) * HOURS_PER_MONTH
    low, expected, high = sizes
    label = f"SPOT at {1 - ctx.usage.spot_discount:.0%} of on-demand" if spot else "ON_DEMAND"
    item = LineItem(address, "instances", "fixed", min(priced) * factor * low, first.usd * factor * expected,
                    max(priced) * factor * high, f"{low}/{expected}/{high} x {', '.join(types)}, {label}")
    return [item], missing


def _volumes(r: dict, template: dict | None) -> tuple[list[tuple[int, str]], str]:
    """Each node's volumes as (GiB, type), and where they were read from."""
    if template is None:
        size = r.get("disk_size")
        if size is None:
            return [(PROVIDER_DEFAULT_DISK_GIB, UNSTATED_VOLUME_TYPE)], f"{PROVIDER_DEFAULT_DISK_GIB} GiB disk_size (provider default)"
        return [(int(size), UNSTATED_VOLUME_TYPE)], f"{size} GiB disk_size"
    mappings = [single_block(m.get("ebs")) for m in template.get("block_device_mappings") or []]
    volumes = [(int(ebs.get("volume_size") or AMI_ROOT_GIB), str(ebs.get("volume_type") or UNSTATED_VOLUME_TYPE))
               for ebs in mappings if ebs]
    if not volumes:
        return [(AMI_ROOT_GIB, UNSTATED_VOLUME_TYPE)], f"the AMI's {AMI_ROOT_GIB} GiB root volume (no block device mapped)"
    return volumes, "launch template block devices"


def disk_items(address: str, r: dict, template: dict | None, ctx: PricingContext,
               sizes: tuple[int, int, int]) -> list[LineItem]:
    volumes, origin = _volumes(r, template)
    per_node = sum((gib * price_of(ctx, volume_key(kind)) for gib, kind in volumes), Decimal(0))
    low, expected, high = sizes
    described = " + ".join(f"{gib} GiB {kind}" for gib, kind in volumes)
    return [LineItem(address, "node disks", "fixed", per_node * low, per_node * expected, per_node * high,
                     f"{low}/{expected}/{high} x {described} ({origin})")]


def _credits_per_node(instance_type: str, ctx: PricingContext) -> Decimal:
    """Surplus CPU credits of one node for a month, in USD (0 for a type that is not burstable)."""
    baseline, vcpus = burstable_baseline(instance_type), burstable_vcpus(instance_type)
    if baseline is None or vcpus is None:
        return Decimal(0)
    surplus = max(Decimal(0), ctx.usage.burstable_cpu_percent / 100 - baseline)
    return surplus * vcpus * HOURS_PER_MONTH * price_of(ctx, cpu_credit_key(instance_type.split(".")[0]))


def credit_items(address: str, r: dict, template: dict | None, ctx: PricingContext,
                 sizes: tuple[int, int, int]) -> list[LineItem]:
    """Surplus CPU credits of T3/T3a nodes in unlimited mode (their default) at the profile's average CPU."""
    listed: list[str] = list(r.get("instance_types") or [])
    types = [t for t in listed if burstable_baseline(t) is not None]
    mode = single_block((template or {}).get("credit_specification")).get("cpu_credits", "unlimited")
    if not types or mode == "standard":
        return []
    per_node = {t: _credits_per_node(t, ctx) for t in listed}  # 0 for the types that are not burstable
    low, expected, high = sizes
    cpu = ctx.usage.burstable_cpu_percent
    return [LineItem(address, "cpu credits", "usage", min(per_node.values()) * low,
                     per_node[listed[0]] * expected, max(per_node.values()) * high,
                     f"{low}/{expected}/{high} x {', '.join(types)} at {cpu}% average CPU (usage profile), unlimited mode; "
                     f"baseline {', '.join(f'{t} {burstable_baseline(t):.0%}' for t in types)}")]


def node_group_items(address: str, r: dict, ctx: PricingContext, document: dict) -> tuple[list[LineItem], list[str]]:
    """Instances, disks and CPU credits of the node group, and what of it has no price (named, never $0)."""
    sizes = scaling(address, r)
    template = launch_template(r, document)
    items, missing = instance_items(address, r, ctx, sizes)
    for part in (disk_items, credit_items):
        try:
            items += part(address, r, template, ctx, sizes)
        except Unpriced as reason:
            missing.append(str(reason))
    return items, missing
