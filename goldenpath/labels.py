"""The labels goldenpath puts on every tenant object (namespaces included). Tenants cannot write
namespaces, so a namespace's labels are facts others may rely on (the collector reads them)."""

TEAM_LABEL = "goldenpath.dev/team"
SERVICE_LABEL = "goldenpath.dev/service"
OWNER_LABEL = "goldenpath.dev/owner"
