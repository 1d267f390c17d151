"""Library code never imports the CLI, and goldenpath's packages do not import each other in a
circle (function-level imports included)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "goldenpath"


def _imports() -> dict[str, set[str]]:
    """Subpackage (or top-level module) -> the goldenpath subpackages it imports."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if len(parts) == 1:  # goldenpath/__init__.py, _node.py, errors.py, extensions.py ...
            continue
        owner = parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.startswith("goldenpath.") and name.count(".") >= 1:
                    target = name.split(".")[1]
                    if target != owner:
                        found.setdefault(owner, set()).add(target)
    return found


def test_library_code_never_imports_the_cli():
    offenders = sorted(owner for owner, targets in _imports().items() if "cli" in targets and owner != "cli")
    assert offenders == []


def test_no_import_cycles_between_packages():
    graph = _imports()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(package for package in graph if reaches(package, package, {package}))
    assert cycles == [], f"packages in an import cycle: {cycles}"
