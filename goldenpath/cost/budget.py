"""Budgets: an environment's expected estimate against `budget.monthly_usd`; a preview's against its cap."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from goldenpath.cost.environments import CostReport, EnvironmentEstimate
from goldenpath.cost.estimate import LineItem, StackEstimate, quota_share
from goldenpath.cost.items import Unpriced as NoPrice
from goldenpath.cost.render import at_least, grouped_unpriced, money

TOP_LINES = 3


@dataclass(frozen=True)
class UnpricedLines:
    """The lines of an environment without a price: those accepted by name (with their reasons) and the rest."""

    open: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    """Acceptances that match no line (priced now, or renamed): shown so they get removed."""


def unpriced_lines(estimate: EnvironmentEstimate) -> UnpricedLines:
    budget = estimate.environment.budget
    accepted = {(a.stack, a.resource): a.reason for a in (budget.accept_unpriced if budget else [])}
    found = UnpricedLines()
    used = set()
    for stack in estimate.stacks:
        for line in stack.not_priced:
            address = line.split(": ", 1)[0]
            reason = accepted.get((stack.name, address))
            if reason is None:
                found.open.append(f"{stack.name}: {line}")
            else:
                used.add((stack.name, address))
                found.accepted.append(f"{stack.name} {address} (accepted: {reason})")
    found.stale.extend(f"{stack} {address}" for stack, address in accepted if (stack, address) not in used)
    return found


@dataclass(frozen=True)
class BudgetCheck:
    environment: str
    subject: str
    """What is checked, and where its budget is set (for the message)."""
    budget: Decimal
    expected: Decimal
    top_lines: list[LineItem]
    unpriced: UnpricedLines = field(default_factory=UnpricedLines)
    """Lines without a price: unless each is accepted by name, the check fails (the figure is a lower bound)."""
    limit_name: str = "budget"
    accept_hint: str = "accept each under budget.accept_unpriced with a reason"
    known: bool = True
    """False when nothing of the figure could be priced (``expected`` is then no lower bound worth printing)."""

    @property
    def over(self) -> bool:
        return self.expected > self.budget

    @property
    def incomplete(self) -> bool:
        return bool(self.unpriced.open)

    @property
    def failed(self) -> bool:
        return self.over or self.incomplete

    def message(self) -> str:
        verdict = f"OVER {self.limit_name}" if self.over else f"within {self.limit_name}"
        if self.incomplete:
            verdict = f"INCOMPLETE, {len(self.unpriced.open)} line(s) not priced ({'; '.join(grouped_unpriced(self.unpriced.open))}): " \
                      f"refresh prices (`goldenpath cost refresh`) or {self.accept_hint}" + \
                      ("; and OVER " + self.limit_name if self.over else "")
        figure = at_least(self.expected, self.incomplete) if self.known else "unknown"
        text = f"{self.subject}: expected {figure}/month, {self.limit_name} {money(self.budget)}: {verdict}"
        if self.unpriced.accepted:
            text += "; not priced, accepted: " + "; ".join(self.unpriced.accepted)
        if self.unpriced.stale:
            text += "; accept_unpriced entries matching no line (remove them): " + ", ".join(self.unpriced.stale)
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
                                  estimate.total("expected"), top_lines(estimate.stacks), unpriced_lines(estimate)))
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
    except NoPrice as reason:
        return BudgetCheck(environment.name, f"{environment.source_file}: previews.max_monthly_usd", previews.max_monthly_usd,
                           Decimal(0), [], UnpricedLines(open=[f"{environment.name}: previews.limits: {reason}"]), "cap",
                           "give the first node group a priced instance type", known=False)
    return BudgetCheck(environment.name, f"{environment.source_file}: previews.max_monthly_usd (each preview's quota share)",
                       previews.max_monthly_usd, share.expected, [share], limit_name="cap")


def budget_lines(report: CostReport) -> tuple[list[str], list[str]]:
    """What `validate` prints about cost, and what fails the gate (file and field of each): an environment over its
    budget, or with lines not priced and not accepted, or a preview cap below what every preview reserves."""
    checks = {c.environment: c for c in check_budgets(report)}
    caps = [c for c in map(preview_cap_check, report.environments) if c is not None]
    lines = []
    for estimate in report.environments:
        check = checks.get(estimate.environment.name)
        if check is not None:
            lines.append(f"cost: {check.message()}")
        else:
            unpriced = grouped_unpriced(estimate.not_priced, where=False)
            lines.append(f"cost: {estimate.environment.name}: expected {at_least(estimate.total('expected'), bool(unpriced))}/month; "
                         "no budget set (budget.monthly_usd)"
                         + (f"; {len(estimate.not_priced)} line(s) not priced (`goldenpath cost` lists them): {'; '.join(unpriced)}"
                            if unpriced else ""))
    lines += [f"cost: {c.message()}" for c in caps]
    return lines, [c.subject for c in [*checks.values(), *caps] if c.failed]


def preview_monthly(estimate: StackEstimate) -> Decimal:
    """A preview's own cost plus the share of the cluster its quota reserves."""
    return estimate.total("expected", ("fixed", "usage", "share"))


def open_unpriced(report: CostReport) -> list[str]:
    """Lines of the report without a price that no environment's budget accepts by name."""
    return [line for estimate in report.environments for line in unpriced_lines(estimate).open]
