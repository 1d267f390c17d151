"""The record of sandboxes: one JSON object per sandbox next to its state in the environment's state
bucket (``sandboxes/<id>.json``); list, approve, extend, release and reap read only these."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from goldenpath.previews.registry import state_object_encryption
from goldenpath.state_prefixes import SANDBOXES_STATE_PREFIX
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord

PREFIX = SANDBOXES_STATE_PREFIX


def record_key(sandbox_id: str) -> str:
    return f"{PREFIX}/{sandbox_id}.json"


def state_keys(sandbox_id: str) -> tuple[str, str]:
    """The state objects of a sandbox's two stacks (namespace or AWS side)."""
    return f"{PREFIX}/{sandbox_id}.tfstate", f"{PREFIX}/{sandbox_id}-aws.tfstate"


class SandboxRegistry:
    """Sandbox records in an S3 bucket (any boto3 S3 client: AWS or the emulator)."""

    def __init__(self, s3: Any, bucket: str, kms_key: str | None = None):
        self.s3, self.bucket, self.kms_key = s3, bucket, kms_key

    def _listed(self, prefix: str) -> list[str]:
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys += [item["Key"] for item in page.get("Contents", [])]
        return keys

    def _read(self, key: str) -> SandboxRecord:
        return SandboxRecord.from_json(json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()))

    def all(self) -> list[SandboxRecord]:
        records = [self._read(key) for key in self._listed(f"{PREFIX}/") if key.endswith(".json")]
        return sorted(records, key=lambda r: (r.requested_at, r.id))

    def find(self, sandbox_id: str) -> SandboxRecord | None:
        """The record, read by its key alone; None when there is none (released, or never requested)."""
        try:
            return self._read(record_key(sandbox_id))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def get(self, sandbox_id: str) -> SandboxRecord:
        record = self.find(sandbox_id)
        if record is None:
            raise LeaseError(f"{sandbox_id}: no such sandbox in s3://{self.bucket}/{PREFIX}/, expected an id from "
                             "`goldenpath sandbox list`")
        return record

    def save(self, record: SandboxRecord) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=record_key(record.id),
                           Body=json.dumps(asdict(record), sort_keys=True).encode(), **state_object_encryption(self.kms_key))

    def remaining_state(self, sandbox_id: str) -> list[str]:
        """State objects of the sandbox still in the bucket (release checks this is empty)."""
        return [found for key in state_keys(sandbox_id) for found in self._listed(key) if found == key]

    def forget_state(self, sandbox_id: str) -> None:
        """Delete the sandbox's state objects (and any lock left next to them); the record stays until verified."""
        for key in state_keys(sandbox_id):
            for found in self._listed(key):
                if found in (key, f"{key}.tflock"):
                    self.s3.delete_object(Bucket=self.bucket, Key=found)

    def forget(self, sandbox_id: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=record_key(sandbox_id))
