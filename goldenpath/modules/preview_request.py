"""What a preview is asked for, checked against the hosting environment before anything is made."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from typing import Mapping

from goldenpath.config.model import Environment, PreviewService
from goldenpath.constructs.naming import NameKind, label_value, safe_name
from goldenpath.state_prefixes import PREVIEWS_STATE_PREFIX
from goldenpath.tenancy.reserved import PREVIEW_PREFIX
from goldenpath.errors import GoldenpathError

_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")
# Docker image tag grammar: no spaces, at most 128 characters.
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
STATE_PREFIX = PREVIEWS_STATE_PREFIX


class PreviewError(GoldenpathError):
    """A preview request the platform does not allow; nothing was created."""


@dataclass(frozen=True)
class PreviewRequest:
    repository: str
    """``owner/name`` of the Git repository."""
    pr: int
    branch: str
    service: str
    image_tag: str
    owner: str = "unknown"
    """Who opened the pull request (a label on everything the preview creates)."""
    ttl_hours: int | None = None
    """Default: the hosting environment's previews.ttl_hours."""
    bucket: bool = False
    """Also create an encrypted bucket in the preview's own AWS-only stack. Default: false."""

    def check(self, environment: Environment, previewable: Mapping[str, PreviewService]) -> None:
        """Refuse anything the hosting environment does not allow, naming the field and the value.
        ``previewable``: the catalog's services that opted in to previews on this environment."""
        if environment.production:
            raise PreviewError(f"--env: {environment.name!r} is a production environment; previews never run there")
        previews = environment.previews
        if previews is None:
            raise PreviewError(f"--env: environment {environment.name!r} hosts no previews (no previews section)")
        check_pr_number(self.pr)
        if not self.branch.strip():
            raise PreviewError("--branch: got an empty branch name, expected the pull request's head branch")
        check_repository_name(self.repository)
        if self.service not in previewable:
            known = ", ".join(sorted(previewable)) or "none yet"
            raise PreviewError(
                f"--service: got {self.service!r}, expected one of {known} (services with a previews block "
                f"in teams/<team>.yaml that run in {environment.name!r})"
            )
        if not _IMAGE_TAG.match(self.image_tag):
            raise PreviewError(
                f"--image: got {self.image_tag!r}, expected an image tag (letters, digits, '_', '.', '-'; no spaces; <= 128)"
            )
        if self.ttl_hours is not None and not 1 <= self.ttl_hours <= previews.max_ttl_hours:
            raise PreviewError(f"--ttl-hours: got {self.ttl_hours}, expected 1 to {previews.max_ttl_hours} (previews.max_ttl_hours)")

    @property
    def name(self) -> str:
        """Deterministic, length-safe, collision-free: one name per repository, PR and service."""
        return preview_name(self.repository, self.pr, self.service)

    def expires_at(self, environment: Environment, now: datetime) -> datetime:
        hours = self.ttl_hours or environment.previews.ttl_hours  # type: ignore[union-attr]
        return (now.astimezone(timezone.utc) + timedelta(hours=hours)).replace(microsecond=0)


def check_repository_name(repository: str) -> None:
    if not _REPOSITORY.match(repository):
        raise PreviewError(f"--repository: got {repository!r}, expected owner/name")


def check_pr_number(pr: object) -> None:
    if isinstance(pr, bool) or not isinstance(pr, int) or pr < 1:
        raise PreviewError(f"--pr: got {pr!r}, expected a pull-request number of 1 or more")


def preview_name(repository: str, pr: int, service: str) -> str:
    # The '/' of owner/name is never kept verbatim, so every name carries a hash of the full
    # identity: owner/name, PR and service can never collide however they are spelled.
    return safe_name(f"{PREVIEW_PREFIX}{pr}-{service}-{repository}", NameKind.PREVIEW)


def state_key(name: str, component: str = "cluster") -> str:
    suffix = "" if component == "cluster" else f"-{component}"
    return f"{STATE_PREFIX}/{name}{suffix}.tfstate"


def expiry_label(moment: datetime) -> str:
    """An ISO-8601 instant in a label-safe form: 2026-11-23T20-00-00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
