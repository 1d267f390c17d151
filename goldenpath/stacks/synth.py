"""Synthesize environments to Terraform JSON, atomically and byte-stably."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.extensions import Extensions
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.tenancy.catalog import Catalog

# Files terraform keeps in a stack's working directory; carried over across synths.
_TERRAFORM_WORKING_FILES = (".terraform", ".terraform.lock.hcl")


@dataclass(frozen=True)
class SynthResult:
    outdir: Path
    stacks: dict[str, Path]  # stack name -> working directory
    dependencies: dict[str, list[str]]

    def ordered(self) -> list[str]:
        """Stack names so that every stack comes after the stacks it depends on."""
        done: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in done:
                return
            if name in path:
                raise ValueError(f"dependency cycle: {' -> '.join((*path, name))}")
            for dependency in sorted(self.dependencies.get(name, [])):
                visit(dependency, (*path, name))
            done.append(name)

        for name in sorted(self.stacks):
            visit(name, ())
        return done


def read_manifest(outdir: Path) -> SynthResult:
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = {name: outdir / entry["workingDirectory"] for name, entry in manifest["stacks"].items()}
    dependencies = {name: list(entry.get("dependencies", [])) for name, entry in manifest["stacks"].items()}
    return SynthResult(outdir, stacks, dependencies)


def synthesize(environments: list[Environment], outdir: Path,
               emulator: EmulatorEndpoint | None = None, project_root: Path = Path("."),
               extensions: Extensions | None = None, catalog: Catalog | None = None,
               teams: frozenset[str] | None = None) -> SynthResult:
    """Build and synthesize the app into a temporary directory, then swap it into ``outdir``.

    A failure leaves ``outdir`` as it was: nothing half-written. ``teams``: only these teams' tenants stacks.
    """
    from goldenpath.stacks.app import build_app  # jsii and the providers load here, not at CLI start

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        build_app(environments, staging, emulator, project_root, extensions, catalog, teams).synth()
        _carry_over_working_files(outdir, staging)
        if outdir.exists():
            backup = outdir.with_name(f".{outdir.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            outdir.rename(backup)
            staging.rename(outdir)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            staging.rename(outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_manifest(outdir)


def _carry_over_working_files(old: Path, new: Path) -> None:
    stacks = old / "stacks"
    if not stacks.is_dir():
        return
    for stack in stacks.iterdir():
        target = new / "stacks" / stack.name
        if not target.is_dir():
            continue
        for name in _TERRAFORM_WORKING_FILES:
            source = stack / name
            if source.exists():
                shutil.move(str(source), str(target / name))
