"""Preview figures: the synth step of `preview up` against the CDK Terrain floor, and
`preview list` / `preview reap --dry-run` over 100 previews in the emulated state bucket.

    python benchmarks/preview_benchmark.py [--runs 3] [--previews 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_benchmark import FLOOR, REPO, measure  # noqa: E402

PREVIEW_SYNTH = """
import json, sys, goldenpath
from datetime import datetime, timezone
from pathlib import Path
from goldenpath.config.loader import load_environments
from goldenpath.deploy.terraform import Terraform
from goldenpath.previews.lifecycle import PreviewRun, synthesize_preview
from goldenpath.modules.preview_request import PreviewRequest
dev = [e for e in load_environments(sys.argv[1] + "/environments") if e.name == "dev"][0]
request = PreviewRequest("acme/shop", 42, "feature/x", "web", "sha-1", "alice", bucket=True)
from goldenpath.tenancy.catalog import catalog_for
run = PreviewRun(dev, registry=None, terraform=Terraform("terraform", {}), catalog=catalog_for(Path(sys.argv[1]), [dev]),
                 workdir=Path(sys.argv[2]))
stacks = synthesize_preview(run, request, request.expires_at(dev, datetime(2026, 11, 23, tzinfo=timezone.utc)))
resources = sum(len(b) for s in stacks.values() for b in json.loads((s / "cdk.tf.json").read_text())["resource"].values())
providers = sorted(m for m in sys.modules if m.startswith("cdktn_provider_") and m.count(".") == 0)
print(json.dumps({"stacks": len(stacks), "resources": resources, "providers": providers}))
"""


def cli_seconds(*args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "--environments", str(REPO / "environments"),
                             "preview", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return time.perf_counter() - start


def registry_figures(count: int, runs: int) -> tuple[float, float]:
    sys.path.insert(0, str(REPO))
    import goldenpath  # noqa: F401
    from goldenpath.deploy.emulator import create_state_bucket, emulator_client, running_emulator
    from goldenpath.config.loader import load_environments
    from goldenpath.previews.registry import PreviewRecord, Registry
    from goldenpath.modules.preview_request import PreviewRequest

    dev = [e for e in load_environments(REPO / "environments") if e.name == "dev"][0]
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp, running_emulator(dev.account_id, Path(tmp) / "moto.log") as endpoint:
        create_state_bucket(endpoint, dev.state_bucket, dev.state_region)
        registry = Registry(emulator_client("s3", endpoint, dev.region), dev.state_bucket)
        for pr in range(1, count + 1):
            request = PreviewRequest(f"acme/repo{pr % 7}", pr, f"feature/{pr}", "web", "sha", "alice")
            # every third preview already expired, so reap --dry-run has work to report
            expires = now + timedelta(hours=-1 if pr % 3 == 0 else 24)
            registry.save(PreviewRecord.of(request, now, expires))
        at = ["--env", "dev", "--aws-endpoint", endpoint.url]
        listing = statistics.median(cli_seconds("list", *at) for _ in range(runs))
        reaping = statistics.median(cli_seconds("reap", "--dry-run", *at) for _ in range(runs))
    return listing, reaping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--previews", type=int, default=100)
    args = parser.parse_args()
    ours, floor = [], []
    for _ in range(args.runs):
        ours.append(measure(PREVIEW_SYNTH))
        floor.append(measure(FLOOR, json.dumps(ours[-1]["providers"])))
    o_s = statistics.median(r["seconds"] for r in ours)
    f_s = statistics.median(r["seconds"] for r in floor)
    o_m = statistics.median(r["peak_mb"] for r in ours)
    listing, reaping = registry_figures(args.previews, args.runs)
    print(f"median of {args.runs} runs; providers loaded: {', '.join(ours[0]['providers'])}")
    print("| what | figure | goal |")
    print("|---|---|---|")
    print(f"| floor: bare CDK Terrain app, same bindings | {f_s:.2f} s | |")
    print(f"| `preview up` synth step ({ours[0]['stacks']} stacks, {ours[0]['resources']} resources) | {o_s:.2f} s, {o_m:.0f} MB ({o_s / f_s:.2f}x) | <= 1.5x |")
    print(f"| `preview list`, {args.previews} previews in the emulated bucket | {listing:.2f} s | < 10 s |")
    print(f"| `preview reap --dry-run`, {args.previews} previews | {reaping:.2f} s | < 10 s |")


if __name__ == "__main__":
    main()
