"""The way teams get goldenpath: the built wheel, installed (not editable) into a fresh venv outside
this checkout, running the README journeys: init, synth, validate, runbooks, ci render, and both
examples. Slow (a venv and a pip install), so marked ``wheel``: `make test` runs it, `make check` does not."""

from __future__ import annotations

import json
import os
import re
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
    assert "wrote 8 runbooks" in run(installed, project, "goldenpath", "runbooks")
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
    assert "wrote 10 runbooks" in run(installed, project, "goldenpath", "runbooks")
    validated = run(installed, project, "goldenpath", "validate")
    assert "PAY_AWS_001  dev-observability" in validated and "0 failed" in validated and "Unused" not in validated
    checked = run(installed, project, "goldenpath", "alerts", "--env", "dev", "--check")
    assert checked.count("SUCCESS") >= 4


NEWCOMER_MARK = "<!-- newcomer-path -->"


def newcomer_blocks(readme: str) -> list[str]:
    """The fenced sh blocks the README marks as the newcomer path, in order."""
    return re.findall(re.escape(NEWCOMER_MARK) + r"\n```sh\n(.*?)```", readme, flags=re.S)


def test_the_readme_newcomer_path_runs_word_for_word(wheel_install, tmp_path):
    """The README's first hour, literally: in an empty folder outside this checkout holding only the built wheel, with
    no goldenpath on PATH, the marked blocks run in one shell, in order (a failing command fails the test)."""
    _, env, dist = wheel_install
    blocks = newcomer_blocks((REPO / "README.md").read_text())
    assert len(blocks) >= 2 and "pip install" in blocks[0]
    folder = tmp_path / "newcomer"
    folder.mkdir()
    (wheel,) = dist.glob("goldenpath-*.whl")
    shutil.copy(wheel, folder)
    venvs = {str(REPO / ".venv" / "bin"), str(Path(env["PATH"].split(os.pathsep)[0]))}
    clean = {k: v for k, v in env.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    clean["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p not in venvs)
    script = "set -euo pipefail\n" + "".join(f"echo '$ block {i}'\n{block}" for i, block in enumerate(blocks))
    result = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], cwd=folder, env=clean,
                            capture_output=True, text=True, timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    assert "PASSED: dev, prod, staging: " in result.stdout  # the three environments validate
    assert "cost: dev: expected at least $0.00/month" in result.stdout  # the unpriced region: named, not refused
    assert (folder / "my-platform" / "cdktf.out" / "stacks" / "prod-tenants-shop" / "cdk.tf.json").is_file()
    ranges = {p.stem: yaml_cidr(p) for p in (folder / "my-platform" / "environments").glob("*.yaml")}
    assert ranges == {"dev": "10.10.0.0/16", "staging": "10.20.0.0/16", "prod": "10.30.0.0/16"}


def yaml_cidr(path: Path) -> str:
    import yaml

    return yaml.safe_load(path.read_text())["network"]["cidr"]


def test_doctor_hints_fit_a_wheel_install(installed, tmp_path):
    """Installed from a wheel file, the hint for the emulator extra names that wheel, not an editable checkout."""
    bin_dir, env = installed
    result = subprocess.run(["goldenpath", "doctor"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stdout.splitlines() if "moto (emulator)" in line]
    assert re.search(r"pip install 'goldenpath\[emulator\] @ file:///\S+/goldenpath-[\d.]+-py3-none-any\.whl'", line), line
    assert "-e" not in line
