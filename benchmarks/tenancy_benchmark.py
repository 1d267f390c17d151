"""Tenancy at scale: 5 environments (clusters) and 200 services spread over them, each service in
2 to 5 clusters. Full synth time and peak memory against the CDK Terrain floor (same run), synth of
one environment's tenants stack alone against the same floor, and `goldenpath validate` wall time.

    python benchmarks/tenancy_benchmark.py [--runs 3] [--services 200] [--environments 5]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_benchmark import FLOOR, REPO, measure, route_teams_to_a_bridge  # noqa: E402

FULL = """
import json, sys, goldenpath
from pathlib import Path
from goldenpath.config.loader import load_environments
from goldenpath.stacks.synth import synthesize
root = Path(sys.argv[3])
result = synthesize(load_environments(root / "environments"), Path(sys.argv[2]), project_root=root)
resources = sum(len(b) for s in result.stacks.values()
                for b in json.loads((s / "cdk.tf.json").read_text()).get("resource", {}).values())
providers = sorted(m for m in sys.modules if m.startswith("cdktn_provider_") and m.count(".") == 0)
print(json.dumps({"stacks": len(result.stacks), "resources": resources, "providers": providers}))
"""

ONE_TENANTS_STACK = """
import json, sys, goldenpath
from pathlib import Path
from goldenpath.config.loader import load_environments
from goldenpath.stacks.app import new_app
from goldenpath.stacks.tenants_stack import TeamTenantsStack
from goldenpath.tenancy.catalog import catalog_for
root = Path(sys.argv[3])
environments = load_environments(root / "environments")
env = environments[0]
placements = [p for p in catalog_for(root, environments).placements(env.name) if p.team.name == "team00"]
app = new_app(sys.argv[2])
TeamTenantsStack(app, env, "team00", placements)
app.synth()
document = json.loads((Path(sys.argv[2]) / "stacks" / f"{env.name}-tenants-team00" / "cdk.tf.json").read_text())
providers = sorted(m for m in sys.modules if m.startswith("cdktn_provider_") and m.count(".") == 0)
print(json.dumps({"stacks": 1, "resources": sum(len(b) for b in document["resource"].values()), "providers": providers}))
"""


def generate(root: Path, services: int, environments: int, seed: int = 10) -> dict:
    """A platform repository with ``environments`` clusters and ``services`` services in 20 teams."""
    rng = random.Random(seed)
    base = yaml.safe_load((REPO / "environments" / "dev.yaml").read_text())
    teams = [f"team{t:02d}" for t in range(20)]
    (root / "environments").mkdir(parents=True)
    names = [f"cluster{i}" for i in range(environments)]
    for index, name in enumerate(names):
        env = json.loads(json.dumps(base))
        env["name"], env["network"]["cidr"] = name, f"10.{40 + index}.0.0/16"
        env.pop("previews", None)
        if index:  # one environment per account and region sets the default EBS key (config refuses a second)
            env["network"]["ebs_default_key"] = "aws-managed"
        route_teams_to_a_bridge(env, teams)
        (root / "environments" / f"{name}.yaml").write_text(yaml.safe_dump(env, sort_keys=False))
    (root / "teams").mkdir()
    placements = 0
    for t, team in enumerate(teams):
        entries = []
        for s in range(services // len(teams)):
            where = sorted(rng.sample(names, rng.randint(2, min(5, environments))))
            placements += len(where)
            entry: dict = {"name": f"svc{t:02d}{s:02d}", "environments": where}
            if s % 4 == 0:
                entry["slos"] = {"availability": {"objective": 0.999}}
            if s % 5 == 0:
                entry["cloud"] = {"bucket": "read_write"}
            entries.append(entry)
        (root / "teams" / f"{team}.yaml").write_text(yaml.safe_dump({"name": team, "owners": f"{team}-engineers",
                                                                     "services": entries}, sort_keys=False))
    shutil.copytree(REPO / "docs" / "runbooks", root / "docs" / "runbooks")
    cli(root, "runbooks")
    return {"placements": placements}


def cli(root: Path, *args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "--environments", str(root / "environments"), *args],
                            capture_output=True, text=True, cwd=root)
    if result.returncode != 0:
        raise SystemExit(result.stdout[-3000:] + result.stderr[-3000:])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--environments", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "platform"
        shape = generate(root, args.services, args.environments)
        full, one, floor = [], [], []
        for _ in range(args.runs):
            full.append(measure(FULL, str(root)))
            one.append(measure(ONE_TENANTS_STACK, str(root)))
            floor.append(measure(FLOOR, json.dumps(full[-1]["providers"])))
        validate = cli(root, "validate", "--outdir", str(Path(tmp) / "out"), "--reports", str(Path(tmp) / "reports"))
    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    f_s, f_m = med(floor, "seconds"), med(floor, "peak_mb")
    print(f"{args.environments} clusters, {args.services} services, {shape['placements']} tenant namespaces; "
          f"median of {args.runs} runs")
    print("| what | wall time | peak memory | vs floor |")
    print("|---|---|---|---|")
    print(f"| bare CDK Terrain app, same bindings (floor) | {f_s:.2f} s | {f_m:.0f} MB | 1.00x |")
    print(f"| full synth, {full[0]['stacks']} stacks, {full[0]['resources']} resources (goal <= 2.5x, < 2048 MB) | "
          f"{med(full, 'seconds'):.2f} s | {med(full, 'peak_mb'):.0f} MB | {med(full, 'seconds') / f_s:.2f}x |")
    print(f"| one team's tenants stack, {one[0]['resources']} resources (goal <= 1.5x) | {med(one, 'seconds'):.2f} s | "
          f"{med(one, 'peak_mb'):.0f} MB | {med(one, 'seconds') / f_s:.2f}x |")
    print(f"| goldenpath validate, every stack (goal < 180 s) | {validate:.0f} s | | |")


if __name__ == "__main__":
    main()
