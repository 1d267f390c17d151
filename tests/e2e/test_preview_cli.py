"""`goldenpath preview up/list/down` as CI runs them, against the emulator (AWS-only parts)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from goldenpath.deploy.emulator import create_state_bucket, running_emulator
from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def test_up_list_down_through_the_cli(terraform_and_mirror, bundled_environments, tmp_path):
    dev = next(e for e in bundled_environments if e.name == "dev")

    def cli(*args):  # as CI runs it: with the account's credentials in the environment
        return subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "--environments", str(REPO / "environments"),
                               "preview", *args], cwd=tmp_path, capture_output=True, text=True, timeout=900,
                              env={**os.environ, **endpoint.environment()})

    with running_emulator(dev.account_id, tmp_path / "moto.log") as endpoint:
        create_state_bucket(endpoint, dev.state_bucket, dev.state_region)
        at = ["--env", "dev", "--aws-endpoint", endpoint.url]
        up = cli("up", *at, "--repository", "acme/storefront-web", "--pr", "7", "--branch", "Feature/ÜBER", "--service", "web",
                 "--image", "sha-7", "--owner", "bob", "--bucket")
        assert up.returncode == 0, up.stdout + up.stderr
        assert ".preview.dev.example.com" in up.stdout
        listed = cli("list", *at)
        assert listed.returncode == 0 and "acme/storefront-web#7" in listed.stdout and "bob" in listed.stdout and "1 preview(s)" in listed.stdout
        for _ in range(2):  # down is idempotent
            down = cli("down", *at, "--repository", "acme/storefront-web", "--pr", "7")
            assert down.returncode == 0, down.stdout + down.stderr
        assert "nothing to do" in down.stdout
        assert "0 preview(s)" in cli("list", *at).stdout
