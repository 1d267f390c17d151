"""A local AWS API emulator (moto server on 127.0.0.1) for applying AWS-only stacks offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from goldenpath.errors import GoldenpathError
from goldenpath.stacks.target import EmulatorEndpoint

# Credentials the emulator accepts; passed to terraform and boto3 through the environment only.
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "emulator", "AWS_SECRET_ACCESS_KEY": "emulator", "AWS_EC2_METADATA_DISABLED": "true"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_command() -> list[str]:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        raise GoldenpathError(
            "the AWS emulator needs moto[server]; install it with: pip install 'goldenpath[emulator]'"
        ) from None
    return [sys.executable, "-m", "moto.server"]


@contextmanager
def running_emulator(account_id: str, log_file: Path, port: int | None = None) -> Iterator[EmulatorEndpoint]:
    """Start moto on 127.0.0.1 as ``account_id`` with AWS managed policies loaded; stop it on exit."""
    port = port or free_port()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "MOTO_ACCOUNT_ID": account_id,
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",  # node and cluster roles attach AWS managed policies
    }
    with log_file.open("w") as log:
        process = subprocess.Popen(
            [*_moto_command(), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise GoldenpathError(f"the AWS emulator exited at start (code {process.returncode}); see {log_file}")
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):  # noqa: S310 - loopback only
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise GoldenpathError(f"the AWS emulator did not answer on {url} within 60 s; see {log_file}") from None
                time.sleep(0.2)
        yield EmulatorEndpoint(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def emulator_client(service: str, endpoint: EmulatorEndpoint, region: str):
    import boto3

    return boto3.client(
        service, endpoint_url=endpoint.url, region_name=region,
        aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def create_state_bucket(endpoint: EmulatorEndpoint, bucket: str, region: str) -> None:
    """The state bucket is a prerequisite in real accounts; in the emulator we create it."""
    s3 = emulator_client("s3", endpoint, region)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket in existing:
        return
    kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


