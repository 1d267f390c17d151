"""The pins table: ``versions.yaml`` in the platform repository (next to ``environments/``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, field_validator

from goldenpath.config.loader import parse_document
from goldenpath.config.model import FieldProblem, SourcedDocument, _Strict
from goldenpath.modules.eks_releases import ADDON_NAMES

PINS_FILE = "versions.yaml"
AddonVersion = Annotated[str, StringConstraints(pattern=r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")]
AmiRelease = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+-\d{8}$")]
KUBERNETES_VERSION_PATTERN = r"^1\.\d{2}$"
KubernetesVersion = Annotated[str, StringConstraints(pattern=KUBERNETES_VERSION_PATTERN)]


def _iso_date(value: object) -> object:
    # YAML reads 2026-11-30 as a date and '2026-11-30' as a string: accept both spellings.
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # left for the date check to reject with the value shown
    return value


class KubernetesPins(_Strict):
    """What one Kubernetes version's clusters run."""

    addons: dict[str, AddonVersion] = Field(
        default_factory=dict, description="Add-on name -> version, e.g. vpc-cni: v1.20.4-eksbuild.1. Default: none.")
    node_ami_release: AmiRelease | None = Field(
        default=None, description="EKS-optimized AMI release of the node groups, e.g. 1.33.5-20251023. Default: none.")
    read_at: Annotated[date, BeforeValidator(_iso_date)] = Field(description="The day the versions were read (or chosen).")
    source: str = Field(min_length=1, description="Where they came from, e.g. eks:DescribeAddonVersions in eu-west-1.")

    @field_validator("addons")
    @classmethod
    def _known(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name not in ADDON_NAMES:
                raise FieldProblem("addons", name, f"one of the add-ons goldenpath installs: {', '.join(ADDON_NAMES)}")
        return value

    def unpinned(self) -> list[str]:
        """What this entry leaves to EKS: add-ons without a version, and the node AMI."""
        return [*(a for a in ADDON_NAMES if a not in self.addons), *([] if self.node_ami_release else ["node AMI"])]


class VersionPins(SourcedDocument):
    """``versions.yaml``: pins per Kubernetes version ("1.33": {...})."""

    kubernetes: dict[KubernetesVersion, KubernetesPins] = Field(
        default_factory=dict, description="Pins per Kubernetes version. Default: none.")

    def for_version(self, kubernetes_version: str) -> KubernetesPins | None:
        return self.kubernetes.get(kubernetes_version)


def pins_path(project_root: Path) -> Path:
    return project_root / PINS_FILE


def load_pins(project_root: Path) -> VersionPins:
    """The project's pins; an empty table when there is no ``versions.yaml``. Bad input: one ConfigError."""
    path = pins_path(project_root)
    if not path.is_file():
        return VersionPins()
    return parse_document(path.read_text(encoding="utf-8"), str(path), VersionPins)


def pin_lines(environments: list, project_root: Path) -> list[str]:
    """One line per environment: pinned, or what follows EKS's default at plan time (a visible choice)."""
    table = load_pins(project_root)
    lines = []
    for environment in environments:
        version = environment.cluster.kubernetes_version
        entry = table.for_version(version)
        left = entry.unpinned() if entry else [*ADDON_NAMES, "node AMI"]
        if not left:
            lines.append(f"versions: {environment.name} (Kubernetes {version}): add-ons and node AMI pinned "
                         f"({PINS_FILE}, read {entry.read_at.isoformat()})")  # type: ignore[union-attr]
        else:
            lines.append(f"versions: {environment.name} (Kubernetes {version}): {', '.join(left)} follow EKS's default "
                         f"at plan time (not pinned in {PINS_FILE}; `goldenpath pins refresh --kubernetes-version {version}` pins them)")
    return lines
