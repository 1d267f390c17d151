"""Tenancy: the service catalog (``teams/<team>.yaml``) and what each service gets on each cluster.

``model`` and ``catalog`` are pure Python (pydantic); ``spec`` turns a service into the
Kubernetes objects of its tenant namespace (no jsii, no pulumi), which ``goldenpath.modules.tenant``
renders with CDK Terrain and ``goldenpath.pulumi.Tenant`` with pulumi-kubernetes.
"""
