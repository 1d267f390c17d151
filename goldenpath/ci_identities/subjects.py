"""The ``sub`` claim GitHub's OIDC provider issues to a job, per GitHub's own rules (github/docs
``content/actions/reference/security/oidc.md`` at 051718f: "Example subject claims", "Immutable subject claims",
"Customizing the subject claims"):

- a job that references an environment gets ``repo:ORG/REPO:environment:ENV`` whatever the event;
- otherwise a ``pull_request`` event gives ``repo:ORG/REPO:pull_request``, and any other event
  ``repo:ORG/REPO:ref:refs/heads/BRANCH`` (or ``refs/tags/TAG``);
- repositories created after 2026-07-15 (or opted in) use ``repo:OWNER@OWNER_ID/REPO@REPO_ID:...``;
- a repository whose template is ``["repo", "context", "job_workflow_ref"]`` appends
  ``:job_workflow_ref:OWNER/REPO/.github/workflows/FILE@REF`` (the reusable workflow a job runs);
- any ``:`` inside a value becomes ``%3A``.

goldenpath's trust policies name these strings exactly (no wildcard), so the same function decides what a role
trusts and, in tests, what a generated workflow's job would present.
"""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.config.model import GitHubIds
from goldenpath.constructs.github_oidc import AUDIENCE, ISSUER_HOST  # noqa: F401 - re-exported for the delivery code

REUSABLE_TEMPLATE = ("repo", "context", "job_workflow_ref")
"""The subject template a service repository sets, so its jobs are told apart by the platform workflow they run."""
PULL_REQUEST = "pull_request"


def _escaped(value: str) -> str:
    return value.replace(":", "%3A")


@dataclass(frozen=True)
class Repository:
    name: str
    """owner/name."""
    ids: GitHubIds | None = None
    """Numeric ids: GitHub's immutable subject form."""

    @property
    def segment(self) -> str:
        if self.ids is None:
            return f"repo:{self.name}"
        owner, repo = self.name.split("/", 1)
        return f"repo:{owner}@{self.ids.owner}/{repo}@{self.ids.repository}"


def environment_context(environment: str) -> str:
    return f"environment:{_escaped(environment)}"


def branch_context(branch: str) -> str:
    return f"ref:refs/heads/{_escaped(branch)}"


def workflow_ref(platform: Repository, workflow_file: str, branch: str) -> str:
    """``job_workflow_ref`` of a job running ``.github/workflows/<workflow_file>`` of the platform repository at
    ``branch`` (the claim names repositories by name, whatever their subject form)."""
    return f"{platform.name}/.github/workflows/{workflow_file}@refs/heads/{branch}"


def subject(repository: Repository, context: str, job_workflow_ref: str | None = None) -> str:
    """The ``sub`` of a job of ``repository`` in ``context`` (see ``*_context`` and ``PULL_REQUEST``); with
    ``job_workflow_ref`` for a repository using ``REUSABLE_TEMPLATE``."""
    text = f"{repository.segment}:{context}"
    return f"{text}:job_workflow_ref:{_escaped(job_workflow_ref)}" if job_workflow_ref else text


def job_context(event: str, environment: str | None, ref: str) -> str:
    """The context part of a job's subject: its environment if it names one, else the event's."""
    if environment:
        return environment_context(environment)
    if event == PULL_REQUEST:
        return PULL_REQUEST
    if ref.startswith("refs/heads/"):
        return branch_context(ref.removeprefix("refs/heads/"))
    return f"ref:{_escaped(ref)}"
