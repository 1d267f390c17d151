"""Observability as typed Python objects: alerts, SLOs, Alertmanager routing, runbooks, DORA,
collector and chart configuration. Pure Python (no jsii): the platform stack and the tests
render the same objects; ``goldenpath.modules.observability`` turns them into Terraform."""
