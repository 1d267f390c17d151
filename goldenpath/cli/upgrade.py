"""`goldenpath upgrade --env NAME`: where the cluster's Kubernetes version stands, and the next upgrade step."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from goldenpath.errors import GoldenpathError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a date like 2027-01-31") from None


def add_parser(sub, with_envs) -> None:
    p = sub.add_parser("upgrade", help="a cluster's Kubernetes support status and the next step of its upgrade "
                                       "(one minor version at a time; reads the repository, asks no cluster)")
    with_envs(p)
    p.add_argument("--on", type=_day, dest="day", metavar="DATE", help="the day to judge support on (default: today)")


def cmd_upgrade(args: argparse.Namespace, project_root: Path) -> int:
    from goldenpath.cli.main import _environments
    from goldenpath.lifecycle.upgrade import plan_lines, upgrade_plan
    from goldenpath.pins.table import load_pins

    environments = _environments(args)
    if not environments:
        raise GoldenpathError("--env: no environments found, expected at least one environments/<name>.yaml")
    pins = load_pins(project_root)
    day = args.day or date.today()
    blocks = ["\n".join(plan_lines(upgrade_plan(environment, day, pins))) for environment in environments]
    print("\n\n".join(blocks))
    return 0
