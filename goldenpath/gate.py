"""The policy gate `validate` runs: synthesize, checkov with suppressions, in-cluster fact and schema
checks, the cost estimate against each environment's budget, and each sandbox tier's worst case. `report` draws the same result."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from datetime import date
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.cost.budget import budget_lines
from goldenpath.cost.environments import CostReport, estimate_synthesized
from goldenpath.cost.price_keys import EKS_EXTENDED_SUPPORT_HOUR
from goldenpath.cost.prices import PROJECT_PRICES, load_snapshot
from goldenpath.extensions import Extensions
from goldenpath.lifecycle.support import SupportReport, support_report
from goldenpath.pins.table import pin_lines
from goldenpath.policies.checkov_runner import CheckovReport, apply_suppressions, run_checkov
from goldenpath.policies.in_cluster import InClusterReport, check_in_cluster_stacks
from goldenpath.policies.suppressions import all_suppressions
from goldenpath.previews.samples import SAMPLES_DIR, synthesize_sample_previews
from goldenpath.sandboxes.samples import SAMPLES_DIR as SANDBOX_SAMPLES_DIR, synthesize_sample_sandboxes
from goldenpath.sandboxes.worst_case import tier_lines
from goldenpath.stacks.synth import SynthResult, synthesize
from goldenpath.tenancy.catalog import Catalog


@dataclass(frozen=True)
class GateResult:
    environments: list[Environment]
    catalog: Catalog
    synth: SynthResult
    checkov: CheckovReport
    in_cluster: InClusterReport
    cost: CostReport
    cost_lines: list[str]
    over_budget: list[str]
    """Budgets and caps that fail (over, or incomplete for want of a price), by file and field."""
    version_lines: list[str]
    sandbox_lines: list[str]
    sandbox_over: list[str]
    """Sandbox tiers (``<env>/<tier>``) whose worst case does not fit their max_spend_usd."""
    support: SupportReport
    """Each cluster's Kubernetes version against EKS's calendar (GP_EKS_001)."""

    @property
    def failed(self) -> list[str]:
        """What fails the gate, one entry per check, each naming what failed in it (empty: passed)."""
        parts = []
        if self.checkov.failures:
            ids = sorted({f.check_id for f in self.checkov.failures})
            parts.append(f"checkov: {len(self.checkov.failures)} finding(s) ({', '.join(ids)})")
        if self.in_cluster.problems:
            stacks = sorted({stack for stack, _ in self.in_cluster.by_stack})
            parts.append(f"in-cluster checks: {len(self.in_cluster.problems)} problem(s) in {', '.join(stacks)}")
        if self.over_budget:
            parts.append(f"cost: {'; '.join(self.over_budget)}")
        if self.sandbox_over:
            parts.append(f"sandbox tiers: {', '.join(self.sandbox_over)}")
        if self.support.failed_stacks:
            parts.append(f"Kubernetes support (GP_EKS_001): {', '.join(self.support.failed_stacks)}")
        return parts

    @property
    def passed(self) -> bool:
        return not self.failed

    def verdict(self) -> str:
        """validate's last line: the one a person (or a CI log) reads first."""
        names = ", ".join(e.name for e in self.environments)
        if self.passed:
            return f"PASSED: {names}: checkov, in-cluster checks, cost, sandbox tiers and Kubernetes support"
        return f"FAILED: {names}: " + " | ".join(self.failed)


def run_gate(environments: list[Environment], outdir: Path, project_root: Path, extensions: Extensions,
             catalog: Catalog, today: date) -> GateResult:
    suppressions = [*all_suppressions(environments), *catalog.suppressions(), *extensions.suppressions]
    synth = synthesize(environments, outdir, project_root=project_root, extensions=extensions, catalog=catalog)
    samples = synthesize_sample_previews(environments, catalog, project_root / SAMPLES_DIR)
    sandboxes = synthesize_sample_sandboxes(environments, project_root / SANDBOX_SAMPLES_DIR)
    scanned = {**synth.stacks, **samples.stacks, **sandboxes.stacks}
    checkov = apply_suppressions(run_checkov(scanned, extensions.checks_dirs), suppressions)
    in_cluster = check_in_cluster_stacks(scanned, environments, {**samples.hosted, **sandboxes.hosted})
    cost = estimate_synthesized(synth.stacks, environments, today, project_root / PROJECT_PRICES)
    lines, over = budget_lines(cost)
    snapshot = partial(load_snapshot, project_prices=project_root / PROJECT_PRICES)
    tiers, tiers_over = tier_lines(environments, snapshot)
    support = support_report(environments, today, suppressions, partial(_extended_surcharge, snapshot))
    return GateResult(environments, catalog, synth, checkov, in_cluster, cost, lines, over,
                      pin_lines(environments, project_root), tiers, tiers_over, support)


def _extended_surcharge(snapshot, region: str):
    prices = snapshot(region)
    price = prices.get(EKS_EXTENDED_SUPPORT_HOUR) if prices else None
    return price.usd if price else None
