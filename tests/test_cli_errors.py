"""Bad input on the command line: one clear line naming the bad value, a non-zero exit, never a
traceback, nothing written."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goldenpath.cli.main import main
from tests.conftest import ENVIRONMENTS

ENVS = ["--environments", str(ENVIRONMENTS)]


def run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code if isinstance(exit_.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out + captured.err


CASES = [
    ([*ENVS, "ci", "render", "preview", "--env", "dev"], "invalid choice: 'preview'"),
    ([*ENVS, "ci", "render", "platform", "--reap-cron", "hourly"], "--reap-cron: got 'hourly', expected five cron fields"),
    ([*ENVS, "ci", "role", "--kind", "deploy", "--env", "dev", "--service", "checkout"], "--kind deploy: dev has no such role"),
    ([*ENVS, "ci", "role", "--kind", "plan", "--env", "nope"], "--env: got 'nope'"),
    ([*ENVS, "ci", "apply", "--synth", "/nonexistent/out", "--env", "dev", "--commit", "abc1234", "--confirm", "dev-network"],
     "--confirm: got 'dev-network', expected STACK@SHA"),
    ([*ENVS, "ci", "apply", "--synth", "/nonexistent/out", "--env", "dev", "--commit", "abc1234"], "--env: no stack of 'dev'"),
    ([*ENVS, "ci", "comment", "--synth", "/nonexistent/out", "--plans", "/nonexistent/plans", "--head", "abc"],
     "affected.json: not found"),
    ([*ENVS, "ci", "deploy", "--env", "dev", "--service", "web", "--image-tag", "t", "--repository", "acme/checkout"],
     "service 'web' deploys from 'acme/storefront-web', but this job runs for 'acme/checkout'"),
    ([*ENVS, "preview", "list", "--env", "dev", "--aws-endpoint", "http://10.0.0.5:4566"], "--aws-endpoint: got 'http://10.0.0.5:4566'"),
    ([*ENVS, "preview", "reap", "--env", "dev", "--aws-endpoint", "http://127.0.0.1:9"],
     "error: cannot reach http://127.0.0.1:9/: nothing answers there; expected AWS, or a running emulator"),
    ([*ENVS, "preview", "list", "--env", "prod", "--aws-endpoint", "http://127.0.0.1:1"], "--env: 0 of the given environments host previews"),
    ([*ENVS, "preview", "up", "--env", "dev", "--aws-endpoint", "http://127.0.0.1:1", "--repository", "acme",
      "--pr", "1", "--branch", "b", "--service", "web", "--image", "t"], "--repository: got 'acme'"),
    ([*ENVS, "preview", "up", "--env", "dev", "--pr", "x", "--branch", "b", "--service", "web", "--image", "t"], "'x'"),
    ([*ENVS, "alerts", "--env", "dev", "--out", "/proc/forbidden"], "/proc/forbidden"),
    ([*ENVS, "alerts", "--env", "staging-x"], "--env: got 'staging-x'"),
    ([*ENVS, "egress", "--env", "qa"], "--env: got 'qa'"),
    ([*ENVS, "synth", "--env", "DEV"], "--env: got 'DEV'"),
    (["--environments", "/nonexistent/envs", "list"], "/nonexistent/envs"),
    ([*ENVS, "deploy", "--env", "dev", "--env", "prod", "--emulator"], "--env: got 2 environments"),
    ([*ENVS, "runbooks", "--out", "/proc/forbidden"], "/proc/forbidden"),
    ([*ENVS, "frobnicate"], "frobnicate"),
    ([*ENVS, "pins", "refresh", "--kubernetes-version", "133"], "--kubernetes-version: got '133'"),
    ([*ENVS, "pins", "refresh", "--env", "qa"], "--env: got 'qa'"),
    *(([*ENVS, "sandbox", "request", "--env", env, "--aws-endpoint", "http://127.0.0.1:1", *args], named) for env, args, named in [
        ("dev", ["--tier", "gpu", "--owner", "ana"], "--tier: got 'gpu', expected one of experiments, load-test, scratch"),
        ("dev", ["--tier", "experiments", "--owner", "ana", "--hours", "49"], "--hours: got 49, expected 1 to 48 (tier experiments's max_lease_hours)"),
        ("dev", ["--tier", "experiments"], "cannot reach http://127.0.0.1:1/: nothing answers there"),  # who asks: from STS
        ("dev", ["--tier", "experiments", "--owner", "Ana Smith"], "--owner: got 'Ana Smith', expected an Identity Center user name"),
        ("dev", ["--tier", "experiments", "--owner", "ana", "--region", "us-east-1"], "--region: got us-east-1, expected one of tier experiments's: eu-west-1"),
        ("dev", ["--tier", "experiments", "--owner", "ana", "--instance-type", "p5.48xlarge"], "--instance-type: got p5.48xlarge, expected one of tier experiments's: t3.large"),
        ("dev", ["--tier", "scratch", "--owner", "ana", "--region", "eu-west-1"], "--region: got eu-west-1, expected nothing: tier scratch is a namespace sandbox"),
        ("prod", ["--tier", "experiments", "--owner", "ana"], "--env: prod is a production environment (" + str(ENVIRONMENTS / "prod.yaml") + " sets production: true)"),
    ]),
    ([*ENVS, "sandbox", "extend", "sbx-0123456789", "--env", "dev", "--hours", "0", "--aws-endpoint", "http://127.0.0.1:1"],
     "--hours: got 0, expected at least 1 hour to add"),
]


@pytest.mark.parametrize(("argv", "named"), CASES, ids=[" ".join(c[0][2:5]) for c in CASES])
def test_bad_arguments_get_one_clear_error(argv, named, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, output = run(argv, capsys)
    assert code != 0
    assert "Traceback" not in output
    assert named in output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_deploy_without_credentials_says_so_before_terraform(capsys, tmp_path, monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)
    code, output = run([*ENVS, "deploy", "--env", "dev", "--outdir", str(tmp_path / "out")], capsys)
    assert code == 2 and "no AWS credentials found" in output and "Traceback" not in output
    assert not (tmp_path / "out").exists()  # refused before synth and terraform


_TOKEN = st.text(alphabet=string.ascii_letters + string.digits + "-_./:", min_size=1, max_size=20).filter(
    lambda t: not t.startswith("-"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from([["egress"], ["alerts"], ["list"], ["synth"], ["preview", "list"]]), env=_TOKEN)
def test_unknown_environment_names_are_named_for_any_command(command, env, capsys):
    if env in {"dev", "staging", "prod"}:
        return
    folder = os.path.join("/nonexistent", env)
    argv = [*ENVS, *command, "--env", env] if command != ["list"] else ["--environments", folder, "list"]
    code, output = run(argv, capsys)
    # A folder is named as a path ("/nonexistent/0/" reads back as "/nonexistent/0").
    named = env if command != ["list"] else str(Path(folder))
    assert code != 0 and "Traceback" not in output and named in output


@pytest.mark.parametrize("argv", [c[0] for c in CASES if "sandbox" in c[0]])
def test_a_refused_sandbox_request_creates_nothing(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, output = run(argv, capsys)
    assert code == 2 and output.count("error:") == 1, output  # one error (argparse adds its usage)
    assert list(tmp_path.iterdir()) == []  # no stack synthesized, no record, no log
