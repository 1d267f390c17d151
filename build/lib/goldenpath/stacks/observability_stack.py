"""`<env>-observability`: AWS side of observability (telemetry buckets, collector roles). AWS-only."""

from __future__ import annotations

from cdktn import TerraformOutput
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.modules.observability import ObservabilityStack
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.layout import stack_layout
from goldenpath.stacks.target import EmulatorEndpoint


class ObservabilityAwsStack(GoldenpathStack):
    OUTPUTS = ("logs_bucket", "traces_bucket")

    def __init__(self, scope: Construct, environment: Environment, module: ObservabilityStack,
                 emulator: EmulatorEndpoint | None = None):
        super().__init__(scope, environment, stack_layout(environment, "observability"), emulator)
        module.add_aws_side(self)
        TerraformOutput(self, "logs_bucket", value=module.logs_bucket_name, description="Loki chunk bucket")
        TerraformOutput(self, "traces_bucket", value=module.traces_bucket_name, description="Tempo block bucket")
