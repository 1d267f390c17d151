"""Writing files so that a reader never sees half of one: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` (creating its folder); the old content stays until the new one is complete.
    ``mode``: permissions to set (the temporary file is private, 0600). Default: leave them private."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    if mode is not None:
        os.chmod(temporary, mode)
    os.replace(temporary, path)
