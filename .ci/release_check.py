"""The release workflow's first step: the pushed tag is the version being released, and CHANGELOG.md has its entry.

Usage: python .ci/release_check.py TAG   (e.g. v0.12.0; run from the repository root)
Prints the version's CHANGELOG section (the release notes) and exits 0, or one line naming what disagrees and exits 2.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def release_notes(tag: str, root: Path) -> str:
    version = re.search(r'__version__ = "([^"]+)"', (root / "goldenpath" / "_version.py").read_text()).group(1)
    if tag != f"v{version}":
        raise ValueError(f"tag {tag!r}: expected v{version}, the version in goldenpath/_version.py")
    changelog = (root / "CHANGELOG.md").read_text()
    section = re.search(rf"^## {re.escape(version)} - \d{{4}}-\d{{2}}-\d{{2}}\n(.*?)(?=^## |\Z)", changelog, re.M | re.S)
    if section is None:
        raise ValueError(f"CHANGELOG.md: no '## {version} - YYYY-MM-DD' section; expected the release's entry")
    return section.group(1).strip() + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python .ci/release_check.py TAG", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(release_notes(argv[0], Path.cwd()))
    except ValueError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
