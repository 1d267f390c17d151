"""`<env>-platform`: what runs inside the cluster. kubernetes and helm are configured from the
cluster looked up by name (data sources), never from values passed between stacks."""

from __future__ import annotations

from cdktn_provider_random.provider import RandomProvider
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.modules.observability import ObservabilityStack
from goldenpath.modules.preview_access import PreviewNamespaceAccess, PreviewNamespaceAccessProps
from goldenpath.modules.storage import DefaultStorageClass, DefaultStorageClassProps
from goldenpath.modules.system_policies import SystemNamespacePolicies, SystemNamespacePoliciesProps
from goldenpath.modules.tenant_role import TenantAccess, TenantAccessProps
from goldenpath.observability.values import MANAGED_BY
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.cluster_stack import PREVIEWS_GROUP
from goldenpath.stacks.in_cluster import configure_in_cluster_providers
from goldenpath.stacks.layout import stack_layout
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.reserved import PREVIEW_PREFIX


RANDOM_PROVIDER_CONSTRAINT = ">= 3.7, < 4.0"  # the ephemeral random_password (cdktn-provider-random binds 3.9.1)


class PlatformStack(GoldenpathStack):
    def __init__(self, scope: Construct, environment: Environment, module: ObservabilityStack,
                 emulator: EmulatorEndpoint | None = None):
        super().__init__(scope, environment, stack_layout(environment, "platform"), emulator)
        configure_in_cluster_providers(self, module.props.cluster_name)
        RandomProvider(self, "random")  # Grafana's generated admin password (ephemeral: never in the state)
        self.add_override("terraform.required_providers.random.version", RANDOM_PROVIDER_CONSTRAINT)
        # vpc-cni runs in strict mode: kube-system's pods need a policy before anything else.
        self.system_policies = SystemNamespacePolicies(self, "system-policies", SystemNamespacePoliciesProps(labels=MANAGED_BY))
        # Before the charts: their volume claims need a default class, and it must encrypt.
        self.storage = DefaultStorageClass(self, "storage", DefaultStorageClassProps(labels=MANAGED_BY))
        self.observability = module.add_cluster_side(self)
        # The role tenants' and previews' owners are bound to, and the cluster-wide admission rules they rely on.
        self.tenant_access = TenantAccess(self, "tenant-access", TenantAccessProps(
            labels=MANAGED_BY, ingress_annotations_accepted=tuple(sorted(environment.tenancy.ingress_annotations_accepted)),
            max_pod_priority=environment.tenancy.max_pod_priority))
        if environment.ci is not None and environment.previews is not None:  # the preview and reap roles' namespaces
            PreviewNamespaceAccess(self, "preview-namespaces", PreviewNamespaceAccessProps(
                group=PREVIEWS_GROUP, prefix=PREVIEW_PREFIX, domain=environment.previews.domain, labels=MANAGED_BY))
