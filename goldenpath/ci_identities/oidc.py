"""Would a role's trust policy let a GitHub Actions job in? AssumeRoleWithWebIdentity as IAM decides it: the
federated principal (the account's GitHub OIDC provider) and the token's claims as condition keys
(``token.actions.githubusercontent.com:sub`` and ``:aud``), evaluated by ``goldenpath.iam``."""

from __future__ import annotations

from typing import Any, Mapping

from goldenpath.constructs.github_oidc import AUDIENCE, ISSUER_HOST, provider_arn_of
from goldenpath.iam.evaluate import Caller, Decision, Policy, Request, decide


def web_identity_request(role_arn: str, sub: str, audience: str = AUDIENCE, provider_arn: str | None = None) -> Request:
    account = role_arn.split(":")[4]
    return Request("sts:AssumeRoleWithWebIdentity", role_arn,
                   context={f"{ISSUER_HOST}:sub": sub, f"{ISSUER_HOST}:aud": audience},
                   caller=Caller("Federated", provider_arn or provider_arn_of(account)))


def trusts(trust_policy: Mapping[str, Any], role_arn: str, sub: str, audience: str = AUDIENCE,
           provider_arn: str | None = None) -> Decision:
    """IAM's answer to a job presenting ``sub`` (and ``audience``) for ``role_arn`` with this trust policy."""
    return decide(web_identity_request(role_arn, sub, audience, provider_arn),
                  resource_policy=Policy(f"trust policy of {role_arn}", trust_policy))
