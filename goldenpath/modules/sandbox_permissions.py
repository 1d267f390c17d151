"""What an ``aws`` sandbox's role may do by default (its permission policy, inside its boundary): in each
tagged service (``sandbox_services``), create only with the sandbox's tag in the request, act only on what
carries the tag, and read metadata. Attribute-based access control as the IAM User Guide describes it
(tutorial_attribute-based-access-control), with the sandbox's id as the attribute."""

from __future__ import annotations

from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.modules.sandbox_services import ALWAYS_READ, EC2_USED, TAGGED_SERVICES, TaggedService


def _title(prefix: str) -> str:
    return {"ec2": "Ec2", "iam": "Iam", "sqs": "Sqs", "sns": "Sns"}.get(prefix, prefix.title())


def _service_statements(service: TaggedService, sandbox_id: str) -> list[Statement]:
    own = {"StringEquals": {"aws:RequestTag/sandbox-id": sandbox_id}}
    mine = {"StringEquals": {"aws:ResourceTag/sandbox-id": sandbox_id}}
    name = _title(service.prefix)
    creates = sorted({action for action, _ in service.creates} | set(service.tag_on_create))
    created = sorted({arn.format(sandbox=sandbox_id) for _, arn in service.creates})
    statements = [
        Statement(sid=f"Create{name}WithTag", actions=tuple(creates), resources=tuple(created), conditions=own),
        Statement(sid=f"Manage{name}Tagged", actions=service.manage_actions or (f"{service.prefix}:*",),
                  resources=tuple(arn.format(sandbox=sandbox_id) for arn in service.manages), conditions=mine),
        Statement(sid=f"Read{name}", actions=service.reads, resources=("*",)),
    ]
    if service.prefix == "ec2":
        statements.insert(1, Statement(sid="UseUntaggedEc2Inputs", actions=tuple(sorted({a for a, _ in EC2_USED})),
                                       resources=tuple(sorted({arn for _, arn in EC2_USED}))))
        statements.insert(2, Statement(sid="TagEc2OnCreate", actions=("ec2:CreateTags",), resources=("*",), conditions={
            "StringEquals": {"ec2:CreateAction": sorted({a.split(":")[1] for a, _ in service.creates})}}))
    if service.prefix == "iam":
        statements.append(Statement(sid="PassAndAssumeOwnRoles", actions=("iam:PassRole", "sts:AssumeRole"),
                                    resources=(f"arn:aws:iam::*:role/{sandbox_id}-*",)))
    return statements


def permission_statements(sandbox_id: str) -> list[Statement]:
    statements = [statement for service in TAGGED_SERVICES for statement in _service_statements(service, sandbox_id)]
    return [*statements, Statement(sid="ReadAccount", actions=ALWAYS_READ, resources=("*",))]


def permission_document(sandbox_id: str) -> str:
    return policy_document(*permission_statements(sandbox_id))
