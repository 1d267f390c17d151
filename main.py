"""CDK Terrain entry point: `cdktn synth` / `cdktf synth` run `python main.py` (see cdktf.json).

Synthesizes every environment in environments/ (or those named in GOLDENPATH_ENVS,
comma-separated). The `goldenpath` CLI does the same with validation and deploy on top.
"""

from __future__ import annotations

import os
import sys

import goldenpath  # noqa: F401  - points jsii at a supported Node before jsii loads
from goldenpath.config.loader import load_environments
from goldenpath.errors import GoldenpathError


def main() -> int:
    names = [n for n in os.environ.get("GOLDENPATH_ENVS", "").split(",") if n] or None
    try:
        environments = load_environments("environments", names)
        from goldenpath.stacks.app import build_app

        build_app(environments).synth()
    except GoldenpathError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
