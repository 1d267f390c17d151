"""Cluster-wide objects every tenant namespace relies on (created once per cluster, in the platform stack):

* the ClusterRole ``goldenpath-tenant-edit`` that owners are bound to inside their own namespace
  (``goldenpath.tenant_rbac``: Kubernetes' ``edit`` minus NetworkPolicy and Event writes);
* a ValidatingAdmissionPolicy that refuses Services with ``externalIPs`` (CVE-2020-8554: with them, anyone
  who may create a Service can intercept traffic to those addresses from every pod of the cluster; Kubernetes'
  own DenyServiceExternalIPs admission plugin is not something EKS lets a cluster turn on);
* a ValidatingAdmissionPolicy that lets an Ingress in a tenant namespace (catalog service, preview, sandbox:
  every namespace made from a ``TenantSpec`` carries ``goldenpath.dev/tenant-namespace``) name only the hosts its
  namespace's ``goldenpath.dev/ingress-hosts`` annotation lists, in every rule and TLS entry, with no default
  backend. The ingress controller is shared and merges the rules of every Ingress naming a host (ingress-nginx
  docs, "Ingress-nginx merges rules of Ingresses with the same host"), so without it one team could take a path of
  another's host, or every host (a rule without one is the catch-all server). The annotation comes from the
  catalog (``hosts`` per environment, one owner per host); tenants cannot write namespaces, so they cannot change it.
  The membership test is standard CEL (``contains`` on ``,<hosts>,``): the namespace's annotation is a plain string;
* a ValidatingAdmissionPolicy that refuses Services of type ``ExternalName`` in tenant namespaces. The shared
  ingress controller, which every tenant's NetworkPolicy admits, proxies an Ingress backend of that type to
  whatever the name (or an IP literal) points at: another namespace's Service, the API server. That is the
  Ingress half of the Kubernetes advisory for CVE-2021-25740 (kubernetes/kubernetes#103675: "A similar attack is
  possible using Ingress implementations that support forwarding to ExternalName Services"). ingress-nginx does
  unless started with ``--disable-svc-external-name`` (default false): an IP literal or any DNS-1123 name becomes the
  upstream, only loopback is refused (kubernetes/ingress-nginx internal/ingress/controller/endpointslices.go and
  controller.go, pkg/flags/flags.go, tag controller-v1.15.1). goldenpath does not install the controller, so the
  policy does not rely on that flag. The Endpoints half needs no policy: ``edit``, and so the tenant role, has not
  written Endpoints or EndpointSlices since Kubernetes 1.22;
* a ValidatingAdmissionPolicy that lets an Ingress in a tenant namespace carry only the ingress-nginx annotations
  of Low or Medium risk (and those the environment accepts by name), each Secret or ConfigMap they name in its own
  namespace: ``server-alias`` would claim hosts past the hosts policy, ``auth-url`` or ``mirror-target`` would make
  the controller call any address (facts and reasons: ``goldenpath.ingress_nginx``);
* a ValidatingAdmissionPolicy that refuses a pod in a tenant namespace whose priority, as the Priority admission
  plugin resolved it from its PriorityClass, is above ``tenancy.max_pod_priority`` (default 0): otherwise it could
  preempt other namespaces' pods, kube-system's included (facts and reasons: ``goldenpath.pod_priority``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from cdktn_provider_kubernetes.cluster_role_v1 import ClusterRoleV1, ClusterRoleV1Metadata, ClusterRoleV1Rule
from cdktn_provider_kubernetes.manifest import Manifest
from constructs import Construct

from goldenpath.ingress_nginx import ANNOTATION_PREFIX, INGRESS_NGINX_TAG, NAMESPACED_REFERENCES, accepted_annotations
from goldenpath.labels import INGRESS_HOSTS_ANNOTATION, TENANT_NAMESPACE_LABEL
from goldenpath.pod_priority import PRIORITY_WITHOUT_A_CLASS, ceiling_problem
from goldenpath.tenant_rbac import TENANT_ROLE, tenant_role_rules

EXTERNAL_IPS_POLICY = "goldenpath-no-external-ips"
NO_EXTERNAL_IPS = "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0"


@dataclass(frozen=True)
class TenantAccessProps:
    role_name: str = TENANT_ROLE
    """Name of the ClusterRole. Default: goldenpath-tenant-edit."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels on every object. Default: none."""
    ingress_annotations_accepted: tuple[str, ...] = ()
    """High-risk ingress-nginx annotations (names without the prefix) tenants' Ingresses may carry besides the Low
    and Medium ones. Default: none. A Critical or unknown name is refused."""
    max_pod_priority: int = PRIORITY_WITHOUT_A_CLASS
    """Highest priority a pod in a tenant namespace may run at. Default: 0, what a pod naming no PriorityClass gets
    on a cluster without a global default class."""


def _denying(name: str, labels: dict[str, str], resource_rule: dict, validations: list[dict], *,
             tenant_namespaces_only: bool = False, variables: list[dict] | None = None) -> list[dict]:
    """A ValidatingAdmissionPolicy (failurePolicy Fail) with its validations, and its binding (Deny)."""
    constraints: dict = {"namespaceSelector": {"matchLabels": {TENANT_NAMESPACE_LABEL: "true"}}} if tenant_namespaces_only else {}
    spec: dict = {"failurePolicy": "Fail", "matchConstraints": {**constraints, "resourceRules": [resource_rule]}}
    if variables:
        spec["variables"] = variables
    spec["validations"] = list(validations)
    return [
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
         "metadata": {"name": name, "labels": dict(labels)}, "spec": spec},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
         "metadata": {"name": name, "labels": dict(labels)},
         "spec": {"policyName": name, "validationActions": ["Deny"]}},
    ]


def _writes(group: str, resource: str, operations: tuple[str, ...] = ("CREATE", "UPDATE")) -> dict:
    return {"apiGroups": [group], "apiVersions": ["v1"], "operations": list(operations), "resources": [resource]}


def external_ips_policy(labels: dict[str, str]) -> list[dict]:
    """The admission policy and its binding (Deny), as Kubernetes objects."""
    return _denying(EXTERNAL_IPS_POLICY, labels, _writes("", "services"),
                    [{"expression": NO_EXTERNAL_IPS, "message": "Services may not set externalIPs on this cluster (CVE-2020-8554)"}])


INGRESS_HOSTS_POLICY = "goldenpath-tenant-ingress-hosts"
# The namespace's hosts, fenced by commas, so that ``contains(',' + host + ',')`` is exact membership (a DNS name
# has no comma); a namespace without the annotation has none.
NAMESPACE_HOSTS = (f"',' + (has(namespaceObject.metadata.annotations) && '{INGRESS_HOSTS_ANNOTATION}' in "
                   f"namespaceObject.metadata.annotations ? namespaceObject.metadata.annotations['{INGRESS_HOSTS_ANNOTATION}'] "
                   ": '') + ','")


def _listed(host: str) -> str:
    # The API server refuses a host with a comma before admission (a DNS-1123 subdomain); refused here too.
    return f"{host} != '' && !{host}.contains(',') && variables.hosts.contains(',' + {host} + ',')"


def ingress_names_only(allowed: Callable[[str], str]) -> str:
    """CEL: the Ingress has no default backend, and every rule's host and every TLS entry's host is one for which
    ``allowed(<CEL of the host>)`` holds (a rule or TLS entry without a host fails)."""
    return ("!has(object.spec.defaultBackend) && "
            f"(!has(object.spec.rules) || object.spec.rules.all(r, has(r.host) && {allowed('r.host')})) && "
            f"(!has(object.spec.tls) || object.spec.tls.all(t, has(t.hosts) && t.hosts.all(h, {allowed('h')})))")


NAMESPACE_HOSTS_ONLY = ingress_names_only(_listed)


def ingress_hosts_policy(labels: dict[str, str]) -> list[dict]:
    """The admission policy and its binding (Deny): a tenant namespace's Ingresses name only its own hosts."""
    return _denying(INGRESS_HOSTS_POLICY, labels, _writes("networking.k8s.io", "ingresses"),
                    [{"expression": NAMESPACE_HOSTS_ONLY,
                      "message": f"an Ingress in a tenant namespace may name only the hosts its namespace's "
                                 f"{INGRESS_HOSTS_ANNOTATION} annotation lists (hosts: in the team's catalog "
                                 "file), in every rule and TLS entry, and no default backend"}],
                    tenant_namespaces_only=True, variables=[{"name": "hosts", "expression": NAMESPACE_HOSTS}])


EXTERNAL_NAME_POLICY = "goldenpath-tenant-no-external-name"
NO_EXTERNAL_NAME = "!has(object.spec.type) || object.spec.type != 'ExternalName'"


def external_name_policy(labels: dict[str, str]) -> list[dict]:
    """The admission policy and its binding (Deny): no Service of type ExternalName in a tenant namespace."""
    return _denying(EXTERNAL_NAME_POLICY, labels, _writes("", "services"),
                    [{"expression": NO_EXTERNAL_NAME,
                      "message": "a Service in a tenant namespace may not be of type ExternalName: the shared ingress "
                                 "controller would forward to whatever it names (CVE-2021-25740); give the application "
                                 "the external host name in its configuration"}],
                    tenant_namespaces_only=True)


INGRESS_ANNOTATIONS_POLICY = "goldenpath-tenant-ingress-annotations"
_ANNOTATIONS = "object.metadata.annotations"


def _every_annotation(condition: str) -> str:
    return f"!has({_ANNOTATIONS}) || {_ANNOTATIONS}.all(k, {condition})"


ONLY_ACCEPTED_ANNOTATIONS = _every_annotation(f"!k.startsWith('{ANNOTATION_PREFIX}') || k in variables.accepted")
OWN_NAMESPACE_REFERENCES = _every_annotation(
    "!(k in [" + ", ".join(f"'{ANNOTATION_PREFIX}{name}'" for name in NAMESPACED_REFERENCES) + "]) || "
    f"!{_ANNOTATIONS}[k].contains('/') || {_ANNOTATIONS}[k].startsWith(request.namespace + '/')")


def ingress_annotations_policy(labels: dict[str, str], accepted_by_name: tuple[str, ...] = ()) -> list[dict]:
    """The admission policy and its binding (Deny): a tenant namespace's Ingresses carry only accepted ingress-nginx
    annotations, and those naming a Secret or ConfigMap name one of their own namespace."""
    accepted = "[" + ", ".join(f"'{key}'" for key in accepted_annotations(accepted_by_name)) + "]"
    return _denying(INGRESS_ANNOTATIONS_POLICY, labels, _writes("networking.k8s.io", "ingresses"), [
        {"expression": ONLY_ACCEPTED_ANNOTATIONS,
         "message": f"an Ingress in a tenant namespace may carry only the {ANNOTATION_PREFIX} annotations ingress-nginx "
                    f"{INGRESS_NGINX_TAG} rates Low or Medium risk, and those tenancy.ingress_annotations_accepted names: "
                    "server-alias would claim other hosts, auth-url, auth-signin, mirror-target and mirror-host make the "
                    "shared controller call any address, snippets are raw nginx configuration"},
        {"expression": OWN_NAMESPACE_REFERENCES,
         "message": "an ingress-nginx annotation of an Ingress in a tenant namespace may name a Secret or ConfigMap of "
                    "that namespace only (name, or <namespace>/name)"},
    ], tenant_namespaces_only=True, variables=[{"name": "accepted", "expression": accepted}])


POD_PRIORITY_POLICY = "goldenpath-tenant-pod-priority"


def at_most_priority(ceiling: int) -> str:
    """CEL: the pod's resolved priority is at most ``ceiling`` (a pod without one is scheduled as 0)."""
    return f"!has(object.spec.priority) || object.spec.priority <= {ceiling}"


def pod_priority_policy(labels: dict[str, str], ceiling: int) -> list[dict]:
    """The admission policy and its binding (Deny): a pod in a tenant namespace runs at ``ceiling`` at most. Only
    CREATE: a pod's priority cannot change afterwards."""
    return _denying(POD_PRIORITY_POLICY, labels, _writes("", "pods", ("CREATE",)),
                    [{"expression": at_most_priority(ceiling),
                      "message": f"a pod in a tenant namespace may run at priority {ceiling} at most "
                                 "(tenancy.max_pod_priority): its priorityClassName (or the cluster's global default "
                                 "class) gives it more, with which it would preempt other namespaces' pods; name no "
                                 "priorityClassName, or one whose value is within the limit"}],
                    tenant_namespaces_only=True)


class TenantAccess(Construct):
    def __init__(self, scope: Construct, id_: str, props: TenantAccessProps = TenantAccessProps()):
        problem = ceiling_problem(props.max_pod_priority)
        if problem is not None:
            raise ValueError(f"TenantAccess {id_}: max_pod_priority is {props.max_pod_priority}, expected {problem}")
        super().__init__(scope, id_)
        self.role = ClusterRoleV1(
            self, "role", metadata=ClusterRoleV1Metadata(name=props.role_name, labels=dict(props.labels)),
            rule=[ClusterRoleV1Rule(api_groups=r["apiGroups"], resources=r["resources"], verbs=r["verbs"])
                  for r in tenant_role_rules()])
        # Construct ids are API: <name>-policy and <name>-binding.
        for name, (policy, binding) in (("external-ips", external_ips_policy(props.labels)),
                                        ("ingress-hosts", ingress_hosts_policy(props.labels)),
                                        ("external-name", external_name_policy(props.labels)),
                                        ("ingress-annotations", ingress_annotations_policy(
                                            props.labels, props.ingress_annotations_accepted)),
                                        ("pod-priority", pod_priority_policy(props.labels, props.max_pod_priority))):
            created = Manifest(self, f"{name}-policy", manifest=policy)
            Manifest(self, f"{name}-binding", manifest=binding, depends_on=[created])
