"""A sandbox's spend stop: the topic its budget notifies at the deny threshold, and the function that then stops
the sandbox's running instances and databases (``spend_stop_handler.py``), so that reaching the limit stops
spend and not only new API calls (the budget action's deny-all policy does that part).

Facts used (AWS Cost Management user guide): the topic must be in the budget's account and allow
``budgets.amazonaws.com`` to ``SNS:Publish`` with ``aws:SourceAccount`` and ``aws:SourceArn`` ``arn:aws:budgets::
<account>:*`` (budgets-sns-policy). AWS Budgets' own RUN_SSM_DOCUMENTS action needs the instance ids when the
action is created (SsmActionDefinition.InstanceIds, required), which a sandbox launches later: hence the function.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cdktn import AssetType, TerraformAsset
from cdktn_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy import IamRolePolicy
from cdktn_provider_aws.lambda_function import LambdaFunction, LambdaFunctionEnvironment
from cdktn_provider_aws.lambda_permission import LambdaPermission
from cdktn_provider_aws.sns_topic import SnsTopic
from cdktn_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktn_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from goldenpath.constructs.iam import Statement, policy_document, service_trust
from goldenpath.modules import spend_stop_handler
from goldenpath.modules.sandbox_boundary import PLATFORM_ROLE_PATH

HANDLER_FILE = Path(spend_stop_handler.__file__)
RUNTIME = "python3.12"
LOG_RETENTION_DAYS = 365  # a year, as checkov CKV_AWS_338 asks; a few lines per sandbox


def handler_zip() -> bytes:
    """The function's code as a zip whose bytes depend only on the handler's source (fixed time and mode)."""
    info = zipfile.ZipInfo("spend_stop_handler.py", date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, HANDLER_FILE.read_bytes())
    return buffer.getvalue()


def _zip_file() -> tuple[Path, str]:
    """The zip on disk (content-addressed, so concurrent syntheses agree) and its base64 SHA-256 for Lambda."""
    data = handler_zip()
    digest = hashlib.sha256(data)
    path = Path(tempfile.gettempdir()) / "goldenpath-assets" / f"spend-stop-{digest.hexdigest()[:16]}.zip"
    if not path.exists() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path, base64.b64encode(digest.digest()).decode()


def topic_policy(topic_arn: str, account_id: str) -> str:
    return policy_document(Statement(
        sid="BudgetsPublishOnlyForThisAccount", actions=("SNS:Publish",), resources=(topic_arn,),
        principals={"Service": "budgets.amazonaws.com"},
        conditions={"StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{account_id}:*"}}))


def stopper_permissions(sandbox_id: str, log_group_arn: str) -> str:
    """Find by tag, stop (or terminate a Spot instance) only what carries the sandbox's tag, write its own log."""
    mine = {"StringEquals": {"aws:ResourceTag/sandbox-id": sandbox_id}}
    return policy_document(
        Statement(sid="FindTagged", actions=("ec2:DescribeInstances", "tag:GetResources"), resources=("*",)),
        Statement(sid="StopTaggedInstances", actions=("ec2:StopInstances", "ec2:TerminateInstances"),
                  resources=("arn:aws:ec2:*:*:instance/*",), conditions=mine),
        Statement(sid="StopTaggedDatabases", actions=("rds:StopDBInstance",), resources=("arn:aws:rds:*:*:db:*",), conditions=mine),
        Statement(sid="WriteOwnLog", actions=("logs:CreateLogStream", "logs:PutLogEvents"), resources=(f"{log_group_arn}:*",)),
    )


@dataclass(frozen=True)
class SandboxSpendStopProps:
    sandbox_id: str
    account_id: str
    """The sandbox account (the topic must be in the budget's account)."""
    regions: tuple[str, ...]
    """Where the sandbox may run things: the function looks in each."""
    tags: dict[str, str] | None = None
    """Default: the stack's default tags only."""


class SandboxSpendStop(Construct):
    def __init__(self, scope: Construct, id_: str, props: SandboxSpendStopProps):
        super().__init__(scope, id_)
        name = f"sandbox-{props.sandbox_id}-spend-stop"
        self.topic = SnsTopic(self, "topic", name=name, tags=props.tags)
        SnsTopicPolicy(self, "topic-policy", arn=self.topic.arn, policy=topic_policy(self.topic.arn, props.account_id))
        logs = CloudwatchLogGroup(self, "logs", name=f"/aws/lambda/{name}", retention_in_days=LOG_RETENTION_DAYS, tags=props.tags)
        role = IamRole(self, "role", name=name, path=PLATFORM_ROLE_PATH, assume_role_policy=service_trust("lambda.amazonaws.com"),
                       description=f"Stops what sandbox {props.sandbox_id} runs when its budget reaches the deny threshold",
                       tags=props.tags)
        IamRolePolicy(self, "permissions", role=role.name, name="stop-tagged", policy=stopper_permissions(props.sandbox_id, logs.arn))
        path, sha = _zip_file()
        code = TerraformAsset(self, "code", path=str(path), type=AssetType.FILE)
        self.function = LambdaFunction(
            self, "function", function_name=name, role=role.arn, runtime=RUNTIME, handler="spend_stop_handler.handler",
            filename=code.path, source_code_hash=sha, timeout=120, memory_size=128,
            environment=LambdaFunctionEnvironment(variables={"SANDBOX_ID": props.sandbox_id, "REGIONS": ",".join(props.regions)}),
            depends_on=[logs], tags=props.tags)
        LambdaPermission(self, "invoke", statement_id="FromSpendStopTopic", action="lambda:InvokeFunction",
                         function_name=self.function.function_name, principal="sns.amazonaws.com", source_arn=self.topic.arn)
        SnsTopicSubscription(self, "subscription", topic_arn=self.topic.arn, protocol="lambda", endpoint=self.function.arn)
