"""One stack per sandbox, with its own state key next to its record: ``sandboxes/<id>.tfstate`` for a
namespace sandbox (a tenant namespace on the environment's cluster, with its tier's quota), and
``sandboxes/<id>-aws.tfstate`` for an ``aws`` sandbox (its role, boundary and budget)."""

from __future__ import annotations

from datetime import datetime

from cdktn import TerraformOutput
from cdktn_provider_aws.iam_policy import IamPolicy
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from goldenpath.config.model import Environment, SandboxTier
from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.preview_request import expiry_label
from goldenpath.modules.tenant import TenantNamespace, TenantNamespaceProps
from goldenpath.sandboxes.boundary import BoundaryInputs, boundary_document, deny_all_document
from goldenpath.sandboxes.budget import SandboxBudget, SandboxBudgetProps
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord, allowed_regions, narrowed
from goldenpath.sandboxes.registry import PREFIX
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.in_cluster import configure_in_cluster_providers
from goldenpath.stacks.layout import StackLayout
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.spec import MANAGED_BY, TenantSpec

SERVICE_ACCOUNT = "sandbox"


def sandbox_layout(environment: Environment, record: SandboxRecord, component: str) -> StackLayout:
    name = record.id if component == "namespace" else f"{record.id}-aws"
    return StackLayout(PREFIX, name, environment.state_bucket, environment.state_region, environment.state.kms_key)


def sandbox_labels(record: SandboxRecord) -> dict[str, str]:
    """The sandbox tags as label-safe values (``expires-at`` as 2026-12-01T10-00-00Z)."""
    expires = record.expires_at
    if expires is None:
        raise LeaseError(f"{record.id}: is {record.state} and has no expiry yet, expected it approved and activated")
    return {"sandbox-id": record.id, "tier": record.tier, "owner": record.owner, "expires-at": expiry_label(expires)}


def _tier(environment: Environment, record: SandboxRecord) -> SandboxTier:
    tier = environment.sandboxes.tiers.get(record.tier) if environment.sandboxes else None
    if tier is None:
        raise LeaseError(f"{record.id}: tier {record.tier!r} is not in {environment.source_file}'s sandboxes.tiers")
    return tier


class SandboxNamespaceStack(GoldenpathStack):
    """A namespace sandbox: the tenant objects of ``goldenpath.tenancy.spec`` (quota, limits, default-deny
    network policy, Pod Security restricted, a service account without a token) labelled with the sandbox."""

    def __init__(self, scope: Construct, environment: Environment, record: SandboxRecord,
                 emulator: EmulatorEndpoint | None = None):
        tier = _tier(environment, record)
        if tier.kind != "namespace" or tier.quota is None:
            raise LeaseError(f"{record.id}: tier {record.tier} is kind {tier.kind}, expected namespace for this stack")
        labels = sandbox_labels(record)
        super().__init__(scope, environment, sandbox_layout(environment, record, "namespace"), emulator, extra_tags=labels)
        configure_in_cluster_providers(self, cluster_name(Naming(environment.name)))
        spec = TenantSpec(namespace=record.id, service_account=SERVICE_ACCOUNT, quota=environment.tenancy.tiers[tier.quota],
                          labels={**labels, **MANAGED_BY}, ingress_namespace=environment.tenancy.ingress_namespace)
        self.namespace = TenantNamespace(self, "sandbox", TenantNamespaceProps(spec))


def sandbox_role_name(record: SandboxRecord) -> str:
    return f"sandbox-{record.id}"


def assume_trust(account_id: str, assume_from: list[str], owner: str) -> str:
    """Only principals from the tier's ``assume_from`` roles, and only with the owner as session name: STS's
    AssumeRole reference ("Your administrator might require that you specify your user name as the session
    name when you assume the role. For more information, see sts:RoleSessionName"). The session name then
    names the owner in CloudTrail; ``aws:PrincipalArn`` is what keeps everyone else out."""
    return policy_document(Statement(
        sid="OwnerFromDeveloperRoles", actions=("sts:AssumeRole",), principals={"AWS": f"arn:aws:iam::{account_id}:root"},
        conditions={"ArnLike": {"aws:PrincipalArn": sorted(assume_from)}, "StringEquals": {"sts:RoleSessionName": owner}},
    ))


class SandboxAwsStack(GoldenpathStack):
    """An aws sandbox: its role (the tier's managed policies inside the permission boundary), the boundary, the
    deny-all policy, and the budget whose action attaches deny-all at the tier's deny threshold."""

    def __init__(self, scope: Construct, environment: Environment, record: SandboxRecord,
                 emulator: EmulatorEndpoint | None = None):
        tier = narrowed(environment, record)
        if tier.kind != "aws":
            raise LeaseError(f"{record.id}: tier {record.tier} is kind {tier.kind}, expected aws for this stack")
        labels = sandbox_labels(record)
        super().__init__(scope, environment, sandbox_layout(environment, record, "aws"), emulator, extra_tags=labels)
        name, account = sandbox_role_name(record), environment.account_id
        inputs = BoundaryInputs(
            sandbox_id=record.id, tags=labels, regions=allowed_regions(environment, tier),
            instance_types=tuple(tier.instance_types), boundary_arn=f"arn:aws:iam::{account}:policy/{name}-boundary",
            role_arn=f"arn:aws:iam::{account}:role/{name}", deny_all_arn=f"arn:aws:iam::{account}:policy/{name}-deny-all")
        # Names, not references, inside the documents: the boundary names the role that uses it.
        self.boundary = IamPolicy(self, "boundary", name=f"{name}-boundary", policy=boundary_document(inputs),
                                  description=f"Permission boundary of sandbox {record.id} (tier {record.tier})")
        self.deny_all = IamPolicy(self, "deny-all", name=f"{name}-deny-all", policy=deny_all_document(),
                                  description=f"Attached to {name} by its budget action when spend reaches the limit")
        self.role = IamRole(self, "role", name=name, permissions_boundary=self.boundary.arn, max_session_duration=3600,
                            assume_role_policy=assume_trust(account, tier.assume_from, record.owner),
                            description=f"Sandbox {record.id} of {record.owner} (tier {record.tier})")
        for index, arn in enumerate(sorted(tier.managed_policies)):
            IamRolePolicyAttachment(self, f"policy-{index}", role=self.role.name, policy_arn=arn)
        expires = record.expires_at
        self.budget = SandboxBudget(self, "budget", SandboxBudgetProps(
            sandbox_id=record.id, limit_usd=tier.max_spend_usd, thresholds=tuple(tier.thresholds),
            subscribers=tuple(tier.notify), starts_at=datetime.fromisoformat(record.started_at),
            ends_at=expires if expires else datetime.fromisoformat(record.started_at), role=self.role,
            deny_all=self.deny_all))
        TerraformOutput(self, "role_arn", value=self.role.arn, description="Assume this role (session name: the owner)")
