"""The labels goldenpath puts on every tenant object (namespaces included). Tenants cannot write
namespaces, so a namespace's labels are facts others may rely on (the collector reads them)."""

TEAM_LABEL = "goldenpath.dev/team"
SERVICE_LABEL = "goldenpath.dev/service"
OWNER_LABEL = "goldenpath.dev/owner"
# On every namespace made from a TenantSpec (catalog services, previews, sandboxes): the tenant admission rules
# select namespaces by it (goldenpath.modules.tenant_role).
TENANT_NAMESPACE_LABEL = "goldenpath.dev/tenant-namespace"
# On the same namespaces: the hosts, comma-separated, its Ingresses may name on the shared ingress controller.
INGRESS_HOSTS_ANNOTATION = "goldenpath.dev/ingress-hosts"
