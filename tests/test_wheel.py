"""The way teams get goldenpath: the built wheel, installed (not editable) into a fresh venv outside
this checkout, running the README journeys: init, synth, validate, runbooks, ci render, and both
examples. Slow (a venv and a pip install), so marked ``wheel``: `make test` runs it, `make check` does not."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.wheel

PREVIEWS = """state:
  kms_key: arn:aws:kms:eu-west-1:123456789012:alias/goldenpath-state
previews:
  domain: preview.dev.example.com
ci:
  repository: acme/platform
"""
WEB_PREVIEWS = """    repository: acme/web
    previews: {repository: https://charts.example.com/apps, chart: web-service, version: 1.4.2,
               image_repository: registry.example.com/apps/web, port: 8080}
"""


@pytest.fixture(scope="module")
def installed(wheel_install):
    """(venv bin folder, clean environment) with the built wheel installed (the session's, see conftest)."""
    bin_dir, env, _ = wheel_install
    return bin_dir, env


def run(installed, cwd: Path, *argv: str) -> str:
    bin_dir, env = installed
    result = subprocess.run([*argv], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr
    return result.stdout


def test_goldenpath_is_imported_from_the_installed_wheel(installed, tmp_path):
    bin_dir, _ = installed
    where = run(installed, tmp_path, str(bin_dir / "python"), "-c", "import goldenpath; print(goldenpath.__file__)")
    assert str(bin_dir.parent) in where and str(REPO) not in where
    # Exactly the source's modules: nothing stale from an earlier build.
    package = Path(where.strip()).parent
    shipped = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    assert shipped == {p.relative_to(REPO / "goldenpath").as_posix() for p in (REPO / "goldenpath").rglob("*.py")}


def test_readme_journeys_from_the_wheel(installed, tmp_path):
    project = tmp_path / "platform"
    run(installed, tmp_path, "goldenpath", "init", str(project))
    assert "synthesized 5 stacks" in run(installed, project, "goldenpath", "synth")
    validated = run(installed, project, "goldenpath", "validate", "--html", "report")
    assert "0 failed" in validated and "0 problems" in validated and "no budget set" in validated
    assert (project / "report" / "index.html").is_file()
    # the bundled prices ship in the wheel, and price init's environment completely (cost exits 0)
    estimate = json.loads(run(installed, project, "goldenpath", "cost", "--format", "json"))
    assert any(i["component"] == "control plane" for s in estimate["stacks"] for i in s["line_items"])
    assert estimate["not_priced"] == []
    assert "wrote 7 runbooks" in run(installed, project, "goldenpath", "runbooks")
    environment = project / "environments" / "dev.yaml"
    environment.write_text(environment.read_text() + PREVIEWS)
    # Onboarding: a team, a service, its previews opt-in, its namespace in the tenants stack.
    run(installed, project, "goldenpath", "team", "add", "shop", "--owners", "shop-engineers")
    run(installed, project, "goldenpath", "service", "add", "shop", "web", "--env", "dev")
    team = project / "teams" / "shop.yaml"
    team.write_text(team.read_text() + WEB_PREVIEWS)
    run(installed, project, "goldenpath", "synth")
    tenants = json.loads((project / "cdktf.out" / "stacks" / "dev-tenants-shop" / "cdk.tf.json").read_text())
    assert [n["metadata"][0]["name"] for n in tenants["resource"]["kubernetes_namespace_v1"].values()] == ["shop-web"]
    run(installed, project, "goldenpath", "ci", "render", "platform")
    assert sorted(p.name for p in (project / ".github" / "workflows").iterdir()) == [
        "goldenpath-apply.yml", "goldenpath-deploy.yml", "goldenpath-drift.yml", "goldenpath-plan.yml",
        "goldenpath-preview-reap.yml", "goldenpath-previews-dev.yml", "goldenpath-validate.yml"]
    run(installed, project, "goldenpath", "service", "scaffold", "shop", "web", "--out", str(tmp_path / "service-workflows"))
    assert sorted(p.name for p in (tmp_path / "service-workflows").iterdir()) == ["deploy.yml", "preview.yml"]
    bin_dir, _ = installed
    run(installed, project, str(bin_dir / "python"), "main.py")  # what `cdktn synth` runs


def test_application_team_example_from_the_wheel(installed, tmp_path):
    bin_dir, _ = installed
    shutil.copytree(REPO / "examples" / "app-team-bucket", tmp_path / "app")
    run(installed, tmp_path / "app", str(bin_dir / "python"), "main.py", "out")
    stack = json.loads((tmp_path / "app" / "out" / "stacks" / "checkout-dev" / "cdk.tf.json").read_text())
    assert set(stack["provider"]) == {"aws"}
    policy = json.loads(next(iter(stack["resource"]["aws_iam_role_policy"].values()))["policy"])
    assert [s["Action"] for s in policy["Statement"]][0] == ["s3:ListBucket"]
    assert stack["resource"]["aws_eks_pod_identity_association"]


def test_platform_team_example_from_the_wheel(installed, tmp_path):
    project = tmp_path / "platform"
    shutil.copytree(REPO / "examples" / "platform-extensions", project)
    assert "wrote 9 runbooks" in run(installed, project, "goldenpath", "runbooks")
    validated = run(installed, project, "goldenpath", "validate")
    assert "PAY_AWS_001  dev-observability" in validated and "0 failed" in validated and "Unused" not in validated
    checked = run(installed, project, "goldenpath", "alerts", "--env", "dev", "--check")
    assert checked.count("SUCCESS") >= 4
