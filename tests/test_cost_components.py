"""Node disks, CPU credits, EKS support policies, KMS, logs and endpoints: by hand and metamorphic.

Prices are the bundled eu-west-1 snapshot's: t3.large $0.0912/h, gp3 $0.088/GB-month, T3 credits $0.05 per
vCPU-hour, KMS $1 a key-month and $0.000003 a request, CloudWatch Logs $0.57/GB and $0.03/GB-month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from goldenpath.config.model import UsageProfile
from goldenpath.cost.estimate import DAYS_PER_MONTH, HOURS_PER_MONTH, PricingContext, estimate_stack, price_of
from goldenpath.cost.price_keys import PRICE_KEYS, is_known
from goldenpath.cost.prices import Price, PriceSnapshot, bundled_snapshot
from goldenpath.cost.refresh import queries

TODAY = date(2026, 12, 4)
SNAPSHOT = bundled_snapshot("eu-west-1")
assert SNAPSHOT is not None


def ctx(**usage) -> PricingContext:
    assert SNAPSHOT is not None
    return PricingContext(SNAPSHOT, UsageProfile(**usage), TODAY)


def group(types=("t3.large",), sizes=(1, 2, 4), **extra) -> dict:
    low, desired, high = sizes
    return {"instance_types": list(types), "capacity_type": "ON_DEMAND",
            "scaling_config": [{"min_size": low, "desired_size": desired, "max_size": high}], **extra}


def items(document: dict, **usage) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    estimate = estimate_stack("s", document, ctx(**usage))
    assert estimate.not_priced == [], estimate.not_priced
    return {i.component: (i.low, i.expected, i.high) for i in estimate.items}


def with_template(volume: dict | None = None, credits: str | None = None, **group_extra) -> dict:
    template: dict = {}
    if volume is not None:
        template["block_device_mappings"] = [{"device_name": "/dev/xvda", "ebs": [volume]}]
    if credits:
        template["credit_specification"] = [{"cpu_credits": credits}]
    return {"resource": {"aws_launch_template": {"lt": template}, "aws_eks_node_group": {"ng": group(
        launch_template=[{"id": "${aws_launch_template.lt.id}", "version": "${aws_launch_template.lt.latest_version}"}],
        **group_extra)}}}


def test_node_disks_from_the_launch_template_by_hand():
    found = items(with_template({"volume_size": 50, "volume_type": "gp3"}))
    per_node = 50 * Decimal("0.088")  # $4.40
    assert found["node disks"] == (per_node, 2 * per_node, 4 * per_node)


def test_a_bigger_disk_adds_exactly_its_gigabytes_on_every_node():
    small = items(with_template({"volume_size": 50, "volume_type": "gp3"}))["node disks"]
    large = items(with_template({"volume_size": 80, "volume_type": "gp3"}))["node disks"]
    assert [b - a for a, b in zip(small, large)] == [30 * Decimal("0.088") * n for n in (1, 2, 4)]


def test_unstated_volume_types_and_sizes_are_named_never_free():
    # gp2 (EC2's default type) has no verified eu-west-1 price: the disks are named as not priced, the rest is priced
    for document in (with_template({"volume_size": 50}), with_template(None),
                     {"resource": {"aws_eks_node_group": {"ng": group(disk_size=40)}}}):
        estimate = estimate_stack("s", document, ctx())
        assert [n for n in estimate.not_priced if "ebs:gp2-gb-month" in n], estimate.not_priced
        assert "instances" in {i.component for i in estimate.items}


def test_cpu_credits_by_hand_and_standard_mode_has_none():
    # t3.large: 2 vCPUs, 30 % baseline; at 40 % average, 0.10 x 2 x 730 = 146 vCPU-hours x $0.05 = $7.30 a node
    found = items(with_template({"volume_size": 50, "volume_type": "gp3"}))
    assert found["cpu credits"] == (Decimal("7.30"), Decimal("14.60"), Decimal("29.20"))
    assert "cpu credits" not in items(with_template({"volume_size": 50, "volume_type": "gp3"}, credits="standard"))
    # below the baseline nothing is surplus; a type that is not burstable has no credit line at all
    assert items(with_template({"volume_size": 50, "volume_type": "gp3"}), burstable_cpu_percent=25)["cpu credits"] == (0, 0, 0)
    document = with_template({"volume_size": 50, "volume_type": "gp3"}, instance_types=["m6i.large"])
    assert "cpu credits" not in items(document)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), min_size=2, max_size=6, unique=True))
def test_more_cpu_never_lowers_the_credits(percents):
    document = with_template({"volume_size": 50, "volume_type": "gp3"})
    credits = [items(document, burstable_cpu_percent=p)["cpu credits"][1] for p in sorted(percents)]
    assert credits == sorted(credits)


def test_desired_plus_one_adds_one_node_of_everything():
    two = items(with_template({"volume_size": 50, "volume_type": "gp3"}))
    three = items(with_template({"volume_size": 50, "volume_type": "gp3"}, scaling_config=[
        {"min_size": 1, "desired_size": 3, "max_size": 4}]))
    assert three["instances"][1] - two["instances"][1] == Decimal("0.0912") * HOURS_PER_MONTH
    assert three["node disks"][1] - two["node disks"][1] == 50 * Decimal("0.088")
    assert three["cpu credits"][1] - two["cpu credits"][1] == Decimal("7.30")


@pytest.mark.parametrize("sizes", [(3, 2, 4), (1, 5, 4), (-1, 0, 1)])
def test_scaling_out_of_order_is_named_not_priced(sizes):
    estimate = estimate_stack("s", {"resource": {"aws_eks_node_group": {"ng": group(sizes=sizes)}}}, ctx())
    assert estimate.items == [] and "min_size <= desired_size <= max_size" in estimate.not_priced[0]


def test_spot_default_is_half_of_on_demand():
    assert UsageProfile().spot_discount == Decimal("0.5")
    spot = items(with_template({"volume_size": 50, "volume_type": "gp3"}, capacity_type="SPOT"))
    assert spot["instances"][1] == 2 * Decimal("0.0912") * Decimal("0.5") * HOURS_PER_MONTH


def test_an_unversioned_cluster_is_priced_at_standard_support():
    found = estimate_stack("s", {"resource": {"aws_eks_cluster": {"c": {}}}}, ctx())
    assert [(i.component, i.expected) for i in found.items] == [("control plane", Decimal("73.000"))]
    assert "newest standard-support" in found.items[0].detail


def test_standard_support_type_is_never_charged_extended_support():
    extended = {"version": "1.33"}
    standard = {"version": "1.33", "upgrade_policy": [{"support_type": "STANDARD"}]}
    components = {i.component for i in estimate_stack("s", {"resource": {"aws_eks_cluster": {"c": extended}}}, ctx()).items}
    assert components == {"control plane", "extended support"}
    (only,) = estimate_stack("s", {"resource": {"aws_eks_cluster": {"c": standard}}}, ctx()).items
    assert only.expected == Decimal("73.000") and "upgrade_policy is STANDARD" in only.detail


def test_kms_rotation_and_requests_by_hand():
    found = items({"resource": {"aws_kms_key": {"k": {"enable_key_rotation": True}}}})
    assert found["key"] == (Decimal(1), Decimal(3), Decimal(3))  # new key; after its second rotation
    assert found["requests"] == (Decimal("0.030000"),) * 3  # 10,000 x $0.000003
    assert items({"resource": {"aws_kms_key": {"k": {}}}})["key"] == (Decimal(1),) * 3


def test_log_storage_is_compressed_and_a_month_is_730_hours_of_days():
    found = items({"resource": {"aws_cloudwatch_log_group": {"g": {"retention_in_days": 30}}}})
    assert found["log ingestion"][1] == DAYS_PER_MONTH * Decimal("0.57")  # 1 GB/day over 730/24 days
    assert found["log storage"][1] == 30 * Decimal("0.15") * Decimal("0.03")  # 30 days kept at 0.15 of the size
    assert (DAYS_PER_MONTH * 24).quantize(Decimal(1)) == HOURS_PER_MONTH and found["log ingestion"][1].quantize(
        Decimal("0.01")) == Decimal("17.34")  # not 30 days' $17.10


def test_logs_insights_only_from_usage_and_named_when_unpriced():
    document = {"resource": {"aws_cloudwatch_log_group": {"g": {"retention_in_days": 30}}}}
    assert "logs insights" not in items(document)
    estimate = estimate_stack("s", document, ctx(logs_insights_gb_per_month=100))
    assert estimate.items == [] and "logs:insights-gb-scanned" in estimate.not_priced[0]


def test_interface_endpoints_per_az_and_gb():
    assert SNAPSHOT is not None
    prices = dict(SNAPSHOT.prices) | {k: Price(k, Decimal(v), "x", {"source": "test"}) for k, v in
                                      {"vpc:interface-endpoint-hour": "0.011", "vpc:interface-endpoint-gb": "0.01"}.items()}
    context = PricingContext(type(SNAPSHOT)(SNAPSHOT.region, "test", prices), UsageProfile(), TODAY)
    endpoint = {"vpc_endpoint_type": "Interface", "subnet_ids": ["a", "b", "c"]}
    found = {i.component: i.expected for i in estimate_stack("s", {"resource": {"aws_vpc_endpoint": {"e": endpoint}}}, context).items}
    assert found == {"endpoint hours": 3 * 730 * Decimal("0.011"), "data processed": 10 * Decimal("0.01")}
    unknown = estimate_stack("s", {"resource": {"aws_vpc_endpoint": {"e": {"vpc_endpoint_type": "Interface",
                                                                           "subnet_ids": "${var.subnets}"}}}}, context)
    assert "billed per AZ" in unknown.not_priced[0]


def test_bucket_requests_are_priced_from_usage():
    found = items({"resource": {"aws_s3_bucket": {"b": {}}}})
    assert found["write requests"][1] == 100_000 * Decimal("0.000005")  # $0.50
    assert found["read requests"][1] == 1_000_000 * Decimal("0.0000004")  # $0.40
    assert found["storage"][1] == 10 * Decimal("0.023")


class RecordingSnapshot(PriceSnapshot):
    """Every key asked for, answered with $1 (so every rule runs to its end)."""

    asked: set[str] = set()

    def get(self, key: str) -> Price | None:
        self.asked.add(key)
        return Price(key, Decimal(1), "unit", {"source": "test"})


KITCHEN_SINK = {"resource": {
    "aws_eks_cluster": {"c": {"version": "1.33"}},
    "aws_launch_template": {"lt": {"block_device_mappings": [{"ebs": {"volume_size": 20, "volume_type": "gp3"}},
                                                             {"ebs": {"volume_size": 20}}]}},
    "aws_eks_node_group": {"ng": group(types=("t3.large", "t3a.large"), launch_template=[{"id": "${aws_launch_template.lt.id}"}])},
    "aws_nat_gateway": {"n": {}}, "aws_eip": {"e": {}}, "aws_kms_key": {"k": {}}, "aws_s3_bucket": {"b": {}},
    "aws_vpc_endpoint": {"v": {"vpc_endpoint_type": "Interface", "subnet_ids": ["a"]}},
    "aws_cloudwatch_log_group": {"g": {}},
}}


def test_the_estimator_asks_only_for_listed_keys_and_refresh_asks_for_all_of_them():
    with pytest.raises(ValueError, match="not in goldenpath.cost.price_keys.PRICE_KEYS"):
        price_of(ctx(), "s3:glacier-gb-month")
    snapshot = RecordingSnapshot("eu-west-1", "test", {})
    estimate = estimate_stack("s", KITCHEN_SINK, PricingContext(snapshot, UsageProfile(logs_insights_gb_per_month=1), TODAY))
    assert estimate.not_priced == []
    instances = {"ec2:on-demand:t3.large", "ec2:on-demand:t3a.large"}
    # every listed price is used by a rule, and refresh asks for exactly those and the instance types
    assert snapshot.asked == set(PRICE_KEYS) | instances
    assert set(queries("eu-west-1", ["t3.large", "t3a.large"])) == snapshot.asked


def test_the_bundled_snapshot_only_holds_keys_the_estimator_asks_for():
    assert SNAPSHOT is not None
    assert all(is_known(key) for key in SNAPSHOT.prices)
