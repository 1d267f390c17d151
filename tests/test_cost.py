"""Cost estimator core (work in progress for #11): hand-computed golden cases and metamorphic rules."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest

from goldenpath.cost.calendar import support_on
from goldenpath.cost.estimate import UsageProfile, estimate_stack
from goldenpath.cost.prices import Price, PriceSnapshot, load_snapshot
from tests.conftest import REPO

TODAY = date(2026, 11, 29)
SNAPSHOT = load_snapshot("eu-west-1")


def stack(name: str) -> dict:
    return json.loads((REPO / "tests" / "snapshots" / f"{name}.tf.json").read_text())


def with_prices(extra: dict[str, str]) -> PriceSnapshot:
    """The bundled snapshot plus test-only prices (labelled as such)."""
    assert SNAPSHOT is not None
    prices = dict(SNAPSHOT.prices)
    prices.update({key: Price(key, Decimal(usd), "Hrs", {"source": "test"}) for key, usd in extra.items()})
    return PriceSnapshot(SNAPSHOT.region, SNAPSHOT.snapshot_date, prices)


def test_every_bundled_price_names_its_origin():
    assert SNAPSHOT is not None
    for price in SNAPSHOT.prices.values():
        assert price.origin.get("source") and price.origin.get("read"), price.key
        assert price.usd > 0


def test_nat_gateway_and_its_public_ipv4_by_hand():
    estimate = estimate_stack("dev-network", stack("dev-network"), SNAPSHOT, UsageProfile(), TODAY)
    by_component = {i.component: i.expected for i in estimate.items}
    assert by_component["gateway hours"] == Decimal("730") * Decimal("0.048")  # 35.04
    assert by_component["public IPv4"] == Decimal("730") * Decimal("0.005")  # 3.65: never free
    assert by_component["data processed"] == Decimal("100") * Decimal("0.048")


def test_missing_prices_are_named_never_zero():
    estimate = estimate_stack("dev-observability", stack("dev-observability"), SNAPSHOT, UsageProfile(), TODAY)
    assert any("aws_s3_bucket.observability_logs-bucket" in n and "s3:standard-gb-month" in n for n in estimate.not_priced)
    document = {"resource": {"aws_sagemaker_domain": {"d": {}}}}
    assert estimate_stack("x", document, SNAPSHOT, UsageProfile(), TODAY).not_priced == [
        "aws_sagemaker_domain.d: no pricing rule for aws_sagemaker_domain"]


def test_extended_support_is_billed_from_the_calendar():
    assert support_on("1.33", TODAY) == "extended" and support_on("1.34", TODAY) == "standard"
    assert support_on("1.31", TODAY) == "ended"
    estimate = estimate_stack("dev-cluster", stack("dev-cluster"), SNAPSHOT, UsageProfile(), TODAY)
    components = {i.component: i.expected for i in estimate.items}
    assert components["control plane"] == Decimal("73.000") and components["extended support"] == Decimal("365.000")


def _node_group_stack(**changes) -> dict:
    document = copy.deepcopy(stack("dev-cluster"))
    (group,) = document["resource"]["aws_eks_node_group"].values()
    group.update(changes.pop("group", {}))
    group["scaling_config"].update(changes)
    return document


def _instances(document: dict, snapshot: PriceSnapshot) -> tuple[Decimal, Decimal, Decimal]:
    estimate = estimate_stack("dev-cluster", document, snapshot, UsageProfile(), TODAY)
    (item,) = [i for i in estimate.items if i.component.startswith("instances")]
    return item.low, item.expected, item.high


@pytest.fixture(scope="module")
def priced():
    return with_prices({"ec2:on-demand:t3a.large": "0.0816"})  # a test value until the snapshot has it


def test_desired_plus_one_adds_exactly_one_instance_month(priced):
    _, before, _ = _instances(_node_group_stack(), priced)
    _, after, _ = _instances(_node_group_stack(desired_size=3), priced)
    assert after - before == Decimal("0.0912") * Decimal("0.4") * 730  # one SPOT t3.large month


def test_spot_below_on_demand_and_min_desired_max(priced):
    low, expected, high = _instances(_node_group_stack(), priced)
    assert low < expected < high
    _, on_demand, _ = _instances(_node_group_stack(group={"capacity_type": "ON_DEMAND"}), priced)
    assert expected < on_demand


def test_longer_log_retention_never_lowers_the_estimate():
    document = copy.deepcopy(stack("dev-network"))
    (group,) = document["resource"]["aws_cloudwatch_log_group"].values()
    totals = []
    for days in (1, 30, 365):
        group["retention_in_days"] = days
        totals.append(estimate_stack("dev-network", document, SNAPSHOT, UsageProfile(), TODAY).total("expected"))
    assert totals == sorted(totals) and totals[0] < totals[-1]
    # 1 GB/day for 30 days of retention: 30 GB ingested x $0.57 + 30 GB stored x $0.03.
    group["retention_in_days"] = 30
    items = {i.component: i.expected for i in estimate_stack("dev-network", document, SNAPSHOT, UsageProfile(), TODAY).items}
    assert items["log ingestion"] == Decimal("17.10") and items["log storage"] == Decimal("0.90")


def test_cost_command_json_shape_and_unpriced_exit(tmp_path, capsys):
    from goldenpath.cli.main import main

    argv = ["--environments", str(REPO / "environments"), "cost", "--env", "dev", "--outdir", str(tmp_path / "out"), "--format", "json"]
    assert main(argv) == 1  # some resources have no price yet: never a silent $0
    captured = capsys.readouterr()
    assert "not priced" in captured.err and "Traceback" not in captured.err
    document = json.loads(captured.out)
    names = [s["name"] for s in document["stacks"]]
    assert names == ["dev-cluster", "dev-network", "dev-observability", "dev-platform", "dev-tenants"]
    for entry in document["stacks"]:
        assert set(entry["monthly_usd"]) == {"low", "expected", "high"}
    assert Decimal(document["total"]["expected"]) == sum(Decimal(s["monthly_usd"]["expected"]) for s in document["stacks"])
    assert main([*argv, "--allow-unpriced"]) == 0
