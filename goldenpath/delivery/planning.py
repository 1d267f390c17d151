"""Plan a change's stacks of one environment, on a pull request: wave by wave in dependency order, the stacks of a
wave in parallel, each read-only (no state lock: the plan role cannot write the state bucket). Stacks the change
removes get destroy plans, dependents first. A plan reads upstream stacks' outputs as applied today, so a plan
whose upstream changes outputs it reads is marked provisional in the comment (``comment.provisional_marks``)
rather than waited for: waiting would not make it final before the upstream stack is applied.

Stacks that configure the kubernetes or helm provider are not planned here: the plan role has no access to any
cluster (a pull request's author controls what runs with it). They are planned and applied after merge.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

from goldenpath.delivery.affected import waves
from goldenpath.delivery.plans import PlanSummary, plan_stack
from goldenpath.delivery.stacks import PipelineStack
from goldenpath.deploy.terraform import Terraform
from goldenpath.errors import GoldenpathError

NEEDS_CLUSTER = "needs the cluster's API: planned and applied after merge (pull requests get no cluster access)"
PARALLEL_PLANS = 4


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def plan_one(stack: PipelineStack, terraform: Terraform, *, destroy: bool = False) -> PlanSummary:
    """One read-only plan, as a summary (the saved plan is deleted at once)."""
    if stack.needs_kubernetes:
        return PlanSummary(stack.name, "not-planned", NEEDS_CLUSTER, owner=stack.owner, removed=destroy)
    try:
        summary = plan_stack(terraform, stack.path, lock=False, destroy=destroy).summary
    except GoldenpathError as error:
        return PlanSummary(stack.name, "failed", first_line(error), owner=stack.owner, removed=destroy)
    summary.stack, summary.owner, summary.removed = stack.name, stack.owner, destroy
    return summary


def in_waves(stacks: dict[str, PipelineStack], names: list[str], action: Callable[[PipelineStack], PlanSummary],
             reverse: bool = False, workers: int = PARALLEL_PLANS) -> list[PlanSummary]:
    """``action`` on each of ``names``, wave by wave (``reverse``: dependents first), a wave's stacks in parallel."""
    dependencies = {name: list(stack.dependencies) for name, stack in stacks.items()}
    ordered = waves(set(names), dependencies)
    results: list[PlanSummary] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for wave in reversed(ordered) if reverse else ordered:
            results += list(pool.map(lambda name: action(stacks[name]), wave))
    return results


def plan_change(head: dict[str, PipelineStack], names: list[str], terraform: Terraform,
                base: dict[str, PipelineStack] | None = None, removed: Sequence[str] = ()) -> list[PlanSummary]:
    """Plans of ``names`` (stacks of ``head``) and destroy plans of ``removed`` (stacks of ``base``)."""
    unknown = sorted(set(names) - set(head)) + sorted(set(removed) - set(base or {}))
    if unknown:
        raise GoldenpathError(f"--stacks/--removed: {', '.join(unknown)} not in the synth output; expected stacks "
                              "of this environment as `goldenpath ci affected` listed them")
    terraform.ready()
    summaries = in_waves(head, list(names), lambda stack: plan_one(stack, terraform))
    if removed:
        summaries += in_waves(base or {}, list(removed), lambda stack: plan_one(stack, terraform, destroy=True), reverse=True)
    return summaries
