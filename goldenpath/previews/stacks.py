"""One stack per preview, with its own state key (previews/<name>.tfstate), on the hosting
environment's cluster; an optional AWS-only stack for per-preview AWS resources."""

from __future__ import annotations

from datetime import datetime

from cdktn import TerraformOutput
from constructs import Construct

from goldenpath.config.model import Environment, Previews
from goldenpath.constructs.bucket import EncryptedBucket, EncryptedBucketProps
from goldenpath.constructs.naming import Naming
from goldenpath.modules.cluster import cluster_name
from goldenpath.modules.preview import PreviewEnvironment, PreviewEnvironmentProps
from goldenpath.modules.preview_request import STATE_PREFIX, PreviewError, PreviewRequest, expiry_label
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.layout import StackLayout
from goldenpath.stacks.in_cluster import configure_in_cluster_providers
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.catalog import Catalog


def preview_layout(environment: Environment, request: PreviewRequest, component: str) -> StackLayout:
    """``previews/<name>.tfstate`` (in-cluster) and ``previews/<name>-aws.tfstate`` (AWS-only)."""
    name = request.name if component == "preview" else f"{request.name}-aws"
    return StackLayout(STATE_PREFIX, name, environment.state_bucket, environment.state_region, environment.state.kms_key)


class PreviewStack(GoldenpathStack):
    """``catalog``: the service catalog; the request's service must have opted in to previews there."""

    def __init__(self, scope: Construct, environment: Environment, request: PreviewRequest, expires_at: datetime,
                 catalog: Catalog, emulator: EmulatorEndpoint | None = None):
        previewable = catalog.previewable(environment)
        request.check(environment, previewable)  # production and unknown services are refused before anything exists
        super().__init__(scope, environment, preview_layout(environment, request, "preview"), emulator,
                         extra_tags=_expiry_tags(request, expires_at))
        configure_in_cluster_providers(self, cluster_name(Naming(environment.name)))
        self.preview = PreviewEnvironment(self, "preview", PreviewEnvironmentProps(
            request, _previews(environment), expires_at, previewable[request.service],
            catalog.owners_of(environment, request.service)))
        TerraformOutput(self, "url", value=f"https://{self.preview.host}", description="Preview URL")


def _previews(environment: Environment) -> Previews:
    if environment.previews is None:  # request.check refuses this first; kept for the type checker
        raise PreviewError(f"{environment.source_file}: no previews section; expected one to host previews")
    return environment.previews


class PreviewAwsStack(GoldenpathStack):
    def __init__(self, scope: Construct, environment: Environment, request: PreviewRequest, expires_at: datetime,
                 catalog: Catalog, emulator: EmulatorEndpoint | None = None):
        request.check(environment, catalog.previewable(environment))
        super().__init__(scope, environment, preview_layout(environment, request, "aws"), emulator,
                         extra_tags=_expiry_tags(request, expires_at))
        naming = Naming(request.name)
        self.bucket = EncryptedBucket(
            self, "bucket",
            EncryptedBucketProps(target=self.target, naming=naming, purpose="data", force_destroy=True,
                                 expiration_days=_previews(environment).max_ttl_hours // 24 + 1),
        )
        TerraformOutput(self, "bucket_name", value=self.bucket.name, description="Preview bucket")


def _expiry_tags(request: PreviewRequest, expires_at: datetime) -> dict[str, str]:
    return {"goldenpath:preview": request.name, "goldenpath:pr": str(request.pr), "expires-at": expiry_label(expires_at)}
