"""Splitting the 0.6 tenants state into per-team states: a pure function over terraform's state format."""

from __future__ import annotations

import pytest

from goldenpath.deploy.migrate import new_state, split_state
from goldenpath.errors import GoldenpathError

OLD = {"version": 4, "terraform_version": "1.11.4", "serial": 7, "lineage": "old-lineage", "outputs": {},
       "resources": [
           {"mode": "managed", "type": "aws_kms_key", "name": "tenants-key_key_1", "instances": [{}]},
           {"mode": "managed", "type": "kubernetes_namespace_v1", "name": "payments-checkout_namespace_2", "instances": [{}]},
           {"mode": "managed", "type": "aws_s3_bucket", "name": "payments-checkout_bucket_bucket_3", "instances": [{}]},
           {"mode": "managed", "type": "kubernetes_namespace_v1", "name": "storefront-web_namespace_4", "instances": [{}]},
           {"mode": "data", "type": "aws_eks_cluster", "name": "cluster", "instances": [{}]},
       ]}
TARGETS = {"dev-tenants-payments": {"kubernetes_namespace_v1.payments-checkout_namespace_2", "aws_s3_bucket.payments-checkout_bucket_bucket_3"},
           "dev-tenants-storefront": {"kubernetes_namespace_v1.storefront-web_namespace_4"}}
SHARED = {"aws_kms_key.tenants-key_key_1"}


def test_each_managed_resource_goes_to_the_stack_that_declares_it_and_data_sources_stay_behind():
    moved, kept, data = split_state(OLD, TARGETS, SHARED)
    assert [r["name"] for r in moved["dev-tenants-payments"]] == ["payments-checkout_namespace_2", "payments-checkout_bucket_bucket_3"]
    assert [r["name"] for r in moved["dev-tenants-storefront"]] == ["storefront-web_namespace_4"]
    assert [r["name"] for r in kept] == ["tenants-key_key_1"] and data == ["data.aws_eks_cluster.cluster"]


def test_a_resource_no_new_stack_declares_stops_the_migration():
    with pytest.raises(GoldenpathError, match=r"holds aws_s3_bucket.payments-checkout_bucket_bucket_3, which no new stack declares"):
        split_state(OLD, {**TARGETS, "dev-tenants-payments": {"kubernetes_namespace_v1.payments-checkout_namespace_2"}}, SHARED)
    with pytest.raises(GoldenpathError, match=r"declared by dev-tenants-payments, dev-tenants-storefront, expected one stack"):
        split_state(OLD, {**TARGETS, "dev-tenants-storefront": TARGETS["dev-tenants-payments"]}, SHARED)


def test_a_new_state_has_its_own_lineage_and_starts_at_serial_one():
    state = new_state(OLD, OLD["resources"][1:2])
    assert state["lineage"] != OLD["lineage"] and state["serial"] == 1 and state["version"] == 4
    assert state["terraform_version"] == "1.11.4" and [r["name"] for r in state["resources"]] == ["payments-checkout_namespace_2"]
