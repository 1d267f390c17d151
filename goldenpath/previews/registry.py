"""The record of live previews: one small JSON object per preview next to its state, in the
environment's state bucket (``previews/<name>.json``). list and reap read only these."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from goldenpath.modules.preview_request import STATE_PREFIX, PreviewRequest


@dataclass(frozen=True)
class PreviewRecord:
    name: str
    repository: str
    pr: int
    branch: str
    service: str
    image_tag: str
    owner: str
    bucket: bool
    created_at: str
    expires_at: str
    monthly_usd: str = ""
    """Expected monthly estimate when it was last deployed ("" in records written before 0.4.0)."""
    not_priced: tuple[str, ...] = ()

    @classmethod
    def of(cls, request: PreviewRequest, created_at: datetime, expires_at: datetime,
           monthly_usd: str = "", not_priced: tuple[str, ...] = ()) -> PreviewRecord:
        return cls(request.name, request.repository, request.pr, request.branch, request.service, request.image_tag,
                   request.owner, request.bucket, created_at.isoformat(), expires_at.isoformat(), monthly_usd, not_priced)

    def request(self) -> PreviewRequest:
        return PreviewRequest(self.repository, self.pr, self.branch, self.service, self.image_tag, self.owner, bucket=self.bucket)

    @property
    def key(self) -> str:
        return record_key(self.name)

    def expired(self, now: datetime) -> bool:
        return datetime.fromisoformat(self.expires_at) <= now


def state_object_encryption(kms_key: str | None) -> dict[str, str]:
    """put_object arguments for a record kept next to state: encrypted like the state, with the state's KMS
    key when the environment names one (``state.kms_key``)."""
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key} if kms_key else {"ServerSideEncryption": "AES256"}


def record_key(name: str) -> str:
    return f"{STATE_PREFIX}/{name}.json"


class Registry:
    """Preview records in an S3 bucket (any boto3 S3 client: AWS or the emulator)."""

    def __init__(self, s3, bucket: str, kms_key: str | None = None):
        self.s3, self.bucket, self.kms_key = s3, bucket, kms_key

    def all(self) -> list[PreviewRecord]:
        records = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{STATE_PREFIX}/"):
            for item in page.get("Contents", []):
                if item["Key"].endswith(".json"):
                    body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                    fields = json.loads(body)
                    fields["not_priced"] = tuple(fields.get("not_priced", ()))
                    records.append(PreviewRecord(**fields))
        return sorted(records, key=lambda r: (r.repository, r.pr, r.service))

    def save(self, record: PreviewRecord) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=record.key, Body=json.dumps(asdict(record), sort_keys=True).encode(),
                           **state_object_encryption(self.kms_key))

    def state_keys(self, name: str) -> list[str]:
        found = []
        for prefix in (f"{STATE_PREFIX}/{name}.tfstate", f"{STATE_PREFIX}/{name}-aws.tfstate"):
            response = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
            found += [item["Key"] for item in response.get("Contents", [])]
        return found

    def forget(self, name: str) -> None:
        """Delete the preview's record and every state object (and lock) it had."""
        for key in [*self.state_keys(name), record_key(name)]:
            self.s3.delete_object(Bucket=self.bucket, Key=key)
