"""`goldenpath cost`, `cost diff` and `cost refresh`: parse, call the library, print."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

FORMATS = ("table", "json", "markdown")


def add_parser(sub, with_envs) -> None:
    cost = sub.add_parser("cost", help="monthly estimate of every synthesized stack (low / expected / high) from dated prices")
    with_envs(cost)
    cost.add_argument("--outdir", type=Path, default=Path("cdktf.out"))
    cost.add_argument("--format", choices=FORMATS, default="table")
    cost.add_argument("--allow-unpriced", action="store_true", help="exit 0 even when some lines have no price")
    actions = cost.add_subparsers(dest="action")

    p = actions.add_parser("diff", help="what a change costs: per stack and per resource, between two synth outputs")
    p.add_argument("old", type=Path, help="synth output before the change (e.g. the base branch's cdktf.out)")
    p.add_argument("new", type=Path, help="synth output after the change")
    p.add_argument("--format", dest="diff_format", choices=("markdown", "json"), default="markdown")

    p = actions.add_parser("refresh", help="rebuild a region's price snapshot from the AWS Price List API (needs credentials)")
    p.add_argument("--region", required=True, help="region to price, e.g. eu-west-1")
    p.add_argument("--instance-type", action="append", default=[], dest="instance_types", metavar="TYPE",
                   help="also price this instance type (repeatable; the environments' types are always priced)")
    p.add_argument("--out", type=Path, help="folder for <region>.json (default: prices/ next to environments/)")


def _prices(project_root: Path) -> Path:
    from goldenpath.cost.prices import PROJECT_PRICES

    return project_root / PROJECT_PRICES


def cmd_cost(args: argparse.Namespace, project_root: Path) -> int:
    if args.action == "diff":
        return _diff(args, project_root)
    if args.action == "refresh":
        return _refresh(args, project_root)
    from goldenpath.cli.main import _catalog, _environments
    from goldenpath.cost.budget import open_unpriced
    from goldenpath.cost.environments import estimate_synthesized
    from goldenpath.cost.render import as_json, as_markdown, as_table
    from goldenpath.extensions import load_extensions
    from goldenpath.stacks.synth import synthesize

    environments = _environments(args)
    result = synthesize(environments, args.outdir, project_root=project_root, extensions=load_extensions(project_root),
                        catalog=_catalog(args, environments))
    report = estimate_synthesized(result.stacks, environments, date.today(), _prices(project_root))
    render = {"json": as_json, "markdown": as_markdown}.get(args.format, as_table)
    sys.stdout.write(render(report))
    return _unpriced_exit(open_unpriced(report), len(report.not_priced), args.allow_unpriced)


def _unpriced_exit(open_lines: list[str], not_priced: int, allowed: bool) -> int:
    if open_lines and not allowed:
        print(f"error: {len(open_lines)} line(s) not priced (listed above; {not_priced - len(open_lines)} accepted by "
              "budget.accept_unpriced); never counted as $0. Refresh prices (`goldenpath cost refresh`), accept each "
              "by name under budget.accept_unpriced with a reason, or pass --allow-unpriced", file=sys.stderr)
        return 1
    return 0


def _diff(args: argparse.Namespace, project_root: Path) -> int:
    from goldenpath.cli.main import _environments
    from goldenpath.cost.diff import cost_diff, diff_json, diff_markdown

    diff = cost_diff(args.old, args.new, _environments(args), date.today(), _prices(project_root))
    sys.stdout.write(diff_json(diff) if args.diff_format == "json" else diff_markdown(diff))
    return 0


def _refresh(args: argparse.Namespace, project_root: Path) -> int:
    import boto3

    from goldenpath.cli.main import _environments
    from goldenpath.cost.refresh import refresh_snapshot, write_snapshot
    from goldenpath.deploy.terraform import require_aws_credentials

    environments = [e for e in _environments(args) if e.region == args.region]
    types = {t for e in environments for g in e.cluster.node_groups for t in g.instance_types} | set(args.instance_types)
    require_aws_credentials()
    client = boto3.client("pricing", region_name="us-east-1")  # the Price List API answers in us-east-1
    refreshed = refresh_snapshot(client, args.region, sorted(types), date.today())
    path, changes = write_snapshot(refreshed, args.out or _prices(project_root))
    print(f"wrote {path}: {len(refreshed.snapshot.prices)} prices")
    for line in changes:
        print(f"  {line}")
    for key, reason in refreshed.missing.items():
        print(f"  not found: {key}: {reason}")
    return 1 if refreshed.missing else 0
