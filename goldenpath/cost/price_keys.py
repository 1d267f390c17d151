"""Every price the estimator asks for, once: its snapshot key, AWS service code and usage type.

The estimator (`estimate.price_of`) refuses a key that is not listed here, and `cost refresh` asks the
Price List API for exactly these (plus the environments' instance types), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PriceKey:
    key: str
    service_code: str
    usage_type: str
    """The usage type without its region prefix (``EU-`` in eu-west-1)."""
    unit: str
    """What one unit of the price buys, as the estimator multiplies it."""


def _keys(*keys: PriceKey) -> dict[str, PriceKey]:
    return {k.key: k for k in keys}


EKS_CLUSTER_HOUR = "eks:cluster-hour"
EKS_EXTENDED_SUPPORT_HOUR = "eks:extended-support-hour"
NAT_GATEWAY_HOUR = "ec2:nat-gateway-hour"
NAT_GATEWAY_GB = "ec2:nat-gateway-gb"
PUBLIC_IPV4_HOUR = "vpc:public-ipv4-hour"
INTERFACE_ENDPOINT_HOUR = "vpc:interface-endpoint-hour"
INTERFACE_ENDPOINT_GB = "vpc:interface-endpoint-gb"
LOG_INGESTION_GB = "logs:ingestion-gb"
LOG_STORAGE_GB_MONTH = "logs:storage-gb-month"
LOG_INSIGHTS_GB_SCANNED = "logs:insights-gb-scanned"
KMS_KEY_MONTH = "kms:key-month"
KMS_REQUEST = "kms:request"
S3_STANDARD_GB_MONTH = "s3:standard-gb-month"
S3_TIER1_REQUEST = "s3:tier1-request"
S3_TIER2_REQUEST = "s3:tier2-request"
BURSTABLE_FAMILIES = ("t3", "t3a")
"""Families whose surplus CPU credits the estimator prices (unlimited is their default mode)."""

PRICE_KEYS: dict[str, PriceKey] = _keys(
    PriceKey(EKS_CLUSTER_HOUR, "AmazonEKS", "AmazonEKS-Hours:perCluster", "cluster-hour"),
    PriceKey(EKS_EXTENDED_SUPPORT_HOUR, "AmazonEKS", "AmazonEKS-Hours:extendedSupport", "cluster-hour"),
    PriceKey(NAT_GATEWAY_HOUR, "AmazonEC2", "NatGateway-Hours", "hour"),
    PriceKey(NAT_GATEWAY_GB, "AmazonEC2", "NatGateway-Bytes", "GB processed"),
    PriceKey(PUBLIC_IPV4_HOUR, "AmazonVPC", "PublicIPv4:InUseAddress", "address-hour"),
    PriceKey(INTERFACE_ENDPOINT_HOUR, "AmazonVPC", "VpcEndpoint-Hours", "endpoint-AZ-hour"),
    PriceKey(INTERFACE_ENDPOINT_GB, "AmazonVPC", "VpcEndpoint-Bytes", "GB processed"),
    PriceKey("ebs:gp3-gb-month", "AmazonEC2", "EBS:VolumeUsage.gp3", "GB-month"),
    PriceKey("ebs:gp2-gb-month", "AmazonEC2", "EBS:VolumeUsage.gp2", "GB-month"),
    PriceKey(LOG_INGESTION_GB, "AmazonCloudWatch", "DataProcessing-Bytes", "GB ingested"),
    PriceKey(LOG_STORAGE_GB_MONTH, "AmazonCloudWatch", "TimedStorage-ByteHrs", "GB-month (compressed)"),
    PriceKey(LOG_INSIGHTS_GB_SCANNED, "AmazonCloudWatch", "DataScanned-Bytes", "GB scanned"),
    PriceKey(KMS_KEY_MONTH, "awskms", "KMS-Keys", "key-month"),
    PriceKey(KMS_REQUEST, "awskms", "KMS-Requests", "request"),
    PriceKey(S3_STANDARD_GB_MONTH, "AmazonS3", "TimedStorage-ByteHrs", "GB-month"),
    PriceKey(S3_TIER1_REQUEST, "AmazonS3", "Requests-Tier1", "request (PUT, COPY, POST, LIST)"),
    PriceKey(S3_TIER2_REQUEST, "AmazonS3", "Requests-Tier2", "request (GET and all others)"),
    *(PriceKey(f"ec2:cpu-credits:{family}", "AmazonEC2", f"CPUCredits:{family}", "vCPU-hour")
      for family in BURSTABLE_FAMILIES),
)


def volume_key(volume_type: str) -> str:
    """The snapshot key of an EBS volume type's GB-month price."""
    return f"ebs:{volume_type}-gb-month"


def cpu_credit_key(family: str) -> str:
    """The snapshot key of a burstable family's surplus CPU credit (per vCPU-hour, Linux)."""
    return f"ec2:cpu-credits:{family}"


def instance_key(instance_type: str) -> str:
    """The snapshot key of an instance type's Linux on-demand hourly price."""
    return f"ec2:on-demand:{instance_type}"


def is_known(key: str) -> bool:
    """A key the estimator may ask for: a listed one or an instance type's on-demand price."""
    return key in PRICE_KEYS or key.startswith("ec2:on-demand:")
