"""`goldenpath cost diff OLD NEW`: what a change costs, per stack and per resource, for a PR comment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.cost.environments import CostReport, estimate_synthesized, stacks_in
from goldenpath.cost.estimate import LineItem
from goldenpath.cost.render import FIGURES, money, usd

MARKER = "<!-- goldenpath-cost-diff -->"
"""First line of the comment, so a workflow can find and update its own comment."""


@dataclass(frozen=True)
class LineChange:
    stack: str
    address: str
    component: str
    before: LineItem | None
    after: LineItem | None

    def delta(self, which: str = "expected") -> Decimal:
        return (getattr(self.after, which) if self.after else Decimal(0)) - (getattr(self.before, which) if self.before else Decimal(0))

    def why(self) -> str:
        if self.before is None:
            return f"added: {self.after.detail}"  # type: ignore[union-attr]
        if self.after is None:
            return f"removed: {self.before.detail}"
        return f"{self.before.detail} -> {self.after.detail}" if self.before.detail != self.after.detail else "price change"


@dataclass(frozen=True)
class StackChange:
    name: str
    before: dict[str, Decimal]
    after: dict[str, Decimal]

    def delta(self, which: str = "expected") -> Decimal:
        return self.after[which] - self.before[which]


@dataclass(frozen=True)
class CostDiff:
    old: CostReport
    new: CostReport
    stacks: list[StackChange]
    lines: list[LineChange]
    newly_unpriced: list[str]

    def delta(self, which: str = "expected") -> Decimal:
        return self.new.total(which) - self.old.total(which)


def _totals(report: CostReport) -> dict[str, dict[str, Decimal]]:
    return {s.name: {f: s.total(f) for f in FIGURES} for s in report.stacks}


def _lines(report: CostReport) -> dict[tuple[str, str, str], LineItem]:
    return {(s.name, i.address, i.component): i for s in report.stacks for i in s.items if i.kind != "share"}


def compare(old: CostReport, new: CostReport) -> CostDiff:
    zero = {f: Decimal(0) for f in FIGURES}
    before, after = _totals(old), _totals(new)
    stacks = [StackChange(name, before.get(name, zero), after.get(name, zero)) for name in sorted(before.keys() | after.keys())]
    old_lines, new_lines = _lines(old), _lines(new)
    lines = [LineChange(*key, old_lines.get(key), new_lines.get(key)) for key in sorted(old_lines.keys() | new_lines.keys())]
    changed = [c for c in lines if c.before != c.after]
    return CostDiff(old, new, [s for s in stacks if s.before != s.after], changed,
                    sorted(set(new.not_priced) - set(old.not_priced)))


def cost_diff(old_outdir: Path, new_outdir: Path, environments: list[Environment], today: date,
              project_prices: Path | None = None) -> CostDiff:
    """Estimate both synth outputs with the same prices, usage profiles and day, then compare them."""
    old = estimate_synthesized(stacks_in(old_outdir), environments, today, project_prices)
    new = estimate_synthesized(stacks_in(new_outdir), environments, today, project_prices)
    return compare(old, new)


def signed(value: Decimal) -> str:
    return f"+{money(value)}" if value >= 0 else f"-{money(-value)}"


def headline(diff: CostDiff) -> str:
    delta = diff.delta()
    verb = "adds" if delta > 0 else "saves" if delta < 0 else "does not change the estimate"
    amount = f" {money(abs(delta))}/month" if delta else ""
    reasons = "; ".join(f"{c.stack} {c.address} {c.component}: {c.why()}" for c in
                        sorted(diff.lines, key=lambda c: -abs(c.delta()))[:3])
    return f"This change {verb}{amount}" + (f": {reasons}" if reasons else "")


def diff_markdown(diff: CostDiff) -> str:
    lines = [MARKER, "### goldenpath cost diff", "",
             headline(diff) + ".", "",
             f"Expected monthly total: {money(diff.old.total('expected'))} -> {money(diff.new.total('expected'))} "
             f"(low {signed(diff.delta('low'))}, high {signed(diff.delta('high'))})."]
    if diff.stacks:
        lines += ["", "| stack | before | after | change |", "|---|---:|---:|---:|"]
        lines += [f"| {s.name} | {money(s.before['expected'])} | {money(s.after['expected'])} | {signed(s.delta())} |"
                  for s in diff.stacks]
    if diff.lines:
        lines += ["", "| stack | resource | component | before | after | change | why |", "|---|---|---|---:|---:|---:|---|"]
        lines += [f"| {c.stack} | `{c.address}` | {c.component} | {money(c.before.expected) if c.before else '-'} | "
                  f"{money(c.after.expected) if c.after else '-'} | {signed(c.delta())} | {c.why()} |" for c in diff.lines]
    if diff.newly_unpriced:
        lines += ["", f"New lines without a price ({len(diff.newly_unpriced)}; not counted as $0, not in the figures above):"]
        lines += [f"- `{n}`" for n in diff.newly_unpriced]
    lines += ["", "<sub>Estimated by `goldenpath cost diff` from the synthesized Terraform JSON with goldenpath's dated "
              "prices and each environment's usage profile; no network, no API key.</sub>"]
    return "\n".join(lines) + "\n"


def diff_json(diff: CostDiff) -> str:
    document = {
        "delta_usd": {f: usd(diff.delta(f)) for f in FIGURES},
        "before_usd": {f: usd(diff.old.total(f)) for f in FIGURES},
        "after_usd": {f: usd(diff.new.total(f)) for f in FIGURES},
        "stacks": [{"name": s.name, "before": usd(s.before["expected"]), "after": usd(s.after["expected"]),
                    "delta": usd(s.delta())} for s in diff.stacks],
        "lines": [{"stack": c.stack, "address": c.address, "component": c.component, "delta": usd(c.delta()), "why": c.why()}
                  for c in diff.lines],
        "newly_unpriced": diff.newly_unpriced,
    }
    return json.dumps(document, indent=2) + "\n"
