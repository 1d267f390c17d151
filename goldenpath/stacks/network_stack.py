"""`<env>-network`: the VPC, its subnets, NAT and flow logs."""

from __future__ import annotations

from cdktn import TerraformOutput
from cdktn_provider_aws.ebs_default_kms_key import EbsDefaultKmsKey
from cdktn_provider_aws.ebs_encryption_by_default import EbsEncryptionByDefault
from constructs import Construct

from goldenpath.config.model import Environment
from goldenpath.constructs.kms import KmsKey, KmsKeyProps
from goldenpath.constructs.network import Network, NetworkProps
from goldenpath.stacks.base import GoldenpathStack
from goldenpath.stacks.layout import stack_layout
from goldenpath.stacks.target import EmulatorEndpoint


class NetworkStack(GoldenpathStack):
    # The outputs other stacks may read; renaming one breaks its readers.
    OUTPUTS = ("vpc_id", "vpc_cidr", "private_subnet_ids", "public_subnet_ids")

    def __init__(self, scope: Construct, environment: Environment, emulator: EmulatorEndpoint | None = None):
        super().__init__(scope, environment, stack_layout(environment, "network"), emulator)
        public, private = environment.network.subnet_cidrs()
        self.network = Network(
            self, "network",
            NetworkProps(
                target=self.target, naming=self.naming, cidr=environment.network.cidr,
                public_subnet_cidrs=tuple(public), private_subnet_cidrs=tuple(private),
                availability_zones=tuple(f"{environment.region}{z}" for z in environment.network.zone_letters),
                nat=environment.network.nat, log_retention_days=environment.log_retention_days,
                s3_endpoint_read_buckets=tuple(environment.network.s3_endpoint_read_buckets),
            ),
        )
        # Every new EBS volume of the account in this region is encrypted, whatever asks for it: a claim naming
        # EKS's own gp2 class (whose provisioner does not ask for encryption) or a chart's own StorageClass.
        EbsEncryptionByDefault(self, "ebs-encryption-by-default", enabled=True)
        if environment.network.ebs_default_key == "environment":
            # With this environment's key; its policy names no role (Auto Scaling's service-linked role does not
            # exist before a first node group) but lets the account use it through EC2 only, as aws/ebs does.
            self.ebs_key = KmsKey(self, "ebs-key", KmsKeyProps(target=self.target, naming=self.naming, purpose="ebs",
                                                                ec2_volumes=True))
            EbsDefaultKmsKey(self, "ebs-default-key", key_arn=self.ebs_key.arn)
        TerraformOutput(self, "vpc_id", value=self.network.vpc.id, description="VPC id")
        TerraformOutput(self, "vpc_cidr", value=self.network.vpc.cidr_block, description="VPC IPv4 CIDR")
        TerraformOutput(
            self, "private_subnet_ids", value=[s.id for s in self.network.private_subnets],
            description="Private subnet ids, one per AZ in AZ order",
        )
        TerraformOutput(
            self, "public_subnet_ids", value=[s.id for s in self.network.public_subnets],
            description="Public subnet ids, one per AZ in AZ order",
        )
