"""What every pricing rule shares: the month, the context it prices in, line items, and how a price is looked up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from goldenpath.config.model import UsageProfile
from goldenpath.cost.price_keys import is_known
from goldenpath.cost.prices import PriceSnapshot

HOURS_PER_MONTH = Decimal(730)
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
"""30.416…: the month of 730 hours that every hourly line uses, so daily and hourly usage agree."""
CENT = Decimal("0.01")

Kind = Literal["fixed", "usage", "share"]
"""fixed: billed while it exists; usage: from the usage profile; share: a namespace's quota as a share of
the cluster's nodes (already paid by the node group: shown, never added to a stack's total)."""


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
    if not is_known(key):
        raise ValueError(f"{key!r} is not in goldenpath.cost.price_keys.PRICE_KEYS: list it there so `cost refresh` asks for it")
    found = ctx.snapshot.get(key)
    if found is None:
        raise Unpriced(ctx.snapshot.missing(key))
    return found.usd


def flat(address: str, component: str, monthly: Decimal, detail: str, kind: Kind = "fixed") -> LineItem:
    return LineItem(address, component, kind, monthly, monthly, monthly, detail)


def spot_factor(spot: bool, usage: UsageProfile) -> Decimal:
    return (1 - usage.spot_discount) if spot else Decimal(1)
