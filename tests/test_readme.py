"""The README and the guides in docs/: Python snippets are the runnable examples (which tests/test_wheel.py runs),
word for word; every relative link and anchor resolves; the README stays short and names the version it installs.
(The README's newcomer path itself is run by tests/test_wheel.py.)"""

from __future__ import annotations

import re
from pathlib import Path

from goldenpath._version import __version__
from tests.conftest import REPO

GUIDES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
LINK = re.compile(r"\[[^\]]+\]\(([^)\s]+)\)")


def _outside_code(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#{1,6} (.+)$", _outside_code(path.read_text()), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


# extensibility.md sketches an Extensions object (with "..."); the others' snippets must run as written.
SKETCHES = {"extensibility.md"}


def test_every_python_snippet_in_the_guides_is_part_of_an_example():
    examples = "\n".join(p.read_text() for p in (REPO / "examples").rglob("*.py"))
    snippets = [s for guide in GUIDES if guide.name not in SKETCHES
                for s in re.findall(r"```python\n(.*?)```", guide.read_text(), flags=re.S)]
    assert len(snippets) >= 2
    for snippet in snippets:
        assert snippet in examples, snippet[:200]


def test_every_relative_link_and_anchor_resolves():
    broken = []
    for guide in GUIDES:
        for target in LINK.findall(_outside_code(guide.read_text())):
            if re.match(r"^[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (guide.parent / file).resolve() if file else guide
            if not path.exists():
                broken.append(f"{guide.relative_to(REPO)}: {target} (no such file)")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{guide.relative_to(REPO)}: {target} (no such heading)")
    assert broken == []


def test_the_readme_is_a_short_guide_that_installs_this_version():
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 600
    assert f"goldenpath-{__version__}-py3-none-any.whl" in readme and f"goldenpath=={__version__}" in readme
    assert not re.search(r"goldenpath[-=]\d+\.\d+\.\d+", readme.replace(__version__, "VERSION")), "another version named"


def verified_table(path: Path) -> list[str]:
    """The rows of the guide's "What is verified, and how" table, links reduced to their text."""
    section = path.read_text().split("## What is verified, and how", 1)[1]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| part"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line))
    return rows


def test_the_readme_says_what_is_verified_as_the_observability_guide_does():
    """The README repeats docs/observability.md's table (links aside); a row changed in one and not the other fails."""
    readme, guide = verified_table(REPO / "README.md"), verified_table(REPO / "docs" / "observability.md")
    assert len(guide) > 10
    assert readme == guide
