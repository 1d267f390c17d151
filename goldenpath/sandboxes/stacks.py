"""One stack per sandbox, with its own state key next to its record: ``sandboxes/<id>.tfstate`` for a
namespace sandbox (a tenant namespace on the environment's cluster, with its tier's quota), and
``sandboxes/<id>-aws.tfstate`` for the AWS side of an ``aws`` sandbox (work in progress: WIP.md)."""

from __future__ import annotations

from constructs import Construct

from goldenpath.config.model import Environment, SandboxTier
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.preview_request import expiry_label
from goldenpath.modules.tenant import TenantNamespace, TenantNamespaceProps
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord
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
