"""The Pulumi renderer under Pulumi's unit-test mocks: its resource inputs equal the spec's manifests.

Mocks run the program in-process (no CLI, no plugin binary, no cluster). They do not cover what a
real `pulumi preview`/`up` adds: provider-side defaults, server-side validation, or a deploy.
"""

from __future__ import annotations

import pulumi
import pytest

from goldenpath.config.model import QuotaTier
from goldenpath.tenancy.spec import PodIdentity, TenantSpec, manifest_key, tenant_manifests

REGISTERED: list[pulumi.runtime.MockResourceArgs] = []


class RecordingMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        REGISTERED.append(args)
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


pulumi.runtime.set_mocks(RecordingMocks(), preview=False)

SPEC = TenantSpec(
    namespace="payments-checkout", service_account="checkout",
    quota=QuotaTier(requests_cpu="1", requests_memory="2Gi", limits_cpu="2", limits_memory="4Gi", pods=20),
    labels={"goldenpath.dev/team": "payments", "goldenpath.dev/service": "checkout", "app.kubernetes.io/managed-by": "goldenpath"},
    owners_group="payments-engineers", pod_identity=PodIdentity("checkout", "read_write"), vpc_cidr="10.20.0.0/16",
    service_cidr="172.20.0.0/16",
)


def _manifest(inputs: dict) -> dict:
    """A registered resource's inputs as the manifest it sends (drop Pulumi's own bookkeeping)."""
    return {k: v for k, v in inputs.items() if not k.startswith("__")}


def _check(_):
    from goldenpath.tenancy.spec import tenant_manifests

    kubernetes = [r for r in REGISTERED if r.typ.startswith("kubernetes:")]
    rendered = {manifest_key(_manifest(r.inputs)): _manifest(r.inputs) for r in kubernetes}
    expected = {manifest_key(m): m for m in tenant_manifests(SPEC)}
    assert len(kubernetes) == len(expected) == 7  # one typed resource per object, none twice
    assert rendered.keys() == expected.keys()
    for key, manifest in expected.items():
        assert rendered[key] == manifest, key
    # Typed resources: the Pulumi type token names the kind.
    assert {r.typ for r in kubernetes} >= {"kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                                           "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"}
    assert any(r.typ == "goldenpath:tenancy:Tenant" for r in REGISTERED)


@pulumi.runtime.test
def test_pulumi_tenant_creates_exactly_the_spec():
    from goldenpath.pulumi import Tenant, TenantArgs

    REGISTERED.clear()
    tenant = Tenant("checkout", TenantArgs(spec=SPEC))
    return pulumi.Output.all(*[r.urn for r in tenant.resources.values()]).apply(_check)


def test_missing_extra_is_a_clear_error(monkeypatch):
    import builtins
    import sys

    import goldenpath.pulumi as package
    from goldenpath.errors import GoldenpathError

    real_import = builtins.__import__

    def no_pulumi(name, *args, **kwargs):
        if name.startswith("pulumi"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "goldenpath.pulumi.tenant", raising=False)
    monkeypatch.delattr(package, "tenant", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pulumi)
    import re

    from goldenpath.install_hint import install_hint

    hint = install_hint("pulumi")  # here an editable checkout: pip install -e '.[pulumi]'; from a wheel, that wheel
    assert "[pulumi]" in hint and hint.startswith("pip install")
    with pytest.raises(GoldenpathError, match=re.escape(f"needs the pulumi extra: {hint}")):
        package.Tenant  # noqa: B018


@pulumi.runtime.test
def test_the_pulumi_example_program_runs_under_mocks():
    import runpy

    from tests.conftest import REPO

    REGISTERED.clear()
    tenant = runpy.run_path(str(REPO / "examples" / "pulumi-tenant" / "__main__.py"))["tenant"]

    def check(_):
        kinds = sorted(r.typ.rsplit(":", 1)[-1] for r in REGISTERED if r.typ.startswith("kubernetes:"))
        assert kinds == ["LimitRange", "Namespace", "NetworkPolicy", "ResourceQuota", "RoleBinding", "RoleBinding", "ServiceAccount"]

    return pulumi.Output.all(*[r.urn for r in tenant.resources.values()]).apply(check)
