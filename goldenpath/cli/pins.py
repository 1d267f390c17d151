"""`goldenpath pins refresh`: parse, call the library, print."""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from goldenpath.errors import GoldenpathError


def add_parser(sub, with_envs) -> None:
    pins = sub.add_parser("pins", help="pin add-on versions and the node AMI release per Kubernetes version (versions.yaml)")
    actions = pins.add_subparsers(dest="action", required=True)
    p = actions.add_parser("refresh", help="read EKS's defaults for Kubernetes versions into versions.yaml (needs credentials)")
    p.add_argument("--kubernetes-version", action="append", dest="kubernetes_versions", metavar="VERSION",
                   help="e.g. 1.33 (repeatable). Default: every version the environments use")
    p.add_argument("--region", help="region to ask (default: the first environment's)")
    with_envs(p)


def cmd_pins(args: argparse.Namespace, project_root: Path) -> int:
    import boto3

    from goldenpath.cli.main import _environments
    from goldenpath.deploy.terraform import require_aws_credentials
    from goldenpath.pins.refresh import read_pins, write_pins
    from goldenpath.pins.table import KUBERNETES_VERSION_PATTERN

    environments = _environments(args)
    versions = args.kubernetes_versions or sorted({e.cluster.kubernetes_version for e in environments})
    for version in versions:
        if not re.fullmatch(KUBERNETES_VERSION_PATTERN, version):
            raise GoldenpathError(f"--kubernetes-version: got {version!r}, expected a version like 1.33")
    region = args.region or (environments[0].region if environments else None)
    if not region:
        raise GoldenpathError("--region: no environments to take a region from, expected e.g. --region eu-west-1")
    require_aws_credentials()
    eks, ssm = boto3.client("eks", region_name=region), boto3.client("ssm", region_name=region)
    reads = [read_pins(eks, ssm, version, region, date.today()) for version in versions]
    path, lines = write_pins(project_root, reads)
    print(f"wrote {path}")
    for line in lines:
        print(f"  {line}")
    missing = [f"{r.kubernetes_version} {m}" for r in reads for m in r.missing]
    for line in missing:
        print(f"  not found: {line}")
    return 1 if missing else 0
