"""An application team on Pulumi: its service's namespace on a cluster, the same tenant objects
goldenpath's CDK Terrain tenants stack creates (`pulumi up` in this folder, with a kubeconfig
for the cluster; tests/test_tenancy_pulumi.py runs it under Pulumi's mocks)."""

# pip install 'goldenpath[pulumi]'
import pulumi

from goldenpath.config.model import QuotaTier
from goldenpath.pulumi import Tenant, TenantArgs
from goldenpath.tenancy.spec import TenantSpec

tenant = Tenant("checkout", TenantArgs(spec=TenantSpec(
    namespace="payments-checkout", service_account="checkout", quota=QuotaTier(),
    owners_group="payments-engineers")))
pulumi.export("namespace", tenant.namespace)
