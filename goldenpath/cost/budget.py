"""Budgets: an environment's expected estimate against `budget.monthly_usd`; a preview's against its cap."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from goldenpath.cost.environments import CostReport, EnvironmentEstimate
from goldenpath.cost.estimate import LineItem, StackEstimate, Unpriced, quota_share
from goldenpath.cost.render import money

TOP_LINES = 3


@dataclass(frozen=True)
class BudgetCheck:
    environment: str
    subject: str
    """What is checked, and where its budget is set (for the message)."""
    budget: Decimal
    expected: Decimal
    top_lines: list[LineItem]
    unpriced: int
    """Lines without a price: the expected figure is then a lower bound."""
    limit_name: str = "budget"

    @property
    def over(self) -> bool:
        return self.expected > self.budget

    def message(self) -> str:
        bound = f" (at least: {self.unpriced} line(s) not priced)" if self.unpriced else ""
        verdict = f"OVER {self.limit_name}" if self.over else f"within {self.limit_name}"
        text = f"{self.subject}: expected {money(self.expected)}/month{bound}, {self.limit_name} {money(self.budget)}: {verdict}"
        if self.over:
            text += "; top cost lines: " + "; ".join(
                f"{i.address} {i.component} {money(i.expected)} ({i.detail})" for i in self.top_lines)
        return text


def top_lines(stacks: list[StackEstimate], count: int = TOP_LINES) -> list[LineItem]:
    items = [i for s in stacks for i in s.items if i.kind != "share"]
    return sorted(items, key=lambda i: (-i.expected, i.address, i.component))[:count]


def check_budgets(report: CostReport) -> list[BudgetCheck]:
    """One check per environment that sets `budget.monthly_usd`."""
    checks = []
    for estimate in report.environments:
        budget = estimate.environment.budget
        if budget is None:
            continue
        checks.append(BudgetCheck(estimate.environment.name, f"{estimate.environment.source_file}: budget.monthly_usd", budget.monthly_usd,
                                  estimate.total("expected"), top_lines(estimate.stacks), len(estimate.not_priced)))
    return checks


def preview_cap_check(estimate: EnvironmentEstimate) -> BudgetCheck | None:
    """Every preview reserves its quota (previews.limits): a cap below that share refuses every preview."""
    environment = estimate.environment
    previews = environment.previews
    if previews is None or previews.max_monthly_usd is None:
        return None
    try:
        share = quota_share("previews.limits", previews.limits.requests_cpu, previews.limits.requests_memory,
                            estimate.context.capacity)
    except Unpriced:
        return BudgetCheck(environment.name, f"{environment.source_file}: previews.max_monthly_usd", previews.max_monthly_usd,
                           Decimal(0), [], 1, "cap")
    return BudgetCheck(environment.name, f"{environment.source_file}: previews.max_monthly_usd (each preview's quota share)",
                       previews.max_monthly_usd, share.expected, [share], 0, "cap")


def budget_lines(report: CostReport) -> tuple[list[str], bool]:
    """What `validate` prints about cost, and whether an environment is over its budget (or its preview
    cap is below what every preview reserves)."""
    checks = {c.environment: c for c in check_budgets(report)}
    caps = [c for c in map(preview_cap_check, report.environments) if c is not None]
    lines = []
    for estimate in report.environments:
        check = checks.get(estimate.environment.name)
        if check is not None:
            lines.append(f"cost: {check.message()}")
        else:
            lines.append(f"cost: {estimate.environment.name}: expected {money(estimate.total('expected'))}/month "
                         f"({len(estimate.not_priced)} line(s) not priced); no budget set (budget.monthly_usd)")
    lines += [f"cost: {c.message()}" for c in caps]
    return lines, any(c.over for c in [*checks.values(), *caps])


def preview_monthly(estimate: StackEstimate) -> Decimal:
    """A preview's own cost plus the share of the cluster its quota reserves."""
    return estimate.total("expected", ("fixed", "usage", "share"))
