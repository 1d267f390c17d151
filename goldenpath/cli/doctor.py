"""`goldenpath doctor`: what this machine has for goldenpath, and what is missing."""

from __future__ import annotations

import importlib.metadata
import shutil
from dataclasses import dataclass

from goldenpath._node import MINIMUM_NODE_MAJOR, choose_node, major, node_version
from goldenpath.deploy.terraform import find_aws_mirror, terraform_version
from goldenpath.install_hint import install_hint


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    detail: str
    required: bool = True


def _package(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def probes() -> list[Probe]:
    found: list[Probe] = []
    path_node = shutil.which("node")
    path_version = node_version(path_node) if path_node else None
    found.append(Probe("node on PATH", True, f"{path_node} {path_version}" if path_node else "not found", required=False))
    choice = choose_node()
    found.append(
        Probe(
            "node for jsii", major(choice.version) >= MINIMUM_NODE_MAJOR,
            f"{choice.path} {choice.version} (from {choice.source}; needs >= {MINIMUM_NODE_MAJOR})",
        )
    )
    for package in ("jsii", "cdktn", "cdktn-provider-aws", "cdktn-provider-kubernetes", "cdktn-provider-helm", "checkov"):
        version = _package(package)
        found.append(Probe(package, version is not None, version or f"not installed: {install_hint()}"))
    binary = shutil.which("terraform")
    version = terraform_version(binary) if binary else None
    tf_ok = version is not None and tuple(int(x) for x in version.split(".")[:2]) >= (1, 11)
    found.append(Probe("terraform", tf_ok, f"{binary} {version} (needs >= 1.11)" if binary else "not found on PATH (needs >= 1.11)"))
    mirror = find_aws_mirror()
    found.append(
        Probe("hashicorp/aws mirror", mirror is not None,
              str(mirror) if mirror else "none (deploy --emulator runs offline and needs one; set GOLDENPATH_TF_MIRROR)",
              required=False)
    )
    moto = _package("moto")
    found.append(Probe("moto (emulator)", moto is not None, moto or f"not installed: {install_hint('emulator')}", required=False))
    found.append(_credentials())
    return found


def _credentials() -> Probe:
    try:
        import boto3

        session = boto3.Session()
        credentials = session.get_credentials()  # local lookup only: no AWS call
    except Exception as exc:  # noqa: BLE001 - a broken credentials file is a finding, not a crash
        return Probe("AWS credentials", False, f"unreadable: {exc}", required=False)
    if credentials is None:
        return Probe("AWS credentials", False, "none found (needed for a real deploy, not for synth, validate or --emulator)", required=False)
    return Probe("AWS credentials", True, f"found via {credentials.method}" + (f", profile {session.profile_name}" if session.profile_name else ""), required=False)


def report() -> tuple[str, bool]:
    rows = probes()
    width = max(len(p.name) for p in rows)
    lines = []
    for probe in rows:
        mark = "ok     " if probe.ok else ("MISSING" if probe.required else "missing")
        lines.append(f"{mark}  {probe.name.ljust(width)}  {probe.detail}")
    healthy = all(p.ok for p in rows if p.required)
    lines.append("")
    lines.append("ready: synth, validate and deploy can run" if healthy else "not ready: fix the MISSING lines above")
    return "\n".join(lines), healthy
