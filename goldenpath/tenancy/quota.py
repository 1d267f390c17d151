"""A tenant namespace's ResourceQuota: compute, storage and a count of every kind its owners can write.

Without storage and object counts, one namespace could exhaust what every namespace shares: EBS volumes without
end (billed per GiB-month, each up to 64 TiB), the nodes' disks (writable layers, logs, ``emptyDir``; the kubelet
then evicts pods of other namespaces too), and the cluster's etcd (ConfigMaps and Secrets of up to 1 MiB each;
a full etcd stops every write in the cluster).

Facts: ResourceQuota counts any namespaced kind as ``count/<resource>[.<group>]``, except what the quota system
ignores: ``events`` of both API groups ("events haven't been quota-ed before"; kubernetes/kubernetes
``pkg/quota/v1/install/update_quota_configuration.go``, ``ignoredResources``, read through the code index, not at
a tag). So Events cannot be counted, and goldenpath's tenant role does not write them (``goldenpath.tenant_rbac``).
A pod's ephemeral storage (its containers' writable layers and logs, and its ``emptyDir`` volumes) is bounded by its
containers' ``ephemeral-storage`` limits, which the kubelet enforces by eviction; the LimitRange gives each
container a default so that the quota can require one.
"""

from __future__ import annotations

from goldenpath.config.model import QuotaTier
from goldenpath.tenant_rbac import EDIT_WRITES

# Counted by their own quota fields, not by objects_per_kind.
_OWN_FIELDS = {("", "pods"), ("", "persistentvolumeclaims")}
# Objects controllers make for the tenant's own (a StatefulSet's or DaemonSet's history: its revisionHistoryLimit
# is the tenant's to set).
_MADE_FOR_THE_TENANT = (("apps", "controllerrevisions"),)
# The preview group's access policy, AmazonEKSAdminPolicy, is "similar to" Kubernetes' admin role (EKS user guide,
# "Review access policy permissions"), which also creates Roles and RoleBindings in its namespaces.
_PREVIEWS_ALSO = (("rbac.authorization.k8s.io", "rolebindings"), ("rbac.authorization.k8s.io", "roles"))
# The extensions group serves none of these since Kubernetes 1.22; their objects are counted in their own groups.
_NOT_SERVED = {"extensions"}


def counted_kinds() -> list[tuple[str, str]]:
    """(group, resource) of every kind the tenant role creates, those controllers create for it, and the Roles and
    RoleBindings the preview group may create, sorted."""
    kinds = {(group, resource) for group, resources, verbs in EDIT_WRITES if "create" in verbs and group not in _NOT_SERVED
             for resource in resources if "/" not in resource}
    return sorted((kinds | set(_MADE_FOR_THE_TENANT) | set(_PREVIEWS_ALSO)) - _OWN_FIELDS)


def count_key(group: str, resource: str) -> str:
    return f"count/{resource}.{group}" if group else f"count/{resource}"


def quota_hard(quota: QuotaTier) -> dict[str, str]:
    """The ResourceQuota's ``spec.hard``."""
    return {
        "requests.cpu": quota.requests_cpu, "requests.memory": quota.requests_memory,
        "limits.cpu": quota.limits_cpu, "limits.memory": quota.limits_memory, "pods": str(quota.pods),
        "services.loadbalancers": "0", "services.nodeports": "0",
        "requests.storage": quota.requests_storage, "persistentvolumeclaims": str(quota.persistent_volume_claims),
        "limits.ephemeral-storage": quota.limits_ephemeral_storage,
        **{count_key(group, resource): str(quota.objects_per_kind) for group, resource in counted_kinds()},
    }


def limit_defaults(quota: QuotaTier) -> dict[str, dict[str, str]]:
    """The LimitRange's container ``default`` and ``defaultRequest``."""
    return {
        "default": {"cpu": quota.default_limit_cpu, "memory": quota.default_limit_memory,
                    "ephemeral-storage": quota.default_limit_ephemeral_storage},
        "defaultRequest": {"cpu": quota.default_request_cpu, "memory": quota.default_request_memory,
                           "ephemeral-storage": quota.default_request_ephemeral_storage},
    }
