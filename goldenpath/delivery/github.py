"""The GitHub REST API calls the pipeline makes, with the job's ``GITHUB_TOKEN`` (standard library only):
keep one plan comment per pull request, read back what reviewers saw, keep one issue per drifted stack, and ask
whether a preview's pull request is closed.

Facts (GitHub REST API docs, "Issue comments", "Commits: list pull requests associated with a commit",
"Compare two commits"): pull-request comments are issue comments; a comment written with a workflow's
``GITHUB_TOKEN`` is authored by ``github-actions[bot]``; list endpoints page with a ``Link: rel="next"`` header;
compare lists at most 250 commits.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from goldenpath.delivery.apply import Review
from goldenpath.delivery.comment import MARKER, reviewed_digest
from goldenpath.delivery.drift import StackDrift
from goldenpath.errors import GoldenpathError

PIPELINE_AUTHOR = "github-actions[bot]"
"""Who writes the plan comment: only its comments count as reviewed plans (anyone can write a comment)."""
DRIFT_LABEL = "goldenpath-drift"
DRIFT_TITLE = "goldenpath drift: {stack}"
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class GitHub:
    api_url: str
    token: str
    repository: str
    """owner/name the calls are about (the workflow's own repository)."""

    @classmethod
    def from_environment(cls) -> GitHub:
        token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
        repository = os.environ.get("GITHUB_REPOSITORY")
        if not token or not repository:
            missing = " and ".join(n for n, v in (("GITHUB_TOKEN", token), ("GITHUB_REPOSITORY", repository)) if not v)
            raise GoldenpathError(f"{missing}: not set; expected to run in a GitHub Actions job (pass "
                                  "GITHUB_TOKEN: ${{ github.token }} in the step's env)")
        return cls(os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"), token, repository)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[Any, dict[str, str]]:
        url = path if path.startswith("http") else f"{self.api_url}{path}"
        request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
                                                  "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "goldenpath"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return (json.loads(text) if text else None), dict(response.headers)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:200]
            raise GitHubError(error.code, f"GitHub API: {method} {path} answered {error.code}: {detail}") from None
        except urllib.error.URLError as error:
            raise GoldenpathError(f"GitHub API: {method} {url} unreachable: {error.reason}") from None

    def pages(self, path: str) -> list[Any]:
        items: list[Any] = []
        url: str | None = path + ("&" if "?" in path else "?") + "per_page=100"
        while url:
            data, headers = self.call("GET", url)
            items += data if isinstance(data, list) else data.get("items", [])
            found = _NEXT.search(headers.get("Link", "") or headers.get("link", ""))
            url = found.group(1) if found else None
        return items

    @property
    def repo_path(self) -> str:
        return f"/repos/{self.repository}"


class GitHubError(GoldenpathError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def upsert_comment(github: GitHub, number: int, body: str, marker: str = MARKER) -> str:
    """Edit the pipeline's comment carrying ``marker`` on pull request ``number``, or create it."""
    for comment in github.pages(f"{github.repo_path}/issues/{number}/comments"):
        if comment.get("user", {}).get("login") == PIPELINE_AUTHOR and comment.get("body", "").startswith(marker):
            github.call("PATCH", f"{github.repo_path}/issues/comments/{comment['id']}", {"body": body})
            return "updated"
    github.call("POST", f"{github.repo_path}/issues/{number}/comments", {"body": body})
    return "created"


@dataclass
class GitHubReviews:
    """Reviews of the pull requests merged in a range of commits (``apply.ReviewSource``)."""

    github: GitHub
    head: str

    def _commits(self, since: list[str]) -> list[str]:
        found = [self.head]
        for base in sorted(set(since) - {self.head}):
            try:
                data, _ = self.github.call("GET", f"{self.github.repo_path}/compare/{base}...{self.head}")
            except GitHubError as error:
                if error.status == 404:  # a recorded commit no longer on the branch: its review is unknown
                    continue
                raise
            found += [c["sha"] for c in data.get("commits", [])]
        return list(dict.fromkeys(found))

    def review(self, commits: list[str]) -> Review:
        pulls: dict[int, dict] = {}
        for sha in self._commits(commits):
            for pull in self.github.pages(f"{self.github.repo_path}/commits/{sha}/pulls"):
                if pull.get("merged_at"):
                    pulls[pull["number"]] = pull
        digests: dict[str, str] = {}
        labels: set[str] = set()
        for pull in sorted(pulls.values(), key=lambda p: p["merged_at"]):  # a later review of a stack wins
            labels |= {label["name"] for label in pull.get("labels", [])}
            for comment in self.github.pages(f"{self.github.repo_path}/issues/{pull['number']}/comments"):
                if comment.get("user", {}).get("login") == PIPELINE_AUTHOR and comment.get("body", "").startswith(MARKER):
                    digests.update(reviewed_digest(comment["body"]))
        return Review(digests, frozenset(labels))


def _drift_body(report: StackDrift, run_url: str) -> str:
    changes = "\n".join(f"- `{c}`" for c in report.changes)
    return (f"`{report.stack}` ({report.environment}) {report.detail}: the cloud no longer matches the last apply.\n\n"
            f"Resources a plan would change back:\n{changes}\n\nFound by {run_url}. Re-apply the stack (run the apply "
            "workflow) or bring the change into the code; the next drift run closes this issue when the plan is clean.\n")


def sync_drift_issues(github: GitHub, reports: list[StackDrift], run_url: str) -> list[str]:
    """One open issue per drifted stack: opened, updated, and closed once its plan is clean again."""
    open_issues = {issue["title"]: issue for issue in github.pages(f"{github.repo_path}/issues?state=open&labels={DRIFT_LABEL}")
                   if "pull_request" not in issue}
    actions = []
    for report in reports:
        title = DRIFT_TITLE.format(stack=report.stack)
        issue = open_issues.get(title)
        if report.status == "drift":
            body = _drift_body(report, run_url)
            if issue is None:
                github.call("POST", f"{github.repo_path}/issues", {"title": title, "body": body, "labels": [DRIFT_LABEL]})
                actions.append(f"opened: {title}")
            elif issue.get("body") != body:
                github.call("PATCH", f"{github.repo_path}/issues/{issue['number']}", {"body": body})
                actions.append(f"updated: {title}")
        elif report.status == "clean" and issue is not None:
            github.call("POST", f"{github.repo_path}/issues/{issue['number']}/comments",
                        {"body": f"The plan of `{report.stack}` is clean again ({run_url})."})
            github.call("PATCH", f"{github.repo_path}/issues/{issue['number']}", {"state": "closed", "state_reason": "completed"})
            actions.append(f"closed: {title}")
    return actions


def closed_pull_requests(github: GitHub, pulls: set[tuple[str, int]]) -> tuple[set[tuple[str, int]], list[str]]:
    """Which of ``pulls`` (repository, number) are closed, and which could not be read with this token."""
    closed, unreadable = set(), []
    for repository, number in sorted(pulls):
        try:
            data, _ = github.call("GET", f"/repos/{repository}/pulls/{number}")
        except GitHubError as error:
            if error.status in (403, 404):
                unreadable.append(f"{repository}#{number}")
                continue
            raise
        if data.get("state") == "closed":
            closed.add((repository, number))
    return closed, unreadable
