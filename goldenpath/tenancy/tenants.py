"""From the catalog to tenant specs: one TenantSpec per service placed on a cluster."""

from __future__ import annotations

from goldenpath.constructs.naming import label_value
from goldenpath.tenancy.catalog import Placement
from goldenpath.tenancy.spec import OWNER_LABEL, SERVICE_LABEL, TEAM_LABEL, MANAGED_BY, PodIdentity, TenantSpec


def tenant_labels(team: str, service: str, owners: str) -> dict[str, str]:
    return {TEAM_LABEL: team, SERVICE_LABEL: service, OWNER_LABEL: label_value(owners), **MANAGED_BY}


def tenant_spec(placement: Placement) -> TenantSpec:
    team, service, environment = placement.team, placement.service, placement.environment
    cloud = service.cloud
    return TenantSpec(
        namespace=placement.namespace,
        service_account=service.name,
        quota=placement.tier,
        labels=tenant_labels(team.name, service.name, team.owners),
        ingress_namespace=environment.tenancy.ingress_namespace,
        owners_group=team.owners,
        edit_role=environment.tenancy.edit_role,
        pod_identity=PodIdentity(service.name, cloud.bucket) if cloud is not None else None,
        vpc_cidr=environment.network.cidr,
        service_cidr=environment.cluster.service_cidr,
        ingress_hosts=tuple(service.hosts.get(environment.name, ())),
    )
