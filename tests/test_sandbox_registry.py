"""Sandbox records in the state bucket, against the moto emulator (a real S3 API on 127.0.0.1)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from goldenpath.deploy.emulator import emulator_client, running_emulator
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord
from goldenpath.sandboxes.registry import SandboxRegistry, record_key

BUCKET = "goldenpath-tfstate-111111111111-eu-west-1"
RECORD = SandboxRecord("sbx-0123456789", "dev", "experiments", "ana", "approved", "2026-11-30T10:00:00+00:00", 24,
                       "try a thing", "4.38")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    with running_emulator("111111111111", tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        client = emulator_client("s3", endpoint, "eu-west-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def test_records_round_trip_encrypted_and_sorted(s3):
    registry = SandboxRegistry(s3, BUCKET)
    later = replace(RECORD, id="sbx-fedcba9876", requested_at="2026-11-30T11:00:00+00:00")
    registry.save(later)
    registry.save(RECORD)
    assert registry.all() == [RECORD, later]
    assert s3.head_object(Bucket=BUCKET, Key=record_key(RECORD.id))["ServerSideEncryption"] == "AES256"
    assert registry.get(later.id) == later
    with pytest.raises(LeaseError, match=r"sbx-nope: no such sandbox in s3://.*/sandboxes/, expected an id from `goldenpath sandbox list`"):
        registry.get("sbx-nope")


def test_remaining_state_names_the_sandbox_state_objects_only(s3):
    registry = SandboxRegistry(s3, BUCKET)
    s3.put_object(Bucket=BUCKET, Key="sandboxes/sbx-0123456789-aws.tfstate", Body=b"{}")
    s3.put_object(Bucket=BUCKET, Key="sandboxes/sbx-0123456789-aws.tfstate.tflock", Body=b"{}")
    assert registry.remaining_state(RECORD.id) == ["sandboxes/sbx-0123456789-aws.tfstate"]
