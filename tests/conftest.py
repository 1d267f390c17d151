"""Shared fixtures. jsii loads the provider bindings once per process (seconds), so stacks are
synthesized once per module or session and every test reads the result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import goldenpath  # noqa: F401 - JSII_NODE before jsii loads
from goldenpath.config.loader import load_environments

REPO = Path(__file__).resolve().parent.parent
ENVIRONMENTS = REPO / "environments"


def dev_without_sandboxes() -> str:
    """dev.yaml without its sandboxes section, for tests that append their own tiers."""
    lines, out, inside = (ENVIRONMENTS / "dev.yaml").read_text().splitlines(keepends=True), [], False
    for line in lines:
        if line.startswith("sandboxes:"):
            inside = True
        elif inside and line[:1] not in (" ", "\n", "#"):
            inside = False
        if not inside:
            out.append(line)
    return "".join(out)


@pytest.fixture(scope="session")
def bundled_environments():
    return load_environments(ENVIRONMENTS)


@pytest.fixture(scope="session")
def bundled_synth(tmp_path_factory, bundled_environments):
    """Every bundled environment synthesized once for the whole session."""
    from goldenpath.stacks.synth import synthesize

    return synthesize(bundled_environments, tmp_path_factory.mktemp("bundled") / "cdktf.out", project_root=REPO)


def stack_json(result, name: str) -> dict:
    return json.loads((result.stacks[name] / "cdk.tf.json").read_text())


def resources_of(document: dict, rtype: str) -> dict:
    return document.get("resource", {}).get(rtype, {})


def copy_environments(tmp_path: Path) -> Path:
    target = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS, target)
    return target


@pytest.fixture(scope="session")
def wheel_install(tmp_path_factory):
    """(venv bin folder, clean environment, wheel folder): the built wheel installed (not editable) into a fresh
    venv outside this checkout, the way teams get goldenpath; built once per session."""
    root = tmp_path_factory.mktemp("wheel")
    # Built from a copy without build artefacts: setuptools reuses ./build/lib and would ship
    # modules that no longer exist in the source. Nor what other test workers write into the checkout while it is
    # copied (hypothesis' example database, caches): a file removed mid-copy would fail the copy.
    source = root / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "cdktf.out", ".goldenpath", "reports", "__pycache__", ".*_cache",
        ".hypothesis", ".tools"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source), "-w", str(root / "dist")],
                   check=True, capture_output=True, text=True)
    (wheel,) = (root / "dist").glob("goldenpath-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    bin_dir = root / "venv" / "bin"
    install = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return bin_dir, env, root / "dist"
