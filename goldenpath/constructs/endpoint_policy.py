"""The S3 gateway endpoint's policy: this account's buckets, plus read access to the AWS-run buckets nodes
pull from, each recorded with its source. Everything else is refused at the endpoint, so a pod with stolen
or over-broad credentials cannot write data to another account's bucket through the VPC.

An in-region gateway endpoint carries *all* traffic to S3 in its region, including buckets owned by others:
image layers and registry mirrors must be allowed by name or pulls fail.
"""

from __future__ import annotations

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.iam import Statement, policy_document

# Amazon ECR keeps image layers in S3 (awsdocs/amazon-ecr-user-guide, doc_source/vpc-endpoints.md at
# 04735f3f: "arn:aws:s3:::prod-region-starport-layer-bucket/*").
ECR_LAYER_BUCKET = "prod-{region}-starport-layer-bucket"

# registry.k8s.io redirects blob downloads from AWS clients to an S3 bucket in their region
# (kubernetes/registry.k8s.io cmd/archeio/internal/app/buckets.go, awsRegionToHostURL, at 093d55a6).
# Regions with a bucket of their own; every one is named prod-registry-k8s-io-<region> except eu-west-2.
# Other regions are redirected to a bucket in another region, which an in-region endpoint never carries.
REGISTRY_K8S_IO_REGIONS = frozenset({
    "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
    "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
    "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
})
REGISTRY_K8S_IO_EXCEPTIONS = {"eu-west-2": "767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2"}


def registry_k8s_io_bucket(region: str) -> str | None:
    """registry.k8s.io's blob bucket in ``region``, or None where it redirects out of the region."""
    if region not in REGISTRY_K8S_IO_REGIONS:
        return None
    return REGISTRY_K8S_IO_EXCEPTIONS.get(region, f"prod-registry-k8s-io-{region}")


def aws_run_read_buckets(region: str) -> dict[str, str]:
    """Statement id -> bucket, for the buckets of others that nodes in ``region`` read from."""
    found = {"EcrImageLayers": ECR_LAYER_BUCKET.format(region=region)}
    mirror = registry_k8s_io_bucket(region)
    if mirror:
        found["RegistryK8sIoMirror"] = mirror
    return found


def s3_gateway_policy(target: AwsTarget, extra_read_buckets: tuple[str, ...] = ()) -> str:
    """All S3 actions on buckets this account owns (``s3:ResourceAccount``); ``s3:GetObject`` only on the
    AWS-run buckets of ``aws_run_read_buckets`` and on ``extra_read_buckets``."""

    def read(sid: str, buckets: list[str]) -> Statement:
        return Statement(sid=sid, actions=("s3:GetObject",), principals="*",
                         resources=tuple(f"arn:{target.partition}:s3:::{b}/*" for b in buckets))

    statements = [
        Statement(sid="OwnAccountBuckets", actions=("s3:*",), resources=("*",), principals="*",
                  conditions={"StringEquals": {"s3:ResourceAccount": target.account_id}}),
        *(read(sid, [bucket]) for sid, bucket in aws_run_read_buckets(target.region).items()),
    ]
    if extra_read_buckets:
        statements.append(read("ExtraReadBuckets", sorted(set(extra_read_buckets))))
    return policy_document(*statements)
