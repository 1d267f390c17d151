"""IAM helpers: JSON policy documents, and roles for workloads on EKS (Pod Identity or IRSA)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy import IamRolePolicy
from cdktn_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
import jsii
from constructs import Construct, IValidation

from goldenpath.constructs.naming import Naming, NameKind

if TYPE_CHECKING:
    from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.errors import SynthError


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement. ``resources`` may hold Terraform tokens (e.g. ``key.arn``)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()
    effect: str = "Allow"
    principals: dict[str, Any] | str | None = None
    """``{"AWS": ...}``, ``{"Service": ...}``, or ``"*"`` (resource policies such as an endpoint's)."""
    conditions: dict[str, dict[str, Any]] | None = None
    sid: str | None = None
    not_actions: tuple[str, ...] = ()
    """Every action but these (``NotAction``); use instead of ``actions``. Default: none."""
    not_resources: tuple[str, ...] = ()
    """Every resource but these (``NotResource``); use instead of ``resources``. Default: none."""

    def render(self) -> dict[str, Any]:
        if bool(self.actions) == bool(self.not_actions):
            raise SynthError(f"statement {self.sid or ''}: expected actions or not_actions, exactly one of them")
        body: dict[str, Any] = ({"Effect": self.effect, "Action": list(self.actions)} if self.actions
                                else {"Effect": self.effect, "NotAction": list(self.not_actions)})
        if self.sid:
            body["Sid"] = self.sid
        if self.principals is not None:
            body["Principal"] = self.principals
        if self.resources and self.not_resources:
            raise SynthError(f"statement {self.sid or ''}: expected resources or not_resources, not both")
        if self.resources:
            body["Resource"] = list(self.resources) if len(self.resources) > 1 else self.resources[0]
        if self.not_resources:
            body["NotResource"] = list(self.not_resources) if len(self.not_resources) > 1 else self.not_resources[0]
        if self.conditions:
            body["Condition"] = self.conditions
        return body


def policy_document(*statements: Statement) -> str:
    """A byte-stable JSON policy document."""
    if not statements:
        raise SynthError("an IAM policy document needs at least one statement")
    return json.dumps({"Version": "2012-10-17", "Statement": [s.render() for s in statements]}, sort_keys=True)


def service_trust(*services: str, tag_session: bool = False) -> str:
    """Trust policy letting AWS services (e.g. ``eks.amazonaws.com``) assume a role."""
    actions = ("sts:AssumeRole", "sts:TagSession") if tag_session else ("sts:AssumeRole",)
    return policy_document(Statement(actions=actions, principals={"Service": sorted(services)}))


def source_bound_trust(service: str, account_id: str, source_arn_pattern: str) -> str:
    """Trust letting an AWS service assume a role only on behalf of the account's own resources: the
    confused-deputy conditions ``aws:SourceAccount`` and ``aws:SourceArn`` (ArnLike, so the resource id
    may be a wildcard). For VPC flow logs this is what the Amazon VPC user guide recommends
    ("IAM role for publishing flow logs to CloudWatch Logs", docs.aws.amazon.com/vpc/latest/userguide/
    flow-logs-iam-role.html: source ARN ``arn:aws:ec2:region:account_id:vpc-flow-log/flow-log-id``)."""
    return policy_document(Statement(
        actions=("sts:AssumeRole",), principals={"Service": [service]},
        conditions={"StringEquals": {"aws:SourceAccount": account_id}, "ArnLike": {"aws:SourceArn": source_arn_pattern}},
    ))


@dataclass(frozen=True)
class PodIdentityTrust:
    """Trust for EKS Pod Identity, conditioned on the one cluster, namespace and service account whose
    pod identity association may use the role.

    EKS Pod Identity adds the session tags ``eks-cluster-arn``, ``eks-cluster-name``, ``kubernetes-namespace``
    and ``kubernetes-service-account`` (among others) to its ``AssumeRole`` request, and the trust policy
    may condition on them (EKS user guide, awsdocs/amazon-eks-user-guide
    latest/ug/manage-access/aws-access/pod-id-abac.adoc @ f73db2f, "List of session tags added by EKS
    Pod Identity"; pod-id-role.adoc @ a168ae8). Without the conditions, anyone allowed to create pod
    identity associations and pass the role could bind it to any service account in any cluster. The
    cluster is named by its ARN: a name repeats across regions and accounts, an ARN does not.
    """

    cluster_arn: str
    namespace: str
    service_account: str

    @classmethod
    def of(cls, target: AwsTarget, cluster_name: str, namespace: str, service_account: str) -> PodIdentityTrust:
        """The trust for ``cluster_name`` in the target's account and region."""
        return cls(target.arn("eks", f"cluster/{cluster_name}"), namespace, service_account)

    def document(self) -> str:
        return policy_document(Statement(
            actions=("sts:AssumeRole", "sts:TagSession"),
            principals={"Service": ["pods.eks.amazonaws.com"]},
            conditions={"StringEquals": {
                "aws:RequestTag/eks-cluster-arn": self.cluster_arn,
                "aws:RequestTag/kubernetes-namespace": self.namespace,
                "aws:RequestTag/kubernetes-service-account": self.service_account,
            }},
        ))


@dataclass(frozen=True)
class IrsaTrust:
    """Trust for IAM Roles for Service Accounts through the cluster's OIDC provider.

    ``oidc_provider_arn`` and ``oidc_issuer`` (host and path, without ``https://``) come from
    the cluster's IAM OIDC provider; only ``namespace/service_account`` may assume the role.
    """

    oidc_provider_arn: str
    oidc_issuer: str
    namespace: str
    service_account: str

    def document(self) -> str:
        issuer = self.oidc_issuer.removeprefix("https://")
        return policy_document(
            Statement(
                actions=("sts:AssumeRoleWithWebIdentity",),
                principals={"Federated": self.oidc_provider_arn},
                conditions={
                    "StringEquals": {
                        f"{issuer}:aud": "sts.amazonaws.com",
                        f"{issuer}:sub": f"system:serviceaccount:{self.namespace}:{self.service_account}",
                    }
                },
            )
        )


@dataclass(frozen=True)
class WorkloadRoleProps:
    """Props of :class:`WorkloadRole`."""

    naming: Naming
    name: str
    """Readable role name part; made length-safe by ``naming``."""
    trust: PodIdentityTrust | IrsaTrust | str
    """Who may assume the role: Pod Identity, IRSA, or a trust policy JSON document."""
    managed_policy_arns: tuple[str, ...] = ()
    """AWS managed policies to attach. Default: none."""
    statements: tuple[Statement, ...] = ()
    """Inline least-privilege statements. Default: none; add more with ``add_to_policy`` or a
    grant (``bucket.grant_read(role)``). A role must end up with at least one permission."""
    max_session_duration: int = 3600
    """Seconds. Default: one hour."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags; the mandatory tags come from the tagging aspect. Default: none."""


class WorkloadRole(Construct):
    """An IAM role with a trust policy, managed policies and one inline least-privilege policy."""

    def __init__(self, scope: Construct, id_: str, props: WorkloadRoleProps):
        super().__init__(scope, id_)
        if not 900 <= props.max_session_duration <= 43200:
            raise SynthError(
                f"WorkloadRole {id_!r}: max_session_duration got {props.max_session_duration}, "
                "expected 900 to 43200 seconds"
            )
        trust = props.trust if isinstance(props.trust, str) else props.trust.document()
        self.role = IamRole(
            self,
            "role",
            name=props.naming.name(props.name, kind=NameKind.IAM_ROLE),
            assume_role_policy=trust,
            max_session_duration=props.max_session_duration,
            tags=dict(props.tags) or None,
        )
        self.attachments: list[IamRolePolicyAttachment] = []
        for arn in props.managed_policy_arns:
            # The id is the policy's name, not its position: reordering must not replace anything.
            policy_name = arn.rsplit("/", 1)[-1]
            self.attachments.append(
                IamRolePolicyAttachment(self, f"managed-{policy_name}", role=self.role.name, policy_arn=arn)
            )
        self._props = props
        self._statements: list[Statement] = []
        self.inline: IamRolePolicy | None = None
        if props.statements:
            self.add_to_policy(*props.statements)
        # Checked at synth, after grants had their chance: a role that can do nothing is a mistake.
        self.node.add_validation(_HasPermissions(self))

    def add_to_policy(self, *statements: Statement) -> None:
        """Add statements to the role's one inline policy (grants call this)."""
        self._statements += [s for s in statements if s not in self._statements]
        document = policy_document(*self._statements)
        if self.inline is None:
            self.inline = IamRolePolicy(
                self, "inline", name=self._props.naming.name(self._props.name, "inline", kind=NameKind.IAM_POLICY),
                role=self.role.id, policy=document,
            )
        else:
            self.inline.policy = document

    @property
    def has_permissions(self) -> bool:
        return bool(self._props.managed_policy_arns or self._statements)

    @property
    def arn(self) -> str:
        return self.role.arn

    @property
    def name(self) -> str:
        return self.role.name


@jsii.implements(IValidation)
class _HasPermissions:
    def __init__(self, role: WorkloadRole):
        self._role = role

    def validate(self) -> list[str]:
        if self._role.has_permissions:
            return []
        return [f"WorkloadRole {self._role.node.id!r}: got no managed_policy_arns, statements or grants, "
                "expected at least one permission (a role that can do nothing is a mistake)"]
