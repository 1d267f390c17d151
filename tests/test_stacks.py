"""Environment stacks: one byte-stable snapshot per stack, state layout, cross-stack wiring.

Regenerate snapshots after an intended change with: UPDATE_SNAPSHOTS=1 pytest tests/test_stacks.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from goldenpath.stacks.base import AWS_PROVIDER_CONSTRAINT
from tests.conftest import REPO, stack_json

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _layouts():
    from goldenpath.config.loader import load_environments
    from goldenpath.stacks.layout import stack_layouts
    from goldenpath.tenancy.catalog import catalog_for

    environments = load_environments(REPO / "environments")
    catalog = catalog_for(REPO, environments)
    return {layout.name: layout for e in environments for layout in stack_layouts(e, catalog.teams_on(e.name))}


LAYOUTS = _layouts()
STACKS = sorted(LAYOUTS)


@pytest.mark.parametrize("name", STACKS)
def test_snapshot(bundled_synth, name):
    produced = (bundled_synth.stacks[name] / "cdk.tf.json").read_text()
    snapshot = SNAPSHOTS / f"{name}.tf.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(produced)
    assert snapshot.exists(), f"no snapshot for {name}; run UPDATE_SNAPSHOTS=1 pytest tests/test_stacks.py"
    assert produced == snapshot.read_text(), f"{name} changed; review the diff, then UPDATE_SNAPSHOTS=1"


def test_synth_is_byte_stable(bundled_synth, bundled_environments, tmp_path):
    from goldenpath.stacks.synth import synthesize

    again = synthesize(bundled_environments, tmp_path / "again", project_root=REPO)
    for name, directory in bundled_synth.stacks.items():
        assert (directory / "cdk.tf.json").read_bytes() == (again.stacks[name] / "cdk.tf.json").read_bytes(), name
    assert (bundled_synth.outdir / "manifest.json").read_bytes() == (again.outdir / "manifest.json").read_bytes()


def test_every_stack_has_its_own_state_key_with_locking(bundled_synth):
    keys = set()
    for name in STACKS:
        backend = stack_json(bundled_synth, name)["terraform"]["backend"]["s3"]
        assert backend["key"] == LAYOUTS[name].state_key  # <env>/<component>.tfstate, <env>/tenants/<team>.tfstate
        assert backend["use_lockfile"] is True and backend["encrypt"] is True
        keys.add((backend["bucket"], backend["key"]))
    assert len(keys) == len(STACKS)


def test_provider_and_terraform_versions_admit_5_100_and_6x(bundled_synth):
    for name in STACKS:
        terraform = stack_json(bundled_synth, name)["terraform"]
        assert terraform["required_providers"]["aws"]["version"] == AWS_PROVIDER_CONSTRAINT
        assert terraform["required_version"] == ">= 1.11"
    assert AWS_PROVIDER_CONSTRAINT == ">= 5.100, < 7.0"


def test_state_uses_the_environment_kms_key_when_named(bundled_synth):
    prod = stack_json(bundled_synth, "prod-cluster")["terraform"]["backend"]["s3"]
    assert prod["kms_key_id"] == "arn:aws:kms:eu-west-1:333333333333:alias/goldenpath-state"
    assert "kms_key_id" not in stack_json(bundled_synth, "staging-cluster")["terraform"]["backend"]["s3"]


def test_kms_keys_are_administered_by_the_environment_named_principals(bundled_synth):
    import json

    # default: cluster.admin_role_arns; with a ci section, the pipeline's apply role is named instead of "whoever
    # applies", so a pull request's read-only plan reads the same key policy as the apply
    expected = {"dev": ["arn:aws:iam::111111111111:role/goldenpath-dev-ci-apply", "arn:aws:iam::111111111111:role/platform-admin"],
                "prod": ["arn:aws:iam::333333333333:role/goldenpath-deploy", "arn:aws:iam::333333333333:role/goldenpath-prod-ci-apply",
                         "arn:aws:iam::333333333333:role/platform-admin"]}
    for env, admins in expected.items():
        for component in ("network", "cluster", "observability", "tenants"):
            for key in stack_json(bundled_synth, f"{env}-{component}")["resource"]["aws_kms_key"].values():
                statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
                assert statements["KeyAdministration"]["Principal"] == {"AWS": admins}
                assert "AccountAdministration" not in statements and "DeployerAdministration" not in statements


def test_provider_refuses_the_wrong_account(bundled_synth):
    assert stack_json(bundled_synth, "prod-network")["provider"]["aws"][0]["allowed_account_ids"] == ["333333333333"]


def test_cluster_reads_network_through_explicit_outputs(bundled_synth):
    network = stack_json(bundled_synth, "dev-network")
    cluster = stack_json(bundled_synth, "dev-cluster")
    assert set(network["output"]) == {"vpc_id", "vpc_cidr", "private_subnet_ids", "public_subnet_ids"}
    remote = cluster["data"]["terraform_remote_state"]["network"]
    assert remote["config"]["key"] == "dev/network.tfstate"
    (eks,) = cluster["resource"]["aws_eks_cluster"].values()
    assert eks["vpc_config"]["subnet_ids"] == "${data.terraform_remote_state.network.outputs.private_subnet_ids}"
    assert set(cluster["output"]) == {"cluster_name", "cluster_arn", "cluster_endpoint", "oidc_issuer_url", "node_role_arn"}


def test_manifest_orders_stacks_by_lifecycle(bundled_synth):
    order = bundled_synth.ordered()
    for env in ("dev", "prod", "staging"):
        names = [name for name, layout in LAYOUTS.items() if layout.environment == env]
        fixed = [f"{env}-{c}" for c in ("network", "cluster", "observability", "platform")]
        assert [order.index(n) for n in fixed] == sorted(order.index(n) for n in fixed)
        for team in (n for n in names if LAYOUTS[n].team):  # a team's tenants come after the platform and the shared key
            assert order.index(team) > max(order.index(f"{env}-platform"), order.index(f"{env}-tenants"))
    # the cluster's access entries name the CI roles, and deploy roles trust the CI stack's OIDC provider
    assert sorted(bundled_synth.dependencies["dev-cluster"]) == ["dev-ci", "dev-network"]
    assert bundled_synth.dependencies["dev-platform"] == ["dev-observability"]
    assert sorted(bundled_synth.dependencies["dev-tenants-payments"]) == ["dev-ci", "dev-platform", "dev-tenants"]


def test_environment_differences_come_from_yaml_only(bundled_synth):
    nats = {env: len(stack_json(bundled_synth, f"{env}-network")["resource"].get("aws_nat_gateway", {})) for env in ("dev", "staging", "prod")}
    assert nats == {"dev": 1, "staging": 1, "prod": 3}
    prod_vpc = stack_json(bundled_synth, "prod-cluster")["resource"]["aws_eks_cluster"]
    assert all(c["vpc_config"]["endpoint_public_access"] is False for c in prod_vpc.values())


def test_each_cluster_gets_one_encrypted_default_storage_class(bundled_synth):
    from goldenpath.policies.kubernetes_objects import kubernetes_objects

    for environment in ("dev", "staging", "prod"):
        document = stack_json(bundled_synth, f"{environment}-platform")
        classes = [o.manifest for o in kubernetes_objects(document) if o.manifest["kind"] == "StorageClass"]
        assert classes == [{
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "gp3-encrypted", "labels": {"app.kubernetes.io/managed-by": "goldenpath"},
                         "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3", "encrypted": "true"},
            "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": True,
        }], environment
