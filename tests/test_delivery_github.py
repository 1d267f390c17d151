"""The pipeline's GitHub API calls against the harness's stand-in (tests/harness/github_api.py): one comment per
pull request, reviews read back only from the pipeline's own comments, one issue per drifted stack, pagination."""

from __future__ import annotations

import pytest

from goldenpath.delivery.comment import MARKER, StackRow, render, reviewed_digest, stack_digest
from goldenpath.delivery.drift import StackDrift
from goldenpath.delivery.github import GitHub, GitHubReviews, closed_pull_requests, sync_drift_issues, upsert_comment
from goldenpath.delivery.plans import PlanSummary, ResourceChange
from goldenpath.errors import GoldenpathError
from tests.harness.github_api import BOT, WORKFLOW_TOKEN, FakeGitHub, GitHubState, PullRequest

REPOSITORY = "acme/platform"
PLAN = PlanSummary("dev-network", "planned", changes=[ResourceChange("aws_vpc.main", "aws_vpc", ("update",))])


@pytest.fixture
def fake(tmp_path):
    state = GitHubState(repositories={REPOSITORY: tmp_path / "none.git", "acme/web": tmp_path / "web.git"})
    with FakeGitHub(state) as server:
        yield server


@pytest.fixture
def github(fake) -> GitHub:
    return GitHub(fake.url, WORKFLOW_TOKEN, REPOSITORY)


def test_one_comment_created_then_edited(github, fake):
    assert upsert_comment(github, 5, render([StackRow("dev", PLAN)], "a" * 40)) == "created"
    assert upsert_comment(github, 5, render([StackRow("dev", PLAN)], "b" * 40)) == "updated"
    (comment,) = fake.state.comments_on(REPOSITORY, 5)
    assert comment["user"]["login"] == BOT and "`bbbbbbbbbbbb`" in comment["body"]


def test_pagination_finds_the_comment_past_the_first_page(github, fake):
    for index in range(45):
        fake.state.comment(REPOSITORY, 9, f"chatter {index}", "pat")
    fake.state.comment(REPOSITORY, 9, MARKER + "\nold", BOT)
    assert upsert_comment(github, 9, MARKER + "\nnew") == "updated"
    assert len(fake.state.comments_on(REPOSITORY, 9)) == 46


def test_reviews_come_only_from_the_pipeline_s_own_comments(github, fake):
    """A pull request's author can write a comment that looks like the plan comment, with the digest of any plan:
    it is not read (only github-actions[bot] writes the real one)."""
    merge = "c" * 40
    fake.state.pulls[(REPOSITORY, 3)] = PullRequest(REPOSITORY, 3, "d" * 40, "feature", "mallory", ["goldenpath/destroy"],
                                                    "closed", "2026-12-04T10:00:00Z", merge)
    forged = render([StackRow("dev", PlanSummary("dev-cluster", "planned", changes=[
        ResourceChange("aws_eks_cluster.main", "aws_eks_cluster", ("delete", "create"))]))], "e" * 40)
    fake.state.comment(REPOSITORY, 3, forged, "mallory")
    fake.state.comment(REPOSITORY, 3, render([StackRow("dev", PLAN)], "d" * 40), BOT)
    review = GitHubReviews(github, merge).review([merge])
    assert review.digests == {"dev-network": stack_digest(PLAN)} and review.labels == {"goldenpath/destroy"}
    assert reviewed_digest(forged) != {}  # the forged comment does carry a digest: only its author gives it away


def test_drift_issues_are_opened_updated_and_closed(github, fake):
    drift = StackDrift("dev-network", "dev", "drift", "differs", ["aws_vpc.main update"])
    assert sync_drift_issues(github, [drift], "run/1") == ["opened: goldenpath drift: dev-network"]
    assert sync_drift_issues(github, [drift], "run/1") == []  # nothing new: no edit
    assert sync_drift_issues(github, [StackDrift("dev-network", "dev", "drift", "differs", ["aws_vpc.main update",
                                                                                              "aws_subnet.a update"])], "run/2") == [
        "updated: goldenpath drift: dev-network"]
    assert sync_drift_issues(github, [StackDrift("dev-network", "dev", "error", "plan failed")], "run/3") == []
    assert sync_drift_issues(github, [StackDrift("dev-network", "dev", "clean")], "run/4") == ["closed: goldenpath drift: dev-network"]
    (issue,) = fake.state.issues[REPOSITORY]
    assert issue["state"] == "closed" and "aws_subnet.a update" in issue["body"]


def test_closed_pull_requests_and_unreadable_repositories(github, fake):
    fake.state.pulls[("acme/web", 1)] = PullRequest("acme/web", 1, "a" * 40, "x", "sam", state="closed")
    fake.state.pulls[("acme/web", 2)] = PullRequest("acme/web", 2, "b" * 40, "y", "sam")
    closed, unreadable = closed_pull_requests(github, {("acme/web", 1), ("acme/web", 2), ("acme/private", 3)})
    assert closed == {("acme/web", 1)} and unreadable == ["acme/private#3"]


def test_outside_a_job_the_error_names_what_is_missing(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/platform")
    with pytest.raises(GoldenpathError, match="GITHUB_TOKEN: not set"):
        GitHub.from_environment()


def test_a_refusal_is_one_line(github):
    with pytest.raises(GoldenpathError, match="answered 401"):
        GitHub(github.api_url, "wrong", REPOSITORY).call("GET", f"/repos/{REPOSITORY}/issues/1/comments")
