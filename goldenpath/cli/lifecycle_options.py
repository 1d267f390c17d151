"""What `preview` and `sandbox` share: their hosting/emulator/verbosity options, and the terraform and AWS
clients they run with (a local emulator with --aws-endpoint, else AWS with the caller's credentials)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from goldenpath.deploy.terraform import Terraform
    from goldenpath.stacks.target import EmulatorEndpoint


def add_lifecycle_options(p: argparse.ArgumentParser, section: str) -> None:
    """--env, --aws-endpoint and --verbose; ``section``: the environment file section that hosts them."""
    p.add_argument("--env", dest="envs", action="append", metavar="NAME", default=None,
                   help=f"environment hosting {section} (default: the only one with a {section} section)")
    p.add_argument("--aws-endpoint", metavar="URL", help="a local AWS emulator on loopback instead of AWS")
    p.add_argument("--verbose", action="store_true", help="stream terraform's own output (always kept in .goldenpath/logs/)")


@dataclass(frozen=True)
class Backend:
    client: Callable[[str, str], Any]
    """``client(service, region)``: a boto3 client for the emulator or AWS."""
    terraform: Terraform
    emulator: EmulatorEndpoint | None


def backend(args: argparse.Namespace, workdir: Path) -> Backend:
    """The emulator at ``--aws-endpoint`` with throw-away credentials, or AWS (credentials checked first)."""
    from goldenpath.deploy.terraform import Terraform, base_env, find_terraform
    from goldenpath.stacks.target import EmulatorEndpoint

    progress = None if args.verbose else sys.stdout
    if args.aws_endpoint:
        from goldenpath.deploy.emulator import emulator_client
        from goldenpath.deploy.runner import emulator_terraform

        endpoint = EmulatorEndpoint(args.aws_endpoint)
        return Backend(lambda service, region: emulator_client(service, endpoint, region),
                       emulator_terraform(workdir, stream=args.verbose, progress=progress), endpoint)
    import boto3

    from goldenpath.deploy.terraform import require_aws_credentials

    require_aws_credentials()
    return Backend(lambda service, region: boto3.client(service, region_name=region),
                   Terraform(find_terraform(), base_env(), stream=args.verbose, progress=progress), None)
