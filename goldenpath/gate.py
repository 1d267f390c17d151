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
    over_budget: bool
    version_lines: list[str]
    sandbox_lines: list[str]
    sandbox_over: bool
    """A sandbox tier whose worst case does not fit its max_spend_usd."""
    support: SupportReport
    """Each cluster's Kubernetes version against EKS's calendar (GP_EKS_001)."""

    @property
    def passed(self) -> bool:
        return not (self.checkov.failures or self.in_cluster.problems or self.over_budget or self.sandbox_over
                    or self.support.problems)


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
