"""A preview environment for one pull request, isolated on the shared preview cluster.

Namespace with PR/owner/expiry labels and Pod Security "restricted"; ResourceQuota and
LimitRange from the hosting environment's preview limits; default-deny NetworkPolicy that
admits only the ingress controller and the namespace itself; a service account with no cloud
permissions; the service's pinned Helm chart with the requested image tag, reachable at
``<name>.<preview domain>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import yaml
from cdktn_provider_helm.release import Release
from cdktn_provider_kubernetes.limit_range_v1 import LimitRangeV1, LimitRangeV1Spec, LimitRangeV1SpecLimit
from cdktn_provider_kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata
from cdktn_provider_kubernetes.network_policy_v1 import (
    NetworkPolicyV1,
    NetworkPolicyV1Spec,
    NetworkPolicyV1SpecIngress,
    NetworkPolicyV1SpecIngressFrom,
    NetworkPolicyV1SpecIngressFromNamespaceSelector,
    NetworkPolicyV1SpecIngressFromPodSelector,
    NetworkPolicyV1SpecPodSelector,
)
from cdktn_provider_kubernetes.resource_quota_v1 import ResourceQuotaV1
from cdktn_provider_kubernetes.service_account_v1 import ServiceAccountV1
from constructs import Construct

from goldenpath.config.model import Previews
from goldenpath.modules.preview_request import PreviewRequest, expiry_label, label_value

PREVIEW_LABEL = "goldenpath.dev/preview"


@dataclass(frozen=True)
class PreviewEnvironmentProps:
    """Props of :class:`PreviewEnvironment`."""

    request: PreviewRequest
    previews: Previews
    """The hosting environment's previews section (domain, limits, services)."""
    expires_at: datetime
    """When the reaper may destroy the preview; extended by every push."""

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


class PreviewEnvironment(Construct):
    """One pull request's namespace: Pod Security restricted, quota and limits, default-deny
    network policy with ingress allowed, a service account without token, and the service's chart."""

    def __init__(self, scope: Construct, id_: str, props: PreviewEnvironmentProps):
        super().__init__(scope, id_)
        request, previews = props.request, props.previews
        name = request.name
        labels = props.labels()
        self.host = f"{name}.{previews.domain}"
        namespace = NamespaceV1(
            self, "namespace",
            metadata=[NamespaceV1Metadata(name=name, labels={
                **labels,
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            })],
        )
        meta = {"namespace": name, "labels": labels}
        limits = previews.limits
        ResourceQuotaV1(self, "quota", metadata={"name": "preview-quota", **meta}, spec={"hard": {
            "requests.cpu": limits.requests_cpu, "requests.memory": limits.requests_memory,
            "limits.cpu": limits.limits_cpu, "limits.memory": limits.limits_memory, "pods": str(limits.pods),
            "services.loadbalancers": "0", "services.nodeports": "0",
        }}, depends_on=[namespace])
        # Nested blocks use the binding's classes: plain dicts below the top level lose their keys.
        LimitRangeV1(self, "limits", metadata={"name": "preview-limits", **meta}, spec=LimitRangeV1Spec(limit=[
            LimitRangeV1SpecLimit(
                type="Container",
                default_request={"cpu": limits.default_request_cpu, "memory": limits.default_request_memory},
                default={"cpu": limits.default_limit_cpu, "memory": limits.default_limit_memory},
            )
        ]), depends_on=[namespace])
        NetworkPolicyV1(self, "default-deny", metadata={"name": "default-deny", **meta}, spec=NetworkPolicyV1Spec(
            pod_selector=NetworkPolicyV1SpecPodSelector(), policy_types=["Ingress"],
        ), depends_on=[namespace])
        NetworkPolicyV1(self, "allow-ingress-and-namespace", metadata={"name": "allow-ingress-and-namespace", **meta},
                        spec=NetworkPolicyV1Spec(
                            pod_selector=NetworkPolicyV1SpecPodSelector(), policy_types=["Ingress"],
                            ingress=[NetworkPolicyV1SpecIngress(from_=[
                                NetworkPolicyV1SpecIngressFrom(namespace_selector=NetworkPolicyV1SpecIngressFromNamespaceSelector(
                                    match_labels={"kubernetes.io/metadata.name": previews.ingress_namespace})),
                                NetworkPolicyV1SpecIngressFrom(pod_selector=NetworkPolicyV1SpecIngressFromPodSelector()),
                            ])],
                        ), depends_on=[namespace])
        account = ServiceAccountV1(self, "service-account", metadata={"name": "preview", **meta},
                                   automount_service_account_token=False, depends_on=[namespace])
        service = previews.services[request.service]
        values = {
            "image": {"repository": service.image_repository, "tag": request.image_tag},
            "serviceAccount": {"create": False, "name": "preview"},
            "podLabels": labels,
            "service": {"port": service.port},
            "ingress": {"enabled": True, "className": "nginx", "hosts": [{"host": self.host, "paths": [{"path": "/", "pathType": "Prefix"}]}]},
        }
        self.release = Release(
            self, "release", name=request.service, namespace=name, repository=service.repository,
            chart=service.chart, version=service.version,
            values=[yaml.safe_dump(values, sort_keys=True).replace("${", "$${")],
            atomic=True, cleanup_on_fail=True, timeout=600, depends_on=[account],
        )
