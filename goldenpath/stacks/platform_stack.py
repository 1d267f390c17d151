"""`<env>-platform`: what runs inside the cluster. kubernetes and helm are configured from the
cluster looked up by name (data sources), never from values passed between stacks."""

from __future__ import annotations

from cdktn import Fn
from cdktn_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktn_provider_aws.data_aws_eks_cluster_auth import DataAwsEksClusterAuth
from cdktn_provider_helm.provider import HelmProvider, HelmProviderKubernetes
from cdktn_provider_kubernetes.provider import KubernetesProvider
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.modules.observability import ObservabilityStack
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.layout import stack_layout
from goldenpath.stacks.target import EmulatorEndpoint

KUBERNETES_PROVIDER_CONSTRAINT = ">= 2.36, < 4.0"
HELM_PROVIDER_CONSTRAINT = ">= 3.0, < 4.0"


class PlatformStack(GoldenpathStack):
    def __init__(self, scope: Construct, environment: Environment, module: ObservabilityStack,
                 emulator: EmulatorEndpoint | None = None):
        super().__init__(scope, environment, stack_layout(environment, "platform"), emulator)
        cluster = DataAwsEksCluster(self, "cluster", name=module.props.cluster_name)
        auth = DataAwsEksClusterAuth(self, "cluster-auth", name=module.props.cluster_name)
        ca = Fn.base64decode(cluster.certificate_authority.get(0).data)
        KubernetesProvider(self, "kubernetes", host=cluster.endpoint, cluster_ca_certificate=ca, token=auth.token)
        HelmProvider(self, "helm", kubernetes=HelmProviderKubernetes(host=cluster.endpoint, cluster_ca_certificate=ca, token=auth.token))
        self.add_override("terraform.required_providers.kubernetes.version", KUBERNETES_PROVIDER_CONSTRAINT)
        self.add_override("terraform.required_providers.helm.version", HELM_PROVIDER_CONSTRAINT)
        self.observability = module.add_cluster_side(self)
