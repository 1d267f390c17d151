"""L3 platform modules: cluster (and, later, observability, preview environments, sandboxes)."""
