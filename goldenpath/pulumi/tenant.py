"""``Tenant``: one typed pulumi-kubernetes resource per object of the tenant spec, with explicit
Kubernetes names (no auto-naming suffixes), children of one ComponentResource.

The AWS side of cloud access (the service's bucket, role and Pod Identity association) is not
created here: it belongs to the platform's ``<env>-tenants-<team>`` stack (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pulumi
import pulumi_kubernetes as k8s

from goldenpath.tenancy.spec import TenantSpec, tenant_manifests

TYPE_TOKEN = "goldenpath:tenancy:Tenant"


@dataclass(frozen=True)
class TenantArgs:
    """Args of :class:`Tenant`."""

    spec: TenantSpec
    provider: Any = None
    """A pulumi_kubernetes Provider for the target cluster. Default: the stack's default provider."""


def _meta(manifest: dict) -> k8s.meta.v1.ObjectMetaArgs:
    meta = manifest["metadata"]
    return k8s.meta.v1.ObjectMetaArgs(name=meta["name"], namespace=meta.get("namespace"), labels=meta.get("labels"),
                                      annotations=meta.get("annotations"))


def _namespace(m: dict, name: str, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    return k8s.core.v1.Namespace(name, metadata=_meta(m), opts=opts)


def _quota(m: dict, name: str, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    return k8s.core.v1.ResourceQuota(name, metadata=_meta(m), spec=k8s.core.v1.ResourceQuotaSpecArgs(hard=m["spec"]["hard"]), opts=opts)


def _limits(m: dict, name: str, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    items = [k8s.core.v1.LimitRangeItemArgs(type=i["type"], default=i["default"], default_request=i["defaultRequest"])
             for i in m["spec"]["limits"]]
    return k8s.core.v1.LimitRange(name, metadata=_meta(m), spec=k8s.core.v1.LimitRangeSpecArgs(limits=items), opts=opts)


def _selector(block: dict) -> k8s.meta.v1.LabelSelectorArgs:
    return k8s.meta.v1.LabelSelectorArgs(match_labels=block.get("matchLabels"))


def _peer(peer: dict) -> k8s.networking.v1.NetworkPolicyPeerArgs:
    return k8s.networking.v1.NetworkPolicyPeerArgs(
        namespace_selector=_selector(peer["namespaceSelector"]) if "namespaceSelector" in peer else None,
        pod_selector=_selector(peer["podSelector"]) if "podSelector" in peer else None,
        ip_block=k8s.networking.v1.IPBlockArgs(cidr=peer["ipBlock"]["cidr"], except_=peer["ipBlock"].get("except"))
        if "ipBlock" in peer else None,
    )


def _ports(rule: dict) -> list | None:
    ports = [k8s.networking.v1.NetworkPolicyPortArgs(port=p["port"], protocol=p["protocol"]) for p in rule.get("ports", [])]
    return ports or None


def _policy(m: dict, name: str, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    spec = m["spec"]
    ingress = [k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[_peer(p) for p in r["from"]], ports=_ports(r))
               for r in spec.get("ingress", [])]
    egress = [k8s.networking.v1.NetworkPolicyEgressRuleArgs(to=[_peer(p) for p in r["to"]], ports=_ports(r))
              for r in spec.get("egress", [])]
    return k8s.networking.v1.NetworkPolicy(name, metadata=_meta(m), spec=k8s.networking.v1.NetworkPolicySpecArgs(
        pod_selector=_selector(spec["podSelector"]), policy_types=spec["policyTypes"],
        ingress=ingress or None, egress=egress or None), opts=opts)


def _service_account(m: dict, name: str, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    return k8s.core.v1.ServiceAccount(name, metadata=_meta(m), automount_service_account_token=m["automountServiceAccountToken"], opts=opts)


def _role_binding(m: dict, name: str, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    ref = m["roleRef"]
    return k8s.rbac.v1.RoleBinding(
        name, metadata=_meta(m),
        role_ref=k8s.rbac.v1.RoleRefArgs(api_group=ref["apiGroup"], kind=ref["kind"], name=ref["name"]),
        subjects=[k8s.rbac.v1.SubjectArgs(api_group=s["apiGroup"], kind=s["kind"], name=s["name"]) for s in m["subjects"]],
        opts=opts)


RENDERERS: dict[str, Callable[[dict, str, pulumi.ResourceOptions], pulumi.Resource]] = {
    "Namespace": _namespace, "ResourceQuota": _quota, "LimitRange": _limits, "NetworkPolicy": _policy,
    "ServiceAccount": _service_account, "RoleBinding": _role_binding,
}


class Tenant(pulumi.ComponentResource):
    """A tenant namespace on one cluster, from the same spec as goldenpath's CDK Terrain stacks."""

    def __init__(self, name: str, args: TenantArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.resources: dict[tuple[str, str], pulumi.Resource] = {}
        namespace: pulumi.Resource | None = None
        for manifest in tenant_manifests(args.spec):
            kind, object_name = manifest["kind"], manifest["metadata"]["name"]
            child = pulumi.ResourceOptions(parent=self, provider=args.provider,
                                           depends_on=[namespace] if namespace is not None else None)
            # Pulumi names are unique per stack: the namespace prefixes each child's logical name.
            logical = f"{args.spec.namespace}-{kind.lower()}-{object_name}" if kind != "Namespace" else f"{object_name}-namespace"
            resource = RENDERERS[kind](manifest, logical, child)
            namespace = namespace or resource
            self.resources[(kind, object_name)] = resource
        self.namespace = namespace
        self.register_outputs({"namespace": args.spec.namespace})
