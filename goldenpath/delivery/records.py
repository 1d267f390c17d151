"""What was last applied to each stack, next to its state (``<env>/<component>.applied.json`` beside
``<env>/<component>.tfstate``): the fingerprint of the stack's synthesized JSON, the commit, the time, and the
configuration itself. Drift tells "someone changed the cloud" (the plan differs, the code did not) from "a merged
change is not applied yet" (the code differs too); apply finds every stack whose code moved since its last apply,
whichever run was superseded; a stack removed from the code is destroyed from the configuration recorded here."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from goldenpath.previews.registry import state_object_encryption

SUFFIX = ".applied.json"


def record_key(state_key: str) -> str:
    return state_key.removesuffix(".tfstate") + SUFFIX


def state_key_of(stack_document: dict) -> str:
    """The state key of a synthesized stack (its S3 backend's key)."""
    return stack_document["terraform"]["backend"]["s3"]["key"]


@dataclass(frozen=True)
class AppliedRecord:
    stack: str
    state_key: str
    fingerprint: str
    commit: str
    applied_at: str
    configuration: str
    """The stack's canonical JSON as applied (configuration only: no state, no secret)."""
    dependencies: tuple[str, ...] = field(default=())
    """The stacks it depended on when applied: a removed stack is destroyed after the removed stacks needing it."""

    @classmethod
    def from_json(cls, data: dict) -> AppliedRecord:
        return cls(**{**data, "dependencies": tuple(data.get("dependencies", ()))})


class AppliedRecords:
    def __init__(self, s3: Any, bucket: str, kms_key: str | None = None):
        self.s3, self.bucket, self.kms_key = s3, bucket, kms_key

    def get(self, state_key: str) -> AppliedRecord | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=record_key(state_key))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return AppliedRecord.from_json(json.loads(body))

    def save(self, record: AppliedRecord) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=record_key(record.state_key), Body=json.dumps(asdict(record), sort_keys=True).encode(),
                           **state_object_encryption(self.kms_key))

    def under(self, prefix: str) -> list[AppliedRecord]:
        """Every record whose state key starts with ``prefix`` (an environment's ``dev/``)."""
        found = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                if item["Key"].endswith(SUFFIX):
                    found.append(AppliedRecord.from_json(json.loads(self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read())))
        return sorted(found, key=lambda r: r.stack)

    def forget(self, state_key: str) -> None:
        """A destroyed stack: its record and its (now empty) state go."""
        for key in (record_key(state_key), state_key):
            self.s3.delete_object(Bucket=self.bucket, Key=key)
