"""Generated preview workflows pass zizmor (offline), actionlint and the GitHub workflow schema.

All three linters are PyPI packages in the test extra; a missing one fails, never skips.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from goldenpath.errors import GoldenpathError
from goldenpath.previews.workflows import WorkflowSettings, render_workflows
from tests.conftest import ENVIRONMENTS

SETTINGS = WorkflowSettings("dev", "web", "arn:aws:iam::111111111111:role/previews", "eu-west-1")


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed; it comes with pip install -e '.[test]'")
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from goldenpath.cli.main import main

    out = tmp_path_factory.mktemp("workflows")
    assert main(["--environments", str(ENVIRONMENTS), "ci", "render", "--env", "dev", "--service", "web",
                 "--role-arn", SETTINGS.role_arn, "--out", str(out)]) == 0
    return out


def files(directory: Path) -> list[str]:
    return sorted(str(p) for p in directory.glob("*.yml"))


def test_three_workflows_with_the_right_triggers(rendered):
    up, down, reap = (yaml.safe_load((rendered / f"preview-{n}.yml").read_text()) for n in ("up", "down", "reap"))
    assert up[True]["pull_request"]["types"] == ["opened", "synchronize", "reopened"]  # YAML 1.1 reads "on" as True
    assert down[True]["pull_request"]["types"] == ["closed"]
    assert reap[True]["schedule"] == [{"cron": "17 * * * *"}]
    for workflow in (up, down):
        assert workflow["concurrency"]["group"] == "preview-${{ github.event.pull_request.number }}"
        assert workflow["permissions"] == {}
    assert up["jobs"]["up"]["permissions"]["id-token"] == "write"


def test_no_static_keys_and_one_updated_comment(rendered):
    text = (rendered / "preview-up.yml").read_text()
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    assert "role-to-assume: arn:aws:iam::111111111111:role/previews" in text
    assert "-X PATCH" in text and "goldenpath-preview" in text  # later runs edit the comment, not add one


def _steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_pinned_install_runs_before_any_credentials_are_loaded(rendered):
    from goldenpath import __version__

    for name in ("up", "down", "reap"):
        steps = _steps(yaml.safe_load((rendered / f"preview-{name}.yml").read_text()))
        install = next(i for i, s in enumerate(steps) if str(s.get("name", "")).startswith("Install goldenpath"))
        credentials = next(i for i, s in enumerate(steps) if "configure-aws-credentials" in s.get("uses", ""))
        assert install < credentials, name
        assert steps[install]["run"] == f'python3 -m pip install "goldenpath=={__version__}"', name


def test_the_scheduled_reap_job_can_have_its_own_role(tmp_path, capsys):
    from goldenpath.cli.main import main

    argv = ["--environments", str(ENVIRONMENTS), "ci", "render", "--env", "dev", "--service", "web",
            "--role-arn", SETTINGS.role_arn, "--out", str(tmp_path / "one")]
    assert main(argv) == 0
    assert "note: the scheduled reap job assumes the same role as the pull-request jobs" in capsys.readouterr().out
    reaper = "arn:aws:iam::111111111111:role/preview-reaper"
    assert main([*argv[:-1], str(tmp_path / "two"), "--reap-role-arn", reaper]) == 0
    assert "note:" not in capsys.readouterr().out
    assert f"role-to-assume: {reaper}" in (tmp_path / "two" / "preview-reap.yml").read_text()
    for name in ("up", "down"):
        assert f"role-to-assume: {SETTINGS.role_arn}" in (tmp_path / "two" / f"preview-{name}.yml").read_text()
    assert main([*argv[:-1], str(tmp_path / "three"), "--reap-role-arn", "reaper"]) == 2
    assert "--reap-role-arn: got 'reaper', expected an IAM role ARN for OIDC" in capsys.readouterr().err
    assert not (tmp_path / "three").exists()


def test_zizmor_offline_finds_nothing(rendered):
    result = subprocess.run([tool("zizmor"), "--offline", "--persona=auditor", *files(rendered)],
                            capture_output=True, text=True, env={"RUST_BACKTRACE": "0", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_actionlint_passes(rendered):
    result = subprocess.run([tool("actionlint"), *files(rendered)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_github_workflow_schema_passes(rendered):
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files(rendered)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "ok -- validation done" in result.stdout, result.stdout + result.stderr


def test_bad_settings_are_refused():
    with pytest.raises(GoldenpathError, match="--role-arn: got 'admin'"):
        render_workflows(WorkflowSettings("dev", "web", "admin", "eu-west-1"))
    assert set(render_workflows(SETTINGS)) == {"preview-up.yml", "preview-down.yml", "preview-reap.yml"}
