"""`<env>-tenants`: the catalog's services on this environment's cluster, one tenant namespace each
(with its AWS side when it has cloud access, and its SLO rules and dashboard). Its own state key,
so onboarding a service changes only this stack. kubernetes is configured from the cluster looked
up by name, like the platform stack."""

from __future__ import annotations

from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.kms import KmsKey, KmsKeyProps
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.service_observability import ServiceObservability, ServiceObservabilityProps
from goldenpath.modules.tenant import TenantNamespace, TenantNamespaceProps
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.in_cluster import configure_in_cluster_providers
from goldenpath.stacks.layout import stack_layout
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.catalog import Placement
from goldenpath.tenancy.slos import service_slos
from goldenpath.tenancy.tenants import tenant_spec


class TenantsStack(GoldenpathStack):
    def __init__(self, scope: Construct, environment: Environment, placements: list[Placement],
                 emulator: EmulatorEndpoint | None = None):
        super().__init__(scope, environment, stack_layout(environment, "tenants"), emulator)
        cluster = cluster_name(Naming(environment.name))
        configure_in_cluster_providers(self, cluster)
        self.tenants: dict[str, TenantNamespace] = {}
        key = None
        if any(p.service.cloud is not None for p in placements):
            # One key for every tenant bucket of the environment (a key per bucket costs $1/month each).
            key = KmsKey(self, "tenants-key", KmsKeyProps(target=self.target, naming=self.naming, purpose="tenants"))
        for placement in placements:
            spec = tenant_spec(placement)
            tenant = TenantNamespace(self, placement.namespace, TenantNamespaceProps(
                spec=spec, cluster_name=cluster, target=self.target,
                naming=Naming(environment.name, placement.namespace), encryption_key=key))
            slos = service_slos(placement.team, placement.service, placement.namespace)
            if slos:
                ServiceObservability(tenant, "observability", ServiceObservabilityProps(
                    namespace=placement.namespace, slos=tuple(slos),
                    runbook_base_url=environment.observability.runbook_base_url, labels=spec.labels,
                ), depends_on=[tenant.namespace])
            self.tenants[placement.namespace] = tenant
