"""Roles GitHub Actions jobs assume through OIDC, with the trust every such role must have: the audience AWS's
credentials action asks for, and an exact list of subjects (never a wildcard over repositories, events or
environments). GitHub: "you must define at least one condition, so that untrusted repositories can't request
access tokens for your cloud resources" (github/docs, actions/reference/security/oidc.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdktn_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy import IamRolePolicy
from cdktn_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.errors import SynthError

ISSUER_HOST = "token.actions.githubusercontent.com"
ISSUER_URL = f"https://{ISSUER_HOST}"
AUDIENCE = "sts.amazonaws.com"
"""What aws-actions/configure-aws-credentials asks GitHub to put in ``aud`` (its default audience)."""
_SUBJECT = re.compile(r"^repo:[^*?\s]+:(pull_request|environment:[^*?\s]+|ref:refs/[^*?\s]+)(:job_workflow_ref:[^*?\s]+)?$")


def provider_arn_of(account_id: str) -> str:
    """The ARN of GitHub's OIDC provider in an account (IAM names a provider after its URL)."""
    return f"arn:aws:iam::{account_id}:oidc-provider/{ISSUER_HOST}"


class GitHubOidcProvider(Construct):
    """GitHub's OIDC provider in this account (one per URL per account), accepting the STS audience only."""

    def __init__(self, scope: Construct, id_: str):
        super().__init__(scope, id_)
        self.provider = IamOpenidConnectProvider(self, "provider", url=ISSUER_URL, client_id_list=[AUDIENCE])

    @property
    def arn(self) -> str:
        return self.provider.arn


def github_trust(provider_arn: str, subjects: tuple[str, ...]) -> str:
    """Trust for exactly these ``subjects`` of GitHub's OIDC tokens with the STS audience."""
    if not subjects:
        raise SynthError("a GitHub OIDC role got no subject, expected at least one (without one any repository could use it)")
    loose = [s for s in subjects if not _SUBJECT.match(s)]
    if loose:
        raise SynthError(f"GitHub OIDC subjects {loose}: expected exact subjects (repo:OWNER/REPO:pull_request, "
                         ":environment:NAME or :ref:refs/heads/BRANCH, optionally :job_workflow_ref:...), no wildcard")
    return policy_document(Statement(
        sid="GitHubActions", actions=("sts:AssumeRoleWithWebIdentity",), principals={"Federated": provider_arn},
        conditions={"StringEquals": {f"{ISSUER_HOST}:aud": AUDIENCE, f"{ISSUER_HOST}:sub": sorted(subjects)}}))


@dataclass(frozen=True)
class GitHubOidcRoleProps:
    name: str
    subjects: tuple[str, ...]
    """Exact OIDC subjects (goldenpath.ci_identities.subjects) the role trusts."""
    provider_arn: str
    kind: str
    """What the role is for (plan, apply, ...): tagged as ``goldenpath:ci-role``, read by the policy checks."""
    managed_policies: tuple[str, ...] = ()
    """Default: none."""
    inline_policy: str | None = None
    """Default: none."""
    max_session_seconds: int = 3600
    """Default: one hour (a job that needs longer re-assumes)."""


class GitHubOidcRole(Construct):
    def __init__(self, scope: Construct, id_: str, props: GitHubOidcRoleProps):
        super().__init__(scope, id_)
        if not 900 <= props.max_session_seconds <= 43200:
            raise SynthError(f"GitHubOidcRole {id_!r}: max_session_seconds got {props.max_session_seconds}, expected 900 to 43200")
        self.role = IamRole(self, "role", name=props.name, assume_role_policy=github_trust(props.provider_arn, props.subjects),
                            max_session_duration=props.max_session_seconds, tags={"goldenpath:ci-role": props.kind},
                            description=f"goldenpath CI: {props.kind}")
        for index, arn in enumerate(sorted(props.managed_policies)):
            IamRolePolicyAttachment(self, f"managed-{index}", role=self.role.name, policy_arn=arn)
        if props.inline_policy:
            IamRolePolicy(self, "permissions", role=self.role.name, name=f"goldenpath-{props.kind}", policy=props.inline_policy)

    @property
    def arn(self) -> str:
        return self.role.arn
