"""The Jinja2 environment every goldenpath template renders with: one per package, created once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2


@cache
def package_templates(package: str) -> jinja2.Environment:
    """Templates in ``<package>/templates``: undefined names are errors, trailing newlines kept,
    no HTML escaping (the output is YAML and Markdown)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
    )


@cache
def workflow_templates(package: str) -> jinja2.Environment:
    """Templates of GitHub Actions workflows in ``<package>/templates``: ``[[ name ]]`` and ``[% block %]``, so
    GitHub's own ``${{ expression }}`` is written as it is read."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, autoescape=False, trim_blocks=True, lstrip_blocks=True,
        variable_start_string="[[", variable_end_string="]]", block_start_string="[%", block_end_string="%]",
        comment_start_string="[#", comment_end_string="#]",
    )


def write_rendered(files: dict[str, str], directory: Path) -> list[Path]:
    """Write rendered texts (file name -> text) into ``directory``, creating it; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written
