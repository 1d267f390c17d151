"""`goldenpath pins refresh`: read EKS's default add-on versions and the recommended node AMI release for
a Kubernetes version, and write them into ``versions.yaml``.

Needs credentials allowed ``eks:DescribeAddonVersions`` and ``ssm:GetParameter`` on EKS's public
parameters. The versions are EKS's own defaults for the Kubernetes version on the day read: pinning
them turns "whatever EKS picks at plan time" into a reviewed change of one file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from goldenpath.files import write_text_atomically
from goldenpath.modules.eks_releases import ADDON_NAMES, ami_release_parameter
from goldenpath.pins.table import KubernetesPins, VersionPins, load_pins, pins_path


@dataclass
class Read:
    kubernetes_version: str
    pins: KubernetesPins
    missing: list[str] = field(default_factory=list)


def default_addon_version(eks: Any, addon: str, kubernetes_version: str) -> str | None:
    """The version EKS marks ``defaultVersion`` for ``kubernetes_version`` (DescribeAddonVersions)."""
    found = []
    for page in eks.get_paginator("describe_addon_versions").paginate(addonName=addon, kubernetesVersion=kubernetes_version):
        for entry in page.get("addons", []):
            for version in entry.get("addonVersions", []):
                if any(c.get("clusterVersion") == kubernetes_version and c.get("defaultVersion")
                       for c in version.get("compatibilities", [])):
                    found.append(version["addonVersion"])
    return found[0] if len(found) == 1 else None


def read_pins(eks: Any, ssm: Any, kubernetes_version: str, region: str, today: date) -> Read:
    """Ask EKS and SSM for ``kubernetes_version``'s defaults; what has no single answer is listed as missing."""
    addons, missing = {}, []
    for addon in ADDON_NAMES:
        version = default_addon_version(eks, addon, kubernetes_version)
        if version:
            addons[addon] = version
        else:
            missing.append(f"{addon}: no single default version for Kubernetes {kubernetes_version}")
    name = ami_release_parameter(kubernetes_version, "x86_64")
    try:
        release = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        release = None
        missing.append(f"node AMI release: no parameter {name}")
    source = f"eks:DescribeAddonVersions (defaultVersion) and ssm:GetParameter {name}, {region}"
    pins = KubernetesPins(addons=addons, node_ami_release=release, read_at=today, source=source)
    return Read(kubernetes_version, pins, missing)


def pins_text(table: VersionPins) -> str:
    header = ("# Versions EKS would otherwise choose, pinned per Kubernetes version (goldenpath pins refresh).\n"
              "# A cluster on a version listed here runs exactly these; change them in a reviewed commit.\n")
    body = {"kubernetes": {version: entry.model_dump(exclude_none=True)
                           for version, entry in sorted(table.kubernetes.items())}}
    return header + yaml.safe_dump(body, sort_keys=True, default_flow_style=False)


def write_pins(project_root: Path, reads: list[Read]) -> tuple[Path, list[str]]:
    """Merge ``reads`` into ``versions.yaml`` atomically; return its path and what changed."""
    previous = load_pins(project_root)
    merged = dict(previous.kubernetes)
    lines: list[str] = []
    for read in reads:
        before = merged.get(read.kubernetes_version)
        lines += changes(read.kubernetes_version, before, read.pins)
        merged[read.kubernetes_version] = read.pins
    path = pins_path(project_root)
    write_text_atomically(path, pins_text(VersionPins(kubernetes=merged)))
    return path, lines


def changes(kubernetes_version: str, before: KubernetesPins | None, after: KubernetesPins) -> list[str]:
    old = {**(before.addons if before else {}), "node AMI": (before.node_ami_release if before else None)}
    new = {**after.addons, "node AMI": after.node_ami_release}
    lines = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name), new.get(name)
        if was != now:
            lines.append(f"{kubernetes_version} {name}: {was or '(not pinned)'} -> {now or '(not pinned)'}")
    return lines or [f"{kubernetes_version}: unchanged"]
