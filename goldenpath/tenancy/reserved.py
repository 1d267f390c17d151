"""Namespace names a team's service may not take: the cluster's own, the platform's, and the
prefixes goldenpath gives previews and sandboxes.

A tenant namespace named like one of these would be admitted where the platform's are (every
tenant policy admits traffic *from* the ingress namespace), or would bind the team's owners into
the system (an ``owners-edit`` RoleBinding in ``kube-system``).
"""

from __future__ import annotations

from goldenpath.observability.values import NAMESPACE as OBSERVABILITY_NAMESPACE, NODE_EXPORTER_NAMESPACE

# Kubernetes' own namespaces (default, kube-system, kube-public, kube-node-lease) and the
# prefixes AWS add-ons install into (amazon-cloudwatch, amazon-guardduty, aws-observability, ...).
SYSTEM_NAMES = frozenset({"default"})
SYSTEM_PREFIXES = ("kube-", "amazon-", "aws-", "eks-")
PLATFORM_NAMES = frozenset({OBSERVABILITY_NAMESPACE, NODE_EXPORTER_NAMESPACE})
# goldenpath's generated namespaces: previews are pr-<n>-<service>-<repository>, sandboxes sbx-<digest>.
PREVIEW_PREFIX = "pr-"
"""Every preview's name (namespace, bucket, key alias) starts so (goldenpath.modules.preview_request)."""
SANDBOX_PREFIX = "sbx-"


def reserved_because(namespace: str, ingress_namespace: str) -> str | None:
    """Why ``namespace`` is not a tenant's to take, or None when it is free."""
    if namespace in SYSTEM_NAMES or namespace.startswith(SYSTEM_PREFIXES):
        return "a Kubernetes or AWS system namespace (default, kube-*, amazon-*, aws-*, eks-*)"
    if namespace in PLATFORM_NAMES:
        return "the observability stack's namespace"
    if namespace == ingress_namespace:
        return "the ingress controller's namespace (every tenant admits traffic from it)"
    if namespace.startswith(PREVIEW_PREFIX):
        return f"a preview namespace ({PREVIEW_PREFIX}*)"
    if namespace.startswith(SANDBOX_PREFIX):
        return f"a sandbox namespace ({SANDBOX_PREFIX}*)"
    return None
