"""kubernetes and helm providers configured from the cluster looked up by name (data sources),
never from values or secrets passed between stacks."""

from __future__ import annotations

from cdktn import Fn, TerraformStack
from cdktn_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktn_provider_aws.data_aws_eks_cluster_auth import DataAwsEksClusterAuth
from cdktn_provider_helm.provider import HelmProvider, HelmProviderKubernetes
from cdktn_provider_kubernetes.provider import KubernetesProvider

# kubernetes_secret_v1.data_wo (write-only Secret data): in the schema cdktn-provider-kubernetes 17.1.0 binds (3.4.0).
KUBERNETES_PROVIDER_CONSTRAINT = ">= 3.4, < 4.0"
HELM_PROVIDER_CONSTRAINT = ">= 3.0, < 4.0"


def configure_in_cluster_providers(stack: TerraformStack, cluster_name: str) -> None:
    cluster = DataAwsEksCluster(stack, "cluster", name=cluster_name)
    auth = DataAwsEksClusterAuth(stack, "cluster-auth", name=cluster_name)
    ca = Fn.base64decode(cluster.certificate_authority.get(0).data)
    KubernetesProvider(stack, "kubernetes", host=cluster.endpoint, cluster_ca_certificate=ca, token=auth.token)
    HelmProvider(stack, "helm", kubernetes=HelmProviderKubernetes(host=cluster.endpoint, cluster_ca_certificate=ca, token=auth.token))
    stack.add_override("terraform.required_providers.kubernetes.version", KUBERNETES_PROVIDER_CONSTRAINT)
    stack.add_override("terraform.required_providers.helm.version", HELM_PROVIDER_CONSTRAINT)
