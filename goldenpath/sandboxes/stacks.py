"""One stack per sandbox, with its own state key next to its record: ``sandboxes/<id>.tfstate`` for a
namespace sandbox (a tenant namespace on the environment's cluster, with its tier's quota), and
``sandboxes/<id>-aws.tfstate`` for an ``aws`` sandbox (its role, boundary and budget)."""

from __future__ import annotations

from datetime import datetime

from cdktn import TerraformOutput
from constructs import Construct

from goldenpath.config.model import Environment, SandboxTier
from goldenpath.constructs.naming import Naming, label_value
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.preview_request import expiry_label
from goldenpath.modules.tenant import TenantNamespace, TenantNamespaceProps
from goldenpath.modules.sandbox import AwsSandbox, AwsSandboxProps
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord, allowed_regions, narrowed
from goldenpath.sandboxes.registry import PREFIX
from goldenpath.stacks.base import AccountAccess, GoldenpathStack
from goldenpath.stacks.in_cluster import configure_in_cluster_providers
from goldenpath.stacks.layout import StackLayout
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.spec import MANAGED_BY, TenantSpec

SERVICE_ACCOUNT = "sandbox"


def sandbox_layout(environment: Environment, record: SandboxRecord, component: str) -> StackLayout:
    name = record.id if component == "namespace" else f"{record.id}-aws"
    return StackLayout(PREFIX, name, environment.state_bucket, environment.state_region, environment.state.kms_key)


def sandbox_tags(record: SandboxRecord) -> dict[str, str]:
    """The sandbox's four tags (``expires-at`` as 2026-12-01T10-00-00Z; the owner as Identity Center names them)."""
    expires = record.expires_at
    if expires is None:
        raise LeaseError(f"{record.id}: is {record.state} and has no expiry yet, expected it approved and activated")
    return {"sandbox-id": record.id, "tier": record.tier, "owner": record.owner, "expires-at": expiry_label(expires)}


def sandbox_labels(record: SandboxRecord) -> dict[str, str]:
    """The same as Kubernetes label values (an owner such as ana@example.com has characters labels do not allow)."""
    return {**sandbox_tags(record), "owner": label_value(record.owner)}


def _tier(environment: Environment, record: SandboxRecord) -> SandboxTier:
    tier = environment.sandboxes.tiers.get(record.tier) if environment.sandboxes else None
    if tier is None:
        raise LeaseError(f"{record.id}: tier {record.tier!r} is not in {environment.source_file}'s sandboxes.tiers")
    return tier


class SandboxNamespaceStack(GoldenpathStack):
    """A namespace sandbox: the tenant objects of ``goldenpath.tenancy.spec`` (quota, limits, default-deny
    network policy, Pod Security restricted, a service account without a token) labelled with the sandbox, and
    its owner (as ``sandboxes.kubernetes_user_prefix`` names them) bound to the tenant role and view there."""

    def __init__(self, scope: Construct, environment: Environment, record: SandboxRecord,
                 emulator: EmulatorEndpoint | None = None):
        tier = _tier(environment, record)
        if tier.kind != "namespace" or tier.quota is None:
            raise LeaseError(f"{record.id}: tier {record.tier} is kind {tier.kind}, expected namespace for this stack")
        labels = sandbox_labels(record)
        super().__init__(scope, environment, sandbox_layout(environment, record, "namespace"), emulator, extra_tags=labels)
        configure_in_cluster_providers(self, cluster_name(Naming(environment.name)))
        assert environment.sandboxes is not None  # _tier found the tier there
        spec = TenantSpec(namespace=record.id, service_account=SERVICE_ACCOUNT, quota=environment.tenancy.tiers[tier.quota],
                          labels={**labels, **MANAGED_BY}, ingress_namespace=environment.tenancy.ingress_namespace,
                          owners_user=f"{environment.sandboxes.kubernetes_user_prefix}{record.owner}",
                          edit_role=environment.tenancy.edit_role)
        self.namespace = TenantNamespace(self, "sandbox", TenantNamespaceProps(spec))



class SandboxAwsStack(GoldenpathStack):
    """An aws sandbox (``goldenpath.modules.sandbox.AwsSandbox``) from its record and its tier."""

    def __init__(self, scope: Construct, environment: Environment, record: SandboxRecord,
                 emulator: EmulatorEndpoint | None = None):
        tier = narrowed(environment, record)
        if tier.kind != "aws":
            raise LeaseError(f"{record.id}: tier {record.tier} is kind {tier.kind}, expected aws for this stack")
        tags = sandbox_tags(record)
        sandboxes = environment.sandboxes
        assert sandboxes is not None and sandboxes.account_id is not None  # the tier is aws: the model requires both
        access = AccountAccess(sandboxes.account_id, sandboxes.operator_role_arn, f"goldenpath-{record.id}")
        super().__init__(scope, environment, sandbox_layout(environment, record, "aws"), emulator, extra_tags=tags,
                         account=access)
        starts_at = datetime.fromisoformat(record.started_at)
        self.sandbox = AwsSandbox(self, "sandbox", AwsSandboxProps(
            sandbox_id=record.id, owner=record.owner, account_id=sandboxes.account_id, tags=tags,
            regions=allowed_regions(environment, tier), identity_roles=tuple(sandboxes.identity_roles),
            operator_role_arn=sandboxes.operator_role_arn, state_bucket=environment.state_bucket,
            limit_usd=tier.max_spend_usd, subscribers=tuple(tier.notify), starts_at=starts_at,
            ends_at=record.expires_at or starts_at, instance_types=tuple(tier.instance_types),
            max_volume_gib=tier.max_volume_gib, thresholds=tuple(tier.thresholds),
            extra_services=tuple(tier.extra_services), managed_policies=tuple(tier.managed_policies)))
        TerraformOutput(self, "role_arn", value=self.sandbox.role.arn,
                        description="Assume this role from your Identity Center session")
