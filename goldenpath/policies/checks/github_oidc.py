"""GP_AWS_010, GP_AWS_011, GP_AWS_012: roles that trust GitHub's OIDC provider.

- GP_AWS_010: every statement trusting ``token.actions.githubusercontent.com`` pins the audience
  (``StringEquals ...:aud = sts.amazonaws.com``) and names exact subjects (``StringEquals ...:sub``, no ``*`` or
  ``?``, never ``StringLike``): a wildcard over repositories, events or environments lets someone else in.
- GP_AWS_011: no role trusts both a pull request and an environment or a branch: whoever can push a branch can
  run a pull-request job with any workflow code they like.
- GP_AWS_012: a role tagged ``goldenpath:ci-role`` apply or deploy trusts environment subjects only, so GitHub's
  environment protection (approvals, branch rules) stands in front of it.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import first, json_object, listed

ISSUER = "token.actions.githubusercontent.com"


def github_statements(document: dict) -> list[dict]:
    return [s for s in listed(document.get("Statement", [])) if s.get("Effect") == "Allow"
            and any(ISSUER in str(p) for p in listed((s.get("Principal") or {}).get("Federated", [])))]


def subjects(statement: dict) -> list[str]:
    conditions = statement.get("Condition") or {}
    return [str(s) for s in listed((conditions.get("StringEquals") or {}).get(f"{ISSUER}:sub", []))]


def pinned(statement: dict) -> bool:
    conditions = statement.get("Condition") or {}
    audience = listed((conditions.get("StringEquals") or {}).get(f"{ISSUER}:aud", []))
    loose = any(f"{ISSUER}:sub" in (entries or {}) for operator, entries in conditions.items() if operator != "StringEquals")
    found = subjects(statement)
    return audience == ["sts.amazonaws.com"] and bool(found) and not loose and not any("*" in s or "?" in s for s in found)


def kinds(found: list[str]) -> set[str]:
    """Which kinds of subject: pull_request, environment, ref."""
    result = set()
    for value in found:
        context = value.split(":", 2)[2] if value.count(":") >= 2 else ""
        result.add("pull_request" if context.startswith("pull_request") else context.split(":", 1)[0])
    return result


class _GitHubTrustCheck(BaseResourceCheck):
    def __init__(self, name: str, id: str) -> None:  # noqa: A002 - checkov's own keyword
        super().__init__(name=name, id=id, categories=[CheckCategories.IAM], supported_resources=["aws_iam_role"])

    def holds(self, statements: list[dict], conf: dict) -> bool:
        raise NotImplementedError

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        document = json_object(conf, "assume_role_policy")
        if document is None:
            return CheckResult.UNKNOWN
        statements = github_statements(document)
        if not statements:
            return CheckResult.PASSED
        return CheckResult.PASSED if self.holds(statements, conf) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["assume_role_policy"]


class GitHubTrustPinned(_GitHubTrustCheck):
    def __init__(self) -> None:
        super().__init__("Ensure roles trusting GitHub's OIDC provider pin the audience and exact subjects", "GP_AWS_010")

    def holds(self, statements: list[dict], conf: dict) -> bool:
        return all(pinned(s) for s in statements)


class GitHubTrustOneKindOfEvent(_GitHubTrustCheck):
    def __init__(self) -> None:
        super().__init__("Ensure no role trusts both GitHub pull requests and environments or branches", "GP_AWS_011")

    def holds(self, statements: list[dict], conf: dict) -> bool:
        found = kinds([s for statement in statements for s in subjects(statement)])
        return not ("pull_request" in found and found & {"environment", "ref"})


class GitHubTrustEnvironmentsForChanges(_GitHubTrustCheck):
    def __init__(self) -> None:
        super().__init__("Ensure GitHub apply and deploy roles trust environment subjects only", "GP_AWS_012")

    def holds(self, statements: list[dict], conf: dict) -> bool:
        tags = first(conf, "tags") or {}
        kind = tags.get("goldenpath:ci-role") if isinstance(tags, dict) else None
        if kind not in ("apply", "deploy"):
            return True
        return kinds([s for statement in statements for s in subjects(statement)]) == {"environment"}


pinned_check = GitHubTrustPinned()
events_check = GitHubTrustOneKindOfEvent()
environments_check = GitHubTrustEnvironmentsForChanges()
