"""What a tenant gets on a cluster, as plain Kubernetes manifests (pure Python: no jsii, no pulumi).

One spec, two renderers: ``goldenpath.modules.tenant.TenantNamespace`` (CDK Terrain) and
``goldenpath.pulumi.Tenant`` (pulumi-kubernetes). Both are tested to create exactly
``tenant_manifests(spec)``; previews (and sandboxes) use the same spec.

A tenant namespace gets: Pod Security Standards ``restricted`` (enforced, warned, audited); a
ResourceQuota and LimitRange from its tier (compute, storage, ephemeral storage, a count of every kind
its owners can write; no LoadBalancer or NodePort Services: ``goldenpath.tenancy.quota``); a network
policy that denies ingress and egress except DNS, the namespace itself, the ingress
controller, telemetry to the collector and, with cloud access, the AWS APIs; a
ServiceAccount that mounts no API token; the hosts its Ingresses may name (an annotation admission
enforces); and its owner group bound, inside the namespace only, to
goldenpath's tenant role (``edit`` minus NetworkPolicy and Event writes, see ``goldenpath.tenant_rbac``) and to ``view``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from goldenpath.cluster_peers import dns_egress, namespace_peer
from goldenpath.config.model import QuotaTier
from goldenpath.observability.network import OTLP_PORTS, outside_the_cluster_https
from goldenpath.observability.values import MANAGED_BY, NAMESPACE as OBSERVABILITY_NAMESPACE
from goldenpath.labels import INGRESS_HOSTS_ANNOTATION, OWNER_LABEL, SERVICE_LABEL, TEAM_LABEL, TENANT_NAMESPACE_LABEL
from goldenpath.tenancy.quota import limit_defaults, quota_hard
from goldenpath.tenant_rbac import TENANT_ROLE, VIEW_ROLE

POD_SECURITY = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "warn", "audit")}
QUOTA_NAME = "tenant-quota"
LIMITS_NAME = "tenant-limits"
# The EKS Pod Identity agent listens on this link-local address (port 80) on every node.
POD_IDENTITY_AGENT = "169.254.170.23/32"


@dataclass(frozen=True)
class PodIdentity:
    """AWS access for the tenant's service account (the role and association are AWS-side)."""

    service_account: str
    bucket_access: str
    """``read`` or ``read_write`` on the tenant's own bucket."""


@dataclass(frozen=True)
class TenantSpec:
    namespace: str
    service_account: str
    quota: QuotaTier
    labels: dict[str, str] = field(default_factory=dict)
    """On every object (team, service, owner, ...); Pod Security labels are added to the namespace."""
    ingress_namespace: str = "ingress-nginx"
    owners_group: str | None = None
    """Identity-provider group bound to ``edit_role`` and ``view`` in the namespace. Default: no binding."""
    owners_user: str | None = None
    """A Kubernetes user bound like ``owners_group`` (a namespace sandbox's owner). Default: none."""
    edit_role: str = TENANT_ROLE
    """Default: goldenpath-tenant-edit (``edit`` minus NetworkPolicy and Event writes)."""
    pod_identity: PodIdentity | None = None
    """Default: no AWS access."""
    vpc_cidr: str | None = None
    """The cluster's VPC: cut out of the HTTPS egress that cloud access opens (the API server's network
    interfaces, other namespaces' pods on 443). Required with ``pod_identity``."""
    service_cidr: str | None = None
    """The cluster's Service range: cut out of that egress too (the ``kubernetes`` Service, which is the API
    server, and every other Service's ClusterIP on 443). Required with ``pod_identity``."""
    ingress_hosts: tuple[str, ...] = ()
    """The hosts the namespace's Ingresses may name on the shared ingress controller (the namespace's
    ``goldenpath.dev/ingress-hosts`` annotation, enforced by admission). Default: none (Ingresses are refused)."""


def _meta(spec: TenantSpec, name: str) -> dict:
    return {"name": name, "namespace": spec.namespace, "labels": dict(spec.labels)}


POLICY_NAME = "tenant-isolation"


def network_policy(spec: TenantSpec) -> dict:
    """One NetworkPolicy selecting every pod for ingress and egress: whatever its rules do not
    allow is denied (Kubernetes isolates a pod once any policy of that type selects it). One
    object instead of a deny policy plus an allow policy per purpose: the same semantics, and a
    third of the resources at 200 services (see the tenancy benchmark)."""
    ingress = [
        {"from": [{"podSelector": {}}]},  # the namespace itself
        {"from": [namespace_peer(spec.ingress_namespace)]},  # the ingress controller
    ]
    egress = [
        dns_egress(),
        {"to": [{"podSelector": {}}]},
        {"to": [namespace_peer(OBSERVABILITY_NAMESPACE)],  # telemetry to the collector
         "ports": [{"port": port, "protocol": "TCP"} for port in OTLP_PORTS]},
    ]
    if spec.pod_identity is not None:
        egress += cloud_egress(spec)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta(spec, POLICY_NAME),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": ingress, "egress": egress}}


def cloud_egress(spec: TenantSpec) -> list[dict]:
    """What cloud access adds: credentials from the node-local Pod Identity agent, and HTTPS to the AWS APIs, which
    lie outside the VPC (S3 through its gateway endpoint, on S3's public addresses; goldenpath makes no interface
    endpoints). Both of the cluster's own ranges are cut out of that HTTPS: the VPC (the API server's network
    interfaces, pods) and the Service range. The VPC CNI matches a pod's egress before kube-proxy rewrites a
    ClusterIP to a pod, so a rule that admits the ClusterIP admits the Service, the API server's ``kubernetes``
    Service (the range's first address) included: facts.EGRESS_SEES_CLUSTER_IP_SOURCE, API_SERVER_SERVICE_IP_SOURCE."""
    if spec.vpc_cidr is None or spec.service_cidr is None:
        missing = [name for name in ("vpc_cidr", "service_cidr") if getattr(spec, name) is None]
        raise ValueError(f"tenant {spec.namespace!r} has cloud access; expected {' and '.join(missing)} "
                         "(cut out of its HTTPS egress)")
    return [
        {"to": [{"ipBlock": {"cidr": POD_IDENTITY_AGENT}}], "ports": [{"port": 80, "protocol": "TCP"}]},
        outside_the_cluster_https(spec.vpc_cidr, spec.service_cidr),
    ]


def tenant_manifests(spec: TenantSpec) -> list[dict]:
    """Every Kubernetes object of the tenant, in the order they are created."""
    quota = spec.quota
    objects: list[dict] = [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": spec.namespace, "labels": {**spec.labels, **POD_SECURITY, TENANT_NAMESPACE_LABEL: "true"},
                      "annotations": {INGRESS_HOSTS_ANNOTATION: ",".join(spec.ingress_hosts)}}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta(spec, QUOTA_NAME), "spec": {"hard": quota_hard(quota)}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta(spec, LIMITS_NAME),
         "spec": {"limits": [{"type": "Container", **limit_defaults(quota)}]}},
        network_policy(spec),
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(spec, spec.service_account),
         "automountServiceAccountToken": False},
    ]
    subjects = [{"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": name}
                for kind, name in (("Group", spec.owners_group), ("User", spec.owners_user)) if name is not None]
    if subjects:
        objects += edit_bindings(spec, "owners", subjects)
    return objects


def edit_bindings(spec: TenantSpec, prefix: str, subjects: list[dict]) -> list[dict]:
    """RoleBindings ``<prefix>-edit`` (to ``spec.edit_role``) and ``<prefix>-view`` (to ``view``) in the namespace."""
    return [role_binding(spec, f"{prefix}-edit", spec.edit_role, subjects), role_binding(spec, f"{prefix}-view", VIEW_ROLE, subjects)]


def role_binding(spec: TenantSpec, name: str, role: str, subjects: list[dict]) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _meta(spec, name),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [dict(s) for s in subjects]}


def manifest_key(manifest: dict) -> tuple[str, str, str]:
    """(kind, namespace, name): how manifests are compared, whatever order a renderer creates them in."""
    meta = manifest["metadata"]
    return manifest["kind"], meta.get("namespace", ""), meta["name"]
