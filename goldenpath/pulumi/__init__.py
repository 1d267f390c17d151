"""Tenancy for application teams on Pulumi: ``Tenant``, a ComponentResource that creates exactly the
objects of ``goldenpath.tenancy.spec.tenant_manifests`` with pulumi-kubernetes.

Install with ``pip install 'goldenpath[pulumi]'``. pulumi and pulumi_kubernetes are large, so
they are imported only when ``Tenant`` is first used, never by the rest of goldenpath.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Tenant", "TenantArgs"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        try:
            from goldenpath.pulumi import tenant
        except ImportError as exc:  # the extra is not installed
            from goldenpath.errors import GoldenpathError
            from goldenpath.install_hint import install_hint

            raise GoldenpathError(f"goldenpath.pulumi.{name} needs the pulumi extra: {install_hint('pulumi')} ({exc})") from None
        return getattr(tenant, name)
    raise AttributeError(f"module 'goldenpath.pulumi' has no attribute {name!r}")
