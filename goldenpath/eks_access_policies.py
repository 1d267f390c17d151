"""What an EKS access policy lets its access entry do, as Kubernetes RBAC rules: read so that goldenpath can check
that an identity can do what goldenpath asks of it (and nothing it must not), with ``goldenpath.tenant_rbac.allows``.

Fact: the rules of AmazonEKSAdminPolicy (and the writes of AmazonEKSEditPolicy) as the EKS user guide lists them (awsdocs/amazon-eks-user-guide
doc_source/access-policies.md @ b0ff137e8fa39f6a1d0d8ecfbded479183d1270c, "Access policy permissions"; the live page
docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html shows the same rows, read 2026-12-06).
Two consequences matter:

* ``resourcequotas`` and ``limitranges`` are read-only: an identity with only this policy cannot set a namespace's
  quota or limits.
* It lists ``rolebindings`` writes but neither ``bind`` nor ``escalate``. Kubernetes writes a RoleBinding only
  for whoever may ``bind`` the role it names (the authorizer asked for verb ``bind`` on that ``clusterroles``
  name) or holds every permission of that role in RBAC objects (kubernetes/kubernetes
  pkg/registry/rbac/rolebinding/policybased/storage.go ``Create``: ``BindingAuthorized``, else
  ``ConfirmNoEscalation`` with the RBAC rule resolver; read through the code index, the repository is too large to
  fetch here). An access policy is not an RBAC object, so with this policy alone no RoleBinding to a role with any
  permission can be created (aws/containers-roadmap#2682, open, reports exactly that).
"""

from __future__ import annotations

from goldenpath.tenant_rbac import WRITE

READ = ("get", "list", "watch")

AMAZON_EKS_ADMIN_POLICY: tuple[dict, ...] = tuple(
    {"apiGroups": [group], "resources": list(resources), "verbs": list(verbs)} for group, resources, verbs in (
        ("apps", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                  "replicasets/scale", "statefulsets", "statefulsets/scale"), WRITE),
        ("apps", ("controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                  "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                  "statefulsets/scale", "statefulsets/status"), READ),
        ("authorization.k8s.io", ("localsubjectaccessreviews",), ("create",)),
        ("autoscaling", ("horizontalpodautoscalers",), WRITE),
        ("autoscaling", ("horizontalpodautoscalers", "horizontalpodautoscalers/status"), READ),
        ("batch", ("cronjobs", "jobs"), WRITE),
        ("batch", ("cronjobs", "cronjobs/status", "jobs", "jobs/status"), READ),
        ("discovery.k8s.io", ("endpointslices",), READ),
        ("extensions", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses",
                        "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"), WRITE),
        ("extensions", ("daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                        "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale",
                        "replicasets/status", "replicationcontrollers/scale"), READ),
        ("networking.k8s.io", ("ingresses", "ingresses/status", "networkpolicies"), READ),
        ("networking.k8s.io", ("ingresses", "networkpolicies"), WRITE),
        ("policy", ("poddisruptionbudgets",), WRITE),
        ("policy", ("poddisruptionbudgets", "poddisruptionbudgets/status"), READ),
        ("rbac.authorization.k8s.io", ("rolebindings", "roles"), WRITE + READ),
        ("", ("configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
              "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
              "services/status"), READ),
        ("", ("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"), READ),
        ("", ("configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
              "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"), WRITE),
        ("", ("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"), WRITE),
        ("", ("serviceaccounts",), ("impersonate",)),
        ("", ("bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
              "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"), READ),
        ("", ("namespaces",), READ),
    )
)
# AmazonEKSEditPolicy, from the same table: what it writes that a tenant's identities must not (goldenpath binds
# deploy roles to goldenpath-tenant-edit instead). Only the rows with writes are kept; reads are not checked against it.
AMAZON_EKS_EDIT_POLICY_WRITES: tuple[dict, ...] = tuple(
    {"apiGroups": [group], "resources": list(resources), "verbs": list(WRITE)} for group, resources in (
        ("apps", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                  "replicasets/scale", "statefulsets", "statefulsets/scale")),
        ("autoscaling", ("horizontalpodautoscalers",)),
        ("batch", ("cronjobs", "jobs")),
        ("extensions", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses",
                        "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale")),
        ("networking.k8s.io", ("ingresses", "networkpolicies")),
        ("policy", ("poddisruptionbudgets",)),
        ("", ("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy")),
        ("", ("configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
              "secrets", "serviceaccounts", "services", "services/proxy")),
    )
)

