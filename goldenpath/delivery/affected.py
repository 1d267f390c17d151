"""Which stacks a change affects, from what the change synthesizes, not from which files it touches: each stack's
canonical JSON (its ``cdk.tf.json`` without cdktn's construct-path metadata, keys sorted, plus any asset it ships)
is compared between the base and the head of the change. A library refactor that synthesizes the same JSON affects
nothing; a tag changed in dev.yaml affects exactly the dev stacks whose JSON changed.

Affected stacks are grouped into waves from the head's manifest: a stack's wave is one more than the latest wave of
the affected stacks it depends on, so every wave can run in parallel and after the ones before it. Removed stacks
get destroy waves from the base's manifest, in reverse.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldenpath.errors import GoldenpathError

MATRIX_LIMIT = 256
"""GitHub Actions: a matrix generates at most 256 jobs per workflow run."""


def _without_metadata(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_without_metadata(v) for v in value]
    return value


def canonical(stack_dir: Path) -> str:
    """The stack as Terraform sees it: JSON without construct-path metadata, keys sorted."""
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    return json.dumps(_without_metadata(document), sort_keys=True, separators=(",", ":"))


def fingerprint(stack_dir: Path) -> str:
    """SHA-256 of the canonical JSON and of every asset file the stack ships (a function's code)."""
    digest = hashlib.sha256(canonical(stack_dir).encode())
    assets = stack_dir / "assets"
    for path in sorted(assets.rglob("*")) if assets.is_dir() else []:
        if path.is_file():
            digest.update(str(path.relative_to(stack_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class SynthOutput:
    """A synth output folder (``cdktf.out``): stacks by name and their dependencies, from its manifest."""

    root: Path
    stacks: dict[str, Path]
    dependencies: dict[str, list[str]]

    @classmethod
    def read(cls, root: Path) -> SynthOutput:
        manifest = root / "manifest.json"
        if not manifest.is_file():
            if (root / "stacks").is_dir() or not root.exists():  # a base that had no platform yet: nothing
                return cls(root, {}, {})
            raise GoldenpathError(f"{root}: no manifest.json; expected the output folder of `goldenpath synth`")
        data = json.loads(manifest.read_text())
        stacks = {name: root / entry["workingDirectory"] for name, entry in data["stacks"].items()}
        return cls(root, stacks, {name: list(entry.get("dependencies", [])) for name, entry in data["stacks"].items()})


def waves(names: set[str], dependencies: dict[str, list[str]]) -> list[list[str]]:
    """``names`` in waves: each after the waves holding the ``names`` it depends on (transitively through others)."""
    level: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> int:
        if name in level:
            return level[name]
        if name in path:
            raise GoldenpathError(f"dependency cycle: {' -> '.join((*path, name))}")
        below = [visit(d, (*path, name)) for d in dependencies.get(name, [])]
        mine = max(below, default=-1) + (1 if name in names else 0)
        level[name] = mine
        return mine

    for name in sorted(names):
        visit(name, ())
    grouped: dict[int, list[str]] = {}
    for name in sorted(names):
        grouped.setdefault(level[name], []).append(name)
    return [grouped[key] for key in sorted(grouped)]


@dataclass
class Affected:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    waves: list[list[str]] = field(default_factory=list)
    """Added and changed stacks, in apply order."""
    destroy_waves: list[list[str]] = field(default_factory=list)
    """Removed stacks, in destroy order (dependents first)."""

    def as_json(self) -> dict:
        return {"added": self.added, "changed": self.changed, "removed": self.removed, "unchanged": self.unchanged,
                "waves": self.waves, "destroy_waves": self.destroy_waves}


def affected(base: SynthOutput, head: SynthOutput) -> Affected:
    before = {name: fingerprint(path) for name, path in base.stacks.items()}
    after = {name: fingerprint(path) for name, path in head.stacks.items()}
    result = Affected(
        added=sorted(set(after) - set(before)),
        changed=sorted(n for n in set(after) & set(before) if after[n] != before[n]),
        removed=sorted(set(before) - set(after)),
        unchanged=sorted(n for n in set(after) & set(before) if after[n] == before[n]),
    )
    result.waves = waves(set(result.added) | set(result.changed), head.dependencies)
    result.destroy_waves = list(reversed(waves(set(result.removed), base.dependencies)))
    return result


def batches(stacks: list[str], limit: int = MATRIX_LIMIT) -> list[list[str]]:
    """``stacks`` split into at most ``limit`` batches of near-equal size (one matrix job each)."""
    if not stacks:
        return []
    count = min(limit, len(stacks))
    return [stacks[index::count] for index in range(count)]
