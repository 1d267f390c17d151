"""Estimates of an environment's synthesized stacks: its region's prices, its usage profile, its nodes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.cost.estimate import PricingContext, StackEstimate, capacity_rate, estimate_stack
from goldenpath.cost.prices import PriceSnapshot, load_snapshot, unpriced_snapshot
from goldenpath.errors import GoldenpathError
from goldenpath.stacks.layout import synthesized_layouts

SECONDS_PER_DAY = Decimal(86_400)
KB_PER_GB = Decimal(1_000_000)


@dataclass(frozen=True)
class EnvironmentEstimate:
    environment: Environment
    context: PricingContext
    stacks: list[StackEstimate]

    @property
    def snapshot(self) -> PriceSnapshot:
        return self.context.snapshot

    def total(self, which: str) -> Decimal:
        return sum((s.total(which) for s in self.stacks), Decimal(0))

    @property
    def not_priced(self) -> list[str]:
        return [f"{s.name}: {n}" for s in self.stacks for n in s.not_priced]


@dataclass(frozen=True)
class CostReport:
    environments: list[EnvironmentEstimate]
    today: date

    @property
    def stacks(self) -> list[StackEstimate]:
        return [s for e in self.environments for s in e.stacks]

    @property
    def not_priced(self) -> list[str]:
        return [n for e in self.environments for n in e.not_priced]

    def total(self, which: str) -> Decimal:
        return sum((e.total(which) for e in self.environments), Decimal(0))


def pricing_context(environment: Environment, today: date, project_prices: Path | None = None) -> PricingContext:
    snapshot = load_snapshot(environment.region, project_prices) or unpriced_snapshot(environment.region)
    first = environment.cluster.node_groups[0]
    rate = capacity_rate(list(first.instance_types), first.capacity_type == "SPOT", snapshot, environment.usage)
    return PricingContext(snapshot, environment.usage, today, rate, telemetry_gb_per_day(environment))


def telemetry_gb_per_day(environment: Environment) -> dict[str, Decimal]:
    """What Loki and Tempo write to their buckets per day, by the buckets' construct paths."""
    usage, collector = environment.usage, environment.observability.collector
    kept = Decimal(collector.sampling_percentage) / 100 if collector.tail_sampling else Decimal(1)
    spans_gb = Decimal(collector.expected_spans_per_second) * SECONDS_PER_DAY * usage.span_kb * kept / KB_PER_GB
    return {"/observability/logs-bucket/bucket": usage.telemetry_log_gb_per_day,
            "/observability/traces-bucket/bucket": spans_gb}


def read_stack(path: Path) -> dict:
    """A synthesized stack's Terraform JSON (``path`` is its folder or its cdk.tf.json)."""
    file = path / "cdk.tf.json" if path.is_dir() else path
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        raise GoldenpathError(f"{file}: cannot read synthesized Terraform JSON ({problem}); expected the "
                              "output of `goldenpath synth`") from None


def estimate_environment(environment: Environment, stacks: dict[str, Path], today: date,
                         project_prices: Path | None = None, others: list[Environment] | None = None) -> EnvironmentEstimate:
    """Estimate those of ``stacks`` (name -> folder) that belong to ``environment``, in deploy order."""
    ctx = pricing_context(environment, today, project_prices)
    estimates = [estimate_stack(layout.name, read_stack(stacks[layout.name]), ctx)
                 for layout in synthesized_layouts(environment, stacks, others or [])]
    return EnvironmentEstimate(environment, ctx, estimates)


def estimate_synthesized(stacks: dict[str, Path], environments: list[Environment], today: date,
                         project_prices: Path | None = None) -> CostReport:
    """Estimate every synthesized stack; a stack of no given environment is an error, not a gap."""
    known = {layout.name for e in environments for layout in synthesized_layouts(e, stacks, environments)}
    strangers = sorted(set(stacks) - known)
    if strangers:
        raise GoldenpathError(f"{', '.join(strangers)}: synthesized stack(s) of no environment given "
                              f"({', '.join(e.name for e in environments)}); expected <env>-<component> stacks")
    return CostReport([estimate_environment(e, stacks, today, project_prices, environments) for e in environments], today)


def stacks_in(outdir: Path) -> dict[str, Path]:
    """The stacks of a synth output folder (``cdktf.out``): name -> folder."""
    root = outdir / "stacks"
    if not root.is_dir():
        raise GoldenpathError(f"{outdir}: no stacks/ folder; expected the output folder of `goldenpath synth`")
    return {p.name: p for p in sorted(root.iterdir()) if (p / "cdk.tf.json").is_file()}
