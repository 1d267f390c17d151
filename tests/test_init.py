"""`goldenpath init`: a platform repository that synthesizes and validates as written; never
overwrites without --force; idempotent; its workflow passes the three workflow linters."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from goldenpath.errors import GoldenpathError
from goldenpath.scaffold import WORKFLOW, InitSettings, init_project, planned_files
from tests.test_workflows import tool


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("platform")
    result = init_project(InitSettings(root))
    return root, result


def test_init_writes_a_complete_repository(project):
    root, result = project
    written = {str(p) for p in result.written}
    assert {"environments/dev.yaml", "docs/environment.schema.json", "docs/team.schema.json", "main.py", "cdktf.json", ".gitignore",
            "platform_extensions.py", str(WORKFLOW), "docs/runbooks/collector-queue-filling.md"} <= written
    environment = (root / "environments" / "dev.yaml").read_text()
    assert environment.startswith("# yaml-language-server: $schema=../docs/environment.schema.json")
    assert "# nat: single" in environment  # commented defaults


def test_running_init_twice_changes_nothing(project):
    root, _ = project
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = init_project(InitSettings(root))
    assert again.written == [] and again.overwritten == [] and len(again.unchanged) == len(before)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_init_refuses_to_overwrite_without_force(tmp_path):
    (tmp_path / "main.py").write_text("# ours\n")
    with pytest.raises(GoldenpathError, match=r"1 file\(s\) exist with other content: main.py; .*--force"):
        init_project(InitSettings(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.py"]  # nothing else written
    result = init_project(InitSettings(tmp_path), force=True)
    assert [str(p) for p in result.overwritten] == ["main.py"] and "# ours" not in (tmp_path / "main.py").read_text()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("environment", "Dev", "--env: got 'Dev'"),
    ("region", "europe", "--region: got 'europe'"),
    ("account_id", "1234", "--account-id: got '1234'"),
    ("owner", "Platform Team", "--owner: got 'Platform Team'"),
])
def test_bad_init_settings_are_named(tmp_path, field, value, message):
    with pytest.raises(GoldenpathError, match=message):
        init_project(InitSettings(tmp_path, **{field: value}))
    assert list(tmp_path.iterdir()) == []


def test_scaffold_synthesizes_and_validates_with_no_other_step(project):
    root, _ = project
    result = subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "validate"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout and "0 problems" in result.stdout
    synth = subprocess.run([sys.executable, "main.py"], cwd=root, capture_output=True, text=True)  # what cdktn runs
    assert synth.returncode == 0, synth.stderr
    assert sorted(p.name for p in (root / "cdktf.out" / "stacks").iterdir()) == [
        "dev-cluster", "dev-network", "dev-observability", "dev-platform", "dev-tenants"]


def test_validate_workflow_uploads_sarif_with_least_privilege():
    workflow = yaml.safe_load(planned_files(InitSettings(__import__("pathlib").Path(".")))[WORKFLOW])
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["validate"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    steps = {s.get("name") or s["uses"].split("@")[0]: s for s in job["steps"]}
    assert steps["Validate"]["run"] == "goldenpath validate"
    assert steps["Upload findings to code scanning"]["with"]["sarif_file"] == "reports/checkov.sarif"
    assert all("@" in s["uses"] and len(s["uses"].split("@")[1]) == 40 for s in job["steps"] if "uses" in s)


@pytest.mark.parametrize("linter", [
    ["zizmor", "--offline", "--persona=auditor"], ["actionlint"], ["check-jsonschema", "--builtin-schema", "vendor.github-workflows"],
])
def test_validate_workflow_passes_the_linters(project, linter):
    root, _ = project
    result = subprocess.run([tool(linter[0]), *linter[1:], str(root / WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
