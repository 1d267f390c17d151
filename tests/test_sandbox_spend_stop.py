"""The spend stop's function, run as Lambda would run it, against moto (in process): at the deny threshold it stops
the sandbox's running instances (terminates its Spot ones) and databases in every tier region, and touches
nothing else. Its code ships byte-stable in the stack."""

from __future__ import annotations

import io
import os
import zipfile

import boto3
import pytest
from moto import mock_aws

from goldenpath.modules import spend_stop_handler
from goldenpath.modules.sandbox_spend_stop import HANDLER_FILE, handler_zip

ME, OTHER = "sbx-aaaaaaaaaa", "sbx-bbbbbbbbbb"


@pytest.fixture
def aws(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def _launch(region: str, sandbox: str | None, spot: bool = False) -> str:
    ec2 = boto3.client("ec2", region_name=region)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    extra = {"InstanceMarketOptions": {"MarketType": "spot"}} if spot else {}
    tags = [{"ResourceType": "instance", "Tags": [{"Key": "sandbox-id", "Value": sandbox}]}] if sandbox else []
    return ec2.run_instances(ImageId=image, InstanceType="t3.large", MinCount=1, MaxCount=1, TagSpecifications=tags,
                             **extra)["Instances"][0]["InstanceId"]


def _state(region: str, instance_id: str) -> str:
    reservations = boto3.client("ec2", region_name=region).describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservations[0]["Instances"][0]["State"]["Name"]


def test_at_the_deny_threshold_it_stops_only_the_sandboxs_instances_and_databases(aws, monkeypatch):
    mine = _launch("eu-west-1", ME)
    mine_elsewhere = _launch("eu-central-1", ME)
    spot = _launch("eu-west-1", ME, spot=True)
    theirs = _launch("eu-west-1", OTHER)
    untagged = _launch("eu-west-1", None)
    rds = boto3.client("rds", region_name="eu-west-1")
    for name, sandbox in (("mine", ME), ("theirs", OTHER)):
        rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="u", MasterUserPassword="password-1234", AllocatedStorage=20,
                               Tags=[{"Key": "sandbox-id", "Value": sandbox}])
    monkeypatch.setenv("SANDBOX_ID", ME)
    monkeypatch.setenv("REGIONS", "eu-west-1,eu-central-1")
    result = spend_stop_handler.handler({"Records": [{"Sns": {"Message": "budget exceeded"}}]}, None)

    assert _state("eu-west-1", mine) == "stopped" and _state("eu-central-1", mine_elsewhere) == "stopped"
    assert _state("eu-west-1", spot) == "terminated"
    assert _state("eu-west-1", theirs) == "running" and _state("eu-west-1", untagged) == "running"
    states = {db["DBInstanceIdentifier"]: db["DBInstanceStatus"] for db in rds.describe_db_instances()["DBInstances"]}
    assert states == {"mine": "stopped", "theirs": "available"}
    assert sorted(result["done"]) == sorted([f"eu-west-1: stopped {mine}", f"eu-central-1: stopped {mine_elsewhere}",
                                             f"eu-west-1: terminated spot {spot}", "eu-west-1: stopped database mine"])


def test_a_second_notification_finds_nothing_left_to_stop(aws):
    _launch("eu-west-1", ME)
    assert spend_stop_handler.stop_sandbox(ME, ["eu-west-1"])
    assert spend_stop_handler.stop_sandbox(ME, ["eu-west-1"]) == []


def test_the_code_ships_byte_stable_and_whole():
    first, second = handler_zip(), handler_zip()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        (info,) = archive.infolist()
        assert info.filename == "spend_stop_handler.py" and info.date_time == (2020, 1, 1, 0, 0, 0)
        assert archive.read(info) == HANDLER_FILE.read_bytes()
    assert os.path.basename(HANDLER_FILE) == "spend_stop_handler.py"
