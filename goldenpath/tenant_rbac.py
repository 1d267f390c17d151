"""The ClusterRole a team's owners (and a preview's) get inside their own namespace: Kubernetes'
``edit`` minus every write that would let a namespace loosen its own isolation or escape its quota.

Fact: ``edit`` aggregates ``system:aggregate-to-edit`` (kubernetes/kubernetes
plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml @
025f2834a128798cef30018a5e6a6ae82b5ad885) and ``system:aggregate-to-view``. ``EDIT_WRITES`` below is the
write half as listed there; reads come from ``view`` (also bound, so a new read Kubernetes adds to view
reaches the owners). The role is spelled out rather than aggregated: an aggregated copy would pick up any
future rule, including the ones removed here.

Removed, and why:

* ``networkpolicies`` (networking.k8s.io and the old extensions group): policies add up, so one extra
  policy with ``egress: [{}]`` would lift ``tenant-isolation``.
* ``events``: ResourceQuota cannot count them (the quota system ignores Events, see
  ``goldenpath.tenancy.quota``), so Events written without end would fill the cluster's etcd within their
  one-hour lifetime. People and deploy jobs do not write Events; Kubernetes' own components still do, and the
  owners still read them (``view``).

Kept, though they deserve a word: ``services`` (a LoadBalancer or NodePort is refused by the tenant's
quota; ``externalIPs`` is refused by goldenpath's admission policy, see ``goldenpath.modules.tenant_role``),
``ingresses`` (a backend is always a Service of the same namespace), ``serviceaccounts/token`` and
``impersonate`` (only ServiceAccounts of the namespace), ``pods/exec`` (Pod Security ``restricted``
still holds). ``resourcequotas``, ``limitranges``, ``namespaces`` and RBAC objects were never writable by
``edit``.
"""

from __future__ import annotations

TENANT_ROLE = "goldenpath-tenant-edit"
VIEW_ROLE = "view"
WRITE = ("create", "delete", "deletecollection", "patch", "update")

# (API group, resources, verbs): system:aggregate-to-edit at the commit above, minus networkpolicies and events.
EDIT_WRITES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("", ("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"),
     ("get", "list", "watch")),
    ("", ("serviceaccounts",), ("impersonate",)),
    ("", ("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"), WRITE),
    ("", ("pods/eviction",), ("create",)),
    ("", ("configmaps", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
          "secrets", "serviceaccounts", "services", "services/proxy"), WRITE),
    ("", ("serviceaccounts/token",), ("create",)),
    ("apps", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
              "replicasets/scale", "statefulsets", "statefulsets/scale"), WRITE),
    ("autoscaling", ("horizontalpodautoscalers",), WRITE),
    ("batch", ("cronjobs", "jobs"), WRITE),
    ("extensions", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses",
                    "replicasets", "replicasets/scale", "replicationcontrollers/scale"), WRITE),
    ("policy", ("poddisruptionbudgets",), WRITE),
    ("networking.k8s.io", ("ingresses",), WRITE),
    ("coordination.k8s.io", ("leases",), ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")),
)

# Writes no tenant role may hold: each lets a namespace loosen its own isolation or write past its quota.
ISOLATION_WRITES: tuple[tuple[str, str], ...] = (
    ("networking.k8s.io", "networkpolicies"), ("extensions", "networkpolicies"),
    ("", "resourcequotas"), ("", "limitranges"), ("", "namespaces"),
    ("rbac.authorization.k8s.io", "rolebindings"), ("rbac.authorization.k8s.io", "roles"),
    ("", "events"), ("events.k8s.io", "events"),
)
# Built-in roles known to hold one of those writes (edit and admin: networkpolicies; admin: RBAC).
LOOSENING_BUILTIN_ROLES = frozenset({"edit", "admin", "cluster-admin"})


def tenant_role_rules() -> list[dict]:
    """The role's rules as Kubernetes writes them (apiGroups, resources, verbs)."""
    return [{"apiGroups": [group], "resources": list(resources), "verbs": list(verbs)} for group, resources, verbs in EDIT_WRITES]


def allows(rules: list[dict] | tuple[dict, ...], group: str, resource: str, verb: str, name: str = "") -> bool:
    """Whether any rule (as Kubernetes writes them) grants ``verb`` on ``resource`` of API ``group``, named ``name``
    where a rule lists ``resourceNames``."""
    return any((group in r["apiGroups"] or "*" in r["apiGroups"]) and (resource in r["resources"] or "*" in r["resources"])
               and (verb in r["verbs"] or "*" in r["verbs"]) and (not r.get("resourceNames") or name in r["resourceNames"])
               for r in rules)


def isolation_writes_in(rules: list[dict]) -> list[str]:
    """Every (group, resource) of ``ISOLATION_WRITES`` that ``rules`` may write, as ``resource.group`` strings."""
    found = []
    for group, resource in ISOLATION_WRITES:
        for rule in rules:
            groups, resources, verbs = rule.get("apiGroups", []), rule.get("resources", []), rule.get("verbs", [])
            if (group in groups or "*" in groups) and (resource in resources or "*" in resources) \
                    and ({"*", *WRITE} & set(verbs)):
                found.append(f"{resource}.{group}" if group else resource)
                break
    return found
