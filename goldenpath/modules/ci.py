"""The roles an environment's GitHub Actions pipelines assume (plan, apply, drift, and the previews'), each trusting
exact OIDC subjects, with GitHub's OIDC provider created here or referenced."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from goldenpath.constructs.github_oidc import GitHubOidcProvider, GitHubOidcRole, GitHubOidcRoleProps, provider_arn_of
from goldenpath.errors import SynthError


@dataclass(frozen=True)
class CiRoleSpec:
    kind: str
    name: str
    subjects: tuple[str, ...]
    managed_policies: tuple[str, ...] = ()
    inline_policy: str | None = None


@dataclass(frozen=True)
class CiRolesProps:
    roles: tuple[CiRoleSpec, ...]
    account_id: str
    """The account the roles are in (GitHub's OIDC provider ARN there is fixed by its URL)."""
    provider_arn: str | None = None
    """GitHub's OIDC provider of this account. Default: a new one (an account has one per URL: name the existing one
    when another stack made it)."""


class CiRoles(Construct):
    def __init__(self, scope: Construct, id_: str, props: CiRolesProps):
        super().__init__(scope, id_)
        kinds = [r.kind for r in props.roles]
        if len(set(kinds)) != len(kinds):
            raise SynthError(f"CiRoles {id_!r}: kinds {kinds}, expected each kind once")
        self.provider = None if props.provider_arn else GitHubOidcProvider(self, "github")
        # The ARN as text (fixed by account and URL), not a reference: the trust reads as what it is, to people and
        # to checkov; the roles wait for the provider they name.
        provider_arn = props.provider_arn or provider_arn_of(props.account_id)
        self.roles = {spec.kind: GitHubOidcRole(self, spec.kind, GitHubOidcRoleProps(
            name=spec.name, subjects=spec.subjects, provider_arn=provider_arn, kind=spec.kind,
            managed_policies=spec.managed_policies, inline_policy=spec.inline_policy)) for spec in props.roles}
        if self.provider is not None:
            for role in self.roles.values():
                role.role.node.add_dependency(self.provider.provider)
