"""Stacks synthesized only for the policy gate (sample previews, sample sandboxes): what a pull request or a
sandbox request could create, scanned by `validate` next to the environment stacks before anyone asks."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path

from cdktn import App

from goldenpath.config.model import Environment


@dataclass(frozen=True)
class SampleStacks:
    stacks: dict[str, Path]
    hosted: dict[str, Environment]
    """Stack name -> the environment hosting it."""


def sample_day(now: datetime | None = None) -> datetime:
    """Midnight UTC today: the samples' expiry labels change once a day, not on every run."""
    return datetime.combine((now or datetime.now(timezone.utc)).date(), time(), tzinfo=timezone.utc)


def sample_app(outdir: Path) -> App:
    """A new app writing into ``outdir``, emptied first."""
    from goldenpath.stacks.app import new_app

    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    return new_app(outdir.resolve())


def synthesize_samples(app: App, outdir: Path, hosted: dict[str, Environment]) -> SampleStacks:
    """Synthesize the samples added to ``app`` (none: nothing to synthesize)."""
    if not hosted:
        return SampleStacks({}, {})
    app.synth()
    return SampleStacks({name: outdir / "stacks" / name for name in hosted}, hosted)
