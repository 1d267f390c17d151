"""What each CI role may do, as IAM policy documents (pure functions; the `<env>-ci` stack attaches them).

- plan and drift: AWS's ReadOnlyAccess (what `terraform plan` refreshes) minus every data read it would also allow
  (objects outside the environment's own state prefix, items, secrets, messages, log events, parameters other than
  AWS's public ones), plus reading the environment's state. Pull-request plans never reach the cluster: reading Helm
  releases means reading Secrets, so in-cluster stacks are planned after merge (drift reads them with a view-only
  access entry, on the default branch).
- apply: every action of the AWS services the environment's stacks use (derived from their resource types), its
  state read and written, and nothing of the state bucket outside its own prefix.
- preview and reap: the previews' state and records, their buckets and keys (by the preview tag), the cluster's
  description; Kubernetes access comes from an access entry scoped to preview namespaces.
- deploy: describe its cluster; Kubernetes access from an access entry scoped to its namespace.
"""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.errors import SynthError

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
# Data a read-only role must never read, though ReadOnlyAccess allows it: a pull request's code runs with the role.
DATA_READS = (
    "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "kinesis:GetRecords",
    "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartQuery", "secretsmanager:GetSecretValue", "sqs:ReceiveMessage",
)
# AWS resource type prefix -> IAM service prefix, for every type goldenpath's stacks (and their data sources) use.
# A type that is not here stops synth with its name: the apply role must not guess what a resource needs.
SERVICE_OF = {
    "aws_availability_zones": "ec2", "aws_budgets_": "budgets", "aws_caller_identity": "sts",
    "aws_cloudwatch_log_group": "logs", "aws_default_security_group": "ec2", "aws_ebs_": "ec2", "aws_eip": "ec2",
    "aws_eks_": "eks", "aws_flow_log": "ec2", "aws_iam_": "iam", "aws_internet_gateway": "ec2", "aws_kms_": "kms",
    "aws_lambda_": "lambda", "aws_launch_template": "ec2", "aws_nat_gateway": "ec2", "aws_route": "ec2",
    "aws_s3_": "s3", "aws_security_group": "ec2", "aws_sns_": "sns", "aws_ssm_parameter": "ssm", "aws_subnet": "ec2",
    "aws_vpc": "ec2",
}
NOT_IAM = ("kubernetes_", "helm_", "random_", "terraform_", "time_", "null_")
"""Types that call no AWS API of their own (Kubernetes objects go through the cluster's access entries)."""


@dataclass(frozen=True)
class StateAccess:
    bucket: str
    prefix: str
    """``<env>/`` or ``previews/``: the keys the role owns."""
    kms_key: str | None = None
    others: tuple[str, ...] = ()
    """Prefixes of the same bucket that belong to others (other environments, previews, sandboxes): denied."""


def _service(rtype: str) -> str | None:
    if rtype.startswith(NOT_IAM):
        return None
    for prefix, service in SERVICE_OF.items():
        if rtype == prefix or (prefix.endswith("_") and rtype.startswith(prefix)) or rtype.startswith(prefix + "_"):
            return service
    return None if not rtype.startswith("aws_") else ""


def services_of(resource_types: set[str], extra: tuple[str, ...] = (), where: str = "ci.apply_actions") -> list[str]:
    """IAM action patterns for the types (``data.<type>`` for data sources): every action of a service a resource
    uses, only reads of a service only data sources use (``ssm:Get*`` for AMI release parameters), and ``extra``.
    An AWS type goldenpath does not know stops synth, unless ``extra`` (``where``) names what it needs."""
    unknown = sorted(t for t in resource_types if _service(t.removeprefix("data.")) == "")
    if unknown and not extra:
        raise SynthError(f"{where}: resource types {', '.join(unknown)} need IAM actions goldenpath does not know, "
                         "expected them listed there (e.g. dynamodb:*): the apply role gets exactly what its stacks use")
    managed = {s for t in resource_types if not t.startswith("data.") and (s := _service(t))}
    read = {s for t in resource_types if t.startswith("data.") and (s := _service(t.removeprefix("data.")))}
    actions = [f"{s}:*" for s in sorted(managed - {"sts"})]
    actions += [f"{s}:{verb}*" for s in sorted(read - managed - {"sts"}) for verb in ("Describe", "Get", "List")]
    return sorted(set(actions) | set(extra))


def _state_statements(state: StateAccess, write: bool) -> list[Statement]:
    objects = f"arn:aws:s3:::{state.bucket}/{state.prefix}*"
    actions = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject") if write else ("s3:GetObject",)
    statements = [
        Statement(sid="OwnState", actions=actions, resources=(objects,)),
        Statement(sid="ListOwnState", actions=("s3:ListBucket",), resources=(f"arn:aws:s3:::{state.bucket}",),
                  conditions={"StringLike": {"s3:prefix": [f"{state.prefix}*"]}}),
    ]
    if state.kms_key:
        key_actions = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey") if write else ("kms:Decrypt",)
        statements.append(Statement(sid="StateKey", actions=key_actions, resources=(state.kms_key,)))
    if state.others:
        statements.append(Statement(sid="DenyOthersState", effect="Deny", actions=("s3:*",),
                                    resources=tuple(f"arn:aws:s3:::{state.bucket}/{p}*" for p in state.others)))
    return statements


def read_only_document(state: StateAccess) -> str:
    """Inline policy of plan and drift, next to ReadOnlyAccess: the state, and the denies of data reads."""
    return policy_document(
        *_state_statements(state, write=False),
        Statement(sid="DenyObjectsOutsideOwnState", effect="Deny", actions=("s3:GetObject", "s3:GetObjectVersion"),
                  resources=(), not_resources=(f"arn:aws:s3:::{state.bucket}/{state.prefix}*",)),
        Statement(sid="DenyDataReads", effect="Deny", actions=DATA_READS, resources=("*",)),
        Statement(sid="DenyParametersButAwsPublic", effect="Deny", actions=("ssm:GetParameter", "ssm:GetParameters",
                                                                           "ssm:GetParametersByPath"),
                  resources=(), not_resources=("arn:aws:ssm:*::parameter/aws/service/*",)),
    )


def apply_document(actions: list[str], state: StateAccess) -> str:
    if not actions:
        raise SynthError("the apply role got no service: expected the environment's stacks to use at least one")
    return policy_document(Statement(sid="EnvironmentServices", actions=tuple(actions), resources=("*",)),
                           *_state_statements(state, write=True))


def preview_document(state: StateAccess, cluster_arn: str, bucket_prefix: str) -> str:
    """Previews' state and records, their own buckets (named ``<bucket_prefix>*``) and keys (tagged), the cluster."""
    tagged = {"Null": {"aws:ResourceTag/goldenpath:preview": "false"}}
    return policy_document(
        *_state_statements(state, write=True),
        Statement(sid="DescribeCluster", actions=("eks:DescribeCluster",), resources=(cluster_arn,)),
        Statement(sid="PreviewBuckets", actions=("s3:*",), resources=(f"arn:aws:s3:::{bucket_prefix}*", f"arn:aws:s3:::{bucket_prefix}*/*")),
        Statement(sid="CreatePreviewKeys", actions=("kms:CreateKey", "kms:TagResource"), resources=("*",),
                  conditions={"Null": {"aws:RequestTag/goldenpath:preview": "false"}}),
        Statement(sid="PreviewKeys", actions=("kms:*",), resources=("*",), conditions=tagged),
        Statement(sid="PreviewKeyAliases", actions=("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"),
                  resources=(f"arn:aws:kms:*:*:alias/{bucket_prefix}*",)),
        Statement(sid="ReadKeysAndCallerForPolicies", actions=("kms:ListAliases", "iam:GetRole", "sts:GetCallerIdentity"),
                  resources=("*",)),
    )


def deploy_document(cluster_arn: str) -> str:
    return policy_document(Statement(sid="DescribeCluster", actions=("eks:DescribeCluster",), resources=(cluster_arn,)))
