"""Pod priority in tenant namespaces: what Kubernetes does with it, and the ceiling goldenpath holds tenants to.

Why it matters: the scheduler preempts (evicts) lower-priority pods to place a pending higher-priority one, and the
kubelet evicts the lowest priority first under node pressure. Any pod may name any PriorityClass, the two built-in
ones included, in any namespace: the Priority admission plugin once kept ``system-*`` classes to kube-system
(``priorityClassPermittedInNamespace``, kubernetes/kubernetes @ acd88a0), later versions resolve any class anywhere,
and what replaced the limit (a ResourceQuota ``limitedResources`` entry in the API server's admission configuration)
is a setting EKS does not let a cluster have. So without a check of its own, a tenant's pod (or a
pull request's preview chart) at ``system-node-critical`` could evict CoreDNS, the CNI, the observability stack and
other teams' pods whenever the cluster is full, within its own quota. goldenpath's admission policy
(``goldenpath.modules.tenant_role``) refuses a pod in a tenant namespace whose priority is above the environment's
``tenancy.max_pod_priority`` (default 0: what a pod naming no class gets on a cluster without a global default class).

Facts:

* The Priority admission plugin, on every pod create, resolves ``spec.priority`` from ``spec.priorityClassName`` (or the
  cluster's global default class, or 0 without one) and refuses a pod that brings a different number of its own. It
  is a mutating plugin, so validating admission (the policy) sees the resolved number: the check holds whatever the
  class is called. Source: plugin/pkg/admission/priority/admission.go (``admitPod``; kubernetes/kubernetes is over the
  fetch limit here, read at the fork TracingSource/kubernetes @ a3be89d and in the code index); the same
  text is the ``PodSpec.priority`` field's description in the OpenAPI schemas kubernetes-validate ships for every
  supported version ("The admission controller populates this field from PriorityClassName"), which
  ``tests/test_isolation.py`` reads.
* EKS enables the Priority plugin on every platform version its user guide lists, and a cluster takes no admission
  configuration of its own: awsdocs/amazon-eks-user-guide latest/ug/clusters/platform-versions.adoc @ 4d52b4d ("The
  following admission controllers are enabled for all ... platform versions: ... Priority ..."; the copy read lists
  1.24 to 1.31). Should a cluster run without it, a pod's own ``spec.priority`` is what the check reads.
* A PriorityClass's value is at most 1000000000 (``HighestUserDefinablePriority``); larger values belong to the
  built-in classes, ``system-cluster-critical`` 2000000000 and ``system-node-critical`` 2000001000
  (kubernetes/kubernetes pkg/apis/scheduling/types.go; kubernetes.io docs, concepts/scheduling-eviction/
  pod-priority-preemption: "Larger numbers are reserved for built-in PriorityClasses that represent critical system
  Pods").
* A pod's priority cannot change after creation (API validation), so checking CREATE is enough.
"""

from __future__ import annotations

HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
SYSTEM_PRIORITY_CLASSES: dict[str, int] = {"system-cluster-critical": 2_000_000_000, "system-node-critical": 2_000_001_000}
# A pod naming no class, on a cluster without a global default class (scheduling.DefaultPriorityWhenNoDefaultClassExists).
PRIORITY_WITHOUT_A_CLASS = 0


def ceiling_problem(ceiling: int) -> str | None:
    """Why ``tenancy.max_pod_priority`` cannot be ``ceiling`` (None when it can)."""
    if ceiling < PRIORITY_WITHOUT_A_CLASS:
        return (f"at least {PRIORITY_WITHOUT_A_CLASS}, the priority of a pod that names no PriorityClass: below it "
                "every ordinary pod would be refused")
    if ceiling > HIGHEST_USER_DEFINABLE_PRIORITY:
        return (f"at most {HIGHEST_USER_DEFINABLE_PRIORITY}, the highest value a PriorityClass you create may have: "
                "above it are Kubernetes' own classes ("
                + ", ".join(f"{name} {value}" for name, value in SYSTEM_PRIORITY_CLASSES.items())
                + "), and a tenant at those could evict kube-system's pods")
    return None


def pod_priority_line(environment: str, ceiling: int) -> str:
    """One `validate` line: the priority tenants' pods may run at, and what that lets them preempt."""
    line = f"pod priority: {environment} tenants', previews' and sandboxes' pods run at priority {ceiling} at most"
    if ceiling == PRIORITY_WITHOUT_A_CLASS:
        return line + " (tenancy.max_pod_priority): they preempt no pod that names no PriorityClass"
    return (line + f" (tenancy.max_pod_priority raised from {PRIORITY_WITHOUT_A_CLASS}): they may preempt other "
            f"namespaces' pods below {ceiling}, the observability stack's included unless it runs higher")
