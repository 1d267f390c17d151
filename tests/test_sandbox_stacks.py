"""The namespace sandbox stack: its own state key, the tenant objects with the tier's quota, labelled
with the sandbox's id, tier, owner and expiry; refused for a record that is not active."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from cdktn import Testing as Synth

from goldenpath.config.loader import parse_environment
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord, activate
from goldenpath.sandboxes.stacks import SandboxNamespaceStack
from tests.conftest import REPO

ENV = parse_environment((REPO / "environments" / "dev.yaml").read_text() + """
sandboxes:
  tiers:
    scratch: {kind: namespace, quota: small, max_lease_hours: 72, max_spend_usd: 50}
""", "environments/dev.yaml")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
APPROVED = SandboxRecord("sbx-0123456789", "dev", "scratch", "ana", "approved", NOW.isoformat(), 24)


@pytest.fixture(scope="module")
def stack() -> dict:
    return json.loads(Synth.synth(SandboxNamespaceStack(Synth.app(), ENV, activate(APPROVED, NOW))))


def test_its_state_lives_next_to_its_record(stack):
    backend = stack["terraform"]["backend"]["s3"]
    assert backend["key"] == "sandboxes/sbx-0123456789.tfstate" and backend["encrypt"] is True


def test_it_is_a_tenant_namespace_with_the_tier_quota_and_the_sandbox_labels(stack):
    (namespace,) = stack["resource"]["kubernetes_namespace_v1"].values()
    labels = namespace["metadata"][0]["labels"] if isinstance(namespace["metadata"], list) else namespace["metadata"]["labels"]
    assert {k: labels[k] for k in ("sandbox-id", "tier", "owner", "expires-at")} == {
        "sandbox-id": "sbx-0123456789", "tier": "scratch", "owner": "ana", "expires-at": "2026-12-01T10-00-00Z"}
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    (quota,) = stack["resource"]["kubernetes_resource_quota_v1"].values()
    small = ENV.tenancy.tiers["small"]
    assert quota["spec"]["hard"]["requests.cpu"] == small.requests_cpu and quota["spec"]["hard"]["services.loadbalancers"] == "0"
    (policy,) = stack["resource"]["kubernetes_network_policy_v1"].values()
    assert policy["spec"]["policy_types"] == ["Ingress", "Egress"]


def test_a_record_that_is_not_active_has_no_stack():
    with pytest.raises(LeaseError, match="sbx-0123456789: is approved and has no expiry yet"):
        SandboxNamespaceStack(Synth.app(), ENV, APPROVED)
