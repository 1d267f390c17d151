"""In-cluster isolation and secrets, tried as the least-trusted actor would: a team owner with its namespace
role, a preview's chart, a pod on the cluster, and whoever reads a state file.

The admission policies are evaluated with a CEL interpreter (standard CEL: the expressions use no Kubernetes
extension functions), the RBAC rules with Kubernetes' matching (group, resource, verb, ``*``)."""

from __future__ import annotations

import ipaddress
import json

import celpy
import pytest

from goldenpath.config.model import QuotaTier
from goldenpath.labels import INGRESS_HOSTS_ANNOTATION, TENANT_NAMESPACE_LABEL
from goldenpath.modules.cluster import ADDON_CONFIGURATION
from goldenpath.ingress_nginx import ANNOTATIONS_BY_RISK, ingress_annotations_line, ingress_controller_line
from goldenpath.modules.tenant_role import (EXTERNAL_NAME_POLICY, INGRESS_ANNOTATIONS_POLICY, INGRESS_HOSTS_POLICY,
                                            POD_PRIORITY_POLICY, ingress_annotations_policy, pod_priority_policy)
from goldenpath.observability import collector, network
from goldenpath.observability.values import NAMESPACE as OBSERVABILITY_NAMESPACE
from goldenpath.policies.secrets_in_state import secrets_in_state
from goldenpath.tenancy.spec import PodIdentity, TenantSpec, tenant_manifests
from goldenpath.tenant_rbac import TENANT_ROLE, allows, isolation_writes_in, tenant_role_rules
from tests.conftest import REPO, resources_of, stack_json

PREVIEWS_GROUP = "goldenpath:previews"


def synthesized_rules(document: dict, name: str) -> list[dict]:
    (role,) = [r for r in resources_of(document, "kubernetes_cluster_role_v1").values() if r["metadata"]["name"] == name]
    return [{"apiGroups": r["api_groups"], "resources": r["resources"], "verbs": r["verbs"],
             **({"resourceNames": r["resource_names"]} if r.get("resource_names") else {})} for r in role["rule"]]


def manifests(document: dict, kind: str) -> dict[str, dict]:
    return {r["manifest"]["metadata"]["name"]: r["manifest"] for r in resources_of(document, "kubernetes_manifest").values()
            if r["manifest"]["kind"] == kind}


def admitted(policy: dict, request: dict, obj: dict | None, namespace: dict | None = None,
             old: dict | None = None) -> list[str]:
    """The messages of the policy's validations that refuse this request ([] = admitted). matchConditions
    are evaluated first: a request they do not match is admitted untouched. ``variables`` are evaluated in
    order, each seeing the ones before it, as the API server does. A DELETE has no ``object``, only ``old``."""
    env = celpy.Environment()
    activation = {"request": celpy.json_to_cel(request), "object": celpy.json_to_cel(obj),
                  "oldObject": celpy.json_to_cel(old),
                  "namespaceObject": celpy.json_to_cel(namespace or {"metadata": {"name": request.get("namespace", "")}})}
    variables = celpy.celtypes.MapType()
    for variable in policy["spec"].get("variables", []):
        activation["variables"] = variables
        value = env.program(env.compile(variable["expression"])).evaluate(activation)
        if type(value) is str:  # celpy's string concatenation returns a Python str, which has no CEL methods
            value = celpy.celtypes.StringType(value)
        variables = celpy.celtypes.MapType({**variables, celpy.celtypes.StringType(variable["name"]): value})
    activation["variables"] = variables
    for condition in policy["spec"].get("matchConditions", []):
        if not env.program(env.compile(condition["expression"])).evaluate(activation):
            return []
    return [v["message"] for v in policy["spec"]["validations"]
            if not env.program(env.compile(v["expression"])).evaluate(activation)]


@pytest.fixture(scope="module")
def platform(bundled_synth):
    return stack_json(bundled_synth, "dev-platform")


@pytest.fixture(scope="module")
def preview_document(tmp_path_factory):
    """A synthesized preview stack."""
    from goldenpath.previews.stacks import PreviewStack
    from goldenpath.stacks.app import new_app
    from tests.test_previews import NOW, catalog, environment, request

    dev, wanted = environment(), request()
    outdir = tmp_path_factory.mktemp("preview")
    app = new_app(outdir)
    PreviewStack(app, dev, wanted, wanted.expires_at(dev, NOW), catalog())
    app.synth()
    return json.loads((outdir / "stacks" / f"previews-{wanted.name}" / "cdk.tf.json").read_text())


@pytest.fixture(scope="module")
def preview_release(preview_document):
    (release,) = resources_of(preview_document, "helm_release").values()
    return release


# -- a team owner ---------------------------------------------------------------------------------------
def test_an_owner_cannot_loosen_its_namespace_but_can_deploy(platform):
    rules = synthesized_rules(platform, TENANT_ROLE)
    assert rules == tenant_role_rules()
    for group in ("networking.k8s.io", "extensions"):
        for verb in ("create", "patch", "update", "delete"):
            assert not allows(rules, group, "networkpolicies", verb), (group, verb)
    for group, resource in (("", "resourcequotas"), ("", "limitranges"), ("", "namespaces"),
                            ("rbac.authorization.k8s.io", "rolebindings")):
        assert not allows(rules, group, resource, "update")
    assert isolation_writes_in(rules) == []
    assert allows(rules, "apps", "deployments", "create") and allows(rules, "", "secrets", "create")
    assert allows(rules, "networking.k8s.io", "ingresses", "create")


def test_the_isolation_check_notices_a_loosening_rule():
    assert isolation_writes_in([*tenant_role_rules(), {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"],
                                                       "verbs": ["create"]}]) == ["networkpolicies.networking.k8s.io"]
    assert isolation_writes_in([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])


def test_an_owner_writes_no_events_which_no_quota_can_count(platform):
    rules = synthesized_rules(platform, TENANT_ROLE)
    for group in ("", "events.k8s.io"):
        for verb in ("create", "patch", "update"):
            assert not allows(rules, group, "events", verb), (group, verb)
    assert allows(rules, "", "pods", "create")
    # A custom edit_role that writes Events fails GP_K8S_004 like one that writes NetworkPolicies.
    assert isolation_writes_in([*tenant_role_rules(), {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]}]) == ["events"]


# Served elsewhere since Kubernetes 1.22: an object written through extensions is counted in its own group.
EXTENSIONS_SERVED_AS = {"daemonsets": "apps", "deployments": "apps", "replicasets": "apps", "ingresses": "networking.k8s.io"}
BOUNDED_BY_OWN_KEY = {("", "pods"): "pods", ("", "persistentvolumeclaims"): "persistentvolumeclaims"}


def test_every_kind_an_owner_can_create_is_counted_by_the_namespaces_quota(bundled_synth, platform):
    """As an owner: whatever the tenant role lets it create, the namespace's ResourceQuota bounds, so no namespace
    can fill etcd, the EBS bill or the nodes' disks that every namespace shares."""
    rules = synthesized_rules(platform, TENANT_ROLE)
    creatable = {(group, resource) for rule in rules if "create" in rule["verbs"] or "*" in rule["verbs"]
                 for group in rule["apiGroups"] for resource in rule["resources"] if "/" not in resource}
    assert not any("*" in kind for kind in creatable), "a wildcard cannot be counted"
    documents = {name: stack_json(bundled_synth, name) for name in sorted(bundled_synth.stacks)}
    tenants = {name: d for name, d in documents.items() if resources_of(d, "kubernetes_resource_quota_v1")}
    assert "dev-tenants-payments" in tenants
    for name, document in tenants.items():
        for quota in resources_of(document, "kubernetes_resource_quota_v1").values():
            hard = quota["spec"]["hard"]
            for group, resource in sorted(creatable):
                group = EXTENSIONS_SERVED_AS.get(resource, group) if group == "extensions" else group
                key = BOUNDED_BY_OWN_KEY.get((group, resource), f"count/{resource}.{group}" if group else f"count/{resource}")
                assert key in hard, (name, quota["metadata"]["namespace"], key)
            # and what controllers make for it, and the Roles and RoleBindings a preview's admin-like access creates
            for key in ("requests.storage", "persistentvolumeclaims", "limits.ephemeral-storage", "count/controllerrevisions.apps",
                        "count/roles.rbac.authorization.k8s.io", "count/rolebindings.rbac.authorization.k8s.io"):
                assert key in hard, (name, key)
        for limit_range in resources_of(document, "kubernetes_limit_range_v1").values():
            (limit,) = limit_range["spec"]["limit"]
            assert "ephemeral-storage" in limit["default"] and "ephemeral-storage" in limit["default_request"]


def test_owners_are_bound_to_the_tenant_role_and_view_only(bundled_synth):
    bindings = resources_of(stack_json(bundled_synth, "dev-tenants-payments"), "kubernetes_role_binding_v1").values()
    refs = {(b["metadata"]["name"], b["role_ref"]["name"]) for b in bindings}
    assert refs and {name for _, name in refs} == {TENANT_ROLE, "view"}


# -- a service's chart, deployed by its deploy role ---------------------------------------------------------
def test_a_deploy_role_holds_what_its_namespaces_owners_hold_and_nothing_more(bundled_synth, platform):
    """The deploy job installs the service's chart (which its team writes) with the deploy role. With EKS's
    AmazonEKSEditPolicy, as before 0.20, that chart could add a NetworkPolicy lifting ``tenant-isolation`` or write
    Events without end; now the role's group is bound in its own namespace to the owners' two roles only."""
    from goldenpath.eks_access_policies import AMAZON_EKS_EDIT_POLICY_WRITES

    # why not the access policy: EKS's edit policy writes both
    assert allows(AMAZON_EKS_EDIT_POLICY_WRITES, "networking.k8s.io", "networkpolicies", "create")
    assert allows(AMAZON_EKS_EDIT_POLICY_WRITES, "", "events", "create")
    team = stack_json(bundled_synth, "dev-tenants-storefront")
    (entry,) = [e for e in resources_of(team, "aws_eks_access_entry").values()
                if e["principal_arn"].endswith("goldenpath-dev-deploy-storefront-web")]
    (group,) = entry["kubernetes_groups"]
    assert not resources_of(team, "aws_eks_access_policy_association")  # nothing from EKS's side
    bindings = [b for document in (team, platform)
                for kind in ("kubernetes_role_binding_v1", "kubernetes_cluster_role_binding_v1")
                for b in resources_of(document, kind).values() if any(s["name"] == group for s in b["subject"])]
    assert {(b["metadata"]["namespace"], b["role_ref"]["name"]) for b in bindings} == {
        ("storefront-web", TENANT_ROLE), ("storefront-web", "view")}  # namespaced, its own namespace, two roles
    rules = synthesized_rules(platform, TENANT_ROLE)  # `view` writes nothing (Kubernetes' bootstrap policy)
    for group_, resource in [("networking.k8s.io", "networkpolicies"), ("extensions", "networkpolicies"), ("", "events"),
                             ("events.k8s.io", "events"), ("rbac.authorization.k8s.io", "rolebindings"),
                             ("", "resourcequotas"), ("", "limitranges")]:
        assert not any(allows(rules, group_, resource, verb) for verb in ("create", "update", "patch", "delete"))
    # what `helm upgrade --install --atomic` of a chart (its release records are Secrets, which `view` does not
    # read) and the DORA pod need; other reads come from `view`
    for group_, resource, verbs in [("", "secrets", ("create", "get", "list", "update", "delete")),
                                    ("", "pods", ("create", "delete")), ("apps", "deployments", ("create", "update", "delete")),
                                    ("", "services", ("create", "update", "delete")), ("", "configmaps", ("create", "update")),
                                    ("networking.k8s.io", "ingresses", ("create", "update"))]:
        assert all(allows(rules, group_, resource, verb) for verb in verbs), resource


# -- a preview's chart ----------------------------------------------------------------------------------
HOST_REFUSED = "a preview's Ingress may name only its own host, <namespace>.preview.dev.example.com, and no default backend"


def ingress(host: str | None, tls_host: str | None = None) -> dict:
    rule = {"http": {"paths": [{"path": "/", "pathType": "Prefix"}]}} | ({"host": host} if host else {})
    tls = {"tls": [{"hosts": [tls_host], "secretName": "t"}]} if tls_host else {}
    return {"metadata": {"name": "web"}, "spec": {"ingressClassName": "nginx", "rules": [rule], **tls}}


PREVIEW_REQUEST = {"userInfo": {"groups": [PREVIEWS_GROUP, "system:authenticated"]}, "namespace": "pr-2-web-shop"}


@pytest.mark.parametrize(("resource", "obj", "refused"), [
    ("networkpolicies", {"metadata": {"name": "allow-everything", "annotations": {
        "meta.helm.sh/release-namespace": "pr-2-web-shop"}}}, "a preview may not add NetworkPolicies"),
    ("networkpolicies", {"metadata": {"name": "tenant-isolation"}}, None),
    # a chart's own copy of goldenpath's policy (Helm stamps it)
    ("networkpolicies", {"metadata": {"name": "tenant-isolation", "annotations": {
        "meta.helm.sh/release-namespace": "pr-2-web-shop"}}}, "a preview may not add NetworkPolicies"),
    ("deployments", {"metadata": {"name": "web", "annotations": {"meta.helm.sh/release-namespace": "pr-1-web-shop"}}},
     "a preview's chart may not write objects into another namespace"),
    ("deployments", {"metadata": {"name": "web", "annotations": {"meta.helm.sh/release-namespace": "pr-2-web-shop"}}}, None),
    ("configmaps", {"metadata": {"name": "plain"}}, None),
    # No quota counts Events: a chart of them could fill etcd.
    ("events", {"metadata": {"name": "web.1"}, "reason": "Flood"}, "a preview may not write Events"),
    # The shared ingress controller: only the preview's own host.
    ("ingresses", ingress("pr-2-web-shop.preview.dev.example.com"), None),
    ("ingresses", ingress("pr-2-web-shop.preview.dev.example.com", tls_host="pr-2-web-shop.preview.dev.example.com"), None),
    ("ingresses", ingress("shop.dev.example.com"), HOST_REFUSED),
    ("ingresses", ingress("pr-1-web-shop.preview.dev.example.com"), HOST_REFUSED),
    ("ingresses", ingress("*.preview.dev.example.com"), HOST_REFUSED),
    ("ingresses", ingress(None), HOST_REFUSED),
    ("ingresses", {"metadata": {"name": "web"}, "spec": {"defaultBackend": {"service": {"name": "web"}}}}, HOST_REFUSED),
    ("ingresses", ingress("pr-2-web-shop.preview.dev.example.com", tls_host="shop.dev.example.com"), HOST_REFUSED),
])
def test_a_preview_chart_is_confined_to_its_namespace(platform, resource, obj, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-preview-namespaces-objects"]
    messages = admitted(policy, {**PREVIEW_REQUEST, "operation": "CREATE", "resource": {"resource": resource}}, obj)
    assert [m.split(' (')[0] for m in messages] == ([refused] if refused else [])
    # the platform's own identities are not the preview group: the policy does not apply to them
    platform_request = {**PREVIEW_REQUEST, "operation": "CREATE", "userInfo": {"groups": ["system:masters"]},
                        "resource": {"resource": resource}}
    assert admitted(policy, platform_request, obj) == []


HELM_STAMP = {"meta.helm.sh/release-name": "web", "meta.helm.sh/release-namespace": "pr-2-web-shop"}


@pytest.mark.parametrize(("operation", "name", "annotations", "refused"), [
    ("CREATE", "pr-2-web-shop", {}, None),  # goldenpath's own namespace, created by Terraform
    ("UPDATE", "pr-2-web-shop", {"goldenpath.dev/note": "x"}, None),
    ("DELETE", "pr-2-web-shop", {}, None),
    ("CREATE", "payments-checkout", {}, "the preview roles manage pr-* namespaces only"),
    ("DELETE", "kube-system", {}, "the preview roles manage pr-* namespaces only"),
    # A chart's Namespace carries Helm's stamp: it could take a later preview's name and delete it with its release.
    ("CREATE", "pr-9-web-shop", HELM_STAMP, "a preview's chart may not create or change a namespace"),
    ("UPDATE", "pr-2-web-shop", HELM_STAMP, "a preview's chart may not create or change a namespace"),
    ("CREATE", "kube-system", HELM_STAMP, "the preview roles manage pr-* namespaces only"),
])
def test_the_preview_roles_manage_their_own_namespaces_and_no_chart_brings_one(platform, operation, name, annotations,
                                                                              refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-preview-namespaces"]
    namespace = {"metadata": {"name": name, **({"annotations": annotations} if annotations else {})}}
    request = {**PREVIEW_REQUEST, "operation": operation, "resource": {"resource": "namespaces"}}
    obj, old = (None, namespace) if operation == "DELETE" else (namespace, None)
    messages = admitted(policy, request, obj, old=old)
    assert messages[:1] == ([refused] if refused else [])
    assert admitted(policy, {**request, "userInfo": {"groups": ["system:masters"]}}, obj, old=old) == []


# What a preview stack writes, as (API group, resource): Helm keeps its release records as Secrets of the namespace.
PREVIEW_STACK_WRITES = {
    "kubernetes_namespace_v1": ("", "namespaces"), "kubernetes_resource_quota_v1": ("", "resourcequotas"),
    "kubernetes_limit_range_v1": ("", "limitranges"), "kubernetes_network_policy_v1": ("networking.k8s.io", "networkpolicies"),
    "kubernetes_service_account_v1": ("", "serviceaccounts"), "kubernetes_role_binding_v1": ("rbac.authorization.k8s.io", "rolebindings"),
    "helm_release": ("", "secrets"),
}


def session_held(platform: dict, preview_document: dict, user: str, groups: tuple[str, ...], namespace: str,
                 bound: bool = True) -> list[dict]:
    """The RBAC rules a preview session holds in ``namespace``, read from the synthesized objects as Kubernetes would:
    the ClusterRoles bound to its groups cluster-wide (platform stack), and, once applied (``bound``), the ClusterRoles
    that the preview stack's RoleBindings in that namespace bind to its user. No access policy: the preview role has
    none (cluster stack; `test_the_preview_role_holds_no_access_policy`)."""
    held = []
    for binding in resources_of(platform, "kubernetes_cluster_role_binding_v1").values():
        if any(s["kind"] == "Group" and s["name"] in groups for s in binding["subject"]):
            held += synthesized_rules(platform, binding["role_ref"]["name"])
    for binding in resources_of(preview_document, "kubernetes_role_binding_v1").values() if bound else ():
        if binding["metadata"]["namespace"] == namespace and any(
                s["kind"] == "User" and s["name"] == user for s in binding["subject"]):
            held += synthesized_rules(platform, binding["role_ref"]["name"])
    return held


def preview_session(preview_document: dict) -> tuple[str, str]:
    """(namespace, Kubernetes user) of the synthesized preview's own session."""
    (namespace,) = [n["metadata"][0]["name"] for n in resources_of(preview_document, "kubernetes_namespace_v1").values()]
    return namespace, f"goldenpath-preview:{namespace}"


SESSION_GROUPS = (PREVIEWS_GROUP, "goldenpath:preview-sessions")


def test_the_preview_role_holds_no_access_policy(bundled_synth):
    """An access policy scoped to ``pr-*`` would let every preview's session read every preview's namespace."""
    cluster = stack_json(bundled_synth, "dev-cluster")
    (entry,) = [e for e in resources_of(cluster, "aws_eks_access_entry").values()
                if e["principal_arn"].endswith("role/goldenpath-dev-ci-preview")]
    assert entry["user_name"] == "goldenpath-preview:{{SessionName}}"
    assert sorted(entry["kubernetes_groups"]) == sorted(SESSION_GROUPS)
    associations = [a for a in resources_of(cluster, "aws_eks_access_policy_association").values()
                    if a["principal_arn"].endswith("role/goldenpath-dev-ci-preview")]
    assert associations == []


def test_the_preview_roles_can_write_everything_a_preview_stack_creates(platform, preview_document):
    """Before its RoleBinding exists a session may create exactly its namespace and that binding (the first,
    targeted apply of `preview up`: ``session_grant``); after it, everything the preview stack writes."""
    from goldenpath.modules.preview_access import SESSION_ROLE

    namespace, user = preview_session(preview_document)
    before = session_held(platform, preview_document, user, SESSION_GROUPS, namespace, bound=False)
    held = session_held(platform, preview_document, user, SESSION_GROUPS, namespace)
    assert allows(before, "", "namespaces", "create") and allows(before, "rbac.authorization.k8s.io", "rolebindings", "create")
    assert allows(before, "rbac.authorization.k8s.io", "rolebindings", "get", SESSION_ROLE)  # terraform reads it back
    assert allows(before, "rbac.authorization.k8s.io", "clusterroles", "bind", SESSION_ROLE)
    for rtype, resources in preview_document["resource"].items():
        assert rtype in PREVIEW_STACK_WRITES, f"{rtype}: say which API resource it writes"
        group, resource = PREVIEW_STACK_WRITES[rtype]
        for verb in ("create", "update", "delete", "get"):
            assert allows(held, group, resource, verb), (rtype, verb)
        for binding in resources.values() if rtype == "kubernetes_role_binding_v1" else ():
            ref = binding["role_ref"]
            assert ref["kind"] == "ClusterRole"
            assert allows(held, "rbac.authorization.k8s.io", "clusterroles", "bind", ref["name"]), ref
    # bind names exactly the owners' two roles and the session's: nothing more could be granted through it
    assert not allows(held, "rbac.authorization.k8s.io", "clusterroles", "bind", "admin")
    assert not allows(held, "rbac.authorization.k8s.io", "clusterroles", "bind", "cluster-admin")


def test_a_preview_session_reads_nothing_in_another_preview(platform, preview_document):
    """Helm's ``lookup`` in a chart reads with the session that installs it; admission never sees reads. In another
    preview's namespace the session holds only its groups' rules: no Secret, ConfigMap or Pod, not even a list."""
    namespace, user = preview_session(preview_document)
    own = session_held(platform, preview_document, user, SESSION_GROUPS, namespace)
    other = session_held(platform, preview_document, user, SESSION_GROUPS, "pr-1-web-shop")
    for group, resource in (("", "secrets"), ("", "configmaps"), ("", "pods"), ("apps", "deployments"),
                            ("rbac.authorization.k8s.io", "rolebindings")):
        for verb in ("get", "list", "watch"):
            assert allows(own, group, resource, verb), (resource, verb)
            assert not allows(other, group, resource, verb), (resource, verb)
    # what it holds everywhere: namespaces (cluster-scoped), and reading back a binding named like its own
    assert allows(other, "rbac.authorization.k8s.io", "rolebindings", "get", "goldenpath-preview-session")
    assert not allows(other, "rbac.authorization.k8s.io", "rolebindings", "get", "owners-edit")


SESSION_REQUEST = {"userInfo": {"username": "goldenpath-preview:pr-2-web-shop",
                                "groups": [*SESSION_GROUPS, "system:authenticated"]}, "namespace": "pr-2-web-shop"}
SESSION_REFUSED = "a preview session writes only the namespace it is named after"


@pytest.mark.parametrize(("operation", "resource", "namespace", "obj", "refused"), [
    ("CREATE", "configmaps", "pr-2-web-shop", {"metadata": {"name": "c"}}, None),
    ("CREATE", "configmaps", "pr-1-web-shop", {"metadata": {"name": "c"}}, SESSION_REFUSED),
    ("DELETE", "secrets", "pr-1-web-shop", None, SESSION_REFUSED),
    ("CONNECT", "pods", "pr-1-web-shop", {"kind": "PodExecOptions"}, SESSION_REFUSED),
    ("UPDATE", "resourcequotas", "pr-1-web-shop", {"metadata": {"name": "tenant-quota"}}, SESSION_REFUSED),
    ("CREATE", "namespaces", "", {"metadata": {"name": "pr-2-web-shop"}}, None),
    ("CREATE", "namespaces", "", {"metadata": {"name": "pr-1-web-shop"}}, SESSION_REFUSED),
    ("DELETE", "namespaces", "", None, SESSION_REFUSED),  # oldObject below: pr-1-web-shop
    ("CREATE", "clusterroles", "", {"metadata": {"name": "mine"}}, SESSION_REFUSED),
    ("CREATE", "rolebindings", "pr-2-web-shop", {"metadata": {"name": "goldenpath-preview-session"},
     "roleRef": {"name": "goldenpath-preview-session"},
     "subjects": [{"kind": "User", "name": "goldenpath-preview:pr-2-web-shop"}]}, None),
    # its own namespace, but the session role handed to another preview's session or to a group
    ("CREATE", "rolebindings", "pr-2-web-shop", {"metadata": {"name": "goldenpath-preview-session"},
     "roleRef": {"name": "goldenpath-preview-session"},
     "subjects": [{"kind": "User", "name": "goldenpath-preview:pr-1-web-shop"}]},
     "a preview session binds goldenpath-preview-session to itself only"),
    ("CREATE", "rolebindings", "pr-1-web-shop", {"metadata": {"name": "goldenpath-preview-session"},
     "roleRef": {"name": "goldenpath-preview-session"},
     "subjects": [{"kind": "User", "name": "goldenpath-preview:pr-2-web-shop"}]}, SESSION_REFUSED),
])
def test_a_preview_session_writes_only_the_namespace_named_after_it(platform, operation, resource, namespace, obj, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-preview-namespaces-sessions"]
    request = {**SESSION_REQUEST, "operation": operation, "namespace": namespace, "resource": {"resource": resource}}
    old = {"metadata": {"name": "pr-1-web-shop"}} if operation == "DELETE" else None
    assert [m.split(" (")[0] for m in admitted(policy, request, obj, old=old)][:1] == ([refused] if refused else [])
    # the reap role (not a session) and the platform's identities are not matched
    assert admitted(policy, {**request, "userInfo": {"username": "reaper", "groups": [PREVIEWS_GROUP]}}, obj, old=old) == []


@pytest.mark.parametrize(("namespace", "operation", "annotations", "refused"), [
    ("pr-2-web-shop", "CREATE", {}, None),  # goldenpath's own quota, written by Terraform
    ("pr-2-web-shop", "UPDATE", {}, None),
    ("pr-2-web-shop", "DELETE", {}, None),
    # The ClusterRole reaches every namespace; the policy keeps it to previews.
    ("payments-checkout", "UPDATE", {}, "the preview roles set quotas and limits in pr-* namespaces only"),
    ("kube-system", "DELETE", {}, "the preview roles set quotas and limits in pr-* namespaces only"),
    # A chart raising its own quota.
    ("pr-2-web-shop", "UPDATE", HELM_STAMP, "a preview's chart may not set its own quota or limits"),
    ("pr-2-web-shop", "CREATE", HELM_STAMP, "a preview's chart may not set its own quota or limits"),
])
@pytest.mark.parametrize("resource", ["resourcequotas", "limitranges"])
def test_the_preview_roles_set_quotas_and_limits_in_preview_namespaces_only(platform, resource, namespace, operation,
                                                                            annotations, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-preview-namespaces-limits"]
    assert resource in policy["spec"]["matchConstraints"]["resourceRules"][0]["resources"]
    quota = {"metadata": {"name": "tenant-quota", **({"annotations": annotations} if annotations else {})}}
    request = {**PREVIEW_REQUEST, "namespace": namespace, "operation": operation, "resource": {"resource": resource}}
    obj, old = (None, quota) if operation == "DELETE" else (quota, None)
    assert admitted(policy, request, obj, old=old) == ([refused] if refused else [])
    assert admitted(policy, {**request, "userInfo": {"groups": ["system:masters"]}}, obj, old=old) == []


@pytest.mark.parametrize(("resource", "annotations", "refused"), [
    ("rolebindings", {}, None),  # goldenpath binds the owners
    ("rolebindings", HELM_STAMP, "a preview's chart may not grant access"),
    ("roles", HELM_STAMP, "a preview's chart may not grant access"),
])
def test_a_preview_chart_grants_no_access(platform, resource, annotations, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-preview-namespaces-objects"]
    binding = {"metadata": {"name": "pods-may-edit", **({"annotations": annotations} if annotations else {})},
               "roleRef": {"kind": "ClusterRole", "name": TENANT_ROLE}, "subjects": [{"kind": "ServiceAccount", "name": "preview"}]}
    request = {**PREVIEW_REQUEST, "operation": "CREATE", "resource": {"resource": resource}}
    assert [m.split(' (')[0] for m in admitted(policy, request, binding)] == ([refused] if refused else [])


def test_helm_hooks_are_off_in_previews_because_admission_cannot_place_them(platform, preview_release):
    """Helm creates a hook from its own manifest, without the release stamp the objects policy checks, after deleting
    whatever has the hook's name (before-hook-creation): a hook named ``tenant-isolation`` would replace the
    namespace's NetworkPolicy with the chart's, and the objects policy cannot tell it from goldenpath's own. (A hook
    naming another preview's namespace is refused to the session since 0.22.) So hooks must not run at all."""
    policy = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-preview-namespaces-objects"]
    hook = {"metadata": {"name": "tenant-isolation", "annotations": {"helm.sh/hook": "pre-install"}},
            "spec": {"podSelector": {}, "egress": [{}]}}
    own = {**SESSION_REQUEST, "operation": "CREATE", "resource": {"resource": "networkpolicies"}}
    assert admitted(policy, own, hook) == []  # the reason hooks are off: admission cannot tell
    sessions = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-preview-namespaces-sessions"]
    assert admitted(sessions, own, hook) == []  # in its own namespace, the session may write
    elsewhere = {**own, "namespace": "pr-1-web-shop", "resource": {"resource": "secrets"}}
    assert [m.split(" (")[0] for m in admitted(sessions, elsewhere, {"metadata": {"name": "db-credentials"}})] == [
        SESSION_REFUSED]
    assert preview_release["disable_webhooks"] is True
    assert preview_release["atomic"] is True  # a failed install is uninstalled, so no record keeps a refused object


# -- any pod or owner with Services ---------------------------------------------------------------------
@pytest.mark.parametrize(("spec", "refused"), [({"externalIPs": ["10.0.0.10"]}, True), ({"type": "ClusterIP"}, False),
                                               ({"externalIPs": []}, False)])
def test_no_service_may_claim_external_ips(platform, spec, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")["goldenpath-no-external-ips"]
    assert bool(admitted(policy, {"namespace": "payments-checkout"}, {"metadata": {"name": "s"}, "spec": spec})) is refused
    (binding,) = [b for b in manifests(platform, "ValidatingAdmissionPolicyBinding").values()
                  if b["spec"]["policyName"] == "goldenpath-no-external-ips"]
    assert binding["spec"]["validationActions"] == ["Deny"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_admission_policy_denies_and_fails_closed(bundled_synth, bundled_environments, env):
    """An admission policy only holds when its binding denies (not Warn or Audit) and the API server refuses what it
    cannot evaluate (failurePolicy Fail, the default being Fail too but stated). Each is named here, so a new one is
    added on purpose, with its own CEL cases above."""
    document = stack_json(bundled_synth, f"{env}-platform")
    policies = manifests(document, "ValidatingAdmissionPolicy")
    bindings = [b["spec"] for b in manifests(document, "ValidatingAdmissionPolicyBinding").values()]
    every_cluster = {"goldenpath-no-external-ips", "goldenpath-tenant-ingress-hosts", "goldenpath-tenant-no-external-name",
                     "goldenpath-tenant-ingress-annotations", "goldenpath-tenant-pod-priority"}
    previews = {"goldenpath-preview-namespaces", "goldenpath-preview-namespaces-objects",
                "goldenpath-preview-namespaces-limits", "goldenpath-preview-namespaces-sessions"}  # where CI runs previews
    environment = next(e for e in bundled_environments if e.name == env)
    hosts_previews = environment.ci is not None and environment.previews is not None
    assert set(policies) == every_cluster | (previews if hosts_previews else set())
    assert sorted(b["policyName"] for b in bindings) == sorted(policies)
    assert all(b["validationActions"] == ["Deny"] and "paramRef" not in b for b in bindings)
    assert all(p["spec"]["failurePolicy"] == "Fail" and all(v["message"] for v in p["spec"]["validations"])
               for p in policies.values())


# -- a pod starting -------------------------------------------------------------------------------------
def test_vpc_cni_starts_pods_denied_and_kube_system_keeps_a_policy(bundled_synth, platform):
    (addon,) = [a for a in resources_of(stack_json(bundled_synth, "dev-cluster"), "aws_eks_addon").values()
                if a["addon_name"] == "vpc-cni"]
    configuration = json.loads(addon["configuration_values"])
    assert configuration == ADDON_CONFIGURATION["vpc-cni"]
    assert configuration["env"]["NETWORK_POLICY_ENFORCING_MODE"] == "strict"
    (system,) = [p for p in resources_of(platform, "kubernetes_network_policy_v1").values()
                 if p["metadata"]["namespace"] == "kube-system"]
    assert system["spec"]["pod_selector"] == {} and system["spec"]["policy_types"] == ["Ingress", "Egress"]


# -- a volume claim naming gp2 --------------------------------------------------------------------------
def test_every_new_volume_of_the_account_is_encrypted_with_the_environments_key(bundled_synth):
    for env in ("dev", "staging", "prod"):
        network = stack_json(bundled_synth, f"{env}-network")
        (setting,) = resources_of(network, "aws_ebs_encryption_by_default").values()
        assert setting["enabled"] is True
        (default_key,) = resources_of(network, "aws_ebs_default_kms_key").values()
        assert default_key["key_arn"] == "${aws_kms_key.ebs-key_A1CB17E0.arn}"
        assert resources_of(network, "aws_kms_key")["ebs-key_A1CB17E0"]["enable_key_rotation"] is True


EC2_EU_WEST_1 = {"kms:CallerAccount": "111111111111", "kms:ViaService": "ec2.eu-west-1.amazonaws.com"}
AUTO_SCALING = "arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


@pytest.mark.parametrize("caller, action, context, allowed", [
    # Auto Scaling launches a node whose volume the default key encrypts: its service-linked role holds no KMS policy.
    (AUTO_SCALING, "kms:CreateGrant", EC2_EU_WEST_1, True),
    (AUTO_SCALING, "kms:GenerateDataKeyWithoutPlaintext", EC2_EU_WEST_1, True),
    # The same role (or any principal of the account) calling KMS itself, not through EC2: refused.
    (AUTO_SCALING, "kms:Decrypt", {"kms:CallerAccount": "111111111111"}, False),
    # EC2 of another region, or a principal of another account through EC2: refused.
    (AUTO_SCALING, "kms:Decrypt", {**EC2_EU_WEST_1, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}, False),
    ("arn:aws:iam::999999999999:role/outsider", "kms:Decrypt", {**EC2_EU_WEST_1, "kms:CallerAccount": "999999999999"}, False),
    # Through EC2 or not, nobody but the administrators changes the key.
    (AUTO_SCALING, "kms:PutKeyPolicy", EC2_EU_WEST_1, False),
    (AUTO_SCALING, "kms:ScheduleKeyDeletion", EC2_EU_WEST_1, False),
])
def test_the_ebs_key_serves_the_accounts_volumes_only(bundled_synth, caller, action, context, allowed):
    from goldenpath.iam.evaluate import Caller, Policy, Request, decide

    key = resources_of(stack_json(bundled_synth, "dev-network"), "aws_kms_key")["ebs-key_A1CB17E0"]
    decision = decide(Request(action, "*", context, Caller("AWS", caller)), identity=(),
                      resource_policy=Policy.parse("ebs-key", key["policy"]))
    assert decision.allowed is allowed, decision.reason


# -- whoever reads a state file -------------------------------------------------------------------------
def test_no_bundled_stack_keeps_a_secret_in_its_state(bundled_synth):
    for name, path in bundled_synth.stacks.items():
        assert secrets_in_state(json.loads((path / "cdk.tf.json").read_text())) == [], name
    prod = stack_json(bundled_synth, "prod-platform")
    for secret in resources_of(prod, "kubernetes_secret_v1").values():
        assert "data" not in secret and secret["data_wo"] and secret["data_wo_revision"] == "${var.secrets_revision}"
    assert "random_password" not in prod.get("resource", {}) and "random_password" in prod["ephemeral"]
    receivers = [n for n in prod["variable"] if n.startswith("secret_")]
    assert receivers and all(prod["variable"][n]["ephemeral"] is True for n in receivers)


LEAKY = {
    "variable": {"secret_key": {"type": "string", "sensitive": True}, "token": {"type": "string", "sensitive": True,
                                                                                 "ephemeral": True}},
    "resource": {
        "random_password": {"admin": {"length": 32}},
        "kubernetes_secret_v1": {
            "stored": {"metadata": {"name": "a"}, "data": {"password": "${random_password.admin.result}"}},
            "from_variable": {"metadata": {"name": "b"}, "data": {"key": "${var.secret_key}"}},
            "write_only": {"metadata": {"name": "c"}, "data_wo": {"key": "${var.token}"}, "data_wo_revision": 1},
        },
    },
}


def test_the_secrets_check_names_every_way_into_the_state():
    problems = secrets_in_state(LEAKY)
    assert problems == [
        "random_password.admin keeps its result in the state; expected the ephemeral random_password routed into a "
        "write-only argument (*_wo)",
        "variable secret_key is secret but not ephemeral, so its value is saved in the plan; expected ephemeral = true",
        "kubernetes_secret_v1.from_variable.data.key stores var.secret_key in the state; expected it only in a write-only "
        "argument (*_wo)",
        "kubernetes_secret_v1.stored.data.password stores a random_password result in the state; expected it only in a "
        "write-only argument (*_wo)",
    ]


def test_the_secrets_check_accepts_write_only_routes():
    clean = {"variable": {"token": LEAKY["variable"]["token"]},
             "resource": {"kubernetes_secret_v1": {"write_only": LEAKY["resource"]["kubernetes_secret_v1"]["write_only"]}}}
    assert secrets_in_state(clean) == []


# -- a pod sending telemetry ----------------------------------------------------------------------------
def synthesized_agent_config(platform) -> dict:
    """The collector agent's config as the platform stack hands it to Helm (a fresh copy per call)."""
    import yaml

    (release,) = [r for r in resources_of(platform, "helm_release").values() if r["name"] == "otel-collector"]
    return yaml.safe_load(release["values"][0])["config"]


def deleted(attributes: dict[str, str], actions: list[dict]) -> dict[str, str]:
    """``attributes`` after the resource or attributes processor's delete actions (by key, or by key regex)."""
    import re

    for action in actions:
        assert action["action"] == "delete"
        attributes = {k: v for k, v in attributes.items()
                      if k != action.get("key") and not ("pattern" in action and re.search(action["pattern"], k))}
    return attributes


def agent_identity(config: dict, sent: dict[str, str], pod: dict, namespace_labels: dict[str, str]) -> dict[str, str]:
    """What the agent's pipeline makes of a resource, modelled on the processors' own code (see
    goldenpath.observability.collector): delete by key or key regex; associate the pod by the configured
    sources; set each extracted attribute only when absent or empty; then the transform statement."""
    import re

    from goldenpath.observability.collector import AGENT_PROCESSORS, IDENTITY_STATEMENTS, SERVICE_IDENTITY, STRIP_CLIENT_IDENTITY

    from goldenpath.observability.series_budget import BOUND_PROCESSOR, SHED_PROCESSOR

    processors = config["processors"]
    metrics = config["service"]["pipelines"]["metrics"]["processors"]
    assert [p for p in metrics if p not in (SHED_PROCESSOR, BOUND_PROCESSOR)] == [p for p in AGENT_PROCESSORS if p != "batch"]
    attributes = deleted(sent, processors[STRIP_CLIENT_IDENTITY]["attributes"])
    k8s = processors["k8sattributes"]
    sources = [s["from"] for rule in k8s["pod_association"] for s in rule["sources"]]
    found = pod if sources == ["connection"] else None  # a resource-attribute source could name any pod
    assert found is not None, sources
    extracted = {"k8s.namespace.name": found["namespace"], "k8s.pod.name": found["name"]}
    extracted |= {rule["tag_name"]: namespace_labels[rule["key"]] for rule in k8s["extract"]["labels"]
                  if rule["from"] == "namespace" and rule["key"] in namespace_labels}
    for key, value in extracted.items():
        if not attributes.get(key):
            attributes[key] = value
    (statement,) = processors[SERVICE_IDENTITY]["metric_statements"][0]["statements"]
    assert statement == IDENTITY_STATEMENTS[0]
    target, source = re.findall(r'attributes\["([^"]+)"\]', statement)[:2]
    if attributes.get(source) is not None:
        attributes[target] = attributes[source]
    return attributes


def test_a_pod_cannot_send_telemetry_in_another_services_name(platform):
    config = synthesized_agent_config(platform)
    forged = {"service.name": "checkout", "service.namespace": "payments", "k8s.namespace.name": "payments-checkout",
              "k8s.pod.ip": "10.0.1.20", "k8s.pod.name": "checkout-7d9", "goldenpath.service": "checkout"}
    attacker = {"namespace": "storefront-web", "name": "web-5c4"}
    labels = {"goldenpath.dev/team": "storefront", "goldenpath.dev/service": "web"}
    result = agent_identity(config, forged, attacker, labels)
    assert result["k8s.namespace.name"] == "storefront-web" and result["k8s.pod.name"] == "web-5c4"
    assert result["service.name"] == "web" and "service.namespace" not in result and "k8s.pod.ip" not in result
    # a platform pod (no goldenpath labels on its namespace) keeps the service name it sends
    platform_pod = agent_identity(config, {"service.name": "ingress-nginx"}, {"namespace": "ingress-nginx", "name": "c"}, {})
    assert platform_pod["service.name"] == "ingress-nginx"


def prometheus_labels(resource: dict[str, str], point: dict[str, str], promoted: list[str]) -> dict[str, str]:
    """A series' labels as Prometheus v3.9.1 builds them from OTLP (helper.go createAttributes): the data point's
    attributes under their label names (otlptranslator v1.0.0 LabelNamer: each rune outside [a-zA-Z0-9_] becomes
    '_', repeated underscores kept, ``key_`` before a leading digit), then each promoted resource attribute only where
    that label is still empty (addPromotedAttributes), then job from service.name, overwriting."""
    import re

    def name(key: str) -> str:
        sanitized = re.sub(r"[^a-zA-Z0-9_]", "_", key)
        return "key_" + sanitized if sanitized[0].isdigit() else sanitized

    labels: dict[str, str] = {}
    for key, value in sorted(point.items()):
        labels[name(key)] = labels[name(key)] + ";" + value if name(key) in labels else value
    for key in promoted:
        if key in resource and not labels.get(name(key)):
            labels[name(key)] = resource[key]
    if "service.name" in resource:
        labels["job"] = resource["service.name"]
    return labels


def agent_point(config: dict, point: dict[str, str]) -> dict[str, str]:
    """A data point's attributes after the agent's attributes processor (delete by key or key regex)."""
    from goldenpath.observability.collector import STRIP_CLIENT_LABELS

    return deleted(point, config["processors"][STRIP_CLIENT_LABELS]["actions"])


@pytest.mark.parametrize("claim", ["k8s.namespace.name", "k8s_namespace_name", "k8s/namespace/name", "k8s\u00e9namespace.name"])
def test_a_pod_cannot_put_its_metrics_in_another_namespaces_series(platform, claim):
    """Two teams may each have a service called web: the job label alone does not tell them apart, the namespace
    label does, and services' SLOs and the per-namespace series count select on it. A data point attribute that
    Prometheus names like that label would win over the promoted one; the agent deletes it."""

    from goldenpath.observability.facts import PROMETHEUS_NAMESPACE_LABEL
    from goldenpath.observability.values import PROMOTED_RESOURCE_ATTRIBUTES

    config = synthesized_agent_config(platform)
    point = {claim: "storefront-web", "http.response.status_code": "500"}
    resource = agent_identity(config, {"service.name": "web"}, {"namespace": "payments-web", "name": "web-1"},
                              {"goldenpath.dev/team": "payments", "goldenpath.dev/service": "web"})
    labels = prometheus_labels(resource, agent_point(config, point), list(PROMOTED_RESOURCE_ATTRIBUTES))
    assert (labels["job"], labels[PROMETHEUS_NAMESPACE_LABEL]) == ("web", "payments-web")
    assert labels["http_response_status_code"] == "500"  # the application's own attributes stay
    # Without the processor the claim would hold: the model reproduces the attack.
    forged = prometheus_labels(resource, point, list(PROMOTED_RESOURCE_ATTRIBUTES))
    assert forged[PROMETHEUS_NAMESPACE_LABEL] == "storefront-web"


def go_float(value: float) -> str:
    """pdata's float64AsString, which is JSON's number format: shortest digits, exponent form below 1e-6 and from
    1e21 (``e-07`` written ``e-7``); json.Marshal refuses NaN and infinities."""
    import math
    from decimal import Decimal

    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value}")
    if value != 0 and (abs(value) < 1e-6 or abs(value) >= 1e21):
        mantissa, exponent = repr(value).split("e")
        return f"{mantissa}e{int(exponent):+d}"
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def go_json(value) -> str:
    """json.Marshal of an attribute value's AsRaw, as OTTL's String converter and pdata's AsString write it (Go also
    escapes <, > and &, so it is never shorter than this)."""
    import base64

    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{go_json(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, bytes):
        return json.dumps(base64.b64encode(value).decode())
    return json.dumps(value, ensure_ascii=False)


def as_string(value) -> str:
    """pdata's Value.AsString: what Prometheus writes as the label value."""
    return value if isinstance(value, str) else go_json(value).strip('"') if isinstance(value, bytes) else go_json(value)


def point_label_bytes(point: dict) -> int:
    labels = prometheus_labels({}, {k: as_string(v) for k, v in point.items()}, [])
    return sum(len(k.encode()) + len(v.encode()) for k, v in labels.items())


def bound_admits(conditions: dict[str, list[str]], name: str, unit: str, resource: dict, point: dict) -> bool:
    """The agent's bound filter: a metric or point is dropped when any condition holds; a measure that fails raises
    (error_mode propagate: the sender's request is refused)."""
    import re

    measures = {"name": lambda: name, "unit": lambda: unit,
                "String(resource.attributes)": lambda: go_json(resource), "String(attributes)": lambda: go_json(point)}
    for condition in conditions["metric"] + conditions["datapoint"]:
        measure, limit = re.fullmatch(r"Len\((.+)\) > (\d+)", condition).groups()
        if len(measures[measure]().encode()) > int(limit):
            return False
    return True


def random_point(rng, budget: int) -> dict:
    """Attributes whose JSON is near ``budget``, of every kind that turns into label bytes differently."""
    keys = [lambda: str(rng.randrange(100)), lambda: "\u00e9" * rng.randrange(1, 4), lambda: f"a.{rng.randrange(10**6)}"]
    values = [lambda: rng.randrange(-10**18, 10**18), lambda: rng.choice([1e300, -5e-7, 1e20, -0.0, 0.1, 2.5e-320]),
              lambda: rng.random() < 0.5, lambda: "v" * rng.randrange(40), lambda: "\u00fc<&>" * rng.randrange(5),
              lambda: bytes(rng.randrange(30)), lambda: [1e300] * rng.randrange(4), lambda: {"k": [0.5, "x"]}]
    target, point = budget * rng.uniform(0.85, 1.1), {}
    while len(go_json(point).encode()) < target:
        point[rng.choice(keys)()] = rng.choice(values)()
    return point


def test_a_pod_cannot_send_series_heavier_than_the_bound(platform):
    """Prometheus' OTLP receiver takes labels of any size, and the series count does not weigh them. The agent drops
    a point whose attributes' JSON exceeds the bound, every metric of a larger resource, and names or units longer
    than OpenTelemetry's API allows; what passes carries fewer label bytes than the bound. Unmeasurable attributes
    (a NaN) refuse the request."""
    import random

    from goldenpath.config.model import CollectorSettings
    from goldenpath.observability.series_budget import BOUND_PROCESSOR

    config = synthesized_agent_config(platform)
    assert config["processors"][BOUND_PROCESSOR]["error_mode"] == "propagate"
    conditions = config["processors"][BOUND_PROCESSOR]["metrics"]
    limit = CollectorSettings().max_point_attribute_bytes
    assert f"Len(String(attributes)) > {limit}" in conditions["datapoint"]
    pod, labels = {"namespace": "storefront-web", "name": "web-5c4"}, {"goldenpath.dev/service": "web"}
    resource = agent_identity(config, {"service.name": "web", "telemetry.sdk.language": "go"}, pod, labels)

    def admits(point: dict, name: str = "http.server.request.duration", unit: str = "s", on: dict = resource) -> bool:
        return bound_admits(conditions, name, unit, on, point)

    assert admits({"http.route": "/cart/{id}", "http.response.status_code": 500, "http.request.method": "GET"})
    for heavy in ({"user.id": "x" * 100_000}, {"ids": ["abcdefghij"] * 10_000}, {f"a{i}": i for i in range(2_000)},
                  {"blob": bytes(10_000)}, {"nested": {"k": [{"deep": "y" * 5_000}]}}):
        assert not admits(heavy) and point_label_bytes(heavy) > limit  # dropped; Prometheus would have stored it all
    assert admits({}, name="n" * 255) and not admits({}, name="n" * 256)
    assert admits({}, unit="u" * 63) and not admits({}, unit="u" * 64)
    heavy_resource = agent_identity(config, {"service.name": "web", "process.command_line": "z" * 40_000}, pod, labels)
    assert not admits({}, on=heavy_resource)
    with pytest.raises(ValueError):
        admits({"ratio": float("nan")})

    rng, admitted = random.Random(22), 0
    for _ in range(400):
        point = random_point(rng, limit)
        if admits(point):
            admitted += 1
            assert point_label_bytes(point) < limit, point
    assert admitted > 100, admitted  # the sample reaches the bound from below, not only far above it


def prometheus_write(request: list[tuple[str, int]], stored: dict[str, int], now: int) -> bool:
    """Prometheus v3.9.1's OTLP write of (series, timestamp) samples: each is appended, one older than its series'
    newest (out of order) or over 10 minutes ahead is refused, and when any is refused every sample of the request is
    rolled back (write_handler.go rwExporter.ConsumeMetrics; facts.PROMETHEUS_OTLP_ROLLBACK_SOURCES). The collector's
    exporter drops a refused request (400 or 500 are not retried)."""
    staged, refused = dict(stored), False
    for series, timestamp in request:
        if timestamp <= staged.get(series, -1) or timestamp > now + 600:
            refused = True
        else:
            staged[series] = timestamp
    if not refused:
        stored.update(staged)
    return not refused


def agent_requests(config: dict, sends: list[list[tuple[str, int]]]) -> list[list[tuple[str, int]]]:
    """What the agent hands Prometheus for pods' sends arriving together: one merged request when its metrics
    pipeline batches (the batch processor merges what arrives within its timeout) or its exporter's queue does, else
    each send alone."""
    pipeline = config["service"]["pipelines"]["metrics"]
    queue = config["exporters"][pipeline["exporters"][0]]["sending_queue"]
    if "batch" in pipeline["processors"] or queue.get("batch") is not None:
        return [[sample for send in sends for sample in send]]
    return sends


def test_one_pods_refused_sample_costs_no_other_namespace_its_metrics(platform):
    """A pod can always send a sample Prometheus refuses (a timestamp older than its series' last, or in the future),
    and Prometheus then refuses every sample sent with it. The agent sends each pod's export alone, so the victim's
    samples land; through a batch they would not."""

    from goldenpath.observability.collector import pipeline_order_problems

    config = synthesized_agent_config(platform)
    assert pipeline_order_problems(config) == []
    victim = [('http_requests_total{k8s_namespace_name="payments-web"}', 1000)]
    attack = [('probe{k8s_namespace_name="storefront-web"}', 1000), ('probe{k8s_namespace_name="storefront-web"}', 999),
              ('clock{k8s_namespace_name="storefront-web"}', 5000)]
    stored: dict[str, int] = {}
    results = [prometheus_write(request, stored, now=1000) for request in agent_requests(config, [attack, victim])]
    assert results == [False, True] and stored == {victim[0][0]: 1000}

    batched = json.loads(json.dumps(config))  # the attack, had the pipeline batched
    batched["service"]["pipelines"]["metrics"]["processors"].append("batch")
    stored = {}
    assert [prometheus_write(r, stored, now=1000) for r in agent_requests(batched, [attack, victim])] == [False]
    assert stored == {}
    assert "expected memory_limiter first and no batch" in pipeline_order_problems(batched)[0]


def tempo_push(push: list[dict[str, bytes]], stored: list) -> bool:
    """Tempo v2.10.8's distributor: the whole push is refused (InvalidArgument, which the collector's otlp exporter
    does not retry) when any span's trace id is not 16 bytes or its span id not 8 non-zero bytes."""
    if any(len(s["trace_id"]) != 16 or len(s["span_id"]) != 8 or s["span_id"] == bytes(8) for s in push):
        return False
    stored.extend(push)
    return True


def on_the_wire(span: dict[str, bytes]) -> dict[str, bytes]:
    """pdata marshals an all-zero (empty) id as an absent field."""
    return {k: b"" if v == bytes(len(v)) else v for k, v in span.items()}


def agent_keeps_span(config: dict, span: dict[str, bytes], empty_as: str) -> bool:
    """The agent's span-id filter on a span as the receiver decoded it (an absent id is all zeros); OTTL writes an
    id's ``.string`` as the hex of every byte, or, in older releases, "" when it is empty."""
    import re

    from goldenpath.observability.collector import SPAN_IDS_PROCESSOR

    def text(value: bytes) -> str:
        return empty_as if value == bytes(len(value)) and empty_as == "" else value.hex()

    strings = {"trace_id.string": text(span["trace_id"]), "span_id.string": text(span["span_id"])}
    for condition in config["processors"][SPAN_IDS_PROCESSOR]["traces"]["span"]:
        field, literal = re.fullmatch(r'(\w+\.string) == "(\w*)"', condition).groups()
        if strings[field] == literal:
            return False
    return True


@pytest.mark.parametrize("empty_as", ["hex", ""])
def test_one_pods_span_without_ids_costs_no_other_namespace_its_traces(platform, empty_as):
    """The receiver accepts a span with no trace or span id; Tempo refuses the whole push it arrives in, and the
    agent batches every pod's spans together. The agent drops such spans before batching."""

    from goldenpath.observability.collector import SPAN_IDS_PROCESSOR

    config = synthesized_agent_config(platform)
    processors = config["service"]["pipelines"]["traces"]["processors"]
    assert processors.index(SPAN_IDS_PROCESSOR) < processors.index("batch")
    victim = {"trace_id": bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736"), "span_id": bytes.fromhex("00f067aa0ba902b7")}
    attacks = [{"trace_id": bytes(16), "span_id": bytes.fromhex("00f067aa0ba902b8")},
               {"trace_id": victim["trace_id"], "span_id": bytes(8)}]
    sent = [victim, *attacks]

    stored: list = []
    batch = [on_the_wire(s) for s in sent if agent_keeps_span(config, s, empty_as)]
    assert tempo_push(batch, stored) and stored == [on_the_wire(victim)]
    stored = []  # without the filter, the batch carries the attack and Tempo refuses the victim's span with it
    assert not tempo_push([on_the_wire(s) for s in sent], stored) and stored == []


def label_nameable(key: str) -> bool:
    """otlptranslator v1.0.0 LabelNamer.Build (UTF-8 off) succeeds: not empty, and not only underscores once every
    rune outside [a-zA-Z0-9_] is '_'."""
    import re

    return bool(key) and set(re.sub(r"[^a-zA-Z0-9_]", "_", key)) != {"_"}


def loki_accepts(request: list[dict]) -> bool:
    """Loki v3.6.15's OTLP push: refused whole (400, which the exporter does not retry) when any resource, scope or log
    record attribute key has no label name (pkg/loghttp/push/otlp.go attributeToLabels)."""
    return all(label_nameable(key) for record in request for level in ("resource", "scope", "attributes")
               for key in record[level])


@pytest.mark.parametrize("level,key", [("resource", "_"), ("resource", ""), ("scope", "."), ("attributes", "\u00e9"),
                                       ("attributes", "--")])
def test_one_pods_unnameable_attribute_costs_no_other_namespace_its_logs(platform, level, key):
    """A pod can name an attribute with no letter or digit; Loki refuses the whole request it travels in, and the
    agent batches every pod's logs together. The agent deletes such keys from resource, scope and log record first."""
    import re

    from goldenpath.observability.collector import SERVICE_IDENTITY, STRIP_CLIENT_IDENTITY, STRIP_CLIENT_LABELS

    config = synthesized_agent_config(platform)
    processors = config["processors"]
    assert collector.is_batch(config["service"]["pipelines"]["logs"]["processors"][-1])
    (scope_statements,) = [entry["statements"] for entry in processors[SERVICE_IDENTITY]["log_statements"]
                           if entry["context"] == "scope"]
    (scope_pattern,) = [re.fullmatch(r'delete_matching_keys\(attributes, "(.+)"\)', st).group(1) for st in scope_statements]

    def through_agent(record: dict) -> dict:
        return {"resource": deleted(record["resource"], processors[STRIP_CLIENT_IDENTITY]["attributes"]),
                "scope": {k: v for k, v in record["scope"].items() if not re.search(scope_pattern, k)},
                "attributes": deleted(record["attributes"], processors[STRIP_CLIENT_LABELS]["actions"])}

    victim = {"resource": {"service.name": "web"}, "scope": {"library": "logback"}, "attributes": {"user.id": "42"}}
    attack = {"resource": {"service.name": "x"}, "scope": {}, "attributes": {"msg": "hi"}}
    attack[level] = {**attack[level], key: "poison"}
    assert loki_accepts([through_agent(victim), through_agent(attack)])
    assert through_agent(victim) == victim  # nameable keys stay
    assert not loki_accepts([victim, attack])  # without the agent's deletes the batch, the victim's line with it, is refused


def loki_takes_whole(entries: list[tuple[str, int, int]], loki: dict, gateway_body: int) -> bool:
    """Whether Loki v3.6.15 takes a push of (stream, line bytes, structured metadata bytes) entries without refusing
    it whole (facts.LOKI_PUSH_LIMIT_SOURCES): entries over max_line_size or max_structured_metadata_size are discarded
    alone and not counted; the rest must fit the ingestion burst and each stream's burst (a stream's first push is not
    sharded; else 429, retried for ever) and, as one gRPC message, the ingester's limit (else 500, dropped); the body
    must fit the gateway, Loki's receive limit and, decompressed, its decompressed limit (else 413, dropped)."""
    from goldenpath.observability import facts
    from goldenpath.observability.values import loki_size

    limits = loki.get("limits_config", {})
    line_max = loki_size(limits.get("max_line_size", facts.LOKI_MAX_LINE_SIZE))
    metadata_max = loki_size(limits.get("max_structured_metadata_size", facts.LOKI_MAX_STRUCTURED_METADATA_SIZE))
    counted = [(stream, line + metadata) for stream, line, metadata in entries if line <= line_max and metadata <= metadata_max]
    valid = [size for _, size in counted]
    stream_burst = loki_size(limits.get("per_stream_rate_limit_burst", facts.LOKI_DEFAULT_PER_STREAM_BURST))
    if any(sum(size for s, size in counted if s == stream) > stream_burst for stream, _ in counted):
        return False
    burst = limits.get("ingestion_burst_size_mb", facts.LOKI_DEFAULT_INGESTION_BURST_MB) * 2**20
    grpc = loki.get("server", {}).get("grpc_server_max_recv_msg_size", facts.LOKI_DEFAULT_GRPC_SERVER_MAX_RECV)
    message = sum(valid) + len(valid) * facts.LOKI_ENTRY_OVERHEAD_BYTES
    body = sum(line + metadata + facts.LOKI_ENTRY_OVERHEAD_BYTES for _, line, metadata in entries)  # incompressible: the worst
    decompressed = loki.get("distributor", {}).get("max_decompressed_size", facts.LOKI_DEFAULT_MAX_DECOMPRESSED_SIZE)
    return (sum(valid) <= burst and message <= grpc
            and body <= min(gateway_body, facts.LOKI_DISTRIBUTOR_MAX_RECV_MSG_SIZE, decompressed))


@pytest.mark.parametrize("line_kib", [2, 64, 256])
def test_one_pods_largest_lines_cannot_stall_every_namespaces_logs(platform, line_kib):
    """A pod writes the longest lines with the most attributes Loki takes (or merely long ones) as fast as it can, so
    the agent's batches fill with them and carry another namespace's line. With Loki's defaults such a batch is
    answered 429 and retried for ever (the node's log delivery stalls, across restarts) or 500 and dropped; with
    goldenpath's batch size and Loki limits, every batch the agent can make passes whole."""
    import yaml

    from goldenpath.observability import facts
    from goldenpath.observability.factcheck import _nginx_size

    releases = {r["name"]: yaml.safe_load(r["values"][0]) for r in resources_of(platform, "helm_release").values()}
    config = releases["otel-collector"]["config"]
    (batch,) = [p for p in config["service"]["pipelines"]["logs"]["processors"] if collector.is_batch(p)]
    size = config["processors"][batch]["send_batch_max_size"]
    loki = releases["loki"]["loki"]
    gateway = _nginx_size(releases["loki"]["gateway"]["nginxConfig"]["clientMaxBodySize"])
    attack = [("attacker", line_kib * 1024, 64 * 1024)] * (size - 1)  # one pod: one stream
    victim = [("victim", 120, 300)]
    assert loki_takes_whole(attack + victim, loki, gateway)
    assert loki_takes_whole([("attacker", 300 * 1024, 0)] * (size - 1) + victim, loki, gateway)  # discarded alone
    # what the agent and Loki did before: batches of 8192 against Loki's chart defaults
    old = [("attacker", line_kib * 1024, 64 * 1024)] * 8191 + victim
    assert not loki_takes_whole(old, {}, _nginx_size(facts.LOKI_DEFAULT_GATEWAY_BODY))
    assert not loki_takes_whole(old[-size:], {}, _nginx_size(facts.LOKI_DEFAULT_GATEWAY_BODY))  # the batch alone is not enough
    # Loki's limits raised but each stream's burst left at its default: the pod's own stream stalls the batch
    one_stream = {**loki, "limits_config": {k: v for k, v in loki["limits_config"].items() if k != "per_stream_rate_limit_burst"}}
    assert not loki_takes_whole(attack + victim, one_stream, gateway)  # 255 entries of 66 KiB or more: over 15 MiB


def test_a_pod_cannot_fill_lokis_streams_for_every_namespace(platform):
    """Loki keeps a stream per set of index labels, and all namespaces share its one tenant and stream cap. A pod
    sending each log line with another service.instance.id (or deployment.environment, cloud.region) would open a
    stream per line, with Loki's default index list; with goldenpath's, its lines stay in one stream."""
    import yaml

    from goldenpath.observability import facts
    from goldenpath.observability.factcheck import loki_index_attributes

    releases = {r["name"]: yaml.safe_load(r["values"][0]) for r in resources_of(platform, "helm_release").values()}
    config = releases["otel-collector"]["config"]
    indexed = loki_index_attributes(releases["loki"])
    pod = {"namespace": "storefront-web", "name": "web-5c4"}
    labels = {"goldenpath.dev/team": "storefront", "goldenpath.dev/service": "web"}

    def streams(index: tuple[str, ...]) -> int:
        seen = set()
        for line in range(200):
            sent = {"service.name": "web", "service.instance.id": f"i-{line}", "deployment.environment": f"e-{line}",
                    "cloud.region": f"r-{line}", "container.name": f"c-{line}", "k8s.container.name": f"k-{line}"}
            resource = agent_identity(config, sent, pod, labels)
            seen.add(tuple(sorted((a, resource[a]) for a in index if a in resource)))
        return len(seen)

    assert streams(indexed) == 1
    assert streams(facts.LOKI_DEFAULT_OTLP_INDEX_ATTRIBUTES) == 200  # the attack, with Loki's defaults


def test_a_shed_namespace_cannot_escape_nor_shed_another(bundled_environments):
    """With storefront-web shed, its pods' metrics are dropped whatever namespace they claim, and a pod elsewhere
    that claims storefront-web keeps its own: the filter runs on the identity set from the connection."""
    import re

    from goldenpath.observability import collector
    from goldenpath.observability.series_budget import SHED_PROCESSOR

    dev = next(e for e in bundled_environments if e.name == "dev")
    settings = dev.observability.collector.model_copy(update={"shed_metrics_namespaces": ["storefront-web"]})
    config = collector.agent_config(settings)
    pipelines = config["service"]["pipelines"]
    metrics = pipelines["metrics"]["processors"]
    assert metrics.index(SHED_PROCESSOR) == metrics.index(collector.SERVICE_IDENTITY) + 1
    assert all(SHED_PROCESSOR not in pipelines[name]["processors"] for name in ("logs", "traces"))
    conditions = config["processors"][SHED_PROCESSOR]["metrics"]["metric"]
    shed = {re.fullmatch(r'resource\.attributes\["k8s\.namespace\.name"\] == "([a-z0-9-]+)"', c).group(1) for c in conditions}
    assert shed == {"storefront-web"}
    from goldenpath.observability.facts import COLLECTOR_IMAGES

    assert all(SHED_PROCESSOR.split("/")[0] in image.components["processors"] for image in COLLECTOR_IMAGES.values())

    def dropped(claimed: str, pod_namespace: str) -> bool:
        labels = {"goldenpath.dev/service": pod_namespace.split("-", 1)[1]}
        attributes = agent_identity(config, {"k8s.namespace.name": claimed}, {"namespace": pod_namespace, "name": "p"}, labels)
        return attributes["k8s.namespace.name"] in shed

    assert dropped(claimed="payments-checkout", pod_namespace="storefront-web")
    assert not dropped(claimed="storefront-web", pod_namespace="payments-checkout")
    unshed = collector.agent_config(dev.observability.collector)
    assert SHED_PROCESSOR not in unshed["processors"]  # nothing shed: no shedding filter at all
    assert SHED_PROCESSOR not in unshed["service"]["pipelines"]["metrics"]["processors"]


# -- another principal of the account, at the state bucket ---------------------------------------------
def test_the_state_bucket_policy_keeps_each_prefix_to_its_owners(bundled_environments):
    from goldenpath.ci_identities.roles import platform_role
    from goldenpath.ci_identities.state_bucket import sharing_bucket_of, state_bucket_policy
    from goldenpath.iam.evaluate import Caller, Policy, Request, decide

    environments = sharing_bucket_of("dev", bundled_environments)
    dev = environments[0]
    bucket = Policy.parse("bucket", state_bucket_policy(environments))
    anything = Policy("identity", {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})

    def may(role_arn: str, action: str, key: str, secure: str = "true") -> bool:
        request = Request(action, f"arn:aws:s3:::{dev.state_bucket}/{key}",
                          {"aws:PrincipalArn": role_arn, "aws:SecureTransport": secure}, Caller("AWS", role_arn))
        return bool(decide(request, identity=[anything, bucket]))

    preview_role = f"arn:aws:iam::{dev.account_id}:role/goldenpath-dev-ci-preview"
    apply_role = platform_role(dev, "apply").arn
    assert not may(preview_role, "s3:GetObject", "dev/platform.tfstate")  # even with s3:* of its own
    assert may(preview_role, "s3:PutObject", "previews/pr-1-web.tfstate")
    assert may(apply_role, "s3:GetObject", "dev/platform.tfstate")
    assert not may(apply_role, "s3:GetObject", "sandboxes/sbx-1.json")
    assert not may(apply_role, "s3:GetObject", "dev/platform.tfstate", secure="false")
    assert not may(f"arn:aws:iam::{dev.account_id}:role/someone-else", "s3:GetObject", "previews/pr-1-web.tfstate")


def egress_admits(spec: dict, address: str, port: int) -> bool:
    """Whether a synthesized NetworkPolicy spec lets its pods open (address, port), matched as the VPC CNI matches
    egress: on the destination before kube-proxy's DNAT, so a ClusterIP is matched as itself
    (facts.EGRESS_SEES_CLUSTER_IP_SOURCE). Only ipBlock peers are modelled: a namespace or pod selector admits the
    pods it selects and the ClusterIPs of Services selecting them, which the addresses tried here are not."""
    ip = ipaddress.ip_address(address)
    for rule in spec.get("egress") or []:
        ports = rule.get("ports") or []
        if ports and str(port) not in {str(p.get("port")) for p in ports}:
            continue
        peers = rule.get("to") or []
        if not peers:
            return True
        for block in (peer["ip_block"] for peer in peers if "ip_block" in peer):
            if ip in ipaddress.ip_network(block["cidr"]) and not any(
                    ip in ipaddress.ip_network(cut) for cut in block.get("except") or []):
                return True
    return False


def test_egress_model_reads_rules_as_the_cni_does():
    spec = {"egress": [{"ports": [{"port": "443", "protocol": "TCP"}],
                        "to": [{"ip_block": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}]}
    assert egress_admits(spec, "52.216.0.10", 443)
    assert not egress_admits(spec, "52.216.0.10", 80)
    assert not egress_admits(spec, "10.1.2.3", 443)
    assert egress_admits({"egress": [{}]}, "10.1.2.3", 22)
    assert not egress_admits({"egress": []}, "52.216.0.10", 443)


def dev_address(environments, address: str | tuple[str, int]) -> str:
    """An address to try: as given, or (range, index) in dev's own ranges ("service" or "vpc")."""
    if isinstance(address, str):
        return address
    dev = next(e for e in environments if e.name == "dev")
    ranges = {"service": dev.cluster.service_cidr, "vpc": dev.network.cidr}
    return str(ipaddress.ip_network(ranges[address[0]])[address[1]])


@pytest.mark.parametrize(("what", "address", "port", "admitted"), [
    ("the API server's kubernetes Service (the Service range's first address)", ("service", 1), 443, False),
    ("another namespace's Service on 443 (its ClusterIP)", ("service", 4242), 443, False),
    ("the Service range's last usable address", ("service", -2), 443, False),
    ("the API server's network interfaces, or another pod, in the VPC", ("vpc", 77), 443, False),
    ("a pod of the VPC on its HTTP port", ("vpc", 77), 80, False),
    ("an AWS API outside the VPC (S3's public addresses)", "52.216.0.10", 443, True),
    ("the same address on another port", "52.216.0.10", 80, False),
    ("the Pod Identity agent", "169.254.170.23", 80, True),
    ("the node's instance metadata", "169.254.169.254", 80, False),
])
def test_a_cloud_tenant_reaches_neither_the_api_server_nor_a_service_through_its_https(
        bundled_synth, bundled_environments, what, address, port, admitted):
    """Cloud access opens HTTPS out of the cluster; as a pod of such a tenant, try the cluster's own addresses."""
    address = dev_address(bundled_environments, address)
    policies = [p for name in bundled_synth.stacks if name.startswith("dev-tenants-")
                for p in resources_of(stack_json(bundled_synth, name), "kubernetes_network_policy_v1").values()]
    cloud = [p for p in policies if any("ip_block" in peer for rule in p["spec"]["egress"] for peer in rule.get("to", []))]
    assert cloud, "the bundled dev catalog has a service with cloud access"
    assert {egress_admits(p["spec"], address, port) for p in cloud} == {admitted}, what


def observability_policies(bundled_synth, env: str) -> list[dict]:
    """The synthesized NetworkPolicies of an environment's observability namespace, each spec with its name."""
    found = []
    for name in bundled_synth.stacks:
        if name.startswith(f"{env}-"):
            for policy in resources_of(stack_json(bundled_synth, name), "kubernetes_network_policy_v1").values():
                if policy["metadata"]["namespace"] == OBSERVABILITY_NAMESPACE:
                    found.append({"name": policy["metadata"]["name"], **policy["spec"]})
    return found


@pytest.mark.parametrize(("what", "address", "port", "admitted"), [
    ("the API server's kubernetes Service (its sidecars watch ConfigMaps)", ("service", 1), 443, True),
    ("another namespace's Service through its ClusterIP", ("service", 4242), 443, False),
    ("a database in the VPC", ("vpc", 200), 5432, False),
    ("a pod, a node or the API server's interfaces in the VPC", ("vpc", 77), 443, False),
    ("an address on the internet", "203.0.113.10", 443, False),
    ("the node's instance metadata", "169.254.169.254", 80, False),
])
def test_grafana_reaches_nothing_past_its_namespace_but_dns_and_the_api_server(
        bundled_synth, bundled_environments, what, address, port, admitted):
    """A Grafana flaw, or a datasource an editor points anywhere, becomes requests from Grafana's pod: try them."""
    address = dev_address(bundled_environments, address)
    policies = observability_policies(bundled_synth, "dev")
    grafana = [p for p in policies if network.selects(p, network.GRAFANA_POD_LABELS) and "Egress" in p["policy_types"]]
    assert grafana and any(egress_admits(p, address, port) for p in grafana) is admitted, what
    # Its datasources (Prometheus, Loki, Tempo, Alertmanager) are pods of its namespace.
    assert any(rule.get("to") == [{"pod_selector": {}}] for p in grafana for rule in p["egress"])
    # Every other component keeps open egress (on purpose; see docs/threat-model.md, what stays open).
    prometheus = [p for p in policies if network.selects(p, {"app.kubernetes.io/name": "prometheus"})]
    assert any(egress_admits(p, "203.0.113.10", 443) for p in prometheus)


def test_open_egress_exists_before_the_isolation_policy_narrows(platform):
    """An upgrade from 0.15 (every pod open) must not leave Loki, Tempo or Alertmanager without egress mid-apply."""
    policies = resources_of(platform, "kubernetes_network_policy_v1")
    (isolation,) = [p for p in policies.values() if p["metadata"]["name"] == network.ISOLATION_POLICY]
    (open_egress,) = [k for k, p in policies.items() if p["metadata"]["name"] == network.OPEN_EGRESS_POLICY]
    assert f"kubernetes_network_policy_v1.{open_egress}" in isolation["depends_on"]


def test_grafanas_https_opt_out_is_named_and_stays_outside_the_cluster(tmp_path, bundled_environments):
    """The opt-out for single sign-on or plugins: HTTPS out of the cluster, still not the VPC nor any ClusterIP,
    accepted by validate's fact check and shown with its reason."""
    from goldenpath.observability.factcheck import check_platform_stack
    from goldenpath.policies.kubernetes_objects import kubernetes_objects, validate_objects
    from goldenpath.stacks.synth import synthesize

    dev = next(e for e in bundled_environments if e.name == "dev")
    reason = "single sign-on through the company's identity provider"
    opted = dev.model_copy(update={"observability": dev.observability.model_copy(update={"grafana_https_out_reason": reason})})
    result = synthesize([opted], tmp_path / "out", project_root=REPO)
    policies = observability_policies(result, "dev")
    grafana = [p for p in policies if network.selects(p, network.GRAFANA_POD_LABELS) and "Egress" in p["policy_types"]]
    assert {p["name"] for p in grafana} == {"observability-isolation", network.GRAFANA_HTTPS_POLICY}
    ranges = [ipaddress.ip_network(dev.cluster.service_cidr), ipaddress.ip_network(dev.network.cidr)]
    assert any(egress_admits(p, "203.0.113.10", 443) for p in grafana)
    assert not any(egress_admits(p, "203.0.113.10", 80) for p in grafana)
    assert not any(egress_admits(p, str(r[4242]), 443) for p in grafana for r in ranges)
    assert check_platform_stack(stack_json(result, "dev-platform")) == []
    assert network.grafana_egress_line(opted) == (f"grafana: dev lets Grafana open HTTPS outside the cluster "
                                                  f"(observability.grafana_https_out_reason: {reason})")
    assert network.grafana_egress_line(dev) == "grafana: dev Grafana reaches DNS, the observability namespace and the API server only"
    objects = kubernetes_objects(stack_json(result, "dev-platform"))
    assert network.GRAFANA_HTTPS_POLICY in {o.manifest["metadata"]["name"] for o in objects}
    assert validate_objects(objects, dev.cluster.kubernetes_version) == []


def test_cloud_access_needs_both_cluster_ranges():
    spec = TenantSpec(namespace="payments-checkout", service_account="checkout", quota=QuotaTier(),
                      pod_identity=PodIdentity("checkout", "read"), vpc_cidr="10.20.0.0/16")
    with pytest.raises(ValueError, match="expected service_cidr"):
        tenant_manifests(spec)


# -- a team owner's Ingress on the shared controller ----------------------------------------------------------
def tenant_namespace(hosts: str | None) -> dict:
    annotations = {INGRESS_HOSTS_ANNOTATION: hosts} if hosts is not None else {}
    return {"metadata": {"name": "storefront-web", "labels": {TENANT_NAMESPACE_LABEL: "true"}, "annotations": annotations}}


TENANT_REQUEST = {"userInfo": {"groups": ["storefront-engineers", "system:authenticated"]}, "namespace": "storefront-web"}
OWN = "shop.dev.example.com"


@pytest.mark.parametrize(("hosts", "obj", "refused"), [
    (OWN, ingress(OWN), False),
    (OWN, ingress(OWN, tls_host=OWN), False),
    (f"{OWN},www.dev.example.com", ingress("www.dev.example.com", tls_host="www.dev.example.com"), False),
    # Another service's host (a path there would be merged into its server), or all of them.
    (OWN, ingress("checkout.dev.example.com"), True),
    (OWN, ingress(None), True),
    (OWN, ingress(""), True),
    (OWN, {"metadata": {"name": "web"}, "spec": {"defaultBackend": {"service": {"name": "web"}}}}, True),
    (OWN, ingress(OWN, tls_host="checkout.dev.example.com"), True),
    (OWN, {**ingress(OWN), "spec": {**ingress(OWN)["spec"], "tls": [{"secretName": "t"}]}}, True),
    # Membership is exact: a suffix, a prefix or a neighbour in the list is not the host.
    (OWN, ingress("dev.example.com"), True),
    (OWN, ingress("hop.dev.example.com"), True),
    (f"{OWN},www.dev.example.com", ingress(f"{OWN},www.dev.example.com"), True),
    # A namespace the catalog gives no host, or one without the annotation, has none.
    ("", ingress(""), True),
    ("", ingress(OWN), True),
    (None, ingress(OWN), True),
])
def test_an_ingress_names_only_its_namespaces_hosts(platform, hosts, obj, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")[INGRESS_HOSTS_POLICY]
    messages = admitted(policy, TENANT_REQUEST, obj, tenant_namespace(hosts))
    assert bool(messages) == refused, messages


def annotated(annotations: dict[str, str]) -> dict:
    obj = ingress(OWN)
    return {**obj, "metadata": {**obj["metadata"], "annotations": annotations}}


NGINX = "nginx.ingress.kubernetes.io/"


@pytest.mark.parametrize(("annotations", "refused"), [
    # Claims every host no Ingress names (a regular expression), the catch-all included, past the hosts policy;
    # or one host of another service that is not deployed yet.
    ({NGINX + "server-alias": "~.*"}, True),
    ({NGINX + "server-alias": "checkout.dev.example.com"}, True),
    # Make the shared controller, which every tenant admits and goldenpath does not confine, call any address.
    ({NGINX + "auth-url": "http://kubernetes.default.svc/api/v1/namespaces/kube-system/secrets"}, True),
    ({NGINX + "auth-signin": "http://169.254.169.254/latest/"}, True),
    ({NGINX + "mirror-target": "http://prometheus-operated.observability.svc:9090/api/v1/admin/tsdb/delete_series"}, True),
    ({NGINX + "mirror-host": "grafana.observability.svc"}, True),
    # Raw nginx configuration (the controller refuses snippets by default; goldenpath does not rely on it).
    ({NGINX + "configuration-snippet": "proxy_pass http://10.0.0.1;"}, True),
    ({NGINX + "server-snippet": "location / { return 200; }"}, True),
    # A name the pinned controller does not define: refused until the facts are re-read.
    ({NGINX + "some-future-annotation": "x"}, True),
    # Another namespace's Secret or ConfigMap (custom-headers is read cross-namespace whatever the controller's setting).
    ({NGINX + "custom-headers": "observability/grafana-config"}, True),
    ({NGINX + "auth-secret": "payments-checkout/basic-auth"}, True),
    ({NGINX + "auth-tls-secret": "kube-system/ca"}, True),
    ({NGINX + "proxy-ssl-secret": "storefront-web-x/client-cert"}, True),  # a prefix of the namespace is not it
    # What a service needs: Low and Medium annotations, its own Secrets, other controllers' annotations.
    ({NGINX + "rewrite-target": "/$2", NGINX + "use-regex": "true", NGINX + "proxy-body-size": "8m"}, False),
    ({NGINX + "whitelist-source-range": "10.0.0.0/8", NGINX + "limit-whitelist": "10.0.0.0/8"}, False),  # old aliases
    ({NGINX + "auth-type": "basic", NGINX + "auth-secret": "basic-auth"}, False),
    ({NGINX + "auth-tls-secret": "storefront-web/ca", NGINX + "custom-headers": "storefront-web/headers"}, False),
    ({"cert-manager.io/cluster-issuer": "letsencrypt", "external-dns.alpha.kubernetes.io/ttl": "60"}, False),
    ({}, False),
])
def test_an_ingress_carries_no_annotation_that_reaches_past_its_namespace(platform, annotations, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")[INGRESS_ANNOTATIONS_POLICY]
    for request in (TENANT_REQUEST, {**PREVIEW_REQUEST, "namespace": "storefront-web"}):
        messages = admitted(policy, request, annotated(annotations), tenant_namespace(OWN))
        assert bool(messages) is refused, messages
    assert admitted(policy, TENANT_REQUEST, ingress(OWN), tenant_namespace(OWN)) == []  # no annotations at all


def test_a_high_risk_annotation_is_accepted_only_by_name_with_a_reason(tmp_path, bundled_environments):
    """External authentication (oauth2-proxy's auth-url) is the usual reason; the rest stays refused."""
    from goldenpath.stacks.synth import synthesize

    dev = next(e for e in bundled_environments if e.name == "dev")
    reason = "oauth2-proxy in front of staff-only tools"
    accepting = dev.model_copy(update={"tenancy": dev.tenancy.model_copy(
        update={"ingress_annotations_accepted": {"auth-url": reason, "auth-signin": reason}})})
    result = synthesize([accepting], tmp_path / "out", project_root=REPO)
    policy = manifests(stack_json(result, "dev-platform"), "ValidatingAdmissionPolicy")[INGRESS_ANNOTATIONS_POLICY]
    oauth = {NGINX + "auth-url": "https://oauth2.dev.example.com/oauth2/auth",
             NGINX + "auth-signin": "https://oauth2.dev.example.com/oauth2/start"}
    assert admitted(policy, TENANT_REQUEST, annotated(oauth), tenant_namespace(OWN)) == []
    assert admitted(policy, TENANT_REQUEST, annotated({**oauth, NGINX + "server-alias": "~.*"}), tenant_namespace(OWN))
    assert ingress_annotations_line("dev", accepting.tenancy.ingress_annotations_accepted) == (
        "ingress annotations: dev tenants and previews may set ingress-nginx's Low and Medium risk annotations "
        f"(controller-v1.15.1) and, by name: auth-signin (High: {reason}); auth-url (High: {reason})")
    assert ingress_annotations_line("dev", {}).endswith("(controller-v1.15.1) only")
    # The controller those facts come from is retired upstream; validate says so, and when the cluster's version is
    # newer than any its tests covered.
    assert ingress_controller_line("dev", "1.36") == (
        "ingress controller: dev (Kubernetes 1.36): goldenpath's Ingress policies are written for ingress-nginx, retired "
        "upstream in March 2026 (controller-v1.15.1, its newest line's last release: no security fixes since; tested on "
        "Kubernetes 1.31-1.35, not 1.36); plan a maintained controller (docs/tenancy.md)")
    assert "tested on Kubernetes 1.31-1.35);" in ingress_controller_line("dev", "1.35")
    for critical in sorted(ANNOTATIONS_BY_RISK["Critical"]):
        with pytest.raises(ValueError, match="Critical"):
            ingress_annotations_policy({}, (critical,))


def test_the_annotation_facts_are_the_controllers_own():
    """ingress-nginx controller-v1.15.1 declares 136 annotations (two with an older alias) in
    internal/ingress/annotations/*/main.go; the High and Critical ones are the ones the policy refuses."""
    assert sum(len(names) for names in ANNOTATIONS_BY_RISK.values()) == 138
    assert ANNOTATIONS_BY_RISK["Critical"] == {"auth-snippet", "configuration-snippet", "modsecurity-snippet",
                                              "server-snippet", "stream-snippet"}
    assert ANNOTATIONS_BY_RISK["High"] == {"auth-signin", "auth-tls-error-page", "auth-tls-match-cn", "auth-url",
                                          "mirror-host", "mirror-target", "modsecurity-transaction-id", "proxy-ssl-name",
                                          "server-alias", "upstream-hash-by"}
    assert {"whitelist-source-range", "limit-whitelist"} <= ANNOTATIONS_BY_RISK["Medium"] | ANNOTATIONS_BY_RISK["Low"]


@pytest.mark.parametrize(("name", "group", "resource"), [(INGRESS_HOSTS_POLICY, "networking.k8s.io", "ingresses"),
                                                      (INGRESS_ANNOTATIONS_POLICY, "networking.k8s.io", "ingresses"),
                                                      (EXTERNAL_NAME_POLICY, "", "services")])
def test_the_tenant_policies_select_every_namespace_a_tenant_spec_makes(platform, name, group, resource):
    policy = manifests(platform, "ValidatingAdmissionPolicy")[name]
    (binding,) = [b for b in manifests(platform, "ValidatingAdmissionPolicyBinding").values()
                  if b["spec"]["policyName"] == name]
    assert binding["spec"]["validationActions"] == ["Deny"] and policy["spec"]["failurePolicy"] == "Fail"
    selector = policy["spec"]["matchConstraints"]["namespaceSelector"]["matchLabels"]
    namespace = tenant_manifests(TenantSpec(namespace="sbx-1", service_account="s", quota=QuotaTier()))[0]
    assert selector.items() <= namespace["metadata"]["labels"].items()
    assert namespace["metadata"]["annotations"] == {INGRESS_HOSTS_ANNOTATION: ""}  # a sandbox: no host
    (rule,) = policy["spec"]["matchConstraints"]["resourceRules"]
    assert (rule["apiGroups"], rule["resources"], set(rule["operations"])) == ([group], [resource], {"CREATE", "UPDATE"})


# -- a team owner's or a preview chart's Service, as a backend of the shared ingress controller --------------
@pytest.mark.parametrize(("spec", "refused"), [
    # The controller, admitted by every tenant's policy, would forward to another namespace or the API server.
    ({"type": "ExternalName", "externalName": "web.storefront-web.svc.cluster.local"}, True),
    ({"type": "ExternalName", "externalName": "kubernetes.default.svc.cluster.local"}, True),
    ({"type": "ExternalName", "externalName": "10.0.3.7"}, True),  # an IP literal: any pod's address
    ({"type": "ExternalName", "externalName": "db.example.com"}, True),  # its DNS is not the platform's to trust
    ({"type": "ClusterIP", "selector": {"app": "web"}}, False),
    ({"selector": {"app": "web"}}, False),  # type defaults to ClusterIP
    ({"type": "ClusterIP", "clusterIP": "None", "selector": {"app": "web"}}, False),  # headless
])
def test_a_tenant_service_cannot_make_the_ingress_controller_forward_elsewhere(platform, spec, refused):
    policy = manifests(platform, "ValidatingAdmissionPolicy")[EXTERNAL_NAME_POLICY]
    for request in (TENANT_REQUEST, PREVIEW_REQUEST):
        messages = admitted(policy, request, {"metadata": {"name": "web"}, "spec": spec})
        assert bool(messages) is refused, messages
    if refused:
        assert "CVE-2021-25740" in messages[0]


def test_the_tenant_role_writes_no_endpoints():
    """The other half of CVE-2021-25740: a Service without a selector and hand-written Endpoints."""
    for group, resource in (("", "endpoints"), ("discovery.k8s.io", "endpointslices")):
        assert not any(allows(tenant_role_rules(), group, resource, verb) for verb in ("create", "update", "patch"))


# -- a tenant's or a preview's pod asking to outrank others -----------------------------------------------------
# Pods are created by whoever holds the tenant role and, for a Deployment's or a Job's, by kube-system's controllers.
REPLICASET_CONTROLLER_REQUEST = {"userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller",
                                              "groups": ["system:serviceaccounts", "system:authenticated"]},
                                 "namespace": "storefront-web"}
SYSTEM_CLUSTER_CRITICAL, SYSTEM_NODE_CRITICAL = 2_000_000_000, 2_000_001_000


def pod_at(priority: int | None, class_name: str | None = None) -> dict:
    """A pod as validating admission sees it: the Priority plugin has already resolved ``priority`` from its class."""
    spec: dict = {"containers": [{"name": "app", "image": "registry.example.com/app:1"}]}
    if class_name is not None:
        spec["priorityClassName"] = class_name
    if priority is not None:
        spec["priority"] = priority
    return {"metadata": {"name": "web-1"}, "spec": spec}


@pytest.mark.parametrize(("pod", "refused"), [
    (pod_at(None), False),  # scheduled as 0
    (pod_at(0), False),
    (pod_at(-100, "batch-low"), False),
    (pod_at(1, "slightly-higher"), True),
    (pod_at(1_000_000_000, "platform-critical"), True),
    (pod_at(SYSTEM_CLUSTER_CRITICAL, "system-cluster-critical"), True),
    (pod_at(SYSTEM_NODE_CRITICAL, "system-node-critical"), True),
])
def test_a_tenant_pod_cannot_outrank_other_namespaces_pods(platform, pod, refused):
    """A pod above priority 0 would preempt other namespaces' pods (other teams', the observability stack's) and, at
    the system classes, kube-system's: refused in every tenant namespace, whoever creates the pod."""
    policy = manifests(platform, "ValidatingAdmissionPolicy")[POD_PRIORITY_POLICY]
    constraints = policy["spec"]["matchConstraints"]
    assert constraints["namespaceSelector"] == {"matchLabels": {TENANT_NAMESPACE_LABEL: "true"}}
    assert constraints["resourceRules"] == [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                             "resources": ["pods"]}]
    for request in (TENANT_REQUEST, PREVIEW_REQUEST, REPLICASET_CONTROLLER_REQUEST):
        messages = admitted(policy, request, pod)
        assert bool(messages) is refused, (request, messages)
        if refused:
            assert "tenancy.max_pod_priority" in messages[0] and "preempt" in messages[0]


def test_a_raised_ceiling_admits_up_to_it_and_never_the_system_classes():
    policy = pod_priority_policy({}, 1000)[0]
    assert admitted(policy, TENANT_REQUEST, pod_at(1000, "tenant-high")) == []
    assert admitted(policy, TENANT_REQUEST, pod_at(1001, "platform"))
    assert admitted(policy, TENANT_REQUEST, pod_at(SYSTEM_CLUSTER_CRITICAL, "system-cluster-critical"))
    with pytest.raises(ValueError, match="max_pod_priority is 2000000000, expected at most 1000000000"):
        from goldenpath.modules.tenant_role import TenantAccess, TenantAccessProps
        TenantAccess(None, "tenant-access", TenantAccessProps(max_pod_priority=SYSTEM_CLUSTER_CRITICAL))  # type: ignore[arg-type]


def test_the_policy_relies_on_the_priority_the_api_server_resolves():
    """The check reads ``spec.priority``, which the Priority admission plugin fills from the class (mutating, so
    before validating admission) and which a client cannot set otherwise: the fact as the OpenAPI schemas of every
    supported version state it, read from the installed kubernetes-validate."""
    from importlib import resources

    from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS
    from goldenpath.pod_priority import SYSTEM_PRIORITY_CLASSES

    schemas = resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")
    for version in SUPPORTED_KUBERNETES_VERSIONS:
        pod_spec = json.loads(schemas.joinpath(f"v{version}.0-local-strict", "podspec-v1.json").read_text())["properties"]
        assert "integer" in pod_spec["priority"]["type"]
        assert "The admission controller populates this field from PriorityClassName" in pod_spec["priority"]["description"]
        assert "it prevents users from setting this field" in pod_spec["priority"]["description"]
        assert all(f'"{name}"' in pod_spec["priorityClassName"]["description"] for name in SYSTEM_PRIORITY_CLASSES)


def test_a_raised_ceiling_reaches_the_cluster_and_validate_names_it(tmp_path, bundled_environments):
    from goldenpath.pod_priority import pod_priority_line
    from goldenpath.policies.kubernetes_objects import kubernetes_objects, validate_objects
    from goldenpath.stacks.synth import synthesize

    dev = next(e for e in bundled_environments if e.name == "dev")
    raised = dev.model_copy(update={"tenancy": dev.tenancy.model_copy(update={"max_pod_priority": 1000})})
    result = synthesize([raised], tmp_path / "out", project_root=REPO)
    policy = manifests(stack_json(result, "dev-platform"), "ValidatingAdmissionPolicy")[POD_PRIORITY_POLICY]
    assert admitted(policy, TENANT_REQUEST, pod_at(1000, "tenant-high")) == []
    assert admitted(policy, TENANT_REQUEST, pod_at(1001, "platform"))
    objects = [o for o in kubernetes_objects(stack_json(result, "dev-platform"))
               if o.manifest["metadata"]["name"] == POD_PRIORITY_POLICY]
    assert len(objects) == 2 and validate_objects(objects, dev.cluster.kubernetes_version) == []
    assert pod_priority_line("dev", dev.tenancy.max_pod_priority) == (
        "pod priority: dev tenants', previews' and sandboxes' pods run at priority 0 at most "
        "(tenancy.max_pod_priority): they preempt no pod that names no PriorityClass")
    assert pod_priority_line("dev", 1000).endswith("(tenancy.max_pod_priority raised from 0): they may preempt other "
                                                   "namespaces' pods below 1000, the observability stack's included "
                                                   "unless it runs higher")


# -- a tenant's or a preview's ConfigMap posing as a Grafana dashboard --------------------------------------------
def sidecar_loads(grafana_values: dict, grafana_namespace: str, config_map: dict) -> bool:
    """Whether Grafana's dashboards sidecar turns this ConfigMap into dashboard files, as k8s-sidecar 2.5.0 selects
    (facts.GRAFANA_DASHBOARD_SOURCES): the label (and value) it is given, in a namespace of NAMESPACE (its list, "ALL"
    for every namespace, its own when unset)."""
    settings = grafana_values["sidecar"]["dashboards"]
    labels = config_map["metadata"].get("labels", {})
    if settings["label"] not in labels or labels[settings["label"]] != settings.get("labelValue", labels[settings["label"]]):
        return False
    searched = settings.get("searchNamespace")
    searched = [grafana_namespace] if searched is None else ([searched] if isinstance(searched, str) else searched)
    return "ALL" in searched or config_map["metadata"]["namespace"] in searched


def test_a_tenant_configmap_never_becomes_a_dashboard(bundled_synth, platform):
    """A tenant (or a preview chart) may write ConfigMaps in its namespace. With a sidecar searching every namespace,
    one labelled like a dashboard would replace another team's dashboard file (same data key), delete it (deleting the
    ConfigMap), or stop Grafana provisioning (a repeated uid). Tried against the synthesized values: never loaded,
    while every dashboard goldenpath makes, the platform's and each team's, is."""
    from goldenpath.observability.factcheck import helm_releases
    from goldenpath.policies.kubernetes_objects import kubernetes_objects

    assert allows(tenant_role_rules(), "", "configmaps", "create")  # the sidecar's namespace is the only barrier
    (release,) = [r for r in helm_releases(platform).values() if r.chart == "kube-prometheus-stack"]
    grafana = release.values["grafana"]
    forged = {"metadata": {"name": "totally-the-slos", "namespace": "storefront-web",
                           "labels": {"grafana_dashboard": "1"}},
              "data": {"payments-checkout-slos.json": json.dumps({"uid": "slo-payments-checkout", "title": "all green"})}}
    assert not sidecar_loads(grafana, release.namespace, forged)
    assert sidecar_loads({"sidecar": {"dashboards": {**grafana["sidecar"]["dashboards"], "searchNamespace": "ALL"}}},
                         release.namespace, forged)  # the model tells the attack when the sidecar searches everywhere
    ours = [o.manifest for name in ("dev-platform", "dev-tenants-payments", "dev-tenants-storefront")
            for o in kubernetes_objects(stack_json(bundled_synth, name))
            if o.manifest["kind"] == "ConfigMap" and "grafana_dashboard" in o.manifest["metadata"].get("labels", {})]
    assert {m["metadata"]["name"] for m in ours} == {"dashboard-dora", "dashboard-slos", "slo-dashboard-storefront-web"}
    assert all(sidecar_loads(grafana, release.namespace, m) for m in ours)


def test_an_environments_dashboards_repeat_no_file_uid_or_title(bundled_synth):
    from goldenpath.modules.service_observability import dashboard_uid
    from goldenpath.policies.dashboards import dashboard_problems
    from goldenpath.policies.kubernetes_objects import KubernetesObject, kubernetes_objects

    names = ("dev-platform", "dev-tenants-payments", "dev-tenants-storefront")
    objects = {name: kubernetes_objects(stack_json(bundled_synth, name)) for name in names}
    assert dashboard_problems(objects) == []

    def dashboard(namespace: str, key: str, uid: str, title: str) -> KubernetesObject:
        return KubernetesObject(f"kubernetes_config_map_v1.{uid}", {
            "kind": "ConfigMap", "metadata": {"name": uid, "namespace": namespace, "labels": {"grafana_dashboard": "1"}},
            "data": {key: json.dumps({"uid": uid, "title": title})}})

    (slos,) = [o for o in objects["dev-tenants-storefront"] if o.manifest["kind"] == "ConfigMap"
               and o.manifest["metadata"]["name"] == "slo-dashboard-storefront-web"]
    key = next(iter(slos.manifest["data"]))
    for extra, expected in ((dashboard("observability", key, "mine", "mine"), f"dashboard file {key!r} is also"),
                            (dashboard("observability", "x.json", "slo-storefront-web", "x"), "uid 'slo-storefront-web' is also"),
                            (dashboard("observability", "y.json", "y", "goldenpath / SLOs / storefront-web"), "title"),
                            (dashboard("storefront-web", "z.json", "z", "z"), "which Grafana's dashboards sidecar does not search")):
        problems = dashboard_problems({**objects, "dev-zz-extra": [extra]})
        assert [stack for stack, _ in problems] == ["dev-zz-extra"] and expected in problems[0][1], problems
    # Long namespaces sharing a prefix keep uids of their own within Grafana's 40 characters.
    first, second = "payments-checkout-reconciliation-worker-eu", "payments-checkout-reconciliation-worker-us"
    assert dashboard_uid(first) != dashboard_uid(second) and max(len(dashboard_uid(first)), len(dashboard_uid(second))) == 40
    assert dashboard_uid("storefront-web") == "slo-storefront-web"
