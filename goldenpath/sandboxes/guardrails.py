"""The service control policy the sandbox account should carry, as a second layer under every sandbox's boundary:
the same account-wide guardrails (``goldenpath.modules.sandbox_boundary``), widened to every aws tier of the
environment (their regions, instance types and largest volume) and applied to every principal of the account
except the platform's own (``platform_principals``: the operator role, which applies and releases sandboxes,
and the roles of each sandbox's budget action and spend stop). A sandbox whose boundary were ever
lost or loosened would still meet these.

Attach it to the sandbox account (or its OU) next to AWS's FullAWSAccess: SCPs only deny here, and they never
restrict the management account or service-linked roles (AWS Organizations user guide, orgs_manage_policies_scps).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from goldenpath.config.model import Environment
from goldenpath.errors import GoldenpathError
from goldenpath.modules.sandbox_boundary import BoundaryInputs, account_guardrails, platform_principals

SCP_MAX_CHARACTERS = 5120
"""AWS Organizations quota: the size of a service control policy document."""
SCPS_PER_TARGET = 5
"""AWS Organizations quota: SCPs attached to one account or OU (FullAWSAccess is one of them)."""


def _inputs(environment: Environment) -> BoundaryInputs:
    sandboxes = environment.sandboxes
    tiers = [t for t in (sandboxes.tiers.values() if sandboxes else []) if t.kind == "aws"]
    if sandboxes is None or sandboxes.account_id is None or not tiers:
        raise GoldenpathError(f"--env: {environment.name} has no aws sandbox tiers ({environment.source_file}: "
                              "sandboxes.tiers with kind aws), expected one: the SCP guards the sandbox account")
    regions = sorted({r for t in tiers for r in (t.regions or [environment.region])})
    return BoundaryInputs(
        sandbox_id="*", tags={}, account_id=sandboxes.account_id, regions=tuple(regions),
        instance_types=tuple(sorted({i for t in tiers for i in t.instance_types})),
        max_volume_gib=max(t.max_volume_gib for t in tiers), boundary_arn="", operator_role_arn=sandboxes.operator_role_arn,
        state_bucket=environment.state_bucket)


def guardrail_statements(environment: Environment) -> list[dict]:
    """The account-wide guardrails for ``environment``'s sandbox account, each exempting the platform's roles."""
    inputs = _inputs(environment)
    exempt = list(platform_principals(inputs.account_id, inputs.operator_role_arn))
    statements = []
    for guardrail in account_guardrails(inputs):
        conditions = {**(guardrail.conditions or {})}
        conditions["ArnNotLike"] = {**conditions.get("ArnNotLike", {}), "aws:PrincipalArn": exempt}
        statements.append(replace(guardrail, conditions=conditions).render())
    return statements


def _compact(document: dict) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _size(document: dict) -> int:
    return len(re.sub(r"\s", "", _compact(document)))


def service_control_policies(environment: Environment) -> dict[str, dict]:
    """The guardrails packed, in order, into as few SCP documents as AWS Organizations' size quota allows (an account
    may carry five SCPs): ``{"goldenpath-sandbox-guardrails-1": {...}, ...}``."""
    documents: list[dict] = []
    for statement in guardrail_statements(environment):
        candidate = {"Version": "2012-10-17", "Statement": [*(documents[-1]["Statement"] if documents else []), statement]}
        if documents and _size(candidate) <= SCP_MAX_CHARACTERS:
            documents[-1] = candidate
            continue
        single = {"Version": "2012-10-17", "Statement": [statement]}
        if _size(single) > SCP_MAX_CHARACTERS:
            raise GoldenpathError(f"{environment.source_file}: the sandbox guardrail {statement['Sid']} alone is {_size(single)} "
                                  f"characters, expected at most {SCP_MAX_CHARACTERS} (AWS Organizations' SCP quota): "
                                  "fewer regions or instance types across tiers")
        documents.append(single)
    if len(documents) > SCPS_PER_TARGET - 1:
        raise GoldenpathError(f"{environment.source_file}: the sandbox guardrails need {len(documents)} SCPs, expected at most "
                              f"{SCPS_PER_TARGET - 1} beside FullAWSAccess")
    return {f"goldenpath-sandbox-guardrails-{index}": document for index, document in enumerate(documents, start=1)}


def scp_text(environment: Environment) -> str:
    """The SCP documents as one JSON object by policy name, each in the compact form Organizations counts."""
    policies = service_control_policies(environment)
    return "{" + ",".join(f"{json.dumps(name)}:{_compact(document)}" for name, document in policies.items()) + "}"
