"""Readable table, SARIF 2.1.0 and JUnit XML for a checkov report."""

from __future__ import annotations

import json
from typing import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from goldenpath import __version__
from goldenpath.policies.checkov_runner import CheckovReport, Finding
from goldenpath.policies.in_cluster import RULE_ID as IN_CLUSTER_RULE, InClusterReport


def _table(rows: Sequence[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)])


def text_summary(report: CheckovReport) -> str:
    parts: list[str] = []
    if report.failures:
        rows: list[tuple[str, ...]] = [(f.check_id, f.stack, f.construct_path, f.check_name) for f in report.failures]
        parts.append("FAILED checks:\n" + _table(rows, ("check", "stack", "resource", "what")))
    if report.suppressed:
        rows = [(f.check_id, f.stack, f.construct_path, s.owner, s.reason) for f, s in report.suppressed]
        parts.append("Suppressed (accepted, with owner and reason):\n" + _table(rows, ("check", "stack", "resource", "owner", "reason")))
    if report.unused_suppressions:
        rows = [(s.check_id, s.stack, s.construct_path, s.reason) for s in report.unused_suppressions]
        parts.append("Unused suppressions (remove them):\n" + _table(rows, ("check", "stack", "resource", "reason")))
    parts.append(
        f"checkov: {len(report.passed)} passed, {len(report.failures)} failed, "
        f"{len(report.suppressed)} suppressed across {len({f.stack for f in report.findings})} stacks"
    )
    return "\n\n".join(parts)


def _uri(finding: Finding, outdir: Path) -> str:
    return (outdir / "stacks" / finding.stack / "cdk.tf.json").as_posix()


def _in_cluster_run(in_cluster: InClusterReport, outdir: Path) -> dict:
    results = [{
        "ruleId": IN_CLUSTER_RULE, "level": "error", "message": {"text": problem},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": (outdir / "stacks" / stack / "cdk.tf.json").as_posix()}}}],
    } for stack, problem in in_cluster.by_stack]
    return {
        "tool": {"driver": {"name": "goldenpath validate (in-cluster)", "version": __version__, "rules": [{
            "id": IN_CLUSTER_RULE,
            "shortDescription": {"text": "In-cluster values hold the pinned charts' facts; Kubernetes objects are valid"},
        }]}},
        "results": results,
    }


def sarif(report: CheckovReport, outdir: Path, in_cluster: InClusterReport | None = None) -> dict:
    suppression_of = {id(f): s for f, s in report.suppressed}
    failed = [f for f in report.findings if not f.passed]
    rules = {f.check_id: f for f in failed}
    results = []
    for finding in failed:
        result = {
            "ruleId": finding.check_id,
            "level": "error",
            "message": {"text": f"{finding.check_name}: {finding.address} ({finding.construct_path})"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(finding, outdir)},
                "region": {"startLine": max(finding.lines[0], 1), "endLine": max(finding.lines[1], 1)},
            }}],
        }
        suppression = suppression_of.get(id(finding))
        if suppression:
            result["suppressions"] = [{"kind": "external", "justification": f"{suppression.reason} (owner: {suppression.owner})"}]
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "goldenpath validate (checkov)", "version": __version__,
                "rules": [
                    {"id": rule_id, "shortDescription": {"text": f.check_name}, **({"helpUri": f.guideline} if f.guideline else {})}
                    for rule_id, f in sorted(rules.items())
                ],
            }},
            "results": results,
        }, *([_in_cluster_run(in_cluster, outdir)] if in_cluster is not None else [])],
    }


def junit(report: CheckovReport) -> ET.ElementTree:
    suppression_of = {id(f): s for f, s in report.suppressed}
    suites = ET.Element("testsuites", name="goldenpath validate")
    for stack in sorted({f.stack for f in report.findings}):
        findings = [f for f in report.findings if f.stack == stack]
        failures = [f for f in findings if not f.passed and id(f) not in suppression_of]
        skipped = [f for f in findings if id(f) in suppression_of]
        suite = ET.SubElement(
            suites, "testsuite", name=stack, tests=str(len(findings)),
            failures=str(len(failures)), skipped=str(len(skipped)), errors="0",
        )
        for finding in findings:
            case = ET.SubElement(suite, "testcase", classname=f"{stack}.{finding.check_id}", name=finding.construct_path)
            if id(finding) in suppression_of:
                s = suppression_of[id(finding)]
                ET.SubElement(case, "skipped", message=f"suppressed: {s.reason} (owner: {s.owner})")
            elif not finding.passed:
                ET.SubElement(case, "failure", message=finding.check_name, type=finding.check_id).text = finding.address
    ET.indent(suites)
    return ET.ElementTree(suites)


def write_reports(report: CheckovReport, outdir: Path, reports_dir: Path,
                  in_cluster: InClusterReport | None = None) -> tuple[Path, Path]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    sarif_path = reports_dir / "checkov.sarif"
    junit_path = reports_dir / "checkov.junit.xml"
    sarif_path.write_text(json.dumps(sarif(report, outdir, in_cluster), indent=2) + "\n")
    junit(report).write(junit_path, encoding="utf-8", xml_declaration=True)
    return sarif_path, junit_path
