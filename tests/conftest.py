"""Shared fixtures. jsii loads the provider bindings once per process (seconds), so stacks are
synthesized once per module or session and every test reads the result."""

from __future__ import annotations

import json
import shutil
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
