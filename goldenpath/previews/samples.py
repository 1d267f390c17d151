"""Sample previews for the policy gate: previews go through the same checks as the platform.

`validate` synthesizes, for each environment that hosts previews, one preview of every service that
opted in (with its AWS-only stack and bucket, so every part a pull request can create is scanned),
and hands them to checkov and the in-cluster checks next to the environment stacks.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.modules.preview_request import PreviewRequest
from goldenpath.tenancy.catalog import Catalog

SAMPLES_DIR = Path(".goldenpath/preview-samples")
SAMPLE_REPOSITORY = "goldenpath/policy-gate"


@dataclass(frozen=True)
class SampleStacks:
    """Stacks synthesized only for the policy gate (sample previews, sample sandboxes)."""

    stacks: dict[str, Path]
    hosted: dict[str, Environment]
    """Stack name -> the environment hosting it."""


SamplePreviews = SampleStacks


def sample_request(service: str) -> PreviewRequest:
    return PreviewRequest(SAMPLE_REPOSITORY, 1, "policy-gate", service, "sample", "policy-gate", bucket=True)


def synthesize_sample_previews(environments: list[Environment], catalog: Catalog, outdir: Path,
                               now: datetime | None = None) -> SamplePreviews:
    """One sample preview per previewable service and hosting environment, into ``outdir`` (replaced)."""
    from goldenpath.previews.stacks import PreviewAwsStack, PreviewStack
    from goldenpath.stacks.app import new_app

    # midnight UTC: the samples' expiry labels change once a day, not on every run
    today = datetime.combine((now or datetime.now(timezone.utc)).date(), time(), tzinfo=timezone.utc)
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    app = new_app(outdir.resolve())
    hosted: dict[str, Environment] = {}
    for environment in environments:
        if environment.previews is None:
            continue
        for service in sorted(catalog.previewable(environment)):
            request = sample_request(service)
            expires_at = request.expires_at(environment, today)
            for stack in (PreviewStack(app, environment, request, expires_at, catalog),
                          PreviewAwsStack(app, environment, request, expires_at, catalog)):
                hosted[stack.layout.name] = environment
    if not hosted:
        return SamplePreviews({}, {})
    app.synth()
    root = outdir / "stacks"
    return SamplePreviews({name: root / name for name in hosted}, hosted)
