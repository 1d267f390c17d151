"""Emulator adaptations rewrite only the emulator copy, and refuse to drop something still used."""

from __future__ import annotations

import json

import pytest

from goldenpath.errors import GoldenpathError
from goldenpath.stacks.emulator import adapt_stack
from goldenpath.stacks.target import EmulatorEndpoint


def write(tmp_path, document):
    stack = tmp_path / "dev-cluster"
    stack.mkdir()
    (stack / "cdk.tf.json").write_text(json.dumps(document))
    return stack


def test_unsupported_resources_are_left_out_and_listed(tmp_path):
    stack = write(tmp_path, {"resource": {
        "aws_eks_addon": {"coredns": {"addon_name": "coredns"}},
        "aws_eks_node_group": {"nodes": {"depends_on": ["aws_eks_addon.coredns"], "lifecycle": {"ignore_changes": ["scaling_config[0].desired_size"]}}},
    }})
    adaptations = adapt_stack(stack)
    document = json.loads((stack / "cdk.tf.json").read_text())
    assert "aws_eks_addon" not in document["resource"]
    nodes = document["resource"]["aws_eks_node_group"]["nodes"]
    assert "depends_on" not in nodes
    assert nodes["lifecycle"]["ignore_changes"] == ["remote_access", "scaling_config[0].desired_size", "update_config"]
    assert [str(a) for a in adaptations][0] == "dev-cluster: aws_eks_addon.coredns left out (moto has no EKS add-on API)"


def test_a_value_still_used_blocks_the_emulated_run(tmp_path):
    stack = write(tmp_path, {"resource": {"aws_eks_addon": {"cni": {}}}, "output": {"v": {"value": "${aws_eks_addon.cni.addon_version}"}}})
    with pytest.raises(GoldenpathError, match="aws_eks_addon.cni are left out"):
        adapt_stack(stack)


def test_emulator_must_be_on_loopback():
    with pytest.raises(GoldenpathError, match="expected a local emulator on a loopback"):
        EmulatorEndpoint("http://10.0.0.5:4566")
