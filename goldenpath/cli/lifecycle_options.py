"""What `preview` and `sandbox` share: their hosting/emulator/verbosity options, and the terraform and AWS
clients they run with (a local emulator with --aws-endpoint, else AWS with the caller's credentials)."""

from __future__ import annotations

import argparse
import os
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
    p.add_argument("--aws-endpoint", metavar="URL", default=os.environ.get("GOLDENPATH_AWS_ENDPOINT") or None,
                   help="a local AWS emulator on loopback instead of AWS (default: $GOLDENPATH_AWS_ENDPOINT, else AWS)")
    p.add_argument("--verbose", action="store_true", help="stream terraform's own output (always kept in .goldenpath/logs/)")


Client = Callable[[str, str], Any]
"""``client(service, region)``: a boto3 client for the emulator or AWS."""


@dataclass(frozen=True)
class Backend:
    client: Client
    terraform: Terraform
    emulator: EmulatorEndpoint | None
    assume: Callable[[str, str], Client]
    """``assume(role_arn, session_name)``: clients of a session of that role (in its account)."""


def _emulator_endpoint(url: str) -> EmulatorEndpoint:
    """The emulator with the credentials of this environment (AWS_ACCESS_KEY_ID...), else moto's defaults."""
    import os

    from goldenpath.stacks.target import EmulatorEndpoint

    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        return EmulatorEndpoint(url, os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                                os.environ.get("AWS_SESSION_TOKEN"))
    return EmulatorEndpoint(url)


def _aws_session_clients(role_arn: str, session_name: str) -> Client:
    import boto3

    credentials = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])
    return lambda service, region: session.client(service, region_name=region)


def backend(args: argparse.Namespace, workdir: Path) -> Backend:
    """The emulator at ``--aws-endpoint``, or AWS (credentials checked first)."""
    from goldenpath.deploy.terraform import Terraform, base_env, find_terraform

    progress = None if args.verbose else sys.stdout
    if args.aws_endpoint:
        from goldenpath.deploy.emulator import assumed, emulator_client
        from goldenpath.deploy.runner import emulator_terraform

        endpoint = _emulator_endpoint(args.aws_endpoint)

        def emulated_session(role_arn: str, session_name: str) -> Client:
            session = assumed(endpoint, role_arn, session_name)
            return lambda service, region: emulator_client(service, session, region)

        return Backend(lambda service, region: emulator_client(service, endpoint, region),
                       emulator_terraform(workdir, endpoint, stream=args.verbose, progress=progress), endpoint, emulated_session)
    import boto3

    from goldenpath.deploy.terraform import require_aws_credentials

    require_aws_credentials()
    return Backend(lambda service, region: boto3.client(service, region_name=region),
                   Terraform(find_terraform(), base_env(), stream=args.verbose, progress=progress), None, _aws_session_clients)
