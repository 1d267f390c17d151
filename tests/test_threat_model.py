"""The threat model (docs/threat-model.md) backs every "cannot" with something that fails when the claim breaks.

Each claim is one clause of a row's "cannot" column (clauses are separated by ';' outside parentheses). A clause
is backed when it names a test as `file.py::test_name` (under tests/, e2e/ for the end-to-end tier) that exists,
or a goldenpath check whose failing and passing cases are in test_policies.py. A claim nothing can back belongs
in the model's "What stays open", not in the table. The checker is tested on rows made to break it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO

MODEL = REPO / "docs" / "threat-model.md"
TESTS = REPO / "tests"
TEST_REFERENCE = re.compile(r"`((?:e2e/)?test_\w+\.py)::(test_\w+)`")
CHECK_REFERENCE = re.compile(r"\bGP_[A-Z0-9_]+\b")
# test_goldenpath_checks_pass_and_fail's rows: (check id, passing fixture, failing fixture).
PASS_FAIL_ROW = re.compile(r'\("(GP_[A-Z0-9_]+)", "fixture/[^"]+", "fixture/[^"]+"\)')


@dataclass(frozen=True)
class Row:
    actor: str
    cannot: str


def rows(text: str) -> list[Row]:
    """The table's actor rows: | **actor** ... | can | cannot |."""
    found = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| **") and len(cells) == 3:
            found.append(Row(re.sub(r"\*\*(.+?)\*\*.*", r"\1", cells[0]), cells[2]))
    return found


def clauses(cell: str) -> list[str]:
    """Split on ';' outside parentheses: a semicolon inside a backing's parentheses does not start a claim."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(cell):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth == 0:
            parts.append(cell[start:i].strip())
            start = i + 1
    return [p for p in [*parts, cell[start:].strip()] if p]


@cache
def functions_in(relative: str) -> frozenset[str]:
    path = TESTS / relative
    if not path.is_file():
        return frozenset()
    tree = ast.parse(path.read_text())
    return frozenset(node.name for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"))


@cache
def checks_with_both_cases() -> frozenset[str]:
    return frozenset(PASS_FAIL_ROW.findall((TESTS / "test_policies.py").read_text()))


@cache
def goldenpath_check_ids() -> frozenset[str]:
    source = "\n".join(p.read_text() for p in (REPO / "goldenpath" / "policies").rglob("*.py"))
    return frozenset(re.findall(r'"(GP_[A-Z0-9_]+)"', source))


def problems(table: list[Row]) -> list[str]:
    """One line per claim without a backing and per backing that does not exist."""
    found = []
    for row in table:
        for claim in clauses(row.cannot):
            tests = TEST_REFERENCE.findall(claim)
            checks = CHECK_REFERENCE.findall(claim)
            for file, name in tests:
                if name not in functions_in(file):
                    found.append(f"{row.actor}: names {file}::{name}, which does not exist")
            for check in checks:
                if check not in goldenpath_check_ids():
                    found.append(f"{row.actor}: names {check}, which goldenpath does not define")
            if not tests and not any(c in checks_with_both_cases() for c in checks):
                found.append(f"{row.actor}: '{claim[:80]}' names no test and no check with a failing and a passing case")
    return found


def test_every_claim_of_the_threat_model_names_what_backs_it_and_that_exists():
    table = rows(MODEL.read_text())
    assert len(table) >= 13, [r.actor for r in table]
    assert problems(table) == []


def test_every_goldenpath_check_the_model_names_has_a_failing_and_a_passing_case():
    named = set(CHECK_REFERENCE.findall(MODEL.read_text()))
    gate_rules = {"GP_SECRETS_IN_STATE", "GP_IN_CLUSTER"}  # whole-gate rules: their cases are named tests
    assert named - gate_rules <= checks_with_both_cases(), sorted(named - gate_rules - checks_with_both_cases())


@pytest.mark.parametrize(("cannot", "expected"), [
    ("read it (fact check)", "names no test and no check"),
    ("read it (GP_AWS_099)", "GP_AWS_099, which goldenpath does not define"),
    ("read it (GP_IN_CLUSTER)", "names no test and no check"),  # a gate rule alone has no pass/fail row
    ("read it (`test_isolation.py::test_that_was_renamed`)", "test_isolation.py::test_that_was_renamed, which does not exist"),
    ("read it (`e2e/test_missing.py::test_anything`)", "e2e/test_missing.py::test_anything, which does not exist"),
    # the second claim is unbacked although the first one's parentheses hold a semicolon
    ("read it (GP_AWS_006; see above); write it (test)", "'write it (test)' names no test"),
])
def test_the_checker_finds_an_unbacked_claim_or_a_missing_backing(cannot, expected):
    found = problems([Row("someone", cannot)])
    assert [p for p in found if expected in p], found


@pytest.mark.parametrize("cannot", [
    "read it (GP_AWS_006)",
    "read it (`test_isolation.py::test_no_service_may_claim_external_ips`); write it (GP_K8S_004; `e2e/"
    "test_sandbox_lifecycle.py::test_the_callers_identity_is_their_identity_center_session`)",
])
def test_the_checker_accepts_claims_backed_by_a_check_or_a_test(cannot):
    assert problems([Row("someone", cannot)]) == []


def test_rows_and_clauses_are_read_as_github_renders_the_table():
    table = rows("| actor | can | cannot |\n|---|---|---|\n| **a tenant** (a namespace) | x | a (b; c); d |\n")
    assert table == [Row("a tenant", "a (b; c); d")]
    assert clauses(table[0].cannot) == ["a (b; c)", "d"]
