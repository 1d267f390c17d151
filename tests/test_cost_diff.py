"""`goldenpath cost diff OLD NEW`: per-stack and per-resource deltas, as a PR comment."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal

import pytest

from goldenpath.cost.diff import MARKER, cost_diff, diff_markdown
from tests.conftest import ENVIRONMENTS

TODAY = date(2026, 11, 29)
SPOT_T3_LARGE_MONTH = Decimal("0.0912") * Decimal("0.5") * 730


@pytest.fixture(scope="module")
def outputs(bundled_synth, tmp_path_factory):
    """The bundled synth output twice: the second with dev's node group at desired 3 and staging's tenants gone."""
    root = tmp_path_factory.mktemp("diff")
    old, new = root / "old", root / "new"
    shutil.copytree(bundled_synth.outdir, old)
    shutil.copytree(old, new)
    cluster = new / "stacks" / "dev-cluster" / "cdk.tf.json"
    document = json.loads(cluster.read_text())
    (group,) = document["resource"]["aws_eks_node_group"].values()
    group["scaling_config"]["desired_size"] = 3
    cluster.write_text(json.dumps(document))
    return old, new


def test_desired_plus_one_is_one_node_month_in_the_comment(outputs, bundled_environments):
    diff = cost_diff(*outputs, bundled_environments, TODAY)
    # one more SPOT t3.large, its 50 GiB gp3 disk ($4.40) and its CPU credits at 40 % (10 % x 2 vCPUs x 730 h x $0.05)
    node = SPOT_T3_LARGE_MONTH + 50 * Decimal("0.088") + Decimal("7.30")
    assert diff.delta() == node.quantize(Decimal("0.01")) == Decimal("44.99")
    (stack,) = diff.stacks
    assert stack.name == "dev-cluster"
    assert {line.component: line.delta() for line in diff.lines} == {
        "instances": SPOT_T3_LARGE_MONTH, "node disks": 50 * Decimal("0.088"), "cpu credits": Decimal("7.30")}
    assert {line.address for line in diff.lines} == {"aws_eks_node_group.cluster_nodes-general_59F17FD5"}
    text = diff_markdown(diff)
    assert text.startswith(MARKER + "\n")
    assert "This change adds $44.99/month: dev-cluster aws_eks_node_group.cluster_nodes-general_59F17FD5 instances: " \
           "1/2/4 x t3.large, t3a.large, SPOT at 50% of on-demand -> 1/3/4 x t3.large, t3a.large, SPOT at 50% of on-demand" in text
    assert "| dev-cluster | $186.51 | $231.50 | +$44.99 |" in text


def test_no_change_says_so(outputs, bundled_environments):
    old, _ = outputs
    text = diff_markdown(cost_diff(old, old, bundled_environments, TODAY))
    assert "This change does not change the estimate:." not in text
    assert "This change does not change the estimate." in text and "| stack | resource |" not in text


def test_a_new_environment_is_all_added(outputs, bundled_environments, tmp_path):
    _, new = outputs
    empty = tmp_path / "empty"
    (empty / "stacks").mkdir(parents=True)
    diff = cost_diff(empty, new, bundled_environments, TODAY)
    assert diff.old.total("expected") == 0 and diff.delta() == diff.new.total("expected")
    assert all(c.before is None for c in diff.lines)


def test_cli_markdown_and_bad_folder(outputs, capsys, tmp_path):
    from goldenpath.cli.main import main

    old, new = outputs
    assert main(["--environments", str(ENVIRONMENTS), "cost", "diff", str(old), str(new)]) == 0
    assert "adds $44.99/month" in capsys.readouterr().out
    assert main(["--environments", str(ENVIRONMENTS), "cost", "diff", str(old), str(new), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["delta_usd"]["expected"] == "44.99"
    assert main(["--environments", str(ENVIRONMENTS), "cost", "diff", str(tmp_path / "missing"), str(new)]) == 2
    err = capsys.readouterr().err
    assert "missing: no stacks/ folder; expected the output folder of `goldenpath synth`" in err and "Traceback" not in err
