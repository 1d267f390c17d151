"""What the preview roles may do to namespaces: create, change and delete those named ``pr-*``, nothing else.

Their access entry (EKS access policy AmazonEKSAdminPolicy scoped to ``pr-*``) covers what is inside a preview's
namespace; a namespace itself is cluster-scoped, so RBAC grants the group ``goldenpath:previews`` namespaces, and a
ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30) refuses any namespace whose
name does not start with ``pr-`` to that group: RBAC cannot restrict a create by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktn_provider_kubernetes.cluster_role_binding_v1 import (
    ClusterRoleBindingV1, ClusterRoleBindingV1Metadata, ClusterRoleBindingV1RoleRef, ClusterRoleBindingV1Subject,
)
from cdktn_provider_kubernetes.cluster_role_v1 import ClusterRoleV1, ClusterRoleV1Metadata, ClusterRoleV1Rule
from cdktn_provider_kubernetes.manifest import Manifest
from constructs import Construct

NAMESPACE_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")


def namespace_rule(prefix: str) -> str:
    """The CEL a request must satisfy (standard CEL: Kubernetes adds functions, this uses none of them)."""
    return f"(request.operation == 'DELETE' ? oldObject.metadata.name : object.metadata.name).startsWith('{prefix}')"


def group_condition(group: str) -> str:
    return f"'{group}' in request.userInfo.groups"


@dataclass(frozen=True)
class PreviewNamespaceAccessProps:
    group: str
    """The Kubernetes group the preview roles' access entry names."""
    prefix: str
    """Every preview namespace's name starts so."""
    name: str = "goldenpath-preview-namespaces"
    """Name of the ClusterRole, its binding and the admission policy. Default: goldenpath-preview-namespaces."""
    labels: dict[str, str] = field(default_factory=dict)
    """Default: none."""


class PreviewNamespaceAccess(Construct):
    def __init__(self, scope: Construct, id_: str, props: PreviewNamespaceAccessProps):
        super().__init__(scope, id_)
        role = ClusterRoleV1(self, "role", metadata=ClusterRoleV1Metadata(name=props.name, labels=dict(props.labels)),
                             rule=[ClusterRoleV1Rule(api_groups=[""], resources=["namespaces"], verbs=list(NAMESPACE_VERBS))])
        ClusterRoleBindingV1(self, "binding", metadata=ClusterRoleBindingV1Metadata(name=props.name, labels=dict(props.labels)),
                             role_ref=ClusterRoleBindingV1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                                                  name=props.name),
                             subject=[ClusterRoleBindingV1Subject(kind="Group", name=props.group,
                                                                  api_group="rbac.authorization.k8s.io")],
                             depends_on=[role])
        policy = Manifest(self, "policy", manifest=admission_policy(props))
        Manifest(self, "policy-binding", manifest=admission_binding(props), depends_on=[policy])


def admission_policy(props: PreviewNamespaceAccessProps) -> dict:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": props.name, "labels": dict(props.labels)},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                                    "operations": ["CREATE", "UPDATE", "DELETE"], "resources": ["namespaces"]}]},
            "matchConditions": [{"name": "preview-roles", "expression": group_condition(props.group)}],
            "validations": [{"expression": namespace_rule(props.prefix),
                             "message": f"the preview roles manage {props.prefix}* namespaces only"}],
        },
    }


def admission_binding(props: PreviewNamespaceAccessProps) -> dict:
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": props.name, "labels": dict(props.labels)},
            "spec": {"policyName": props.name, "validationActions": ["Deny"]}}
