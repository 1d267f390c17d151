"""A small, strict model of IAM's policy evaluation, to test what goldenpath generates the way an attacker
would try it: a request (action, resource, condition context, caller) against the policies that govern it.

What it models (IAM User Guide, reference_policies_evaluation-logic): an explicit Deny in any policy wins;
otherwise a service control policy (when given) must allow, a permission boundary (when given) must allow,
and an identity policy must allow; a resource policy, when given, is treated as a role's trust policy: it
must allow the caller, and when it trusts the caller's whole account, the caller's identity policies must
allow the request too. (Same-account resource policies that grant on their own are not modelled.) Statements with Action/NotAction, Resource/NotResource, Principal and Condition.

What it does not model, and refuses rather than guesses: NotPrincipal, policy variables (``${...}``),
session policies, and condition operators outside ``goldenpath.iam.conditions``. Which condition keys a
request carries is the caller's job (tests check them against the Service Authorization Reference).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from goldenpath.iam.conditions import UnsupportedPolicy, arn_match, conditions_hold, glob_match


@dataclass(frozen=True)
class Policy:
    """A named policy document (``name`` shows in decisions: ``boundary``, ``scp``, a role's policy...)."""

    name: str
    document: Mapping[str, Any]

    @classmethod
    def parse(cls, name: str, text: str) -> Policy:
        return cls(name, json.loads(text))

    @property
    def statements(self) -> list[Mapping[str, Any]]:
        statements = self.document.get("Statement", [])
        return statements if isinstance(statements, list) else [statements]


@dataclass(frozen=True)
class Caller:
    """Who makes the request, for Principal elements: ``kind`` AWS, Service or Federated; ``arn`` the role
    ARN for a role session, the provider ARN for a web identity, the service name for a service."""

    kind: str
    arn: str

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""


@dataclass(frozen=True)
class Request:
    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    caller: Caller | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    statement: str = ""
    """``policy/Sid`` of the statement that decided (the explicit Deny, or the Allow)."""

    def __bool__(self) -> bool:
        return self.allowed


def _listed(value: Any) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _no_variables(values: list[str], where: str) -> list[str]:
    for value in values:
        if "${" in str(value):
            raise UnsupportedPolicy(f"{where}: policy variable in {value!r} is not modelled")
    return values


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(glob_match(p, action, ignore_case=True) for p in _listed(statement["Action"]))
    if "NotAction" in statement:
        return not any(glob_match(p, action, ignore_case=True) for p in _listed(statement["NotAction"]))
    raise UnsupportedPolicy("statement without Action or NotAction")


def _resource_matches(statement: Mapping[str, Any], resource: str) -> bool:
    if "Resource" in statement:
        return any(arn_match(p, resource) or p == resource for p in _no_variables(_listed(statement["Resource"]), "Resource"))
    if "NotResource" in statement:
        return not any(arn_match(p, resource) for p in _no_variables(_listed(statement["NotResource"]), "NotResource"))
    return True  # trust policies name no resource


def _principal_match(statement: Mapping[str, Any], caller: Caller | None) -> str:
    """"" (no match), "direct" (the caller itself, a service, a provider, or ``*``), or "account" (the caller's
    account: then the caller's own identity policies must allow the request too)."""
    if "NotPrincipal" in statement:
        raise UnsupportedPolicy("NotPrincipal is not modelled")
    principal = statement.get("Principal")
    if principal is None:
        return "direct"  # identity policies: the principal is whoever holds the policy
    if caller is None:
        return ""
    if principal == "*":
        return "direct"
    for pattern in _listed(principal.get(caller.kind, [])):
        if caller.kind == "AWS" and pattern in (caller.account, f"arn:aws:iam::{caller.account}:root"):
            return "account"
        if pattern in ("*", caller.arn):  # {"AWS": "*"} is everyone, as "*" is
            return "direct"
    return ""


def _sid(policy: Policy, statement: Mapping[str, Any], index: int) -> str:
    return f"{policy.name}/{statement.get('Sid') or f'#{index}'}"


def _matching(policy: Policy, request: Request, effect: str, how: list[str] | None = None) -> str | None:
    """The first statement of ``effect`` that applies to ``request``; ``how`` receives its principal match.
    A statement naming the caller itself wins over an earlier one that only trusts its account (that one would
    also need the caller's identity policies; the direct one allows on its own)."""
    account_only: str | None = None
    for index, statement in enumerate(policy.statements):
        if statement.get("Effect") != effect:
            continue
        match = _principal_match(statement, request.caller)
        if (match and _action_matches(statement, request.action) and _resource_matches(statement, request.resource)
                and conditions_hold(statement.get("Condition", {}), request.context)):
            if match == "direct" or how is None:  # only a caller of ``how`` cares which kind matched
                if how is not None:
                    how.append(match)
                return _sid(policy, statement, index)
            account_only = account_only or _sid(policy, statement, index)
    if account_only and how is not None:
        how.append("account")
    return account_only


def decide(request: Request, identity: Sequence[Policy] = (), boundary: Policy | None = None, scps: Sequence[Policy] = (),
           resource_policy: Policy | None = None) -> Decision:
    """IAM's answer for ``request``. ``identity``: the caller's identity policies; ``resource_policy``: the
    resource's own (a role's trust policy for sts:AssumeRole*)."""
    governing = [*scps, *([boundary] if boundary else []), *identity, *([resource_policy] if resource_policy else [])]
    for policy in governing:
        denied = _matching(policy, request, "Deny")
        if denied:
            return Decision(False, f"explicitly denied by {denied}", denied)
    for scp in scps:
        if not _matching(scp, request, "Allow"):
            return Decision(False, f"no Allow in the service control policy {scp.name}")
    if boundary and not _matching(boundary, request, "Allow"):
        return Decision(False, f"no Allow in the permission boundary {boundary.name}")
    by_identity = next((found for policy in identity if (found := _matching(policy, request, "Allow"))), None)
    if resource_policy is None:
        if by_identity:
            return Decision(True, f"allowed by {by_identity}", by_identity)
        return Decision(False, "no Allow in any identity policy (implicit deny)")
    how: list[str] = []
    by_resource = _matching(resource_policy, request, "Allow", how)
    if not by_resource:
        return Decision(False, f"no Allow for this caller in {resource_policy.name} (implicit deny)")
    if how == ["account"] and not by_identity:
        return Decision(False, f"{by_resource} trusts the caller's account, whose identity policies do not allow it")
    return Decision(True, f"allowed by {by_resource}", by_resource)
