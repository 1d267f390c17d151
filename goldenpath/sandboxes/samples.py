"""Sample sandboxes for the policy gate: every tier's stack goes through checkov and the in-cluster checks
next to the environment stacks, so what `sandbox request` can create has been scanned before anyone asks.
One sample per tier and environment, as if requested by ``policy-gate`` at midnight UTC today for the
tier's longest lease (the expiry labels change once a day, not on every run)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.sandboxes.lease import SandboxRecord, sandbox_id
from goldenpath.stacks.samples import SampleStacks, sample_app, sample_day, synthesize_samples

SAMPLES_DIR = Path(".goldenpath/sandbox-samples")
SAMPLE_OWNER = "policy-gate"


def sample_record(environment: Environment, tier: str, today: datetime) -> SandboxRecord:
    hours = environment.sandboxes.tiers[tier].max_lease_hours  # type: ignore[union-attr]
    return SandboxRecord(sandbox_id(environment.name, tier, SAMPLE_OWNER, today), environment.name, tier, SAMPLE_OWNER,
                         "active", today.isoformat(), hours, "policy gate sample", started_at=today.isoformat())


def synthesize_sample_sandboxes(environments: list[Environment], outdir: Path, now: datetime | None = None) -> SampleStacks:
    from goldenpath.sandboxes.stacks import SandboxAwsStack, SandboxNamespaceStack

    today = sample_day(now)
    app = sample_app(outdir)
    hosted: dict[str, Environment] = {}
    for environment in environments:
        for name, tier in sorted((environment.sandboxes.tiers if environment.sandboxes else {}).items()):
            stack_class = SandboxAwsStack if tier.kind == "aws" else SandboxNamespaceStack
            stack = stack_class(app, environment, sample_record(environment, name, today))
            hosted[stack.layout.name] = environment
    return synthesize_samples(app, outdir, hosted)
