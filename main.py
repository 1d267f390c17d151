"""CDK Terrain entry point: `cdktn synth` / `cdktf synth` run `python main.py` (see cdktf.json).

Synthesizes every environment in environments/ (or those named in
GOLDENPATH_ENVS, comma-separated) with the extensions in platform_extensions.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import goldenpath  # noqa: F401  - points jsii at a supported Node before jsii loads
from goldenpath.config.loader import load_environments
from goldenpath.errors import GoldenpathError

ROOT = Path(__file__).resolve().parent


def main() -> int:
    names = [n for n in os.environ.get("GOLDENPATH_ENVS", "").split(",") if n] or None
    try:
        environments = load_environments(ROOT / "environments", names)
        from goldenpath.stacks.app import build_app

        build_app(environments, project_root=ROOT).synth()
    except GoldenpathError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())