"""Install hints fit how goldenpath was installed (PEP 610's direct_url.json), so they work as printed."""

from __future__ import annotations

import importlib.metadata

import pytest

from goldenpath._version import __version__
from goldenpath.install_hint import install_hint


class _Dist:
    def __init__(self, direct_url: str | None):
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


@pytest.mark.parametrize(("found", "hint"), [
    ([_Dist('{"url": "file:///src/goldenpath", "dir_info": {"editable": true}}')],
     "pip install -e '.[emulator]' (in the goldenpath checkout at /src/goldenpath)"),
    ([_Dist(None), _Dist('{"url": "file:///w/goldenpath-0.12.0-py3-none-any.whl", "archive_info": {}}')],  # egg-info first
     "pip install 'goldenpath[emulator] @ file:///w/goldenpath-0.12.0-py3-none-any.whl'"),
    ([_Dist(None)], f"pip install 'goldenpath[emulator]=={__version__}'"),  # from an index: no direct_url.json
    ([_Dist("not json")], f"pip install 'goldenpath[emulator]=={__version__}'"),
])
def test_the_hint_follows_the_installation(monkeypatch, found, hint):
    monkeypatch.setattr(importlib.metadata, "distributions", lambda name=None: iter(found))
    assert install_hint("emulator") == hint
    assert "[" not in install_hint()  # goldenpath itself, no extra
