"""L2 constructs: secure defaults, checked on synthesized Terraform (Synth.synth)."""

from __future__ import annotations

import json

import pytest
from cdktn import TerraformStack
from cdktn import Testing as Synth  # aliased: pytest would try to collect a class named Test*
from cdktn_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktn_provider_aws.default_security_group import DefaultSecurityGroup
from cdktn_provider_aws.flow_log import FlowLog
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.kms_key import KmsKey as AwsKmsKey
from cdktn_provider_aws.nat_gateway import NatGateway
from cdktn_provider_aws.provider import AwsProvider
from cdktn_provider_aws.s3_bucket import S3Bucket
from cdktn_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktn_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktn_provider_aws.s3_bucket_server_side_encryption_configuration import S3BucketServerSideEncryptionConfigurationA
from cdktn_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from cdktn_provider_aws.subnet import Subnet

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.bucket import EncryptedBucket, EncryptedBucketProps
from goldenpath.constructs.iam import IrsaTrust, PodIdentityTrust, Statement, WorkloadRole, WorkloadRoleProps
from goldenpath.constructs.kms import KmsKey, KmsKeyProps
from goldenpath.constructs.naming import Naming
from goldenpath.constructs.network import Network, NetworkProps
from goldenpath.constructs.tagging import MandatoryTags
from goldenpath.errors import SynthError

TARGET = AwsTarget(account_id="111111111111", region="eu-west-1")
NAMING = Naming("test")
CLUSTER_ARN = "arn:aws:eks:eu-west-1:111111111111:cluster/dev-cluster"
TAGS = {"environment": "test", "owner": "team-a", "cost-center": "cc-1", "managed-by": "goldenpath"}


def new_stack(name: str) -> TerraformStack:
    stack = TerraformStack(Synth.app(), name)
    AwsProvider(stack, "aws", region=TARGET.region)
    return stack


def has(synthesized: str, resource_type: str, properties: dict) -> bool:
    return Synth.to_have_resource_with_properties(synthesized, resource_type, properties)


def resources(synthesized: str, resource_type: str) -> list[dict]:
    return list(json.loads(synthesized).get("resource", {}).get(resource_type, {}).values())


@pytest.fixture(scope="module")
def synthesized() -> str:
    """One stack holding every construct under test, synthesized once for the module."""
    stack = new_stack("constructs")
    key = KmsKey(stack, "shared-key", KmsKeyProps(target=TARGET, naming=NAMING, purpose="shared"))
    EncryptedBucket(stack, "default-bucket", EncryptedBucketProps(target=TARGET, naming=NAMING, purpose="logs", expiration_days=30))
    EncryptedBucket(stack, "shared-key-bucket", EncryptedBucketProps(target=TARGET, naming=NAMING, purpose="traces", encryption_key=key))
    WorkloadRole(
        stack, "pod-identity-role",
        WorkloadRoleProps(naming=NAMING, name="collector", trust=PodIdentityTrust(CLUSTER_ARN, "apps", "app"),
                          statements=(Statement(actions=("s3:PutObject",), resources=("arn:aws:s3:::b/*",)),)),
    )
    WorkloadRole(
        stack, "irsa-role",
        WorkloadRoleProps(
            naming=NAMING, name="irsa",
            trust=IrsaTrust("arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
                            "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", "observability", "loki"),
            managed_policy_arns=("arn:aws:iam::aws:policy/ReadOnlyAccess",),
        ),
    )
    Network(
        stack, "network",
        NetworkProps(
            target=TARGET, naming=NAMING, cidr="10.0.0.0/16",
            public_subnet_cidrs=("10.0.128.0/18", "10.0.192.0/18"), private_subnet_cidrs=("10.0.0.0/18", "10.0.64.0/18"),
            availability_zones=("eu-west-1a", "eu-west-1b"), log_retention_days=30, nat="per_az",
        ),
    )
    MandatoryTags.apply(stack, TAGS)
    return Synth.synth(stack)


def test_kms_keys_rotate_and_have_a_policy(synthesized):
    keys = resources(synthesized, AwsKmsKey.TF_RESOURCE_TYPE)
    assert keys and all(k["enable_key_rotation"] is True and k["deletion_window_in_days"] == 30 for k in keys)
    for key in keys:
        statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
        # A plain stack names no one: whoever applies it administers the key, read from the session.
        assert statements["DeployerAdministration"]["Principal"] == {
            "AWS": "${data.aws_iam_session_context.key-administrators_deployer_06010DAF.issuer_arn}"}
        assert "kms:PutKeyPolicy" not in statements["DeployerAdministration"]["Action"]  # covered by kms:Put*
        assert "kms:Decrypt" not in statements["DeployerAdministration"]["Action"]
        # The account root may use the key (IAM grants decide who), never administer it.
        assert statements["AccountUse"]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
        assert statements["AccountUse"]["Action"] == ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        assert statements["AccountGrantsForAwsResources"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
        assert "AccountAdministration" not in statements and "KeyAdministration" not in statements
    # One caller/session lookup per stack, whatever the number of keys.
    assert len(json.loads(synthesized)["data"]["aws_iam_session_context"]) == 1


def test_kms_key_administrators_are_named_and_account_administration_is_an_opt_out():
    from goldenpath.constructs.kms import KeyAdministrators

    stack = new_stack("administered")
    admins = KeyAdministrators(stack, KeyAdministrators.ID, named=("arn:aws:iam::111111111111:role/b", "arn:aws:iam::111111111111:role/a",
                                                                   "arn:aws:iam::111111111111:role/a"))
    KmsKey(stack, "named", KmsKeyProps(target=TARGET, naming=NAMING, purpose="named"))
    opted_out = KeyAdministrators(stack, "legacy-administrators", account_administration=True)
    KmsKey(stack, "legacy", KmsKeyProps(target=TARGET, naming=NAMING, purpose="legacy", administrators=opted_out))
    assert KeyAdministrators.of(stack) is admins
    keys = {k["description"]: {s["Sid"]: s for s in json.loads(k["policy"])["Statement"]}
            for k in resources(Synth.synth(stack), AwsKmsKey.TF_RESOURCE_TYPE)}
    named, legacy = keys["goldenpath test named"], keys["goldenpath test legacy"]
    assert named["KeyAdministration"]["Principal"] == {"AWS": ["arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b"]}
    assert "AccountAdministration" not in named
    assert legacy["AccountAdministration"] == {"Sid": "AccountAdministration", "Effect": "Allow", "Action": ["kms:*"],
                                               "Resource": "*", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}}


def test_bucket_is_private_encrypted_versioned_and_tls_only(synthesized):
    assert has(synthesized, S3BucketPublicAccessBlock.TF_RESOURCE_TYPE, {
        "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True,
    })
    assert has(synthesized, S3BucketVersioningA.TF_RESOURCE_TYPE, {"versioning_configuration": {"status": "Enabled"}})
    encryption = resources(synthesized, S3BucketServerSideEncryptionConfigurationA.TF_RESOURCE_TYPE)
    rules = [e["rule"][0] for e in encryption]
    assert all(r["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms" and r["bucket_key_enabled"] for r in rules)
    policies = [json.loads(p["policy"]) for p in resources(synthesized, S3BucketPolicy.TF_RESOURCE_TYPE)]
    assert all(p["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and p["Statement"][0]["Effect"] == "Deny" for p in policies)
    assert all(b["force_destroy"] is False for b in resources(synthesized, S3Bucket.TF_RESOURCE_TYPE))


def test_bucket_lifecycle_expires_old_versions_and_uploads(synthesized):
    lifecycles = resources(synthesized, "aws_s3_bucket_lifecycle_configuration")
    rules = sorted((l["rule"][0] for l in lifecycles), key=lambda r: "expiration" in r)
    assert rules[0]["noncurrent_version_expiration"] == [{"noncurrent_days": 30}]
    assert rules[0]["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert "expiration" not in rules[0]  # default keeps current objects
    assert rules[1]["expiration"] == [{"days": 30}]


def test_bucket_uses_a_given_key_instead_of_making_one(synthesized):
    encryption = {json.dumps(e["rule"][0]["apply_server_side_encryption_by_default"]["kms_master_key_id"]) for e in resources(synthesized, S3BucketServerSideEncryptionConfigurationA.TF_RESOURCE_TYPE)}
    assert any("shared-key" in e for e in encryption)
    assert len(resources(synthesized, AwsKmsKey.TF_RESOURCE_TYPE)) == 3  # shared, logs bucket's own, flow logs


def test_pod_identity_and_irsa_trust(synthesized):
    trusts = {r["name"]: json.loads(r["assume_role_policy"])["Statement"][0] for r in resources(synthesized, IamRole.TF_RESOURCE_TYPE)}
    assert trusts["test-collector"]["Principal"] == {"Service": ["pods.eks.amazonaws.com"]}
    assert trusts["test-collector"]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    # only the named cluster's namespace/service account (session tags EKS Pod Identity adds) may use it
    assert trusts["test-collector"]["Condition"] == {"StringEquals": {
        "aws:RequestTag/eks-cluster-arn": CLUSTER_ARN, "aws:RequestTag/kubernetes-namespace": "apps",
        "aws:RequestTag/kubernetes-service-account": "app"}}
    irsa = trusts["test-irsa"]
    assert irsa["Action"] == ["sts:AssumeRoleWithWebIdentity"]
    assert irsa["Condition"]["StringEquals"] == {
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:observability:loki",
    }


def test_network_closes_default_sg_and_keeps_subnets_private(synthesized):
    default_sg = resources(synthesized, DefaultSecurityGroup.TF_RESOURCE_TYPE)
    assert len(default_sg) == 1 and "ingress" not in default_sg[0] and "egress" not in default_sg[0]
    subnets = resources(synthesized, Subnet.TF_RESOURCE_TYPE)
    assert len(subnets) == 4 and all(s["map_public_ip_on_launch"] is False for s in subnets)
    assert {s["availability_zone"] for s in subnets} == {"eu-west-1a", "eu-west-1b"}
    assert len(resources(synthesized, NatGateway.TF_RESOURCE_TYPE)) == 2  # per_az


def test_flow_logs_go_to_an_encrypted_log_group_with_retention(synthesized):
    assert has(synthesized, FlowLog.TF_RESOURCE_TYPE, {"traffic_type": "ALL", "log_destination_type": "cloud-watch-logs"})
    groups = resources(synthesized, CloudwatchLogGroup.TF_RESOURCE_TYPE)
    assert groups[0]["retention_in_days"] == 30 and "aws_kms_key" in groups[0]["kms_key_id"]
    # the delivery role serves only this account's flow logs (confused-deputy conditions)
    (role,) = [r for r in resources(synthesized, IamRole.TF_RESOURCE_TYPE) if "vpc-flow-logs" in r["assume_role_policy"]]
    condition = json.loads(role["assume_role_policy"])["Statement"][0]["Condition"]
    assert condition == {"StringEquals": {"aws:SourceAccount": TARGET.account_id},
                         "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{TARGET.region}:{TARGET.account_id}:vpc-flow-log/*"}}


def test_mandatory_tags_reach_every_taggable_resource(synthesized):
    for rtype in (AwsKmsKey.TF_RESOURCE_TYPE, S3Bucket.TF_RESOURCE_TYPE, IamRole.TF_RESOURCE_TYPE, Subnet.TF_RESOURCE_TYPE):
        for resource in resources(synthesized, rtype):
            assert {k: resource["tags"][k] for k in TAGS} == TAGS, rtype
    # A resource's own tags are kept alongside the mandatory ones.
    assert all(s["tags"]["Name"].startswith("test-") for s in resources(synthesized, Subnet.TF_RESOURCE_TYPE))


def test_constructs_validate_props_early():
    stack = new_stack("invalid")
    with pytest.raises(SynthError, match=r"KmsKey 'k': deletion_window_days got 3, expected 7 to 30"):
        KmsKey(stack, "k", KmsKeyProps(target=TARGET, naming=NAMING, purpose="x", deletion_window_days=3))
    with pytest.raises(SynthError, match=r"EncryptedBucket 'b': expiration_days got 0, expected >= 1"):
        EncryptedBucket(stack, "b", EncryptedBucketProps(target=TARGET, naming=NAMING, purpose="b", expiration_days=0))
    with pytest.raises(SynthError, match=r"Network 'n': got 2 public subnets, 2 private subnets and 1 zones"):
        Network(stack, "n", NetworkProps(target=TARGET, naming=NAMING, cidr="10.0.0.0/16",
                                         public_subnet_cidrs=("10.0.128.0/18", "10.0.192.0/18"),
                                         private_subnet_cidrs=("10.0.0.0/18", "10.0.64.0/18"),
                                         availability_zones=("eu-west-1a",), log_retention_days=30))
    with pytest.raises(ValueError, match=r"MandatoryTags: missing values for owner"):
        MandatoryTags({**TAGS, "owner": ""})


def test_partition_follows_region():
    assert AwsTarget("111111111111", "cn-north-1").managed_policy("X") == "arn:aws-cn:iam::aws:policy/X"
    assert AwsTarget("111111111111", "us-gov-west-1").root_principal == "arn:aws-us-gov:iam::111111111111:root"


def test_a_role_without_permissions_fails_at_synth_and_grants_count(tmp_path):
    from cdktn import App, TerraformStack

    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "roles")
    WorkloadRole(stack, "idle", WorkloadRoleProps(naming=NAMING, name="idle", trust=PodIdentityTrust(CLUSTER_ARN, "apps", "app")))
    reader = WorkloadRole(stack, "reader", WorkloadRoleProps(naming=NAMING, name="reader", trust=PodIdentityTrust(CLUSTER_ARN, "apps", "app")))
    EncryptedBucket(stack, "b", EncryptedBucketProps(target=TARGET, naming=NAMING, purpose="b")).grant_read(reader)
    with pytest.raises(Exception, match=r"WorkloadRole 'idle': got no managed_policy_arns, statements or grants") as error:
        app.synth()
    assert "reader" not in str(error.value)


def test_grants_write_least_privilege_statements():
    stack = new_stack("grants")
    bucket = EncryptedBucket(stack, "b", EncryptedBucketProps(target=TARGET, naming=NAMING, purpose="b"))
    reader = WorkloadRole(stack, "reader", WorkloadRoleProps(naming=NAMING, name="reader", trust=PodIdentityTrust(CLUSTER_ARN, "apps", "app")))
    writer = WorkloadRole(stack, "writer", WorkloadRoleProps(naming=NAMING, name="writer", trust=PodIdentityTrust(CLUSTER_ARN, "apps", "app")))
    bucket.grant_read(reader)
    bucket.grant_read(reader)  # twice: no duplicate statements
    bucket.grant_read_write(writer)
    synthesized = json.loads(Synth.synth(stack))
    policies = {p["name"]: json.loads(p["policy"])["Statement"] for p in synthesized["resource"]["aws_iam_role_policy"].values()}
    read = next(v for k, v in policies.items() if "reader" in k)
    write = next(v for k, v in policies.items() if "writer" in k)
    assert [s["Action"] for s in read] == [["s3:ListBucket"], ["s3:GetObject"], ["kms:Decrypt"]]
    assert [s["Action"] for s in write] == [["s3:ListBucket"], ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                                            ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]]
    assert all(s["Resource"] != "*" for s in read + write)


def test_s3_gateway_endpoint_allows_this_account_and_the_buckets_nodes_pull_from(synthesized):
    from cdktn_provider_aws.vpc_endpoint import VpcEndpoint

    (endpoint,) = resources(synthesized, VpcEndpoint.TF_RESOURCE_TYPE)
    statements = {s["Sid"]: s for s in json.loads(endpoint["policy"])["Statement"]}
    assert statements["OwnAccountBuckets"] == {
        "Sid": "OwnAccountBuckets", "Effect": "Allow", "Action": ["s3:*"], "Resource": "*", "Principal": "*",
        "Condition": {"StringEquals": {"s3:ResourceAccount": "111111111111"}}}
    assert statements["EcrImageLayers"]["Resource"] == "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"
    assert statements["RegistryK8sIoMirror"]["Resource"] == "arn:aws:s3:::prod-registry-k8s-io-eu-west-1/*"
    assert {s["Action"][0] for sid, s in statements.items() if sid != "OwnAccountBuckets"} == {"s3:GetObject"}


@pytest.mark.parametrize(("region", "mirror"), [
    ("us-east-1", "prod-registry-k8s-io-us-east-1"),
    ("eu-west-2", "767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2"),  # the one exception upstream
    ("ap-east-2", None),  # redirected to ap-east-1's bucket: never through an ap-east-2 endpoint
])
def test_registry_mirror_bucket_per_region(region, mirror):
    from goldenpath.constructs.endpoint_policy import registry_k8s_io_bucket, s3_gateway_policy

    assert registry_k8s_io_bucket(region) == mirror
    policy = json.loads(s3_gateway_policy(AwsTarget(account_id="111111111111", region=region), ("b-one", "b-one", "a-two")))
    sids = [s["Sid"] for s in policy["Statement"]]
    assert ("RegistryK8sIoMirror" in sids) == (mirror is not None)
    assert policy["Statement"][-1] == {"Sid": "ExtraReadBuckets", "Effect": "Allow", "Action": ["s3:GetObject"], "Principal": "*",
                                       "Resource": ["arn:aws:s3:::a-two/*", "arn:aws:s3:::b-one/*"]}
