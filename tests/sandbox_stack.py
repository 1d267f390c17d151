"""A synthesized aws sandbox of the bundled dev tier, and its policy documents as AWS will see them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from cdktn import Testing as Synth

from goldenpath.config.loader import load_environments
from goldenpath.iam.evaluate import Caller, Request
from goldenpath.sandboxes.lease import SandboxRecord
from goldenpath.sandboxes.stacks import SandboxAwsStack
from tests.conftest import ENVIRONMENTS
from tests.iam_facts import assert_real_request

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
SANDBOX_ACCOUNT = "444444444444"
REGION = "eu-west-1"
ROLE = f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/sandbox-sbx-aaaaaaaaaa"


def dev_environment():
    return next(e for e in load_environments(ENVIRONMENTS) if e.name == "dev")


def synth_sandbox(environment, sandbox_id: str, tier: str = "experiments", owner: str = "ana@example.com") -> dict:
    record = SandboxRecord(sandbox_id, "dev", tier, owner, "active", NOW.isoformat(), 24, started_at=NOW.isoformat())
    return json.loads(Synth.synth(SandboxAwsStack(Synth.app(), environment, record)))


def resolved(stack: dict, text: str) -> str:
    """A policy string with the stack's Terraform references replaced by the ARNs they become in the sandbox account."""
    def arn(match: re.Match[str]) -> str:
        rtype, name, _ = match.group(1).split(".")
        body = stack["resource"][rtype][name]
        return {
            "aws_iam_role": lambda: f"arn:aws:iam::{SANDBOX_ACCOUNT}:role{body.get('path', '/')}{body['name']}",
            "aws_iam_policy": lambda: f"arn:aws:iam::{SANDBOX_ACCOUNT}:policy/{body['name']}",
            "aws_cloudwatch_log_group": lambda: f"arn:aws:logs:{REGION}:{SANDBOX_ACCOUNT}:log-group:{body['name']}",
            "aws_sns_topic": lambda: f"arn:aws:sns:{REGION}:{SANDBOX_ACCOUNT}:{body['name']}",
        }[rtype]()

    return re.sub(r"\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+\.arn)\}", arn, text)


def attempt(action: str, resource: str = "*", *, region: str = REGION, tags: dict | None = None,
            request_tags: dict | None = None, keys: dict | None = None, caller_arn: str = ROLE) -> Request:
    """A request as AWS would build it, its condition keys checked against the reference first."""
    context = {**{f"aws:ResourceTag/{k}": v for k, v in (tags or {}).items()},
               **{f"aws:RequestTag/{k}": v for k, v in (request_tags or {}).items()}, **(keys or {})}
    if request_tags:
        context["aws:TagKeys"] = list(request_tags)
    assert_real_request(action, resource, context)
    return Request(action, resource, {**context, "aws:RequestedRegion": region, "aws:PrincipalArn": caller_arn,
                                      "aws:PrincipalAccount": SANDBOX_ACCOUNT}, Caller("AWS", caller_arn))
