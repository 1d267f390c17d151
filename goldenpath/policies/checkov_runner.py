"""Run checkov on synthesized stacks and apply goldenpath's suppressions to its results."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from goldenpath.errors import GoldenpathError
from goldenpath.policies.suppressions import Suppression

CHECKS_DIR = Path(__file__).parent / "checks"


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    stack: str
    resource_type: str
    resource_name: str
    construct_path: str
    passed: bool
    lines: tuple[int, int]
    guideline: str | None = None

    @property
    def address(self) -> str:
        return f"{self.resource_type}.{self.resource_name}"


@dataclass
class CheckovReport:
    findings: list[Finding]
    suppressed: list[tuple[Finding, Suppression]] = field(default_factory=list)
    unused_suppressions: list[Suppression] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        suppressed = {id(f) for f, _ in self.suppressed}
        return [f for f in self.findings if not f.passed and id(f) not in suppressed]

    @property
    def passed(self) -> list[Finding]:
        return [f for f in self.findings if f.passed]


def _checkov_input(stack_file: Path, destination: Path) -> dict:
    """A copy checkov can parse: its terraform_json parser fails on scalar `terraform` settings
    such as required_version, which carry no security meaning, so they are left out of the copy."""
    document = json.loads(stack_file.read_text())
    terraform = document.get("terraform", {})
    document["terraform"] = {k: v for k, v in terraform.items() if isinstance(v, dict)}
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(json.dumps(document, indent=2))
    return document


def _index(document: dict) -> dict[str, tuple[str, str]]:
    """checkov's resource label -> (type, construct path), for every resource and data source.

    checkov labels most terraform_json results ``resource.<name>`` (no type) and graph checks
    ``<type>.<name>``; both are indexed. CDK Terrain names are unique within a stack.
    """
    index: dict[str, tuple[str, str]] = {}
    for kind in ("resource", "data"):
        for rtype, block in document.get(kind, {}).items():
            for name, body in block.items() if isinstance(block, dict) else ():
                metadata = body.get("//", {}).get("metadata", {}) if isinstance(body, dict) else {}
                entry = (rtype if kind == "resource" else f"data.{rtype}", str(metadata.get("path", name)))
                index[f"{kind}.{name}"] = entry
                index[f"{entry[0]}.{name}"] = entry
    return index


def run_checkov(stacks: dict[str, Path], extra_checks_dirs: tuple[str, ...] = ()) -> list[Finding]:
    """Run checkov once over every stack (``name -> working directory``) and return all results;
    ``extra_checks_dirs`` adds a team's own checks to goldenpath's."""
    with tempfile.TemporaryDirectory(prefix="goldenpath-checkov-") as tmp:
        workdir = Path(tmp)
        indexes: dict[str, dict[str, tuple[str, str]]] = {}
        args: list[str] = []
        for name, stack_dir in sorted(stacks.items()):
            indexes[name] = _index(_checkov_input(stack_dir / "cdk.tf.json", workdir / name / "cdk.tf.json"))
            args += ["-f", f"{name}/cdk.tf.json"]
        command = [
            sys.executable, "-m", "checkov.main", *args,
            "--framework", "terraform_json", "--skip-download", "--output", "json", "--compact",
            "--external-checks-dir", str(CHECKS_DIR),
            *(arg for directory in extra_checks_dirs for arg in ("--external-checks-dir", directory)),
        ]
        result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    try:
        reports = json.loads(result.stdout)
    except ValueError:
        raise GoldenpathError(
            f"checkov did not produce a report (exit {result.returncode}):\n" + "\n".join(result.stderr.splitlines()[-20:])
        ) from None
    reports = reports if isinstance(reports, list) else [reports]
    findings: list[Finding] = []
    for report in reports:
        if not isinstance(report, dict) or "results" not in report:
            continue
        errors = report.get("summary", {}).get("parsing_errors", 0)
        if errors:
            raise GoldenpathError(f"checkov could not parse {errors} stack file(s); nothing was checked:\n{result.stderr[-2000:]}")
        for status, passed in (("passed_checks", True), ("failed_checks", False)):
            for item in report["results"].get(status, []):
                stack = Path(item["file_path"].lstrip("/")).parent.name
                rtype, path = indexes.get(stack, {}).get(item["resource"], ("?", item["resource"]))
                findings.append(
                    Finding(
                        check_id=item["check_id"], check_name=item["check_name"], stack=stack,
                        resource_type=rtype, resource_name=item["resource"].split(".", 1)[-1],
                        construct_path=path, passed=passed, lines=tuple(item.get("file_line_range") or (0, 0)),
                        guideline=item.get("guideline"),
                    )
                )
    if not findings:
        raise GoldenpathError("checkov ran but reported no results at all; refusing to call that a pass")
    findings.sort(key=lambda f: (f.stack, f.check_id, f.construct_path))
    return findings


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> CheckovReport:
    report = CheckovReport(findings)
    used: set[int] = set()
    for finding in findings:
        if finding.passed:
            continue
        for index, suppression in enumerate(suppressions):
            if suppression.matches(finding.check_id, finding.stack, finding.construct_path):
                report.suppressed.append((finding, suppression))
                used.add(index)
                break
    stacks = {f.stack for f in findings}
    report.unused_suppressions = [
        s for i, s in enumerate(suppressions)
        if i not in used and any(fnmatch.fnmatchcase(stack, s.stack) for stack in stacks)
    ]
    return report
