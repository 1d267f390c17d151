"""The README's Python snippets are the runnable examples (which tests/test_wheel.py runs), word
for word, so a snippet cannot rot on its own."""

from __future__ import annotations

import re

from tests.conftest import REPO


def test_every_python_snippet_in_the_readme_is_part_of_an_example():
    readme = (REPO / "README.md").read_text()
    examples = "\n".join(p.read_text() for p in (REPO / "examples").rglob("*.py"))
    snippets = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(snippets) >= 2
    for snippet in snippets:
        assert snippet in examples, snippet[:200]
