"""Scale of a change: onboarding one service into a catalog of 50, 200 and 800 services (one environment, 10
services a team, each with a repository and a chart, a fifth with a bucket). For each size, as the pipeline's
jobs run it (fresh processes, against the local AWS emulator):

- the pull request: `ci changed-teams`, the base's and the head's synth of what the change can affect,
  `ci affected` (how many stacks it finds), and a plan of each affected stack the emulator can plan;
- for reference, the full synth the apply and drift jobs run after merge.

The cluster and the shared tenants key the team stacks read are applied once, before the sizes, and are not timed.

    python benchmarks/delivery_benchmark.py [--sizes 50 200 800]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_benchmark import route_teams_to_a_bridge  # noqa: E402


def environment(ci_repository: str = "acme/platform") -> dict:
    env = yaml.safe_load((REPO / "environments" / "dev.yaml").read_text())
    for section in ("previews", "sandboxes", "budget"):
        env.pop(section, None)
    env["ci"] = {"repository": ci_repository}
    return env


def generate(root: Path, services: int) -> None:
    env = environment()
    teams = [f"team{t:02d}" for t in range(max(1, services // 10))]
    route_teams_to_a_bridge(env, teams)
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "dev.yaml").write_text(yaml.safe_dump(env, sort_keys=False))
    (root / "teams").mkdir()
    for t, team in enumerate(teams):
        entries = [_service(f"svc{t:02d}{s}", s) for s in range(10)]
        (root / "teams" / f"{team}.yaml").write_text(yaml.safe_dump({"name": team, "owners": f"{team}-engineers",
                                                                     "services": entries}, sort_keys=False))
    shutil.copytree(REPO / "docs" / "runbooks", root / "docs" / "runbooks")
    run(root, "runbooks")


def _service(name: str, index: int) -> dict:
    entry: dict = {"name": name, "environments": ["dev"], "repository": f"acme/{name}",
                   "previews": {"repository": "https://charts.example.com/apps", "chart": "web-service", "version": "1.0.0",
                                "image_repository": f"registry.example.com/apps/{name}", "port": 8080}}
    if index % 5 == 0:
        entry["cloud"] = {"bucket": "read_write"}
    return entry


def onboard(head: Path) -> None:
    team = head / "teams" / "team00.yaml"
    document = yaml.safe_load(team.read_text())
    document["services"].append(_service("newcomer", 1))
    team.write_text(yaml.safe_dump(document, sort_keys=False))


def run(cwd: Path, *argv: str, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "goldenpath.cli.main", *argv], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"goldenpath {' '.join(argv)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start, result.stdout


def plan(stack_dir: Path, terraform) -> float:
    from goldenpath.delivery.plans import plan_stack

    start = time.perf_counter()
    plan_stack(terraform, stack_dir, lock=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 800])
    args = parser.parse_args()
    from goldenpath.config.loader import load_environments
    from goldenpath.deploy.emulator import create_state_bucket, running_emulator
    from goldenpath.deploy.runner import emulator_terraform

    rows = []
    with tempfile.TemporaryDirectory() as tmp, running_emulator("111111111111", Path(tmp) / "moto.log") as endpoint:
        emulated = {"GOLDENPATH_AWS_ENDPOINT": endpoint.url, **endpoint.environment()}
        terraform = emulator_terraform(Path(tmp) / "tf", endpoint, stream=False)
        for index, size in enumerate(args.sizes):
            base, head = Path(tmp) / f"{size}" / "base", Path(tmp) / f"{size}" / "head"
            generate(base, size)
            shutil.copytree(base, head)
            onboard(head)
            if index == 0:  # the network, cluster and shared tenants key the team stacks read, once
                env = load_environments(base / "environments")[0]
                create_state_bucket(endpoint, env.state_bucket, env.state_region)
                run(base, "synth", "--outdir", str(Path(tmp) / "setup"), env=emulated)
                for name in ("dev-network", "dev-cluster", "dev-tenants"):
                    terraform.init(Path(tmp) / "setup" / "stacks" / name)
                    terraform.apply(Path(tmp) / "setup" / "stacks" / name, auto_approve=True)
            out = Path(tmp) / f"{size}" / "out"
            teams_time, teams = run(head, "ci", "changed-teams", "--base", str(base))
            base_time, _ = run(base, "synth", "--teams", teams.strip(), "--outdir", str(out / "base"), env=emulated)
            head_time, _ = run(head, "synth", "--teams", teams.strip(), "--outdir", str(out / "head"), env=emulated)
            affected_time, text = run(head, "ci", "affected", "--base", str(out / "base"), "--head", str(out / "head"),
                                      "--format", "json", env=emulated)
            found = json.loads(text)
            changed = found["added"] + found["changed"]
            plan_time = sum(plan(out / "head" / "stacks" / name, terraform) for name in changed)
            full_time, _ = run(head, "synth", "--outdir", str(out / "full"), env=emulated)
            full_stacks = len(list((out / "full" / "stacks").iterdir()))
            pr_time = teams_time + base_time + head_time + affected_time + plan_time
            rows.append((size, teams.strip(), changed, base_time + head_time, affected_time, plan_time, pr_time, full_time,
                         full_stacks))
    print("| services | teams the change can affect | stacks affected | PR synth (base + head) | `ci affected` "
          "| plan of the affected stacks | the PR's total | full synth (after merge), stacks |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for size, teams, changed, synth, affected, planned, total, full, stacks in rows:
        print(f"| {size} | {teams} | {', '.join(changed)} | {synth:.1f} s | {affected:.1f} s | {planned:.1f} s "
              f"| {total:.1f} s | {full:.1f} s, {stacks} |")


if __name__ == "__main__":
    main()
