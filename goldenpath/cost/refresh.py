"""`goldenpath cost refresh`: rebuild a region's price snapshot from the AWS Price List API.

Needs credentials allowed ``pricing:GetProducts``. Each price keeps its origin: service code, usage
type, SKU, the offer's publication date and the day it was read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from goldenpath.cost.price_keys import PRICE_KEYS, instance_key
from goldenpath.cost.prices import Price, PriceSnapshot, load_snapshot, snapshot_text
from goldenpath.errors import GoldenpathError
from goldenpath.files import write_text_atomically

# Usage-type prefix per region, as AWS billing writes it (us-east-1 has none).
USAGE_TYPE_PREFIX = {
    "us-east-1": "", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "ca-central-1": "CAN1",
    "eu-west-1": "EU", "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1", "eu-north-1": "EUN1",
    "ap-northeast-1": "APN1", "ap-northeast-2": "APN2", "ap-southeast-1": "APS1", "ap-southeast-2": "APS2",
    "ap-south-1": "APS3", "sa-east-1": "SAE1",
}

@dataclass
class Refreshed:
    snapshot: PriceSnapshot
    missing: dict[str, str] = field(default_factory=dict)


def usage_type(region: str, suffix: str) -> str:
    if region not in USAGE_TYPE_PREFIX:
        raise GoldenpathError(f"--region: {region!r} has no known usage-type prefix; expected one of "
                              f"{', '.join(sorted(USAGE_TYPE_PREFIX))}")
    prefix = USAGE_TYPE_PREFIX[region]
    return f"{prefix}-{suffix}" if prefix else suffix


def _match(field_name: str, value: str) -> dict[str, str]:
    return {"Type": "TERM_MATCH", "Field": field_name, "Value": value}


def queries(region: str, instance_types: list[str]) -> dict[str, tuple[str, list[dict[str, str]]]]:
    """snapshot key -> (service code, Price List filters)."""
    found = {key: (price.service_code, [_match("usagetype", usage_type(region, price.usage_type))])
             for key, price in PRICE_KEYS.items()}
    for instance_type in instance_types:
        found[instance_key(instance_type)] = ("AmazonEC2", [
            _match("regionCode", region), _match("instanceType", instance_type), _match("operatingSystem", "Linux"),
            _match("tenancy", "Shared"), _match("preInstalledSw", "NA"), _match("capacitystatus", "Used")])
    return found


def _products(client: Any, service: str, filters: list[dict[str, str]]) -> list[dict]:
    products, token = [], None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1", "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page = client.get_products(**kwargs)
        products += [json.loads(text) for text in page.get("PriceList", [])]
        token = page.get("NextToken")
        if not token:
            return products


def _on_demand(product: dict) -> dict:
    """The first tier (from 0) of the product's on-demand price dimensions."""
    dimensions = [d for term in product.get("terms", {}).get("OnDemand", {}).values()
                  for d in term.get("priceDimensions", {}).values()]
    dimensions.sort(key=lambda d: Decimal(d.get("beginRange", "0")))
    if not dimensions:
        raise ValueError("no on-demand price")
    return dimensions[0]


def _price(key: str, service: str, product: dict, today: date) -> Price:
    dimension = _on_demand(product)
    attributes = product.get("product", {}).get("attributes", {})
    return Price(key, Decimal(dimension["pricePerUnit"]["USD"]).normalize(), dimension["unit"], {
        "service_code": service,
        "usage_type": attributes.get("usagetype", ""),
        "sku": product.get("product", {}).get("sku", ""),
        "publication_date": product.get("publicationDate", ""),
        "description": dimension.get("description", ""),
        "source": "AWS Price List API, pricing.get_products",
        "read": today.isoformat(),
    })


def refresh_snapshot(client: Any, region: str, instance_types: list[str], today: date) -> Refreshed:
    """Ask the Price List API for every price goldenpath uses in ``region`` (plus ``instance_types``)."""
    prices: dict[str, Price] = {}
    missing: dict[str, str] = {}
    for key, (service, filters) in sorted(queries(region, instance_types).items()):
        products = _products(client, service, filters)
        distinct = {_on_demand(p)["pricePerUnit"]["USD"] for p in products}
        if len(distinct) != 1:
            missing[key] = f"{len(products)} product(s) with {len(distinct)} prices for {service} {filters}"
            continue
        prices[key] = _price(key, service, products[0], today)
    return Refreshed(PriceSnapshot(region, today.isoformat(), prices, "refreshed"), missing)


def changes(old: PriceSnapshot | None, new: PriceSnapshot) -> list[str]:
    before = old.prices if old else {}
    lines = []
    for key in sorted(before.keys() | new.prices.keys()):
        was, now = before.get(key), new.prices.get(key)
        if was is None and now is not None:
            lines.append(f"new: {key} {now.usd} per {now.unit}")
        elif now is None and was is not None:
            lines.append(f"kept from before (not asked for or not found now): {key} {was.usd}")
        elif was is not None and now is not None and was.usd != now.usd:
            lines.append(f"changed: {key} {was.usd} -> {now.usd} per {now.unit}")
    unchanged = sum(1 for k, p in new.prices.items() if k in before and before[k].usd == p.usd)
    return [*lines, f"unchanged: {unchanged}"]


def write_snapshot(refreshed: Refreshed, folder: Path) -> tuple[Path, list[str]]:
    """Write ``<folder>/<region>.json`` atomically; prices not found now are kept from the previous snapshot."""
    region = refreshed.snapshot.region
    previous = load_snapshot(region, folder)  # the folder's snapshot, else the bundled one
    merged = dict(previous.prices) if previous else {}
    merged.update(refreshed.snapshot.prices)
    snapshot = PriceSnapshot(region, refreshed.snapshot.snapshot_date, merged, "refreshed")
    path = folder / f"{region}.json"
    write_text_atomically(path, snapshot_text(snapshot))
    return path, changes(previous, refreshed.snapshot)
