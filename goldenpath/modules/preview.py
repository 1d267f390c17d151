"""A preview environment for one pull request, isolated on the shared preview cluster.

Namespace with PR/owner/expiry labels and Pod Security "restricted"; ResourceQuota and
LimitRange from the hosting environment's preview limits; default-deny network policies that
admit the ingress controller and the namespace itself and let out DNS and telemetry only (the
tenant spec of ``goldenpath.tenancy.spec``); a service account with no cloud permissions; the service's pinned Helm chart with the requested image tag, reachable at
``<name>.<preview domain>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import yaml
from cdktn_provider_helm.release import Release
from constructs import Construct

from goldenpath.config.model import Previews, PreviewService
from goldenpath.modules.preview_request import PreviewRequest, expiry_label, label_value
from goldenpath.modules.preview_access import SESSION_ROLE, SESSION_USER_PREFIX
from goldenpath.modules.tenant import NamespaceWriter, TenantNamespace, TenantNamespaceProps
from goldenpath.observability.grafana_text import terraform_literal
from goldenpath.tenancy.spec import TenantSpec

PREVIEW_LABEL = "goldenpath.dev/preview"
HOOKS_OFF = """Helm hooks are off in previews (helm_release ``disable_webhooks``, Helm's ``--no-hooks``).

Fact: Helm stamps ``meta.helm.sh/release-namespace`` on a release's objects, which the preview objects policy
checks, but creates hook objects from their own manifest without that stamp, after deleting any object of the
same kind, name and namespace (the default ``before-hook-creation`` policy): helm/helm pkg/action/hooks.go
``execHook`` and install.go ``setMetadataVisitor`` @ v3.18.5 (the Helm that terraform-provider-helm v3.1.2 builds
with, go.mod) and @ v3.21.4. Without the stamp the objects policy cannot tell a hook from goldenpath's own objects,
so a hook named ``tenant-isolation`` would replace the namespace's NetworkPolicy with the chart's. (Before 0.22 one
preview identity served every ``pr-*`` namespace and a hook could also name another preview's; a session is now
refused outside its own: ``goldenpath.modules.preview_access``.)
``disable_webhooks`` sets ``DisableHooks`` for install, upgrade and uninstall (terraform-provider-helm
helm/resource_helm_release.go @ v3.1.2). Charts that migrate in a hook run that step as an init container or a
plain Job in previews."""
PREVIEW_SERVICE_ACCOUNT = "preview"


@dataclass(frozen=True)
class PreviewEnvironmentProps:
    """Props of :class:`PreviewEnvironment`."""

    request: PreviewRequest
    previews: Previews
    """The hosting environment's previews section (domain, limits, ingress namespace)."""
    expires_at: datetime
    """When the reaper may destroy the preview; extended by every push."""
    service: PreviewService
    """The service's chart, from its catalog entry (``previews:`` in teams/<team>.yaml)."""
    owners_group: str | None = None
    """The owning team's group, bound to the edit role in the preview namespace. Default: no binding."""

    def labels(self) -> dict[str, str]:
        request = self.request
        return {
            PREVIEW_LABEL: "true",
            "goldenpath.dev/pr": str(request.pr),
            "goldenpath.dev/repository": label_value(request.repository),
            "goldenpath.dev/branch": label_value(request.branch),
            "goldenpath.dev/owner": label_value(request.owner),
            "goldenpath.dev/service": request.service,
            "goldenpath.dev/expires-at": expiry_label(self.expires_at),
            "app.kubernetes.io/managed-by": "goldenpath",
        }

    def tenant_spec(self) -> TenantSpec:
        """The preview namespace is a tenant: the same spec as every catalog service's namespace."""
        return TenantSpec(
            namespace=self.request.name, service_account=PREVIEW_SERVICE_ACCOUNT, quota=self.previews.limits,
            labels=self.labels(), ingress_namespace=self.previews.ingress_namespace, owners_group=self.owners_group,
            ingress_hosts=(self.host,),
        )

    @property
    def host(self) -> str:
        """The preview's one host on the shared ingress controller."""
        return f"{self.request.name}.{self.previews.domain}"


class PreviewEnvironment(Construct):
    """One pull request's tenant namespace (Pod Security restricted, quota and limits, default-deny
    network policies, a service account without token) and the service's chart."""

    def __init__(self, scope: Construct, id_: str, props: PreviewEnvironmentProps):
        super().__init__(scope, id_)
        request, previews, service = props.request, props.previews, props.service
        self.host = props.host
        # The preview's own session (named after it) reaches this namespace only through this binding.
        writer = NamespaceWriter(user=SESSION_USER_PREFIX + request.name, cluster_role=SESSION_ROLE)
        self.tenant = TenantNamespace(self, "tenant", TenantNamespaceProps(spec=props.tenant_spec(), writer=writer))
        values = {
            "image": {"repository": service.image_repository, "tag": request.image_tag},
            "serviceAccount": {"create": False, "name": PREVIEW_SERVICE_ACCOUNT},
            "podLabels": props.labels(),
            "service": {"port": service.port},
            "ingress": {"enabled": True, "className": "nginx", "hosts": [{"host": self.host, "paths": [{"path": "/", "pathType": "Prefix"}]}]},
        }
        self.release = Release(
            self, "release", name=request.service, namespace=request.name, repository=service.repository,
            chart=service.chart, version=service.version,
            values=[terraform_literal(yaml.safe_dump(values, sort_keys=True))],
            atomic=True, cleanup_on_fail=True, timeout=600, depends_on=self.tenant.resources,
            disable_webhooks=True,  # no Helm hooks: see HOOKS_OFF
        )
