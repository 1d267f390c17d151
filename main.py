"""CDK Terrain entry point: `cdktn synth` / `cdktf synth` run `python main.py` (see cdktf.json).

Synthesizes every environment in environments/ (or those named in GOLDENPATH_ENVS, comma-separated,
e.g. GOLDENPATH_ENVS="dev, staging") with the extensions in platform_extensions.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from goldenpath.stacks.entry import synth_main  # importing goldenpath first points jsii at a supported Node

if __name__ == "__main__":
    sys.exit(synth_main(Path(__file__).resolve().parent))
