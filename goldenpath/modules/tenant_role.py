"""Cluster-wide objects every tenant namespace relies on (created once per cluster, in the platform stack):

* the ClusterRole ``goldenpath-tenant-edit`` that owners are bound to inside their own namespace
  (``goldenpath.tenant_rbac``: Kubernetes' ``edit`` minus NetworkPolicy writes);
* a ValidatingAdmissionPolicy that refuses Services with ``externalIPs`` (CVE-2020-8554: with them, anyone
  who may create a Service can intercept traffic to those addresses from every pod of the cluster; Kubernetes'
  own DenyServiceExternalIPs admission plugin is not something EKS lets a cluster turn on).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktn_provider_kubernetes.cluster_role_v1 import ClusterRoleV1, ClusterRoleV1Metadata, ClusterRoleV1Rule
from cdktn_provider_kubernetes.manifest import Manifest
from constructs import Construct

from goldenpath.tenant_rbac import TENANT_ROLE, tenant_role_rules

EXTERNAL_IPS_POLICY = "goldenpath-no-external-ips"
NO_EXTERNAL_IPS = "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0"


@dataclass(frozen=True)
class TenantAccessProps:
    role_name: str = TENANT_ROLE
    """Name of the ClusterRole. Default: goldenpath-tenant-edit."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels on every object. Default: none."""


def external_ips_policy(labels: dict[str, str]) -> list[dict]:
    """The admission policy and its binding (Deny), as Kubernetes objects."""
    return [
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
         "metadata": {"name": EXTERNAL_IPS_POLICY, "labels": dict(labels)},
         "spec": {"failurePolicy": "Fail",
                  "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                                          "operations": ["CREATE", "UPDATE"], "resources": ["services"]}]},
                  "validations": [{"expression": NO_EXTERNAL_IPS,
                                   "message": "Services may not set externalIPs on this cluster (CVE-2020-8554)"}]}},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
         "metadata": {"name": EXTERNAL_IPS_POLICY, "labels": dict(labels)},
         "spec": {"policyName": EXTERNAL_IPS_POLICY, "validationActions": ["Deny"]}},
    ]


class TenantAccess(Construct):
    def __init__(self, scope: Construct, id_: str, props: TenantAccessProps = TenantAccessProps()):
        super().__init__(scope, id_)
        self.role = ClusterRoleV1(
            self, "role", metadata=ClusterRoleV1Metadata(name=props.role_name, labels=dict(props.labels)),
            rule=[ClusterRoleV1Rule(api_groups=r["apiGroups"], resources=r["resources"], verbs=r["verbs"])
                  for r in tenant_role_rules()])
        policy, binding = external_ips_policy(props.labels)
        created = Manifest(self, "external-ips-policy", manifest=policy)
        Manifest(self, "external-ips-binding", manifest=binding, depends_on=[created])
