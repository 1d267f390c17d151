"""`goldenpath migrate tenants` with real terraform against the emulator's S3 backend: a 0.6-shaped state (every
tenant resource in `dev/tenants.tfstate`) is split into `dev/tenants/<team>.tfstate` per team, addresses unchanged,
the shared key left where it was; a second run has nothing to do. The in-cluster stacks cannot be applied here (no
Kubernetes API), so the old state is built from the addresses the stacks declare, as 0.6 would have left it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from goldenpath.deploy.emulator import create_state_bucket, emulator_client, running_emulator
from goldenpath.deploy.migrate import declared
from goldenpath.stacks.synth import synthesize
from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def _state_of(s3, bucket: str, key: str) -> dict:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_tenants_state_is_split_per_team_with_every_address_kept(terraform_and_mirror, bundled_environments, tmp_path):
    dev = next(e for e in bundled_environments if e.name == "dev")
    result = synthesize([dev], tmp_path / "out", project_root=REPO)
    teams = {name: declared(path) for name, path in result.stacks.items() if name.startswith("dev-tenants-")}
    shared = declared(result.stacks["dev-tenants"])
    resources = [{"mode": "managed", "type": a.split(".")[0], "name": a.split(".")[1], "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                  "instances": [{"schema_version": 0, "attributes": {"id": a}}]} for a in sorted(shared | set().union(*teams.values()))]
    resources.append({"mode": "data", "type": "aws_eks_cluster", "name": "cluster", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                      "instances": [{"schema_version": 0, "attributes": {"id": "dev-cluster"}}]})
    old = {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "0a0b0c0d-0000-4000-8000-000000000001",
           "outputs": {}, "resources": resources, "check_results": None}

    with running_emulator(dev.account_id, tmp_path / "moto.log") as endpoint:
        create_state_bucket(endpoint, dev.state_bucket, dev.state_region)
        s3 = emulator_client("s3", endpoint, dev.state_region)
        s3.put_object(Bucket=dev.state_bucket, Key="dev/tenants.tfstate", Body=json.dumps(old).encode())

        def migrate():
            return subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "--environments", str(REPO / "environments"),
                                   "migrate", "tenants", "--env", "dev", "--aws-endpoint", endpoint.url],
                                  cwd=tmp_path, capture_output=True, text=True, timeout=600, env={**os.environ, **endpoint.environment()})

        first = migrate()
        assert first.returncode == 0, first.stdout + first.stderr
        for name, addresses in teams.items():
            team = name.removeprefix("dev-tenants-")
            assert f"moved {len(addresses)} resource(s) into {name}" in first.stdout
            state = _state_of(s3, dev.state_bucket, f"dev/tenants/{team}.tfstate")
            assert {f"{r['type']}.{r['name']}" for r in state["resources"]} == addresses
            assert state["lineage"] != old["lineage"] and state["serial"] == 1
        remaining = _state_of(s3, dev.state_bucket, "dev/tenants.tfstate")
        assert {f"{r['type']}.{r['name']}" for r in remaining["resources"]} == shared  # the key never moves
        assert remaining["lineage"] == old["lineage"] and remaining["serial"] > old["serial"]
        second = migrate()
        assert second.returncode == 0 and "nothing to migrate" in second.stdout, second.stdout + second.stderr
        leftovers = [p for p in (tmp_path / ".goldenpath").rglob("*") if p.is_file() and "instances" in p.read_text(errors="ignore")]
        assert leftovers == []  # states hold secrets: none is left on disk
