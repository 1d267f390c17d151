"""`goldenpath init`: a platform repository that synthesizes and validates as written; never
overwrites without --force; idempotent; its workflow passes the three workflow linters."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from goldenpath.config.loader import load_environments, parse_environment
from goldenpath.config.schema import environment_schema_json
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


def test_validate_ends_with_one_verdict_naming_what_failed(tmp_path):
    init_project(InitSettings(tmp_path, region="us-east-1"))  # no bundled prices: validates, every line "not priced"
    passed = subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "validate"], cwd=tmp_path, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "cost: dev: expected at least $0.00/month" in passed.stdout and "no price snapshot for us-east-1" in passed.stdout
    assert passed.stdout.splitlines()[-1].startswith("PASSED: dev: ")
    environment = tmp_path / "environments" / "dev.yaml"
    environment.write_text(environment.read_text() + "budget: {monthly_usd: 10}\n")  # a budget that cannot be checked
    failed = subprocess.run([sys.executable, "-m", "goldenpath.cli.main", "validate"], cwd=tmp_path, capture_output=True, text=True)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert failed.stdout.splitlines()[-1] == "FAILED: dev: cost: environments/dev.yaml: budget.monthly_usd"


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


def _schema_paths() -> list[str]:
    """Every key of an environment file, two levels deep (``previews.limits.pods``)."""
    schema = json.loads(environment_schema_json())

    def resolve(node: dict) -> dict:
        if "$ref" in node:
            return resolve(schema["$defs"][node["$ref"].rsplit("/", 1)[1]])
        for alternative in node.get("anyOf", []):
            if resolve(alternative).get("properties"):
                return resolve(alternative)
        return node

    paths: list[str] = []

    def walk(node: dict, prefix: str, depth: int) -> None:
        for name, sub in resolve(node).get("properties", {}).items():
            paths.append(prefix + name)
            if depth < 2:
                walk(sub, f"{prefix}{name}.", depth + 1)

    walk(schema, "", 0)
    return paths


SCAFFOLD_ENVIRONMENT = Path("environments/dev.yaml")
# Commented alternatives, not defaults: uncommenting them with the rest would contradict another key.
ALTERNATIVES = re.compile(r"opt_out_reason|operator_role")


def _uncommented(text: str) -> str:
    """The scaffold with every commented key uncommented (the header's prose stays a comment)."""
    header, body = text.split("\nname: ", 1)
    lines = []
    for line in f"name: {body}".splitlines():
        match = re.match(r"^(\s*)# ?(\s*[a-z_]+:.*)$", line)
        lines.append(match.group(1) + match.group(2) if match and not ALTERNATIVES.search(line) else line)
    return header + "\n" + "\n".join(lines) + "\n"


def test_every_key_of_an_environment_file_is_in_the_scaffold():
    text = planned_files(InitSettings(Path("unused")))[SCAFFOLD_ENVIRONMENT]
    missing = [p for p in _schema_paths() if not re.search(rf"\b{re.escape(p.rsplit('.', 1)[-1])}\s*:", text)]
    assert missing == []


def test_the_scaffold_with_every_key_uncommented_is_valid_and_its_defaults_agree():
    from goldenpath.cost.budget import preview_cap_check
    from goldenpath.cost.environments import EnvironmentEstimate, pricing_context
    from goldenpath.cost.prices import load_snapshot
    from goldenpath.sandboxes.worst_case import tier_lines

    text = _uncommented(planned_files(InitSettings(Path("unused")))[SCAFFOLD_ENVIRONMENT])
    environment = parse_environment(text, str(SCAFFOLD_ENVIRONMENT))
    assert environment.previews and environment.sandboxes and environment.kms and environment.budget
    # the commented preview cap admits a preview of the commented quota on the scaffold's node type, priced
    check = preview_cap_check(EnvironmentEstimate(environment, pricing_context(environment, date(2026, 12, 5)), []))
    assert check is not None and not check.failed and not check.incomplete, check.message()
    # and the example sandbox tier's worst case fits its max_spend_usd
    lines, over = tier_lines([environment], load_snapshot)
    assert over == [] and "within max_spend_usd" in lines[0]


def test_init_adds_environments_on_ranges_no_other_environment_of_the_account_uses(tmp_path):
    init_project(InitSettings(tmp_path))
    init_project(InitSettings(tmp_path, environment="staging"))
    init_project(InitSettings(tmp_path, environment="prod", production=True))
    init_project(InitSettings(tmp_path, environment="other", account_id="210987654321"))  # another account: may reuse
    ranges = {p.stem: yaml.safe_load(p.read_text())["network"]["cidr"] for p in (tmp_path / "environments").glob("*.yaml")}
    assert ranges == {"dev": "10.10.0.0/16", "staging": "10.20.0.0/16", "prod": "10.30.0.0/16", "other": "10.10.0.0/16"}
    environments = {e.name: e for e in load_environments(tmp_path / "environments")}  # the overlap check passes
    assert environments["prod"].production and not environments["staging"].production
    # one default EBS key per account and region: the first environment's; the others of its account use aws/ebs
    assert {n: e.network.ebs_default_key for n, e in environments.items()} == {
        "dev": "environment", "staging": "aws-managed", "prod": "aws-managed", "other": "environment"}
    assert "ebs_default_key: aws-managed        # environment dev sets" in (tmp_path / "environments/prod.yaml").read_text()
    # a range given by hand is used as given, and a taken one is refused by the environment check, naming the file
    init_project(InitSettings(tmp_path, environment="qa", cidr="10.10.0.0/16"))
    with pytest.raises(GoldenpathError, match=r"qa.yaml.*network.cidr: got '10.10.0.0/16'.*does not overlap"):
        load_environments(tmp_path / "environments")


def test_adding_an_environment_writes_its_file_only(tmp_path):
    init_project(InitSettings(tmp_path))
    (tmp_path / "platform_extensions.py").write_text("# ours\n")  # the repository's own by now
    (tmp_path / WORKFLOW).write_text("# pinned to an older goldenpath\n")
    result = init_project(InitSettings(tmp_path, environment="staging"))
    assert [str(p) for p in result.written] == ["environments/staging.yaml"] and result.overwritten == []
    assert (tmp_path / "platform_extensions.py").read_text() == "# ours\n"


def test_a_bad_cidr_is_named_and_nothing_is_written(tmp_path):
    with pytest.raises(GoldenpathError, match=r"--cidr: got '8.8.0.0/16', expected a private IPv4 range"):
        init_project(InitSettings(tmp_path, cidr="8.8.0.0/16"))
    assert list(tmp_path.iterdir()) == []
