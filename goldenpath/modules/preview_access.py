"""What the preview roles may do to namespaces: create, change and delete those named ``pr-*``, nothing else.

Their access entry (EKS access policy AmazonEKSAdminPolicy scoped to ``pr-*``) covers most of what is inside a
preview's namespace; a namespace itself is cluster-scoped, so RBAC grants the group ``goldenpath:previews`` namespaces, and a
ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30) refuses any namespace whose
name does not start with ``pr-`` to that group: RBAC cannot restrict a create by name.

The access policy does not let a preview stack set its namespace's ResourceQuota and LimitRange (read-only there) or
bind its owners to ``goldenpath-tenant-edit`` and ``view`` (no ``bind``; see ``goldenpath.eks_access_policies``), so
the group's ClusterRole adds those writes and ``bind`` on exactly those two roles. Being a ClusterRole, it would
reach every namespace: a third policy (``<name>-limits``) keeps quota and limit writes to ``pr-*`` namespaces;
RoleBindings need the access policy's ``rolebindings`` write, which is scoped to ``pr-*`` already.

The same access entry lets a preview's chart write anything inside any ``pr-*`` namespace, so a second
policy (``<name>-objects``) confines what the group writes there: no NetworkPolicy but the tenant's own
``tenant-isolation`` (policies add up: one more could lift it), no Event (no quota counts them), and no object that Helm installs for a
release of another namespace. Fact: Helm stamps every object it installs or upgrades with the annotation
``meta.helm.sh/release-namespace`` set to the release's namespace, overwriting the chart's (helm/helm
pkg/action/validate.go ``setMetadataVisitor`` with force, called from install.go and upgrade.go @ v3.21.4).
An Ingress may name only the preview's own host, ``<namespace>.<previews.domain>``: the ingress controller is
shared with the environment's services and merges the rules of Ingresses that name the same host (ingress-nginx
docs, "Ingress-nginx merges rules of Ingresses with the same host"), so a chart naming a service's host, a
wildcard, no host (the catch-all server) or a default backend would take that traffic.
A chart may not bring a Namespace, a quota, a LimitRange, a Role or a RoleBinding of its own (Helm's stamp on them is
refused: those are goldenpath's, written by Terraform without it), and its Helm hooks, which Helm creates without
the stamp, do not run in previews (``goldenpath.modules.preview.HOOKS_OFF``).
The check runs in the cluster (admission), where the chart's rendered objects arrive whatever renders them.

Reads are not admission's to see, and Helm's ``lookup`` in a chart reads with the identity that installs it. So the
preview role holds no access policy: each preview job assumes it with the preview's name as its session name
(configure-aws-credentials ``role-session-name``), and its access entry maps a session to the Kubernetes user
``goldenpath-preview:<session>`` (EKS user guide, grant-k8s-access.adoc "Create access entries": a username may end
in ``{{SessionName}}`` after a colon; awsdocs/amazon-eks-user-guide @ 4d52b4d) in the groups ``goldenpath:previews``
and ``goldenpath:preview-sessions``. What the access policy granted inside a namespace is now the ClusterRole
``goldenpath-preview-session`` (the same rules, ``goldenpath.eks_access_policies``), which a preview binds to its own
user in its own namespace first (a RoleBinding the sessions group may create and read by name, and bind); a fourth
policy (``<name>-sessions``) refuses a session any write outside the namespace named after it. A session therefore
reads its own namespace and nothing in another preview's. The reap role (platform code only, no chart is rendered
when a release is destroyed) keeps AmazonEKSAdminPolicy over ``pr-*``."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktn_provider_kubernetes.cluster_role_binding_v1 import (
    ClusterRoleBindingV1, ClusterRoleBindingV1Metadata, ClusterRoleBindingV1RoleRef, ClusterRoleBindingV1Subject,
)
from cdktn_provider_kubernetes.cluster_role_v1 import ClusterRoleV1, ClusterRoleV1Metadata, ClusterRoleV1Rule
from cdktn_provider_kubernetes.manifest import Manifest
from constructs import Construct

from goldenpath.eks_access_policies import AMAZON_EKS_ADMIN_POLICY
from goldenpath.modules.tenant_role import ingress_names_only
from goldenpath.tenancy.spec import POLICY_NAME as TENANT_POLICY_NAME
from goldenpath.tenant_rbac import TENANT_ROLE, VIEW_ROLE

NAMESPACE_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
LIMIT_RESOURCES = ("limitranges", "resourcequotas")
SESSION_ROLE = "goldenpath-preview-session"
"""The ClusterRole a preview session is bound to in its own namespace (RoleBinding of the same name)."""
SESSIONS_GROUP = "goldenpath:preview-sessions"
SESSION_USER_PREFIX = "goldenpath-preview:"
"""A preview session's Kubernetes user is this prefix and its STS session name (the preview's name)."""
BINDABLE_ROLES = (TENANT_ROLE, VIEW_ROLE, SESSION_ROLE)
HELM_RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
UNSTAMPED = f"!has(object.metadata.annotations) || !('{HELM_RELEASE_NAMESPACE}' in object.metadata.annotations)"
OWN_RELEASE_ONLY = f"{UNSTAMPED} || object.metadata.annotations['{HELM_RELEASE_NAMESPACE}'] == request.namespace"
# Helm stamps every object of a release (cluster-scoped ones too) with its release namespace, so a Namespace
# carrying the stamp comes from a chart: it could take a future preview's name (``pr-*``), blocking that preview
# and deleting the namespace with the chart's release. goldenpath's own namespaces are Terraform's, unstamped.
NOT_FROM_A_CHART = f"request.operation == 'DELETE' || {UNSTAMPED}"
# goldenpath's own policy, written by Terraform (a chart's copy of it would be stamped by Helm).
TENANT_POLICY_ONLY = (f"request.resource.resource != 'networkpolicies' || "
                      f"(object.metadata.name == '{TENANT_POLICY_NAME}' && ({NOT_FROM_A_CHART}))")
# No ResourceQuota counts Events (goldenpath.tenancy.quota), so a chart full of them could fill etcd.
NO_EVENTS = "request.resource.resource != 'events'"


def own_host_only(domain: str) -> str:
    """An Ingress names the preview's host in every rule and TLS entry, and has no default backend."""
    own = f"request.namespace + '.{domain}'"
    return f"request.resource.resource != 'ingresses' || ({ingress_names_only(lambda host: f'{host} == {own}')})"


def namespace_rule(prefix: str) -> str:
    """The CEL a request must satisfy (standard CEL: Kubernetes adds functions, this uses none of them)."""
    return f"(request.operation == 'DELETE' ? oldObject.metadata.name : object.metadata.name).startsWith('{prefix}')"


# The same for what only goldenpath grants inside a preview namespace: who may do what there.
NO_CHART_RBAC = f"!(request.resource.resource in ['roles', 'rolebindings']) || ({NOT_FROM_A_CHART})"


def in_preview_namespace(prefix: str) -> str:
    return f"request.namespace.startsWith('{prefix}')"


def group_condition(group: str) -> str:
    return f"'{group}' in request.userInfo.groups"


# The namespace a request writes: a Namespace's own name, else the request's namespace.
WRITTEN_NAMESPACE = ("(request.resource.resource == 'namespaces' ? (request.operation == 'DELETE' ? "
                     "oldObject.metadata.name : object.metadata.name) : request.namespace)")
OWN_NAMESPACE_ONLY = f"request.userInfo.username == '{SESSION_USER_PREFIX}' + {WRITTEN_NAMESPACE}"
# A session binds the session role to itself only (the chart's RoleBindings are refused by the objects policy).
SESSION_BINDS_ITSELF = (f"request.resource.resource != 'rolebindings' || request.operation == 'DELETE' || "
                        f"object.roleRef.name != '{SESSION_ROLE}' || "
                        f"object.subjects.all(s, s.kind == 'User' && s.name == request.userInfo.username)")


@dataclass(frozen=True)
class PreviewNamespaceAccessProps:
    group: str
    """The Kubernetes group the preview roles' access entry names."""
    prefix: str
    """Every preview namespace's name starts so."""
    domain: str
    """Previews' hosts are ``<namespace>.<domain>``; their Ingresses may name no other."""
    session_group: str = SESSIONS_GROUP
    """The Kubernetes group of the preview role's sessions (one per preview). Default: goldenpath:preview-sessions."""
    name: str = "goldenpath-preview-namespaces"
    """Name of the ClusterRole, its binding and the admission policy. Default: goldenpath-preview-namespaces."""
    labels: dict[str, str] = field(default_factory=dict)
    """Default: none."""


class PreviewNamespaceAccess(Construct):
    def __init__(self, scope: Construct, id_: str, props: PreviewNamespaceAccessProps):
        super().__init__(scope, id_)
        self._group_role(("role", "binding"), props.name, group_rules(), props.group, props.labels)
        policy = Manifest(self, "policy", manifest=admission_policy(props))
        Manifest(self, "policy-binding", manifest=admission_binding(props), depends_on=[policy])
        objects = Manifest(self, "objects-policy", manifest=objects_policy(props))
        Manifest(self, "objects-policy-binding", manifest=admission_binding(props, suffix="-objects"), depends_on=[objects])
        limits = Manifest(self, "limits-policy", manifest=limits_policy(props))
        Manifest(self, "limits-policy-binding", manifest=admission_binding(props, suffix="-limits"), depends_on=[limits])
        self._sessions(props)

    def _group_role(self, ids: tuple[str, str], name: str, rules: list[dict], group: str, labels: dict[str, str]) -> None:
        """A ClusterRole ``name`` and its ClusterRoleBinding to a Kubernetes group (construct ids: ``ids``)."""
        role = ClusterRoleV1(self, ids[0], metadata=ClusterRoleV1Metadata(name=name, labels=dict(labels)),
                             rule=[ClusterRoleV1Rule(**rule) for rule in rules])
        ClusterRoleBindingV1(self, ids[1], metadata=ClusterRoleBindingV1Metadata(name=name, labels=dict(labels)),
                             role_ref=ClusterRoleBindingV1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                                                  name=name),
                             subject=[ClusterRoleBindingV1Subject(kind="Group", name=group,
                                                                  api_group="rbac.authorization.k8s.io")],
                             depends_on=[role])

    def _sessions(self, props: PreviewNamespaceAccessProps) -> None:
        """The role a session binds in its namespace, the sessions group's own rights, and their confinement."""
        labels = dict(props.labels)
        ClusterRoleV1(self, "session-role", metadata=ClusterRoleV1Metadata(name=SESSION_ROLE, labels=labels),
                      rule=[ClusterRoleV1Rule(**rule) for rule in session_rules()])
        self._group_role(("sessions-role", "sessions-binding"), f"{props.name}-sessions", sessions_group_rules(),
                         props.session_group, props.labels)
        policy = Manifest(self, "sessions-policy", manifest=sessions_policy(props))
        Manifest(self, "sessions-policy-binding", manifest=admission_binding(props, suffix="-sessions"), depends_on=[policy])


def group_rules() -> list[dict]:
    """The group's ClusterRole: its namespaces, their quota and limits, and binding the owners' two roles."""
    return [{"api_groups": [""], "resources": ["namespaces"], "verbs": list(NAMESPACE_VERBS)},
            {"api_groups": [""], "resources": list(LIMIT_RESOURCES), "verbs": list(NAMESPACE_VERBS)},
            {"api_groups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"],
             "resource_names": list(BINDABLE_ROLES)}]


def session_rules() -> list[dict]:
    """What a session holds in its own namespace: what AmazonEKSAdminPolicy held there until 0.22, as EKS lists it."""
    return [{"api_groups": list(rule["apiGroups"]), "resources": list(rule["resources"]), "verbs": list(rule["verbs"])}
            for rule in AMAZON_EKS_ADMIN_POLICY]


def sessions_group_rules() -> list[dict]:
    """Before its RoleBinding exists a session can create it (nothing else namespaced) and read it back by name."""
    return [{"api_groups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["create"]},
            {"api_groups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["get"],
             "resource_names": [SESSION_ROLE]}]


def _policy(props: PreviewNamespaceAccessProps, suffix: str, resource_rule: dict, group: str,
            validations: list[tuple[str, str]]) -> dict:
    """A ValidatingAdmissionPolicy ``<name><suffix>`` for the requests of ``group``: (expression, message) pairs."""
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": f"{props.name}{suffix}", "labels": dict(props.labels)},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [resource_rule]},
            "matchConditions": [{"name": "preview-sessions" if group == props.session_group else "preview-roles",
                                 "expression": group_condition(group)}],
            "validations": [{"expression": expression, "message": message} for expression, message in validations],
        },
    }


def sessions_policy(props: PreviewNamespaceAccessProps) -> dict:
    """A session writes only the namespace named after it (its Namespace, and everything inside)."""
    every = {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE", "DELETE", "CONNECT"],
             "resources": ["*"], "scope": "*"}
    return _policy(props, "-sessions", every, props.session_group, [
        (OWN_NAMESPACE_ONLY, "a preview session writes only the namespace it is named after (its role session name "
                             "must be the preview's name)"),
        (SESSION_BINDS_ITSELF, f"a preview session binds {SESSION_ROLE} to itself only"),
    ])


def admission_policy(props: PreviewNamespaceAccessProps) -> dict:
    namespaces = {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE", "DELETE"],
                  "resources": ["namespaces"]}
    return _policy(props, "", namespaces, props.group, [
        (namespace_rule(props.prefix), f"the preview roles manage {props.prefix}* namespaces only"),
        (NOT_FROM_A_CHART, "a preview's chart may not create or change a namespace"),
    ])


def objects_policy(props: PreviewNamespaceAccessProps) -> dict:
    """What the preview group may write inside a namespace: its release's objects, and no NetworkPolicy of its own."""
    namespaced = {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["*"],
                  "scope": "Namespaced"}
    return _policy(props, "-objects", namespaced, props.group, [
        (TENANT_POLICY_ONLY, f"a preview may not add NetworkPolicies (only goldenpath's {TENANT_POLICY_NAME})"),
        (OWN_RELEASE_ONLY, "a preview's chart may not write objects into another namespace"),
        (NO_CHART_RBAC, "a preview's chart may not grant access (Roles and RoleBindings are goldenpath's)"),
        (NO_EVENTS, "a preview may not write Events (no ResourceQuota counts them; Kubernetes' own components "
                    "still record the preview's)"),
        (own_host_only(props.domain), f"a preview's Ingress may name only its own host, <namespace>.{props.domain}, "
                                      f"and no default backend"),
    ])


def limits_policy(props: PreviewNamespaceAccessProps) -> dict:
    """Quota and LimitRange writes, which the group's ClusterRole grants in every namespace: preview ones only, and
    never from a chart (a chart could raise its own quota)."""
    limits = {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE", "DELETE"],
              "resources": list(LIMIT_RESOURCES)}
    return _policy(props, "-limits", limits, props.group, [
        (in_preview_namespace(props.prefix), f"the preview roles set quotas and limits in {props.prefix}* namespaces only"),
        (NOT_FROM_A_CHART, "a preview's chart may not set its own quota or limits"),
    ])


def admission_binding(props: PreviewNamespaceAccessProps, *, suffix: str = "") -> dict:
    name = f"{props.name}{suffix}"
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": name, "labels": dict(props.labels)},
            "spec": {"policyName": name, "validationActions": ["Deny"]}}
