"""An application team's own CDK Terrain app on goldenpath's constructs.

The team's service `checkout` gets an encrypted bucket and a role its pods assume through EKS
Pod Identity, granted read and write on that bucket only. Run it where goldenpath is installed:

    python main.py [OUTDIR]        # writes OUTDIR/stacks/checkout-dev/cdk.tf.json (default: cdktf.out)

then `terraform -chdir=OUTDIR/stacks/checkout-dev init && terraform ... plan` as usual.
"""

from __future__ import annotations

import sys

import goldenpath  # noqa: F401  - first: points jsii at a supported Node
from cdktn import App, S3Backend, TerraformStack
from cdktn_provider_aws.eks_pod_identity_association import EksPodIdentityAssociation
from cdktn_provider_aws.provider import AwsProvider

from goldenpath.constructs import (
    AwsTarget, EncryptedBucket, EncryptedBucketProps, MandatoryTags, Naming, PodIdentityTrust, WorkloadRole,
    WorkloadRoleProps,
)
from goldenpath.stacks.app import new_app  # an App that targets Terraform >= 1.10 (S3 native state locking)

ACCOUNT, REGION = "111111111111", "eu-west-1"
CLUSTER = "dev-cluster"  # the platform's cluster, by name: ids, not objects, cross stack boundaries


def build(outdir: str) -> App:
    app = new_app(outdir)
    stack = TerraformStack(app, "checkout-dev")
    AwsProvider(stack, "aws", region=REGION, allowed_account_ids=[ACCOUNT])
    S3Backend(stack, bucket=f"tfstate-{ACCOUNT}-{REGION}", key="teams/checkout/dev.tfstate", region=REGION,
              encrypt=True, use_lockfile=True)
    MandatoryTags.apply(stack, {"environment": "dev", "owner": "payments", "cost-center": "cc-2001",
                                "managed-by": "goldenpath"})

    target, naming = AwsTarget(ACCOUNT, REGION), Naming("dev", "checkout")
    bucket = EncryptedBucket(stack, "receipts", EncryptedBucketProps(target=target, naming=naming, purpose="receipts",
                                                                     expiration_days=400))
    trust = PodIdentityTrust(CLUSTER, "checkout", "checkout")  # only this cluster's checkout/checkout may use it
    role = WorkloadRole(stack, "workload", WorkloadRoleProps(naming=naming, name="workload", trust=trust))
    bucket.grant_read_write(role)  # its own bucket and key, nothing else
    EksPodIdentityAssociation(stack, "identity", cluster_name=CLUSTER, namespace="checkout",
                              service_account="checkout", role_arn=role.arn)
    return app


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "cdktf.out").synth()
