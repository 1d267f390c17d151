"""goldenpath's own release workflow: tag = version, trusted publishing without a token, least privilege per job,
pinned actions, and the three workflow linters. Its first step (.ci/release_check.py) is run here as the runner runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from goldenpath._version import __version__
from goldenpath.delivery.workflows import ACTIONS
from tests.conftest import REPO
from tests.test_workflows import tool

RELEASE = REPO / ".github" / "workflows" / "release.yml"
# Verified in the actions' own repositories (git rev-parse TAG^{commit}); the delivery pins cover the rest.
EXTRA_PINS = {"actions/attest-build-provenance": "a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32",  # v4.1.0
              "pypa/gh-action-pypi-publish": "81e9d935c883d0b210363ab89cf05f3894778450"}  # v1.8.14


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(RELEASE.read_text())


def test_only_the_publish_job_can_mint_a_pypi_token_and_no_job_reads_a_secret(workflow):
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {}
    assert jobs["pypi"]["permissions"] == {"id-token": "write"} and jobs["pypi"]["environment"]["name"] == "pypi"
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["build"]["permissions"] == {"contents": "read", "id-token": "write", "attestations": "write"}
    assert "secrets." not in RELEASE.read_text() and "password" not in RELEASE.read_text()
    # what is published is what was built and attested once: the later jobs only download it
    for name in ("github-release", "pypi"):
        assert jobs[name]["needs"] == "build"
        assert not any("checkout" in step.get("uses", "") for step in jobs[name]["steps"])


def test_actions_are_pinned_by_commit(workflow):
    pins = {name: sha for name, sha, _ in ACTIONS.values()} | EXTRA_PINS
    used = re.findall(r"uses: ([\w./-]+)@([\w.-]+)", RELEASE.read_text())
    assert len(used) >= 6 and all(ref == pins[name] for name, ref in used), used


@pytest.mark.parametrize("linter", [
    ["zizmor", "--offline", "--persona=auditor"], ["actionlint"], ["check-jsonschema", "--builtin-schema", "vendor.github-workflows"],
])
def test_the_release_workflow_passes_the_linters(linter):
    result = subprocess.run([tool(linter[0]), *linter[1:], str(RELEASE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _check(root, tag: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / ".ci" / "release_check.py"), tag], cwd=root, capture_output=True, text=True)


def test_the_tag_must_be_the_version_with_a_changelog_entry(tmp_path):
    passed = _check(REPO, f"v{__version__}")
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.strip() and not passed.stdout.startswith("## ")  # the section's body: the release notes
    wrong = _check(REPO, "v9.9.9")
    assert wrong.returncode == 2 and wrong.stderr == f"error: tag 'v9.9.9': expected v{__version__}, the version in goldenpath/_version.py\n"
    (tmp_path / "goldenpath").mkdir()
    shutil.copy(REPO / "goldenpath" / "_version.py", tmp_path / "goldenpath")
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## 0.0.1 - 2026-01-01\n\nold\n")
    missing = _check(tmp_path, f"v{__version__}")
    assert missing.returncode == 2 and f"CHANGELOG.md: no '## {__version__} - YYYY-MM-DD' section" in missing.stderr
