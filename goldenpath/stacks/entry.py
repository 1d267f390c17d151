"""What `python main.py` does (the app `cdktn synth` / `cdktf synth` run, see cdktf.json): synthesize the
environments in ``<root>/environments`` (or those named in GOLDENPATH_ENVS) with ``<root>/platform_extensions.py``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from goldenpath.config.loader import load_environments
from goldenpath.errors import GoldenpathError

ENVS_VARIABLE = "GOLDENPATH_ENVS"


def names_from(value: str | None) -> list[str] | None:
    """``"dev, staging"`` -> ["dev", "staging"]; unset or empty: None (every environment)."""
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    return names or None


def synth_main(root: Path) -> int:
    """Synthesize into cdktf.json's output folder; a bad environment or name is one line on stderr, exit 2."""
    try:
        environments = load_environments(root / "environments", names_from(os.environ.get(ENVS_VARIABLE)), option=ENVS_VARIABLE)
        from goldenpath.stacks.app import build_app

        build_app(environments, project_root=root).synth()
    except GoldenpathError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0
