"""Synth wall time and peak memory of goldenpath vs a bare CDK Terrain app (the floor).

Both run as fresh processes, alternately, in the same run; peak memory is the largest
sum of RSS over the process and its children (Python plus jsii's Node), sampled every
20 ms. The floor loads exactly the provider bindings goldenpath's synth loaded, builds one
stack with a provider and synthesizes it: what any CDK Terrain app pays before its own code.

    python benchmarks/synth_benchmark.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

GOLDENPATH = """
import json, sys, goldenpath
from pathlib import Path
from goldenpath.config.loader import load_environments
from goldenpath.stacks.synth import synthesize
result = synthesize(load_environments(sys.argv[1] + "/environments"), Path(sys.argv[2]))
resources = sum(len(b) for s in result.stacks.values()
                for b in json.loads((s / "cdk.tf.json").read_text()).get("resource", {}).values())
providers = sorted(m for m in sys.modules if m.startswith("cdktn_provider_") and m.count(".") == 0)
print(json.dumps({"stacks": len(result.stacks), "resources": resources, "providers": providers}))
"""

FLOOR = """
import importlib, json, sys, goldenpath  # goldenpath only to pick the same Node for jsii
import cdktn
providers = json.loads(sys.argv[3])
for name in providers:
    importlib.import_module(name)
from cdktn_provider_aws.provider import AwsProvider
app = cdktn.App(outdir=sys.argv[2])
stack = cdktn.TerraformStack(app, "floor")
AwsProvider(stack, "aws", region="eu-west-1")
app.synth()
print(json.dumps({"stacks": 1, "resources": 0, "providers": providers}))
"""


ALERT_BRIDGE = "alert-bridge.observability.svc:9095"


def route_teams_to_a_bridge(environment: dict, teams: list[str]) -> None:
    """Give each generated team page and ticket routes to an in-cluster webhook bridge, declared as installed
    by someone else (validate refuses a receiver naming a Service that nothing creates or declares)."""
    observability = environment["observability"]
    observability.setdefault("declared_services", {})[ALERT_BRIDGE] = "the benchmark's stand-in webhook bridge"
    for team in teams:
        observability["teams"][team] = {"page": {"type": "webhook", "url": f"http://{ALERT_BRIDGE}/{team}/page"},
                                         "ticket": {"type": "webhook", "url": f"http://{ALERT_BRIDGE}/{team}/ticket"}}


def _tree_rss(pid: int) -> int:
    """RSS in bytes of ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        current = todo.pop()
        try:
            total += int((Path("/proc") / str(current) / "statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(current, []))
    return total


def measure(code: str, *args: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", code, str(REPO), out, *args], stdout=subprocess.PIPE, text=True)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        stdout = process.stdout.read()
        if process.returncode != 0:
            raise SystemExit(f"benchmark process failed with {process.returncode}")
    return {"seconds": elapsed, "peak_mb": peak / 2**20, **json.loads(stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ours, floor = [], []
    for _ in range(args.runs):
        ours.append(measure(GOLDENPATH))
        floor.append(measure(FLOOR, json.dumps(ours[-1]["providers"])))
    median = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    o_s, f_s, o_m, f_m = median(ours, "seconds"), median(floor, "seconds"), median(ours, "peak_mb"), median(floor, "peak_mb")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of {args.runs} runs; "
          f"providers loaded: {', '.join(ours[0]['providers'])}")
    print("| what | wall time | peak memory |")
    print("|---|---|---|")
    print(f"| bare CDK Terrain app, same bindings (floor) | {f_s:.2f} s | {f_m:.0f} MB |")
    print(f"| goldenpath synth, {ours[0]['stacks']} stacks, {ours[0]['resources']} resources | {o_s:.2f} s | {o_m:.0f} MB |")
    print(f"| ratio (goal: <= 2.0x time, < 2048 MB) | {o_s / f_s:.2f}x | {o_m / f_m:.2f}x |")


if __name__ == "__main__":
    main()
