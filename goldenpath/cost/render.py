"""Cost reports as a table (terminal), JSON (scripts) or markdown (pull-request comments)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from goldenpath.cost.environments import CostReport, EnvironmentEstimate
    from goldenpath.cost.estimate import StackEstimate

FIGURES = ("low", "expected", "high")


def money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def at_least(value: Decimal, incomplete: bool) -> str:
    """A total as a person should read it: a lower bound whenever a line in it has no price."""
    return f"at least {money(value)}" if incomplete else money(value)


def grouped_unpriced(lines: list[str], where: bool = True) -> list[str]:
    """``stack: address: reason`` lines grouped by reason (the price that is missing), in first-seen order:
    ``reason (N): stack address, ...`` (``reason (N)`` without ``where``): one line per missing price, however many
    resources lack it."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        stack, _, rest = line.partition(": ")
        address, _, reason = rest.partition(": ")
        groups.setdefault(reason or rest, []).append(f"{stack} {address}" if reason else stack)
    return [f"{reason} ({len(found)})" + (f": {', '.join(found)}" if where else "") for reason, found in groups.items()]


def usd(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def assumptions(estimate: EnvironmentEstimate) -> str:
    usage = estimate.environment.usage
    snapshot = estimate.snapshot
    return (f"{estimate.environment.name}: prices {snapshot.region} as of {snapshot.snapshot_date} ({snapshot.location}); "
            f"usage profile: NAT {usage.nat_gb_per_month} GB/month per gateway, logs {usage.log_gb_per_day} GB/day "
            f"per log group stored at {usage.log_compression} of its size, {usage.logs_insights_gb_per_month} GB/month scanned by "
            f"Logs Insights, SPOT at {1 - usage.spot_discount:.0%} of on-demand, T3/T3a nodes at {usage.burstable_cpu_percent}% "
            f"CPU, Loki {usage.telemetry_log_gb_per_day} GB/day, {usage.span_kb} KB per span, {usage.bucket_gb} GB in other "
            f"buckets, {usage.bucket_write_requests_per_month} write and {usage.bucket_read_requests_per_month} read requests "
            f"per bucket, {usage.kms_requests_per_month} requests per KMS key, {usage.endpoint_gb_per_month} GB per interface "
            f"endpoint a month; 730 hours (730/24 days) a month")


def _stack_json(s: StackEstimate) -> dict:
    return {
        "name": s.name,
        "monthly_usd": {f: usd(s.total(f)) for f in FIGURES},
        "fixed_usd": usd(s.total("expected", ("fixed",))),
        "usage_usd": usd(s.total("expected", ("usage",))),
        "capacity_share_usd": usd(s.total("expected", ("share",))),
        "line_items": [{"address": i.address, "component": i.component, "kind": i.kind,
                        **{f: usd(getattr(i, f)) for f in FIGURES}, "detail": i.detail} for i in s.items],
        "not_priced": s.not_priced,
    }


def as_json(report: CostReport) -> str:
    document = {
        "estimated_on": report.today.isoformat(),
        "environments": [{
            "name": e.environment.name,
            "monthly_usd": {f: usd(e.total(f)) for f in FIGURES},
            "budget_usd": usd(e.environment.budget.monthly_usd) if e.environment.budget else None,
            "assumptions": assumptions(e),
        } for e in report.environments],
        "stacks": [_stack_json(s) for s in report.stacks],
        "total": {f: usd(report.total(f)) for f in FIGURES},
        "not_priced": report.not_priced,
    }
    return json.dumps(document, indent=2) + "\n"


def _row(label: str, figures: tuple[Decimal, Decimal, Decimal], detail: str = "") -> str:
    low, expected, high = figures
    return f"{label:<34} {money(low):>11} {money(expected):>11} {money(high):>11}  {detail}".rstrip()


def as_table(report: CostReport) -> str:
    """Per stack its totals (fixed and usage apart), then each priced component of each resource."""
    lines = [f"{'stack / component (kind)':<34} {'low':>11} {'expected':>11} {'high':>11}  resource: how"]
    for e in report.environments:
        for s in e.stacks:
            lines.append(_row(s.name, (s.total("low"), s.total("expected"), s.total("high")),
                              f"fixed {money(s.total('expected', ('fixed',)))}, usage {money(s.total('expected', ('usage',)))}"))
            lines += [_row(f"  {i.component} ({i.kind})", (i.low, i.expected, i.high), f"{i.address}: {i.detail}") for i in s.items]
        budget = f"budget {money(e.environment.budget.monthly_usd)}" if e.environment.budget else "no budget set"
        lower = f"at least: {len(e.not_priced)} line(s) not priced; " if e.not_priced else ""
        lines.append(_row(f"= {e.environment.name}", (e.total("low"), e.total("expected"), e.total("high")), lower + budget))
    lines.append(_row("= total", (report.total("low"), report.total("expected"), report.total("high")),
                      f"at least: {len(report.not_priced)} line(s) not priced" if report.not_priced else ""))
    lines.append("share: a namespace's quota as a share of the cluster's nodes, already paid by the node group "
                 "(never added to totals)")
    lines += [f"assumptions: {assumptions(e)}" for e in report.environments]
    if report.not_priced:
        lines.append(f"not priced ({len(report.not_priced)} line(s), never counted as $0), by missing price:")
        lines += [f"  {n}" for n in grouped_unpriced(report.not_priced)]
    return "\n".join(lines) + "\n"


def as_markdown(report: CostReport) -> str:
    lines = ["| stack | fixed | usage | low | expected | high |", "|---|---:|---:|---:|---:|---:|"]
    for s in report.stacks:
        lines.append(f"| {s.name} | {money(s.total('expected', ('fixed',)))} | {money(s.total('expected', ('usage',)))} | "
                     + " | ".join(money(s.total(f)) for f in FIGURES) + " |")
    lower = "at least " if report.not_priced else ""
    lines.append("| **total** | | | " + " | ".join(f"**{lower}{money(report.total(f))}**" for f in FIGURES) + " |")
    lines.append("")
    lines += [f"- {assumptions(e)}" for e in report.environments]
    if report.not_priced:
        lines.append(f"- not priced ({len(report.not_priced)} line(s), never counted as $0), by missing price:")
        lines += [f"  - {n}" for n in grouped_unpriced(report.not_priced)]
    return "\n".join(lines) + "\n"
