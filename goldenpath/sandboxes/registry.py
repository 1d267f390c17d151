"""The record of sandboxes: one JSON object per sandbox next to its state in the environment's state
bucket (``sandboxes/<id>.json``); list, approve, extend, release and reap read only these."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from goldenpath.previews.registry import state_object_encryption
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord

PREFIX = "sandboxes"


def record_key(sandbox_id: str) -> str:
    return f"{PREFIX}/{sandbox_id}.json"


def state_keys(sandbox_id: str) -> tuple[str, str]:
    """The state objects of a sandbox's two stacks (namespace or AWS side)."""
    return f"{PREFIX}/{sandbox_id}.tfstate", f"{PREFIX}/{sandbox_id}-aws.tfstate"


class SandboxRegistry:
    """Sandbox records in an S3 bucket (any boto3 S3 client: AWS or the emulator)."""

    def __init__(self, s3: Any, bucket: str, kms_key: str | None = None):
        self.s3, self.bucket, self.kms_key = s3, bucket, kms_key

    def all(self) -> list[SandboxRecord]:
        records = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=f"{PREFIX}/"):
            for item in page.get("Contents", []):
                if item["Key"].endswith(".json"):
                    body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                    records.append(SandboxRecord.from_json(json.loads(body)))
        return sorted(records, key=lambda r: (r.requested_at, r.id))

    def get(self, sandbox_id: str) -> SandboxRecord:
        for record in self.all():
            if record.id == sandbox_id:
                return record
        raise LeaseError(f"{sandbox_id}: no such sandbox in s3://{self.bucket}/{PREFIX}/, expected an id from "
                         "`goldenpath sandbox list`")

    def save(self, record: SandboxRecord) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=record_key(record.id),
                           Body=json.dumps(asdict(record), sort_keys=True).encode(), **state_object_encryption(self.kms_key))

    def remaining_state(self, sandbox_id: str) -> list[str]:
        """State objects of the sandbox still in the bucket (release checks this is empty)."""
        found = []
        for key in state_keys(sandbox_id):
            response = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key)
            found += [item["Key"] for item in response.get("Contents", []) if item["Key"] == key]
        return found

    def forget_state(self, sandbox_id: str) -> None:
        """Delete the sandbox's state objects (and any lock left next to them); the record stays until verified."""
        for key in state_keys(sandbox_id):
            response = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key)
            for item in response.get("Contents", []):
                if item["Key"] in (key, f"{key}.tflock"):
                    self.s3.delete_object(Bucket=self.bucket, Key=item["Key"])

    def forget(self, sandbox_id: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=record_key(sandbox_id))

    def has_record(self, sandbox_id: str) -> bool:
        response = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=record_key(sandbox_id))
        return any(item["Key"] == record_key(sandbox_id) for item in response.get("Contents", []))
