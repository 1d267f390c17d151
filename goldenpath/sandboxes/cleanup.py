"""Clean-up that is verified, not assumed, and touches only what the sandbox made: after a sandbox's stacks are
destroyed, what it launched (instances and volumes, which its boundary makes carry its ``sandbox-id`` tag from
creation and lets no one tag later) is removed, and then nothing tagged with its id may remain in any of its
tier's regions (Resource Groups Tagging API), nor its role or budget. Anything found is reported by ARN; the
caller keeps the record so it can retry. A tagged instance or volume older than the lease was not made by the
sandbox (only the platform could have tagged it): it is named and left alone, never terminated.
All of it runs in the sandbox account, as its operator role."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from botocore.exceptions import ClientError

Client = Callable[[str, str], Any]
"""``client(service, region)``: a boto3 client for AWS or the emulator."""
GONE_INSTANCE_STATES = ("terminated",)
BUDGETS_REGION = "us-east-1"  # AWS Budgets has one endpoint (budgets.amazonaws.com, us-east-1)


def _tag_filter(sandbox_id: str) -> list[dict]:
    return [{"Name": "tag:sandbox-id", "Values": [sandbox_id]}]


def _made_since(created: datetime, began: datetime) -> bool:
    return created.astimezone(timezone.utc) >= began.astimezone(timezone.utc)


def sweep_compute(client: Client, regions: Iterable[str], sandbox_id: str, began: datetime) -> tuple[list[str], list[str]]:
    """Terminate the sandbox's instances and delete its unattached volumes made since ``began`` (its lease's
    start); returns (what was removed, what carried the tag but is older and was left alone)."""
    removed: list[str] = []
    older: list[str] = []
    for region in regions:
        ec2 = client("ec2", region)
        pages = ec2.get_paginator("describe_instances").paginate(Filters=_tag_filter(sandbox_id))
        instances = [i for page in pages for r in page["Reservations"] for i in r["Instances"]
                     if i["State"]["Name"] not in GONE_INSTANCE_STATES]
        ids = [i["InstanceId"] for i in instances if _made_since(i["LaunchTime"], began)]
        older += [f"{region}: instance {i['InstanceId']} (launched {i['LaunchTime'].isoformat()})"
                  for i in instances if i["InstanceId"] not in ids]
        if ids:
            ec2.terminate_instances(InstanceIds=ids)
            ec2.get_waiter("instance_terminated").wait(InstanceIds=ids)
            removed += [f"{region}: instance {i}" for i in ids]
        for volume in ec2.describe_volumes(Filters=_tag_filter(sandbox_id))["Volumes"]:
            if not _made_since(volume["CreateTime"], began):
                older.append(f"{region}: volume {volume['VolumeId']} (created {volume['CreateTime'].isoformat()})")
            elif volume["State"] == "available":
                ec2.delete_volume(VolumeId=volume["VolumeId"])
                removed.append(f"{region}: volume {volume['VolumeId']}")
    return removed, older


def _older_compute(client: Client, region: str, arns: list[str], began: datetime) -> tuple[set[str], set[str]]:
    """(live instance ids, ids of instances and volumes made before ``began``) among ``arns``."""
    ec2 = client("ec2", region)
    instance_ids = [arn.rsplit("/", 1)[-1] for arn in arns if ":instance/" in arn]
    volume_ids = [arn.rsplit("/", 1)[-1] for arn in arns if ":volume/" in arn]
    live: set[str] = set()
    older: set[str] = set()
    if instance_ids:
        # a filter, not InstanceIds: an instance EC2 has already forgotten is gone, not an error
        reservations = ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": instance_ids}])["Reservations"]
        for instance in (i for r in reservations for i in r["Instances"] if i["State"]["Name"] not in GONE_INSTANCE_STATES):
            live.add(instance["InstanceId"])
            if not _made_since(instance["LaunchTime"], began):
                older.add(instance["InstanceId"])
    if volume_ids:
        volumes = ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": volume_ids}])["Volumes"]
        older |= {v["VolumeId"] for v in volumes if not _made_since(v["CreateTime"], began)}
    return live, older


def tagged_leftovers(client: Client, regions: Iterable[str], sandbox_id: str, began: datetime) -> list[str]:
    """Every resource still tagged ``sandbox-id=<id>`` in these regions that the sandbox made (terminated
    instances, and instances and volumes older than its lease, excluded)."""
    found = []
    for region in regions:
        pages = client("resourcegroupstaggingapi", region).get_paginator("get_resources").paginate(
            TagFilters=[{"Key": "sandbox-id", "Values": [sandbox_id]}])
        arns = [m["ResourceARN"] for page in pages for m in page["ResourceTagMappingList"]]
        live, older = _older_compute(client, region, arns, began)
        for arn in arns:
            resource_id = arn.rsplit("/", 1)[-1]
            if (":instance/" in arn and resource_id not in live) or resource_id in older:
                continue
            found.append(arn)
    return sorted(found)


def _exists(call: Callable[[], Any], missing_codes: tuple[str, ...]) -> bool:
    try:
        call()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in missing_codes:
            return False
        raise
    return True


def identity_leftovers(client: Client, account_id: str, role_name: str, budget_name: str) -> list[str]:
    """The sandbox's role and budget, looked up by name (IAM is global; Budgets answers in us-east-1)."""
    iam, budgets = client("iam", BUDGETS_REGION), client("budgets", BUDGETS_REGION)
    found = []
    if _exists(lambda: iam.get_role(RoleName=role_name), ("NoSuchEntity",)):
        found.append(f"iam role {role_name}")
    if _exists(lambda: budgets.describe_budget(AccountId=account_id, BudgetName=budget_name), ("NotFoundException",)):
        found.append(f"budget {budget_name}")
    return found
