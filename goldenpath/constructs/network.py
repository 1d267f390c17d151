"""A VPC over N availability zones with public and private subnets, NAT, and encrypted flow logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cdktn_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktn_provider_aws.default_security_group import DefaultSecurityGroup
from cdktn_provider_aws.eip import Eip
from cdktn_provider_aws.flow_log import FlowLog
from cdktn_provider_aws.internet_gateway import InternetGateway
from cdktn_provider_aws.nat_gateway import NatGateway
from cdktn_provider_aws.route import Route
from cdktn_provider_aws.route_table import RouteTable
from cdktn_provider_aws.route_table_association import RouteTableAssociation
from cdktn_provider_aws.subnet import Subnet
from cdktn_provider_aws.vpc import Vpc
from cdktn_provider_aws.vpc_endpoint import VpcEndpoint
from constructs import Construct

from goldenpath.constructs.aws_context import AwsTarget
from goldenpath.constructs.endpoint_policy import s3_gateway_policy
from goldenpath.constructs.iam import Statement, WorkloadRole, WorkloadRoleProps, source_bound_trust
from goldenpath.constructs.kms import KmsKey, KmsKeyProps
from goldenpath.constructs.naming import Naming
from goldenpath.errors import SynthError


@dataclass(frozen=True)
class NetworkProps:
    """Props of :class:`Network`."""

    target: AwsTarget
    naming: Naming
    cidr: str
    public_subnet_cidrs: tuple[str, ...]
    """One per AZ, in AZ order."""
    private_subnet_cidrs: tuple[str, ...]
    """One per AZ, in AZ order; workloads and the cluster live here."""
    availability_zones: tuple[str, ...]
    """Zone names, e.g. ("eu-west-1a", "eu-west-1b"); pinned, so subnets never move."""
    log_retention_days: int
    """Flow log retention in CloudWatch."""
    nat: Literal["none", "single", "per_az"] = "single"
    """Default: one NAT gateway shared by all private subnets."""
    flow_log_key: KmsKey | None = None
    """Default: a new KmsKey with rotation that CloudWatch Logs may use."""
    s3_endpoint_read_buckets: tuple[str, ...] = ()
    """Buckets of other accounts that workloads may read (``s3:GetObject``) through the S3 gateway endpoint,
    besides ECR's image layers and registry.k8s.io's mirror. Default: none."""


class Network(Construct):
    """VPC with public and private subnets in pinned zones, NAT as configured, the default
    security group closed, flow logs to a KMS-encrypted log group, and an S3 gateway endpoint."""

    def __init__(self, scope: Construct, id_: str, props: NetworkProps):
        super().__init__(scope, id_)
        azs = len(props.private_subnet_cidrs)
        if azs < 2 or len(props.public_subnet_cidrs) != azs or len(props.availability_zones) != azs:
            raise SynthError(
                f"Network {id_!r}: got {len(props.public_subnet_cidrs)} public subnets, {azs} private subnets and "
                f"{len(props.availability_zones)} zones, expected the same number (at least 2) of each, one per AZ"
            )
        naming = props.naming
        self.vpc = Vpc(
            self, "vpc", cidr_block=props.cidr, enable_dns_hostnames=True, enable_dns_support=True,
            tags={"Name": naming.name("vpc")},
        )
        # Adopting the default security group with no rules removes all of its rules.
        DefaultSecurityGroup(self, "default-security-group", vpc_id=self.vpc.id, tags={"Name": naming.name("default-closed")})

        self.public_subnets: list[Subnet] = []
        self.private_subnets: list[Subnet] = []
        for index in range(azs):
            zone = props.availability_zones[index]
            self.public_subnets.append(
                Subnet(
                    self, f"public-{index}", vpc_id=self.vpc.id, cidr_block=props.public_subnet_cidrs[index],
                    availability_zone=zone, map_public_ip_on_launch=False,
                    tags={"Name": naming.name("public", str(index)), "kubernetes.io/role/elb": "1"},
                )
            )
            self.private_subnets.append(
                Subnet(
                    self, f"private-{index}", vpc_id=self.vpc.id, cidr_block=props.private_subnet_cidrs[index],
                    availability_zone=zone, map_public_ip_on_launch=False,
                    tags={"Name": naming.name("private", str(index)), "kubernetes.io/role/internal-elb": "1"},
                )
            )

        internet_gateway = InternetGateway(self, "internet-gateway", vpc_id=self.vpc.id, tags={"Name": naming.name("igw")})
        public_routes = RouteTable(self, "public-routes", vpc_id=self.vpc.id, tags={"Name": naming.name("public")})
        Route(self, "public-default-route", route_table_id=public_routes.id,
              destination_cidr_block="0.0.0.0/0", gateway_id=internet_gateway.id)
        for index, subnet in enumerate(self.public_subnets):
            RouteTableAssociation(self, f"public-{index}-routes", subnet_id=subnet.id, route_table_id=public_routes.id)

        self.nat_gateways: list[NatGateway] = []
        nat_count = {"none": 0, "single": 1, "per_az": azs}[props.nat]
        for index in range(nat_count):
            address = Eip(self, f"nat-{index}-address", domain="vpc", tags={"Name": naming.name("nat", str(index))})
            self.nat_gateways.append(
                NatGateway(
                    self, f"nat-{index}", allocation_id=address.id, subnet_id=self.public_subnets[index].id,
                    tags={"Name": naming.name("nat", str(index))}, depends_on=[internet_gateway],
                )
            )
        # One private route table per AZ whatever the NAT layout, so moving from single to
        # per_az NAT changes routes only, never replaces tables or associations.
        private_tables: list[RouteTable] = []
        for index, subnet in enumerate(self.private_subnets):
            table = RouteTable(self, f"private-{index}-routes", vpc_id=self.vpc.id,
                               tags={"Name": naming.name("private", str(index))})
            private_tables.append(table)
            RouteTableAssociation(self, f"private-{index}-association", subnet_id=subnet.id, route_table_id=table.id)
            if self.nat_gateways:
                nat = self.nat_gateways[index % len(self.nat_gateways)]
                Route(self, f"private-{index}-default-route", route_table_id=table.id,
                      destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)

        # S3 traffic (state, telemetry chunks) stays on the AWS network instead of the NAT gateway, and
        # only to this account's buckets and the AWS-run ones nodes pull from (endpoint_policy.py).
        self.s3_endpoint = VpcEndpoint(
            self, "s3-endpoint", vpc_id=self.vpc.id, service_name=f"com.amazonaws.{props.target.region}.s3",
            vpc_endpoint_type="Gateway", route_table_ids=[t.id for t in private_tables],
            policy=s3_gateway_policy(props.target, props.s3_endpoint_read_buckets),
            tags={"Name": naming.name("s3")},
        )

        self.flow_log_key = props.flow_log_key or KmsKey(
            self, "flow-log-key",
            KmsKeyProps(target=props.target, naming=naming, purpose="flow-logs", logs_service=True),
        )
        self.flow_log_group = CloudwatchLogGroup(
            self, "flow-log-group", name=f"/goldenpath/{'/'.join(naming.prefix)}/vpc-flow-logs",
            retention_in_days=props.log_retention_days, kms_key_id=self.flow_log_key.arn,
        )
        delivery_role = WorkloadRole(
            self, "flow-log-role",
            WorkloadRoleProps(
                naming=naming, name="vpc-flow-logs",
                trust=source_bound_trust(props.target.service_principal("vpc-flow-logs"), props.target.account_id,
                                         props.target.arn("ec2", "vpc-flow-log/*")),
                statements=(
                    Statement(
                        actions=("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"),
                        resources=(self.flow_log_group.arn, f"{self.flow_log_group.arn}:*"),
                    ),
                ),
            ),
        )
        FlowLog(
            self, "flow-log", vpc_id=self.vpc.id, traffic_type="ALL", log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn, iam_role_arn=delivery_role.arn, max_aggregation_interval=60,
        )
