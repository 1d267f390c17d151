"""The base of every goldenpath stack: AWS provider, S3 state backend, version pins, tags."""

from __future__ import annotations

from dataclasses import dataclass

from cdktn import DataTerraformRemoteStateS3, S3Backend, S3BackendEndpointConfig, TerraformStack
from cdktn_provider_aws.provider import AwsProvider, AwsProviderAssumeRole, AwsProviderEndpoints
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.naming import Naming
from goldenpath.constructs.tagging import MandatoryTags
from goldenpath.stacks.layout import COMPONENTS, StackLayout
from goldenpath.stacks.target import EMULATED_SERVICES, EmulatorEndpoint

# Output must stay valid on hashicorp/aws 5.100 (what many teams run) and on 6.x.
AWS_PROVIDER_CONSTRAINT = ">= 5.100, < 7.0"
# S3 native state locking (use_lockfile) needs Terraform/OpenTofu 1.10; write-only attributes (secrets kept out
# of the state) need 1.11.
REQUIRED_TERRAFORM = ">= 1.11"


def _backend_settings(layout: StackLayout, key: str, emulator: EmulatorEndpoint | None) -> dict:
    settings: dict = {"bucket": layout.bucket, "key": key, "region": layout.region, "encrypt": True}
    if layout.kms_key:
        settings["kms_key_id"] = layout.kms_key
    if emulator:
        settings.update(
            endpoints=S3BackendEndpointConfig(s3=emulator.url, sts=emulator.url, iam=emulator.url),
            use_path_style=True,
            skip_credentials_validation=True,
            skip_metadata_api_check=True,
            skip_requesting_account_id=True,
            skip_region_validation=True,
        )
    return settings


@dataclass(frozen=True)
class AccountAccess:
    """Resources of a stack that live in another account than its environment's (the sandbox account), reached
    by assuming ``role_arn`` there; the state stays in the environment's bucket, with the caller's credentials."""

    account_id: str
    role_arn: str
    session_name: str


def pipeline_applier(environment: Environment, layout: StackLayout) -> str | None:
    """The role that applies this stack when the environment has a delivery pipeline (its ``ci`` section) and the
    stack is one of the environment's own (not a preview's or a sandbox's, which their own roles apply)."""
    if environment.ci is None or layout.component not in COMPONENTS:
        return None
    from goldenpath.ci_identities.roles import platform_role

    return platform_role(environment, "apply").arn


class GoldenpathStack(TerraformStack):
    """A stack for one component of one environment, with its own state key."""

    def __init__(self, scope: Construct, environment: Environment, layout: StackLayout,
                 emulator: EmulatorEndpoint | None = None, extra_tags: dict[str, str] | None = None,
                 account: AccountAccess | None = None):
        super().__init__(scope, layout.name)
        self.environment = environment
        self.layout = layout
        self.emulator = emulator
        account_id = account.account_id if account else environment.account_id
        self.target = AwsTarget(account_id=account_id, region=environment.region)
        self.naming = Naming(environment.name)
        # Read by KeyAdministrators.of when the first KMS key of this stack is made. The environment's own stacks
        # are applied by its pipeline's apply role when it has one: named, so a plan reads the same whoever plans.
        applier = pipeline_applier(environment, layout)
        self.key_administration = (tuple(environment.key_administrators) + ((applier,) if applier else ()),
                                   environment.kms.account_administration, applier is None)

        AwsProvider(
            self, "aws",
            region=environment.region,
            allowed_account_ids=[account_id],
            assume_role=[AwsProviderAssumeRole(role_arn=account.role_arn, session_name=account.session_name)] if account else None,
            **self._emulator_provider_settings(),
        )
        S3Backend(self, use_lockfile=True, **_backend_settings(layout, layout.state_key, emulator))
        self.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT)
        self.add_override("terraform.required_version", REQUIRED_TERRAFORM)
        MandatoryTags.apply(self, {**environment.mandatory_tags(), **(extra_tags or {})})  # a sandbox's owner is its own

    def _emulator_provider_settings(self) -> dict:
        if not self.emulator:
            return {}
        url = self.emulator.url
        return {
            # the binding spells "lambda" as lambda_ (a Python keyword); the JSON says lambda
            "endpoints": [AwsProviderEndpoints(**{("lambda_" if s == "lambda" else s): url for s in EMULATED_SERVICES})],
            "s3_use_path_style": True,
            "skip_credentials_validation": True,
            "skip_metadata_api_check": "true",
            "skip_region_validation": True,
        }

    def remote_state(self, id_: str, producer: StackLayout) -> DataTerraformRemoteStateS3:
        """Read another stack's outputs from its state (values cross stacks only this way)."""
        return DataTerraformRemoteStateS3(self, id_, **_backend_settings(producer, producer.state_key, self.emulator))
