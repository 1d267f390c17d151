"""Sample previews for the policy gate: previews go through the same checks as the platform.

`validate` synthesizes, for each environment that hosts previews, one preview of every service that
opted in (with its AWS-only stack and bucket, so every part a pull request can create is scanned),
and hands them to checkov and the in-cluster checks next to the environment stacks.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.modules.preview_request import PreviewRequest
from goldenpath.stacks.samples import SampleStacks, sample_app, sample_day, synthesize_samples
from goldenpath.tenancy.catalog import Catalog

SAMPLES_DIR = Path(".goldenpath/preview-samples")
SAMPLE_REPOSITORY = "goldenpath/policy-gate"


def sample_request(service: str) -> PreviewRequest:
    return PreviewRequest(SAMPLE_REPOSITORY, 1, "policy-gate", service, "sample", "policy-gate", bucket=True)


def synthesize_sample_previews(environments: list[Environment], catalog: Catalog, outdir: Path,
                               now: datetime | None = None) -> SampleStacks:
    """One sample preview per previewable service and hosting environment, into ``outdir`` (replaced)."""
    from goldenpath.previews.stacks import PreviewAwsStack, PreviewStack

    today = sample_day(now)
    app = sample_app(outdir)
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
    return synthesize_samples(app, outdir, hosted)
