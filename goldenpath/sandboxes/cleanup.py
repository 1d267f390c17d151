"""Clean-up that is verified, not assumed: after a sandbox's stacks are destroyed, what its owner launched
(instances and volumes, which the boundary forces to carry the ``sandbox-id`` tag) is removed, and then
nothing tagged with the sandbox's id may remain in any of its tier's regions (Resource Groups Tagging API),
nor its role or budget. Anything found is reported by ARN; the caller keeps the record so it can retry."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from botocore.exceptions import ClientError

Client = Callable[[str, str], Any]
"""``client(service, region)``: a boto3 client for AWS or the emulator."""
GONE_INSTANCE_STATES = ("terminated",)
BUDGETS_REGION = "us-east-1"  # AWS Budgets has one endpoint (budgets.amazonaws.com, us-east-1)


def _tag_filter(sandbox_id: str) -> list[dict]:
    return [{"Name": "tag:sandbox-id", "Values": [sandbox_id]}]


def sweep_compute(client: Client, regions: Iterable[str], sandbox_id: str) -> list[str]:
    """Terminate the sandbox's instances and delete its unattached volumes; returns what was removed."""
    removed = []
    for region in regions:
        ec2 = client("ec2", region)
        pages = ec2.get_paginator("describe_instances").paginate(Filters=_tag_filter(sandbox_id))
        ids = [i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]
               if i["State"]["Name"] not in GONE_INSTANCE_STATES]
        if ids:
            ec2.terminate_instances(InstanceIds=ids)
            ec2.get_waiter("instance_terminated").wait(InstanceIds=ids)
            removed += [f"{region}: instance {i}" for i in ids]
        for volume in ec2.describe_volumes(Filters=_tag_filter(sandbox_id))["Volumes"]:
            if volume["State"] == "available":
                ec2.delete_volume(VolumeId=volume["VolumeId"])
                removed.append(f"{region}: volume {volume['VolumeId']}")
    return removed


def _live_instances(client: Client, region: str, arns: list[str]) -> set[str]:
    ids = [arn.rsplit("/", 1)[-1] for arn in arns if ":instance/" in arn]
    if not ids:
        return set()
    # a filter, not InstanceIds: an instance EC2 has already forgotten is gone, not an error
    reservations = client("ec2", region).describe_instances(Filters=[{"Name": "instance-id", "Values": ids}])["Reservations"]
    return {i["InstanceId"] for r in reservations for i in r["Instances"] if i["State"]["Name"] not in GONE_INSTANCE_STATES}


def tagged_leftovers(client: Client, regions: Iterable[str], sandbox_id: str) -> list[str]:
    """Every resource still tagged ``sandbox-id=<id>`` in these regions (terminated instances excluded)."""
    found = []
    for region in regions:
        pages = client("resourcegroupstaggingapi", region).get_paginator("get_resources").paginate(
            TagFilters=[{"Key": "sandbox-id", "Values": [sandbox_id]}])
        arns = [m["ResourceARN"] for page in pages for m in page["ResourceTagMappingList"]]
        live = _live_instances(client, region, arns)
        found += [arn for arn in arns if ":instance/" not in arn or arn.rsplit("/", 1)[-1] in live]
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
