"""GP_K8S_004: nobody is bound, inside a namespace, to a role that lets the namespace loosen its own
isolation; and goldenpath's tenant role holds none of those writes.

Fails a RoleBinding to a built-in role that may write NetworkPolicies (``edit``, ``admin``,
``cluster-admin``: Kubernetes' bootstrap policy, see goldenpath.tenant_rbac) and the ClusterRole
``goldenpath-tenant-edit`` when a rule lets it write NetworkPolicies, quotas, limit ranges, namespaces, RBAC or
Events (which no ResourceQuota counts, see goldenpath.tenancy.quota).
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import block, plain
from goldenpath.tenant_rbac import LOOSENING_BUILTIN_ROLES, TENANT_ROLE, isolation_writes_in


class TenantsCannotLoosenIsolation(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure namespace owners cannot write NetworkPolicies, quotas, RBAC or Events in their namespace",
            id="GP_K8S_004",
            categories=[CheckCategories.KUBERNETES],
            supported_resources=["kubernetes_role_binding_v1", "kubernetes_role_binding", "kubernetes_cluster_role_v1"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if "role_ref" in conf:
            ref = plain(block(conf, "role_ref"))
            builtin = ref.get("kind") == "ClusterRole" and ref.get("name") in LOOSENING_BUILTIN_ROLES
            return CheckResult.FAILED if builtin else CheckResult.PASSED
        if plain(block(conf, "metadata")).get("name") != TENANT_ROLE:
            return CheckResult.UNKNOWN  # other cluster roles: not this check's business
        rules = [{"apiGroups": _list(r.get("api_groups")), "resources": _list(r.get("resources")), "verbs": _list(r.get("verbs"))}
                 for r in plain(conf.get("rule", [])) if isinstance(r, dict)]
        return CheckResult.FAILED if isolation_writes_in(rules) else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["role_ref", "rule"]


def _list(value: object) -> list:
    """Strings of a value checkov may wrap in lists once or twice, flat."""
    if value is None:
        return []
    if isinstance(value, list):
        return [item for inner in value for item in (_list(inner) if isinstance(inner, list) else [inner])]
    return [value]


check = TenantsCannotLoosenIsolation()
