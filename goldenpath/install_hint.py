"""How to add an extra to goldenpath the way this goldenpath was installed: hints that work as printed."""

from __future__ import annotations

import importlib.metadata
import json

from goldenpath._version import __version__


def install_hint(extra: str | None = None) -> str:
    """The pip command that adds ``extra`` (emulator, pulumi, ...; None: goldenpath's own dependencies) to this
    installation: an editable checkout, the wheel or URL it was installed from (PEP 610's direct_url.json), or the same
    version from the index."""
    extras = f"[{extra}]" if extra else ""
    # Every goldenpath metadata on sys.path (a checkout's egg-info may come before the installed dist-info).
    found = (d.read_text("direct_url.json") for d in importlib.metadata.distributions(name="goldenpath"))
    direct = next((text for text in found if text), None)
    if direct:
        try:
            origin = json.loads(direct)
        except ValueError:
            origin = {}
        url = origin.get("url", "")
        if origin.get("dir_info", {}).get("editable"):
            return f"pip install -e '.{extras}' (in the goldenpath checkout at {url.removeprefix('file://')})"
        if url:
            return f"pip install 'goldenpath{extras} @ {url}'"
    return f"pip install 'goldenpath{extras}=={__version__}'"
