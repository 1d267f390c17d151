"""A tenant namespace rendered with CDK Terrain: exactly the objects of ``tenant_manifests(spec)``,
one typed kubernetes-provider resource each, plus the AWS side of cloud access (the service's own
encrypted bucket, a role granted it, and the EKS Pod Identity association).

Construct ids are the objects' kinds and names, so adding an object never renames another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from cdktn_provider_aws.eks_pod_identity_association import EksPodIdentityAssociation
from cdktn_provider_kubernetes.limit_range_v1 import LimitRangeV1, LimitRangeV1Spec, LimitRangeV1SpecLimit
from cdktn_provider_kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata
from cdktn_provider_kubernetes.resource_quota_v1 import ResourceQuotaV1
from cdktn_provider_kubernetes.role_binding_v1 import RoleBindingV1, RoleBindingV1RoleRef, RoleBindingV1Subject
from cdktn_provider_kubernetes.service_account_v1 import ServiceAccountV1
from cdktn import TerraformResource
from constructs import Construct

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.bucket import EncryptedBucket, EncryptedBucketProps
from goldenpath.constructs.iam import PodIdentityTrust, WorkloadRole, WorkloadRoleProps
from goldenpath.constructs.kms import KmsKey, KmsKeyLookup
from goldenpath.constructs.naming import Naming
from goldenpath.constructs.network_policy import network_policy
from goldenpath.tenancy.spec import TenantSpec, edit_bindings, role_binding, tenant_manifests


@dataclass(frozen=True)
class NamespaceWriter:
    """The Kubernetes user that writes the namespace's objects, bound in it before anything else is written there."""

    user: str
    cluster_role: str
    """Bound by a RoleBinding of the same name in the namespace."""


@dataclass(frozen=True)
class TenantNamespaceProps:
    """Props of :class:`TenantNamespace`."""

    spec: TenantSpec
    cluster_name: str | None = None
    """The EKS cluster, for the Pod Identity association. Required when the spec has cloud access."""
    target: AwsTarget | None = None
    """Account and region of the cloud-access bucket. Required when the spec has cloud access."""
    naming: Naming | None = None
    """Names of the bucket and role. Default: Naming(<namespace>)."""
    encryption_key: KmsKey | KmsKeyLookup | None = None
    """Key of the cloud-access bucket. Default: a new KmsKey with rotation for this bucket."""
    writer: NamespaceWriter | None = None
    """An identity whose access to the namespace comes from a RoleBinding in it (a preview session's): written
    right after the namespace, and every other object waits for it. Default: none (the writer's access comes from
    elsewhere)."""


class TenantNamespace(Construct):
    """A tenant namespace (see ``goldenpath.tenancy.spec``) and, with cloud access, its AWS side."""

    def __init__(self, scope: Construct, id_: str, props: TenantNamespaceProps):
        super().__init__(scope, id_)
        spec = self.spec = props.spec
        if spec.pod_identity is not None and (props.cluster_name is None or props.target is None):
            raise ValueError(f"TenantNamespace {id_!r}: namespace {spec.namespace!r} has cloud access; "
                             "expected cluster_name and target in its props")
        namespace_manifest, *objects = tenant_manifests(spec)  # the namespace comes first
        self.namespace = self._render(namespace_manifest, None)
        self.resources: list[TerraformResource] = [self.namespace]
        self._first = self.namespace  # what every other object of the namespace waits for
        if props.writer is not None:
            subject = {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": props.writer.user}
            self._first = self._render(
                role_binding(spec, props.writer.cluster_role, props.writer.cluster_role, [subject]), self.namespace)
            self.resources.append(self._first)
        self.resources += [self._render(manifest, self._first) for manifest in objects]
        if spec.pod_identity is not None:
            self._cloud_access(props)

    def grant_edit(self, group: str, prefix: str) -> list[TerraformResource]:
        """Bind a Kubernetes group to the spec's edit role and ``view`` in this namespace only (RoleBindings
        ``<prefix>-edit`` and ``<prefix>-view``), as the owners are bound: for a deploy identity, for example."""
        subjects = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}]
        bindings = [self._render(manifest, self._first) for manifest in edit_bindings(self.spec, prefix, subjects)]
        self.resources += bindings
        return bindings

    def _render(self, manifest: dict, namespace: TerraformResource | None) -> TerraformResource:
        kind, meta = manifest["kind"], manifest["metadata"]
        after: list[Any] | None = [namespace] if namespace is not None else None
        if kind == "Namespace":
            return NamespaceV1(self, "namespace", metadata=[NamespaceV1Metadata(
                name=meta["name"], labels=meta["labels"], annotations=meta["annotations"])])
        if kind == "ResourceQuota":
            return ResourceQuotaV1(self, "quota", metadata=meta, spec={"hard": manifest["spec"]["hard"]}, depends_on=after)
        if kind == "LimitRange":
            # Nested blocks use the binding's classes: plain dicts below the top level lose their keys.
            limits = [LimitRangeV1SpecLimit(type=item["type"], default=item["default"], default_request=item["defaultRequest"])
                      for item in manifest["spec"]["limits"]]
            return LimitRangeV1(self, "limits", metadata=meta, spec=LimitRangeV1Spec(limit=limits), depends_on=after)
        if kind == "NetworkPolicy":
            return network_policy(self, f"policy-{meta['name']}", manifest, depends_on=after)
        if kind == "ServiceAccount":
            return ServiceAccountV1(self, "service-account", metadata=meta,
                                    automount_service_account_token=manifest["automountServiceAccountToken"], depends_on=after)
        if kind == "RoleBinding":
            ref = manifest["roleRef"]
            return RoleBindingV1(
                self, f"role-binding-{meta['name']}", metadata=meta,
                role_ref=RoleBindingV1RoleRef(api_group=ref["apiGroup"], kind=ref["kind"], name=ref["name"]),
                subject=[RoleBindingV1Subject(api_group=s["apiGroup"], kind=s["kind"], name=s["name"]) for s in manifest["subjects"]],
                depends_on=after,
            )
        raise ValueError(f"TenantNamespace: no renderer for kind {kind!r}")

    def _cloud_access(self, props: TenantNamespaceProps) -> None:
        spec, identity = props.spec, props.spec.pod_identity
        assert identity is not None and props.target is not None and props.cluster_name is not None
        naming = props.naming or Naming(spec.namespace)
        self.bucket = EncryptedBucket(self, "bucket", EncryptedBucketProps(
            target=props.target, naming=naming, purpose="data", encryption_key=props.encryption_key))
        trust = PodIdentityTrust.of(props.target, props.cluster_name, spec.namespace, identity.service_account)
        self.role = WorkloadRole(self, "role", WorkloadRoleProps(naming=naming, name="workload", trust=trust))
        if identity.bucket_access == "read_write":
            self.bucket.grant_read_write(self.role)
        else:
            self.bucket.grant_read(self.role)
        EksPodIdentityAssociation(self, "pod-identity", cluster_name=props.cluster_name, namespace=spec.namespace,
                                  service_account=identity.service_account, role_arn=self.role.arn)
