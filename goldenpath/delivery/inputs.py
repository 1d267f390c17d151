"""Which teams' stacks a change can affect, from its files, so a pull request synthesizes only those (and every
stack that is not a team's): onboarding a service costs the same with 50 services in the catalog or 800.

A team's tenants stack is made from its ``teams/<team>.yaml`` and from what every stack shares: the environment
files, ``platform_extensions.py``, ``versions.yaml`` and anything else outside ``teams/`` and ``docs/`` (runbooks
only have to exist; their text is not synthesized). When a shared file changes, every team may be affected.
This only narrows what a pull request plans: after merge every stack is synthesized and applied by what was last
applied to it (a stack this missed would stop there as not reviewed, never be skipped).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from goldenpath.tenancy.catalog import DEFAULT_TEAMS_DIR

EVERY_TEAM = "*"
NO_TEAM = "-"
NOT_INPUTS = (".git", ".github", "docs", "cdktf.out", ".goldenpath", "goldenpath-ci", "reports", "__pycache__")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shared_inputs(root: Path) -> dict[str, str]:
    """relative path -> digest of every file outside teams/ that synthesis may read."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or relative.parts[0] in (*NOT_INPUTS, DEFAULT_TEAMS_DIR) or path.suffix == ".md":
            continue
        found[relative.as_posix()] = _digest(path)
    return found


def team_inputs(root: Path) -> dict[str, str]:
    """team file name (without .yaml) -> digest."""
    folder = root / DEFAULT_TEAMS_DIR
    return {p.stem: _digest(p) for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def changed_teams(base: Path, head: Path) -> list[str] | None:
    """The teams whose stacks the change from ``base`` to ``head`` (project folders) can affect; None: every team
    (a shared input changed, or the base has no platform yet)."""
    if not (base / "environments").is_dir() or shared_inputs(base) != shared_inputs(head):
        return None
    before, after = team_inputs(base), team_inputs(head)
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def format_teams(teams: list[str] | None) -> str:
    return EVERY_TEAM if teams is None else ",".join(teams) or NO_TEAM


def parse_teams(text: str) -> frozenset[str] | None:
    """``--teams``: ``*`` for every team, ``-`` for none, else comma-separated team names."""
    if text.strip() == EVERY_TEAM:
        return None
    if text.strip() == NO_TEAM:
        return frozenset()
    return frozenset(t.strip() for t in text.split(",") if t.strip())
