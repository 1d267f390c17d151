"""What the emulator holds after an apply, and what is left after a destroy.

`deploy --emulator` reads these back from the AWS API (not from terraform's state) and reports
them, so an evaluator sees the real result: the cluster's settings, the buckets' protections,
one state object per stack, and, after destroy, that nothing of the environment remains.
"""

from __future__ import annotations

from goldenpath.config.model import Environment
from goldenpath.deploy.emulator import emulator_client
from goldenpath.stacks.target import EmulatorEndpoint


def state_objects(endpoint: EmulatorEndpoint, environment: Environment) -> list[str]:
    s3 = emulator_client("s3", endpoint, environment.state_region)
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=environment.state_bucket).get("Contents", []))


def applied_inventory(endpoint: EmulatorEndpoint, environment: Environment) -> list[str]:
    """One line per cluster and bucket, with the settings that matter for security."""
    lines = []
    eks = emulator_client("eks", endpoint, environment.region)
    for name in eks.list_clusters()["clusters"]:
        cluster = eks.describe_cluster(name=name)["cluster"]
        vpc = cluster["resourcesVpcConfig"]
        encrypted = [r for c in cluster.get("encryptionConfig", []) for r in c["resources"]]
        groups = eks.list_nodegroups(clusterName=name)["nodegroups"]
        lines.append(f"EKS cluster {name}: Kubernetes {cluster['version']}, private endpoint "
                     f"{'on' if vpc['endpointPrivateAccess'] else 'OFF'}, public endpoint "
                     f"{'on' if vpc['endpointPublicAccess'] else 'off'}, encrypted {', '.join(encrypted) or 'NOTHING'}, "
                     f"node groups {', '.join(groups) or 'none'}")
    s3 = emulator_client("s3", endpoint, environment.region)
    for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"] != environment.state_bucket):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        algorithm = rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        blocked = all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
        expiry = [r["Expiration"]["Days"] for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
                  if "Days" in r.get("Expiration", {})]
        lines.append(f"bucket {bucket}: {algorithm}, public access {'blocked' if blocked else 'NOT BLOCKED'}, "
                     f"objects expire after {expiry[0] if expiry else 'never'} days")
    return lines


def leftovers(endpoint: EmulatorEndpoint, environment: Environment) -> list[str]:
    """Everything of ``environment`` still in the emulator after destroy (empty when clean).
    KMS keys cannot be deleted at once; they must be pending deletion."""
    name, region = environment.name, environment.region
    ec2 = emulator_client("ec2", endpoint, region)
    found = [f"VPC {v['VpcId']}" for v in ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": [environment.network.cidr]}])["Vpcs"]]
    found += [f"NAT gateway {n['NatGatewayId']}" for n in ec2.describe_nat_gateways()["NatGateways"]
              if n["State"] not in ("deleted", "deleting")]
    found += [f"Elastic IP {a.get('PublicIp')}" for a in ec2.describe_addresses()["Addresses"]]
    found += [f"launch template {t['LaunchTemplateName']}" for t in ec2.describe_launch_templates()["LaunchTemplates"]]
    found += [f"EKS cluster {c}" for c in emulator_client("eks", endpoint, region).list_clusters()["clusters"]]
    found += [f"IAM role {r['RoleName']}" for r in emulator_client("iam", endpoint, region).list_roles()["Roles"]
              if r["RoleName"].startswith(f"{name}-")]
    found += [f"log group {g['logGroupName']}" for g in emulator_client("logs", endpoint, region).describe_log_groups()["logGroups"]
              if name in g["logGroupName"]]
    kms = emulator_client("kms", endpoint, region)
    found += [f"KMS key {k['KeyId']} ({state})" for k in kms.list_keys()["Keys"]
              if (state := kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]) != "PendingDeletion"]
    found += [f"bucket {b['Name']}" for b in emulator_client("s3", endpoint, region).list_buckets()["Buckets"]
              if b["Name"] != environment.state_bucket]
    return found
