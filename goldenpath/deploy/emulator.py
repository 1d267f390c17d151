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

# The user goldenpath creates in the emulated account; its keys make every later request that account's.
EMULATOR_USER = "goldenpath-emulator"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_command() -> list[str]:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        from goldenpath.install_hint import install_hint

        raise GoldenpathError(f"the AWS emulator needs moto[server]; install it with: {install_hint('emulator')}") from None
    return [sys.executable, "-m", "moto.server"]


def account_credentials(url: str, account_id: str) -> EmulatorEndpoint:
    """Keys of a user created in ``account_id`` (moto's ``x-moto-account-id`` header picks the account for the
    bootstrap calls; afterwards the keys alone do, for boto3 and terraform alike)."""
    import boto3

    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bootstrap",
                       aws_secret_access_key="bootstrap")
    iam.meta.events.register("before-send.iam.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account_id))
    try:
        iam.create_user(UserName=EMULATOR_USER)
    except iam.exceptions.EntityAlreadyExistsException:
        for key in iam.list_access_keys(UserName=EMULATOR_USER)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=EMULATOR_USER, AccessKeyId=key["AccessKeyId"])
    key = iam.create_access_key(UserName=EMULATOR_USER)["AccessKey"]
    return EmulatorEndpoint(url, key["AccessKeyId"], key["SecretAccessKey"])


# Fact: moto's server is werkzeug's development server, which logs " * Running on http://HOST:PORT" once it has
# bound the port, and exits saying "Port PORT is in use by another program" when another process holds it
# (werkzeug 3.1.9, which moto 5.2.6 installs here: serving.py BaseWSGIServer.__init__, log_startup, run_simple).
# A free port can be taken between free_port() and the server's bind by anything choosing one at the same moment
# (another test worker's emulator, say), and an answer on the port would then come from that other server. So
# readiness is our own process saying it bound the port, then answering; tests/test_emulator.py holds the facts.
BOUND = " * Running on http://127.0.0.1:{port}"
PORT_TAKEN = "is in use by another program"
ATTEMPTS = 3


@contextmanager
def running_emulator(account_id: str, log_file: Path, port: int | None = None) -> Iterator[EmulatorEndpoint]:
    """Start moto on 127.0.0.1 with AWS managed policies loaded, with credentials of ``account_id``; stop it on exit.
    It serves other accounts too (the sandbox account), reached by assuming a role there, as in AWS.

    ``port``: where to listen; taken by another program, that is an error. Default: a free port (another one is
    tried when something takes it before moto binds it)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, ATTEMPTS + 1):
        chosen = port or free_port()
        process = _start(chosen, log_file)
        try:
            if _wait_until_bound(process, chosen, log_file, retry=port is None and attempt < ATTEMPTS):
                yield account_credentials(f"http://127.0.0.1:{chosen}", account_id)
                return
        finally:
            _stop(process)


def _start(port: int, log_file: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}  # it would make every request one account's
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # node and cluster roles attach AWS managed policies
    with log_file.open("w") as log:
        return subprocess.Popen([*_moto_command(), "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                                stderr=subprocess.STDOUT, env=env)


def _wait_until_bound(process: subprocess.Popen, port: int, log_file: Path, retry: bool) -> bool:
    """True once this process has bound ``port`` and answers there; False when the port was taken and ``retry``."""
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            log = log_file.read_text(errors="replace")
            if PORT_TAKEN in log:
                if retry:
                    return False
                raise GoldenpathError(f"the AWS emulator cannot listen on {url}: another program holds the port; "
                                      f"see {log_file}")
            raise GoldenpathError(f"the AWS emulator exited at start (code {process.returncode}); see {log_file}")
        if BOUND.format(port=port) in log_file.read_text(errors="replace"):
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):  # noqa: S310 - loopback only
                    return True
            except OSError:
                pass
        if time.monotonic() > deadline:
            raise GoldenpathError(f"the AWS emulator did not answer on {url} within 60 s; see {log_file}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def emulator_client(service: str, endpoint: EmulatorEndpoint, region: str):
    import boto3

    return boto3.client(
        service, endpoint_url=endpoint.url, region_name=region, aws_access_key_id=endpoint.access_key_id,
        aws_secret_access_key=endpoint.secret_access_key, aws_session_token=endpoint.session_token,
    )


def assumed(endpoint: EmulatorEndpoint, role_arn: str, session_name: str) -> EmulatorEndpoint:
    """The same emulator with the credentials of a session of ``role_arn`` (in its account)."""
    credentials = emulator_client("sts", endpoint, "us-east-1").assume_role(
        RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return EmulatorEndpoint(endpoint.url, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def create_state_bucket(endpoint: EmulatorEndpoint, bucket: str, region: str) -> None:
    """The state bucket is a prerequisite in real accounts; in the emulator we create it."""
    s3 = emulator_client("s3", endpoint, region)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket in existing:
        return
    kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


