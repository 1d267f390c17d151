"""`goldenpath cost refresh` against the Price List API through botocore's Stubber (moto has no pricing API).

The responses follow the API's documented aws_v1 shape (each PriceList entry is a JSON string with product,
terms.OnDemand.*.priceDimensions and publicationDate); the values are the bundled snapshot's, except where a
test changes one on purpose.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import boto3
import pytest
from botocore.stub import Stubber

from goldenpath.cost.prices import bundled_snapshot, load_snapshot
from goldenpath.cost.refresh import queries, refresh_snapshot, usage_type, write_snapshot
from goldenpath.errors import GoldenpathError

TODAY = date(2026, 11, 30)
PUBLISHED = "2026-11-20T10:00:00Z"


def product(service: str, usagetype: str, usd: str, unit: str, sku: str, tiers: list[tuple[str, str]] | None = None) -> str:
    dimensions = {f"{sku}.JRTCKXETXF.{index}": {
        "unit": unit, "beginRange": begin, "endRange": "Inf", "pricePerUnit": {"USD": price},
        "description": f"${price} per {unit} ({usagetype})"} for index, (begin, price) in enumerate(tiers or [("0", usd)])}
    return json.dumps({
        "product": {"sku": sku, "productFamily": "x", "attributes": {"usagetype": usagetype, "servicecode": service}},
        "serviceCode": service,
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {"priceDimensions": dimensions, "sku": sku}}},
        "version": "20261120100000", "publicationDate": PUBLISHED,
    })


BUNDLED = bundled_snapshot("eu-west-1")
VALUES = {
    "ec2:nat-gateway-hour": "0.0500000000",  # changed on purpose
    "ec2:on-demand:m6i.large": "0.1070000000",  # as bundled
    "ec2:on-demand:m7i.large": "0.1120000000",  # new (test value, not a bundled price)
}


def stub_all(stubber: Stubber, instance_types: list[str], skip: set[str] = frozenset(), ambiguous: set[str] = frozenset()) -> None:
    for key, (service, filters) in sorted(queries("eu-west-1", instance_types).items()):
        params = {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1", "MaxResults": 100}
        if key in skip:
            stubber.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": []}, params)
            continue
        bundled = BUNDLED.get(key) if BUNDLED else None
        usd = VALUES.get(key) or (str(bundled.usd) if bundled else "0.0230000000")
        usagetype = next((f["Value"] for f in filters if f["Field"] == "usagetype"), f"EU-BoxUsage:{key.split(':')[-1]}")
        first = product(service, usagetype, usd, "Hrs", f"SKU{len(key)}")
        if key == "s3:standard-gb-month":  # tiered: the first tier (from 0) is the price
            first = product(service, usagetype, usd, "GB-Mo", "SKUS3", [("51200", "0.022"), ("0", "0.023")])
        if key == "ec2:nat-gateway-gb":  # two pages: NextToken is followed
            stubber.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [], "NextToken": "page-2"}, params)
            params = {**params, "NextToken": "page-2"}
        pages = [first, product(service, usagetype, "9.99", "Hrs", "SKUX")] if key in ambiguous else [first]
        stubber.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": pages}, params)


@pytest.fixture
def pricing():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber


def test_refresh_asks_for_every_price_and_keeps_origins(pricing):
    client, stubber = pricing
    stub_all(stubber, ["m6i.large", "t3.large"])
    refreshed = refresh_snapshot(client, "eu-west-1", ["m6i.large", "t3.large"], TODAY)
    stubber.assert_no_pending_responses()
    assert refreshed.missing == {}
    snapshot = refreshed.snapshot
    assert snapshot.get("ec2:on-demand:m6i.large").usd == Decimal("0.107")
    assert snapshot.get("s3:standard-gb-month").usd == Decimal("0.023")
    origin = snapshot.get("ec2:nat-gateway-hour").origin
    assert origin["usage_type"] == "EU-NatGateway-Hours" and origin["service_code"] == "AmazonEC2"
    assert origin["publication_date"] == PUBLISHED and origin["read"] == "2026-11-30" and origin["sku"]


def test_write_prints_what_changed_and_estimates_prefer_it(pricing, tmp_path):
    client, stubber = pricing
    stub_all(stubber, ["m6i.large", "m7i.large"], skip={"s3:standard-gb-month"})
    refreshed = refresh_snapshot(client, "eu-west-1", ["m6i.large", "m7i.large"], TODAY)
    assert list(refreshed.missing) == ["s3:standard-gb-month"]
    path, changes = write_snapshot(refreshed, tmp_path)
    assert "changed: ec2:nat-gateway-hour 0.048 -> 0.05 per Hrs" in changes
    assert "new: ec2:on-demand:m7i.large 0.112 per Hrs" in changes and not [c for c in changes if "m6i.large" in c]
    assert "kept from before (not asked for or not found now): ec2:on-demand:t3.large 0.0912" in changes
    assert changes[-1] == "unchanged: 14"  # the bundled prices asked for again, but the NAT hour and S3 storage
    loaded = load_snapshot("eu-west-1", tmp_path)
    assert loaded is not None and loaded.location == str(path) and loaded.snapshot_date == "2026-11-30"
    # prices not found now are kept from before (the bundled t3.large here), never dropped silently
    assert loaded.get("ec2:on-demand:t3.large").usd == Decimal("0.0912")
    assert path.read_text() == write_snapshot(refreshed, tmp_path)[0].read_text()  # same prices, same bytes


def test_ambiguous_answers_are_reported_not_guessed(pricing):
    client, stubber = pricing
    stub_all(stubber, [], ambiguous={"eks:cluster-hour"})
    refreshed = refresh_snapshot(client, "eu-west-1", [], TODAY)
    assert "eks:cluster-hour" not in refreshed.snapshot.prices
    assert refreshed.missing["eks:cluster-hour"].startswith("2 product(s) with 2 prices for AmazonEKS")


def test_usage_types_carry_the_region_prefix():
    assert usage_type("eu-west-1", "NatGateway-Hours") == "EU-NatGateway-Hours"
    assert usage_type("us-east-1", "NatGateway-Hours") == "NatGateway-Hours"
    assert usage_type("eu-central-1", "PublicIPv4:InUseAddress") == "EUC1-PublicIPv4:InUseAddress"
    with pytest.raises(GoldenpathError, match=r"--region: 'xx-nowhere-1' has no known usage-type prefix"):
        usage_type("xx-nowhere-1", "NatGateway-Hours")


def test_refresh_without_credentials_is_one_clear_error(monkeypatch, capsys, tmp_path):
    from goldenpath.cli.main import main
    from tests.conftest import ENVIRONMENTS

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert main(["--environments", str(ENVIRONMENTS), "cost", "refresh", "--region", "eu-west-1", "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "credentials" in err and "Traceback" not in err and not (tmp_path / "p").exists()
