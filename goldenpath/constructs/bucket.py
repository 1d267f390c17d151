"""An S3 bucket that is private, encrypted with KMS, versioned, TLS-only and expires old data."""

from __future__ import annotations

from dataclasses import dataclass

from cdktn_provider_aws.s3_bucket import S3Bucket
from cdktn_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktn_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktn_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktn_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktn_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktn_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from constructs import Construct

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.iam import Statement, WorkloadRole, policy_document
from goldenpath.constructs.kms import KmsKey, KmsKeyLookup, KmsKeyProps
from goldenpath.constructs.naming import Naming, NameKind
from goldenpath.errors import SynthError


@dataclass(frozen=True)
class EncryptedBucketProps:
    """Props of :class:`EncryptedBucket`."""

    target: AwsTarget
    naming: Naming
    purpose: str
    """What the bucket holds, e.g. ``logs``; part of its length-safe name."""
    encryption_key: KmsKey | KmsKeyLookup | None = None
    """Default: a new KmsKey with rotation, for this bucket only."""
    expiration_days: int | None = None
    """Delete current objects after this many days. Default: never (keep until deleted)."""
    noncurrent_version_days: int = 30
    """Delete overwritten or deleted versions after this many days. Default: 30."""
    force_destroy: bool = False
    """Allow `terraform destroy` to delete a non-empty bucket. Default: false (data is kept)."""


class EncryptedBucket(Construct):
    """S3 bucket: SSE-KMS with its own key by default, versioned, all public access blocked,
    TLS-only bucket policy, lifecycle for old versions. Grant access with ``grant_read`` /
    ``grant_read_write``."""

    def __init__(self, scope: Construct, id_: str, props: EncryptedBucketProps):
        super().__init__(scope, id_)
        if props.expiration_days is not None and props.expiration_days < 1:
            raise SynthError(f"EncryptedBucket {id_!r}: expiration_days got {props.expiration_days}, expected >= 1")
        if props.noncurrent_version_days < 1:
            raise SynthError(
                f"EncryptedBucket {id_!r}: noncurrent_version_days got {props.noncurrent_version_days}, expected >= 1"
            )
        self.encryption_key = props.encryption_key or KmsKey(
            self, "key", KmsKeyProps(target=props.target, naming=props.naming, purpose=f"{props.purpose}-bucket")
        )
        self.bucket = S3Bucket(
            self,
            "bucket",
            bucket=props.naming.name(props.purpose, props.target.account_id, kind=NameKind.S3_BUCKET),
            force_destroy=props.force_destroy,
        )
        S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=self.bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketVersioningA(
            self,
            "versioning",
            bucket=self.bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=self.encryption_key.arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
        )
        S3BucketPolicy(
            self,
            "tls-only",
            bucket=self.bucket.id,
            policy=policy_document(
                Statement(
                    sid="DenyInsecureTransport",
                    effect="Deny",
                    actions=("s3:*",),
                    principals={"AWS": "*"},
                    resources=(self.bucket.arn, f"{self.bucket.arn}/*"),
                    conditions={"Bool": {"aws:SecureTransport": "false"}},
                )
            ),
        )
        rule = S3BucketLifecycleConfigurationRule(
            id="expire-old-data",
            status="Enabled",
            filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
            abort_incomplete_multipart_upload=[
                S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
            ],
            noncurrent_version_expiration=[
                S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                    noncurrent_days=props.noncurrent_version_days
                )
            ],
            expiration=(
                [S3BucketLifecycleConfigurationRuleExpiration(days=props.expiration_days)]
                if props.expiration_days
                else None
            ),
        )
        S3BucketLifecycleConfiguration(self, "lifecycle", bucket=self.bucket.id, rule=[rule])

    @property
    def arn(self) -> str:
        # One token per bucket (each attribute read makes a new one), so grants can be deduplicated.
        if not hasattr(self, "_arn"):
            self._arn = self.bucket.arn
        return self._arn

    @property
    def name(self) -> str:
        return self.bucket.bucket

    def grant_read(self, role: WorkloadRole) -> None:
        """Let ``role`` list and read objects (and decrypt them with the bucket's key)."""
        role.add_to_policy(
            Statement(actions=("s3:ListBucket",), resources=(self.arn,)),
            Statement(actions=("s3:GetObject",), resources=(f"{self.arn}/*",)),
        )
        self.encryption_key.grant_decrypt(role)

    def grant_read_write(self, role: WorkloadRole) -> None:
        """Let ``role`` list, read, write and delete objects (and use the bucket's key for both)."""
        role.add_to_policy(
            Statement(actions=("s3:ListBucket",), resources=(self.arn,)),
            Statement(actions=("s3:GetObject", "s3:PutObject", "s3:DeleteObject"), resources=(f"{self.arn}/*",)),
        )
        self.encryption_key.grant_encrypt_decrypt(role)
