"""Dated price snapshots: every price with its origin. No network at estimate time.

goldenpath ships one snapshot per region of its bundled environments (``goldenpath/cost/prices``);
`goldenpath cost refresh` writes newer ones into the project's ``prices/`` folder (next to
``environments/``; commit it), which estimates prefer when present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from goldenpath.errors import GoldenpathError

PROJECT_PRICES = Path("prices")


@dataclass(frozen=True)
class Price:
    key: str
    usd: Decimal
    unit: str
    origin: dict[str, str]


@dataclass(frozen=True)
class PriceSnapshot:
    region: str
    snapshot_date: str
    prices: dict[str, Price]
    location: str = "bundled"
    """Where the snapshot was read from: ``bundled`` or a file path."""

    def get(self, key: str) -> Price | None:
        return self.prices.get(key)

    @property
    def empty(self) -> bool:
        return not self.prices

    def missing(self, key: str) -> str:
        """Why ``key`` has no price here: the words every "not priced" line for it shares (lines are grouped by them)."""
        if self.empty:  # one reason for every key: the lines collapse into one group
            return f"no price snapshot for {self.region} (`goldenpath cost refresh --region {self.region}` writes one)"
        return f"no price for {key} in the {self.region} snapshot of {self.snapshot_date}"


def parse_snapshot(text: str, location: str) -> PriceSnapshot:
    try:
        data = json.loads(text)
        prices = {key: Price(key, Decimal(entry["usd"]), entry["unit"], dict(entry["origin"]))
                  for key, entry in data["prices"].items()}
        return PriceSnapshot(data["region"], data["snapshot_date"], prices, location)
    except (ValueError, KeyError, TypeError, ArithmeticError) as problem:
        raise GoldenpathError(f"{location}: not a goldenpath price snapshot ({problem}); expected region, "
                              "snapshot_date and prices.<key>.{usd, unit, origin}; rebuild it with `goldenpath cost refresh`") from None


def snapshot_text(snapshot: PriceSnapshot) -> str:
    """The JSON form of ``snapshot`` (sorted, so the same prices give the same bytes)."""
    document = {
        "region": snapshot.region,
        "snapshot_date": snapshot.snapshot_date,
        "prices": {key: {"usd": str(p.usd), "unit": p.unit, "origin": dict(sorted(p.origin.items()))}
                   for key, p in sorted(snapshot.prices.items())},
    }
    return json.dumps(document, indent=2) + "\n"


def bundled_snapshot(region: str) -> PriceSnapshot | None:
    resource = resources.files("goldenpath.cost") / "prices" / f"{region}.json"
    if not resource.is_file():
        return None
    return parse_snapshot(resource.read_text(encoding="utf-8"), "bundled")


def unpriced_snapshot(region: str) -> PriceSnapshot:
    """A region with no snapshot, bundled or refreshed: every line is "not priced" (never $0), and says how to price it."""
    return PriceSnapshot(region, "none", {}, f"none bundled or refreshed: `goldenpath cost refresh --region {region}` writes one")


def load_snapshot(region: str, project_prices: Path | None = None) -> PriceSnapshot | None:
    """The project's refreshed snapshot for ``region`` if there is one, else the bundled one, else None."""
    if project_prices is not None:
        path = project_prices / f"{region}.json"
        if path.is_file():
            return parse_snapshot(path.read_text(encoding="utf-8"), str(path))
    return bundled_snapshot(region)
