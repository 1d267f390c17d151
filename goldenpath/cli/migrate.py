"""`goldenpath migrate tenants`: parse, call goldenpath.deploy.migrate, print."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

WORKDIR = Path(".goldenpath/migrate")


def add_parser(sub) -> None:
    p = sub.add_parser("migrate", help="one-time state moves between releases (see docs/upgrading.md)")
    migrations = p.add_subparsers(dest="migration", required=True)
    q = migrations.add_parser("tenants", help="0.6 -> 0.7: move each team's resources into its own <env>-tenants-<team> state")
    q.add_argument("--env", dest="envs", action="append", metavar="NAME", required=True, help="environment (one)")
    q.add_argument("--aws-endpoint", metavar="URL", help="a local AWS emulator on loopback instead of AWS")


def cmd_migrate(args: argparse.Namespace, environments, catalog, project_root: Path) -> int:
    from goldenpath.deploy.migrate import migrate_tenants
    from goldenpath.errors import GoldenpathError
    from goldenpath.stacks.layout import TEAM_COMPONENT, stack_layout, stack_layouts
    from goldenpath.stacks.synth import synthesize

    if len(environments) != 1:
        raise GoldenpathError(f"--env: got {len(environments)} environments, expected one")
    (environment,) = environments
    endpoint, terraform = _backend(args, WORKDIR / environment.name)
    result = synthesize([environment], WORKDIR / environment.name / "cdktf.out", endpoint, project_root, catalog=catalog)
    teams = {layout.name: result.stacks[layout.name] for layout in stack_layouts(environment, catalog.teams_on(environment.name))
             if layout.team}
    shared = result.stacks[stack_layout(environment, TEAM_COMPONENT).name]
    migration = migrate_tenants(terraform, shared, teams, WORKDIR / environment.name / "backends")
    if migration.already_done:
        print(f"{shared.name}: holds no team's resources ({len(migration.kept)} of its own); nothing to migrate")
        return 0
    for name, addresses in migration.moved.items():
        print(f"moved {len(addresses)} resource(s) into {name}")
    print(f"kept {len(migration.kept)} in {shared.name}; {len(migration.dropped_data)} data source(s) are read again by the "
          "next plan. Plan each stack now: no resource should be created or destroyed.")
    sys.stdout.flush()
    return 0


def _backend(args: argparse.Namespace, workdir: Path):
    from goldenpath.cli.lifecycle_options import _emulator_endpoint
    from goldenpath.deploy.terraform import Terraform, base_env, find_terraform, require_aws_credentials

    if args.aws_endpoint:
        from goldenpath.deploy.runner import emulator_terraform

        endpoint = _emulator_endpoint(args.aws_endpoint)
        return endpoint, emulator_terraform(workdir, endpoint, stream=False)
    require_aws_credentials()
    return None, Terraform(find_terraform(), base_env(), stream=False)
