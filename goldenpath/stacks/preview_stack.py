"""One stack per preview, with its own state key (previews/<name>.tfstate), on the hosting
environment's cluster; an optional AWS-only stack for per-preview AWS resources."""

from __future__ import annotations

from datetime import datetime

from cdktn import Fn, TerraformOutput
from cdktn_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktn_provider_aws.data_aws_eks_cluster_auth import DataAwsEksClusterAuth
from cdktn_provider_helm.provider import HelmProvider, HelmProviderKubernetes
from cdktn_provider_kubernetes.provider import KubernetesProvider
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.bucket import EncryptedBucket, EncryptedBucketProps
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.preview import PreviewEnvironment, PreviewEnvironmentProps
from goldenpath.previews.request import STATE_PREFIX, PreviewRequest
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.layout import StackLayout
from goldenpath.stacks.platform_stack import HELM_PROVIDER_CONSTRAINT, KUBERNETES_PROVIDER_CONSTRAINT
from goldenpath.stacks.target import EmulatorEndpoint


def preview_layout(environment: Environment, request: PreviewRequest, component: str) -> StackLayout:
    """``previews/<name>.tfstate`` (in-cluster) and ``previews/<name>-aws.tfstate`` (AWS-only)."""
    name = request.name if component == "preview" else f"{request.name}-aws"
    return StackLayout(STATE_PREFIX, name, environment.state_bucket, environment.state_region)


class PreviewStack(GoldenpathStack):
    def __init__(self, scope: Construct, environment: Environment, request: PreviewRequest, expires_at: datetime,
                 emulator: EmulatorEndpoint | None = None):
        request.check(environment)  # production and unknown services are refused before anything exists
        super().__init__(scope, environment, preview_layout(environment, request, "preview"), emulator,
                         extra_tags=_expiry_tags(request, expires_at))
        name = cluster_name(Naming(environment.name))
        cluster = DataAwsEksCluster(self, "cluster", name=name)
        auth = DataAwsEksClusterAuth(self, "cluster-auth", name=name)
        ca = Fn.base64decode(cluster.certificate_authority.get(0).data)
        KubernetesProvider(self, "kubernetes", host=cluster.endpoint, cluster_ca_certificate=ca, token=auth.token)
        HelmProvider(self, "helm", kubernetes=HelmProviderKubernetes(host=cluster.endpoint, cluster_ca_certificate=ca, token=auth.token))
        self.add_override("terraform.required_providers.kubernetes.version", KUBERNETES_PROVIDER_CONSTRAINT)
        self.add_override("terraform.required_providers.helm.version", HELM_PROVIDER_CONSTRAINT)
        self.preview = PreviewEnvironment(self, "preview", PreviewEnvironmentProps(request, environment.previews, expires_at))
        TerraformOutput(self, "url", value=f"https://{self.preview.host}", description="Preview URL")


class PreviewAwsStack(GoldenpathStack):
    def __init__(self, scope: Construct, environment: Environment, request: PreviewRequest, expires_at: datetime,
                 emulator: EmulatorEndpoint | None = None):
        request.check(environment)
        super().__init__(scope, environment, preview_layout(environment, request, "aws"), emulator,
                         extra_tags=_expiry_tags(request, expires_at))
        naming = Naming(request.name)
        self.bucket = EncryptedBucket(
            self, "bucket",
            EncryptedBucketProps(target=self.target, naming=naming, purpose="data", force_destroy=True,
                                 expiration_days=environment.previews.max_ttl_hours // 24 + 1),
        )
        TerraformOutput(self, "bucket_name", value=self.bucket.name, description="Preview bucket")


def _expiry_tags(request: PreviewRequest, expires_at: datetime) -> dict[str, str]:
    from goldenpath.previews.request import expiry_label

    return {"goldenpath:preview": request.name, "goldenpath:pr": str(request.pr), "expires-at": expiry_label(expires_at)}
