"""The spend stop of an ``aws`` sandbox (runs in AWS Lambda, boto3 only): when the sandbox's budget reaches its
deny threshold, AWS Budgets publishes to the sandbox's topic, and this stops what keeps billing while the
deny-all policy only stops new API calls: running EC2 instances (Spot instances, which cannot all be stopped,
are terminated) and RDS instances, found by the ``sandbox-id`` tag in each of the tier's regions.

Environment: ``SANDBOX_ID`` and ``REGIONS`` (comma-separated). Its role may stop only what carries that tag.
This file is zipped into the sandbox's stack as it is; goldenpath's tests run it against moto.
"""

from __future__ import annotations

import json
import os

import boto3

RUNNING = ("pending", "running")


def _tagged(region: str, sandbox_id: str, resource_type: str) -> list[str]:
    tagging = boto3.client("resourcegroupstaggingapi", region_name=region)
    arns: list[str] = []
    for page in tagging.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": "sandbox-id", "Values": [sandbox_id]}], ResourceTypeFilters=[resource_type]):
        arns += [mapping["ResourceARN"] for mapping in page["ResourceTagMappingList"]]
    return arns


def _stop_instances(region: str, sandbox_id: str) -> list[str]:
    ec2 = boto3.client("ec2", region_name=region)
    found = ec2.describe_instances(Filters=[{"Name": "tag:sandbox-id", "Values": [sandbox_id]},
                                            {"Name": "instance-state-name", "Values": list(RUNNING)}])
    instances = [i for r in found["Reservations"] for i in r["Instances"]]
    spot = [i["InstanceId"] for i in instances if i.get("InstanceLifecycle") == "spot"]
    on_demand = [i["InstanceId"] for i in instances if i.get("InstanceLifecycle") != "spot"]
    if on_demand:
        ec2.stop_instances(InstanceIds=on_demand)
    if spot:
        ec2.terminate_instances(InstanceIds=spot)
    return [f"{region}: stopped {i}" for i in on_demand] + [f"{region}: terminated spot {i}" for i in spot]


def _stop_databases(region: str, sandbox_id: str) -> list[str]:
    rds = boto3.client("rds", region_name=region)
    stopped = []
    for arn in _tagged(region, sandbox_id, "rds:db"):
        name = arn.rsplit(":", 1)[-1]
        rds.stop_db_instance(DBInstanceIdentifier=name)
        stopped.append(f"{region}: stopped database {name}")
    return stopped


def stop_sandbox(sandbox_id: str, regions: list[str]) -> list[str]:
    """Stop the sandbox's running instances and databases in ``regions``; returns what was done."""
    done: list[str] = []
    for region in regions:
        done += _stop_instances(region, sandbox_id)
        done += _stop_databases(region, sandbox_id)
    return done


def handler(event, context):  # noqa: ARG001 - Lambda's signature
    sandbox_id = os.environ["SANDBOX_ID"]
    regions = [r for r in os.environ["REGIONS"].split(",") if r]
    done = stop_sandbox(sandbox_id, regions)
    print(json.dumps({"sandbox": sandbox_id, "records": len(event.get("Records", [])), "done": done}))
    return {"sandbox": sandbox_id, "done": done}
