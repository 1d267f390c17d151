"""A pull request synthesizes only the teams' stacks its files can affect (and every other stack), so onboarding
one service costs the same whatever the catalog's size; the stacks it does synthesize are byte-identical to a
full synth's, so nothing is compared against a different baseline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from goldenpath.delivery.affected import canonical
from goldenpath.delivery.inputs import changed_teams, format_teams, parse_teams
from goldenpath.stacks.tenants_stack import TEAM_STACK_TYPES
from tests.conftest import REPO


@pytest.fixture
def project(tmp_path) -> tuple[Path, Path]:
    base, head = tmp_path / "base", tmp_path / "head"
    for root in (base, head):
        for folder in ("environments", "teams", "docs"):
            shutil.copytree(REPO / folder, root / folder)
        (root / "README.md").write_text("readme\n")
    return base, head


def test_a_team_file_affects_that_team_only(project):
    base, head = project
    assert changed_teams(base, head) == []
    team = head / "teams" / "payments.yaml"
    team.write_text(team.read_text().replace("[dev, staging, prod]", "[dev, prod]"))
    (head / "teams" / "newcomers.yaml").write_text("name: newcomers\n")
    assert changed_teams(base, head) == ["newcomers", "payments"]
    (base / "teams" / "storefront.yaml").unlink()
    assert changed_teams(base, head) == ["newcomers", "payments", "storefront"]  # a removed team's stacks go


def test_runbooks_and_readmes_are_not_inputs_but_shared_files_are(project):
    base, head = project
    (head / "README.md").write_text("changed\n")
    (head / "docs" / "runbooks" / "pod-crash-looping.md").write_text("better advice\n")
    assert changed_teams(base, head) == []
    (head / "environments" / "dev.yaml").write_text((head / "environments" / "dev.yaml").read_text() + "\n# note\n")
    assert changed_teams(base, head) is None
    assert changed_teams(base.parent / "nothing-yet", head) is None


def test_team_lists_round_trip():
    assert parse_teams(format_teams(None)) is None
    assert parse_teams(format_teams([])) == frozenset()
    assert parse_teams(format_teams(["a", "b"])) == {"a", "b"}


def test_a_partial_synth_gives_the_same_stacks_as_a_full_one(bundled_synth, bundled_environments, tmp_path):
    from goldenpath.stacks.synth import synthesize

    partial = synthesize(bundled_environments, tmp_path / "out", project_root=REPO, teams=frozenset({"payments"}))
    assert set(partial.stacks) == {n for n in bundled_synth.stacks if "-tenants-" not in n or n.endswith("-payments")}
    for name, folder in partial.stacks.items():
        assert canonical(folder) == canonical(bundled_synth.stacks[name]), name


def test_every_team_stack_type_is_declared(bundled_synth):
    """The CI stack's permissions take the team stacks' types from TEAM_STACK_TYPES (so a partial synth gives the
    same CI stack): every synthesized team stack must stay within it."""
    for name, folder in bundled_synth.stacks.items():
        if "-tenants-" not in name:
            continue
        document = json.loads((folder / "cdk.tf.json").read_text())
        types = {t for t in document.get("resource", {}) if t.startswith("aws_")}
        types |= {f"data.{t}" for t in document.get("data", {}) if t.startswith("aws_")}
        assert types <= set(TEAM_STACK_TYPES), f"{name}: {sorted(types - set(TEAM_STACK_TYPES))}"
