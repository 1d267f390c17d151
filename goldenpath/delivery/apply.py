"""Apply an environment after merge, stack by stack in waves, each behind a gate.

Which stacks: every stack whose synthesized JSON differs from what was last applied to it (its record next to its
state, ``records.py``), not the stacks the last commit touched: a run superseded in GitHub's concurrency queue leaves
its stacks pending, and the next run applies them. Stacks with a record but no code any more are removed stacks.

The gate, per stack, on a fresh plan at the merge commit (``gate``):

- no changes: nothing to apply; the record moves to this commit;
- confirmed (``--confirm STACK@SHA`` from a manual run at this commit): applied as planned;
- removed from the code: destroyed only when its pull request carries the ``goldenpath/destroy`` label (or it is
  confirmed), and, where the pull request showed a destroy plan, only that plan;
- destroys or replaces anything: stops for a confirmation;
- reviewed on its pull request: applied when the resource actions are those reviewed, else stops;
- never planned on pull requests (it needs the cluster's API): applied when it only creates and updates;
- otherwise (pushed without a reviewed plan): stops.

A stack that stops or fails blocks the stacks depending on it (transitively); the others go on.
"""

from __future__ import annotations

import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Protocol

from goldenpath.delivery.affected import canonical, fingerprint, waves
from goldenpath.delivery.comment import stack_digest
from goldenpath.delivery.planning import first_line
from goldenpath.delivery.plans import PlanSummary, discard, plan_stack
from goldenpath.delivery.records import AppliedRecord, AppliedRecords
from goldenpath.delivery.stacks import PipelineStack, read_stack
from goldenpath.deploy.terraform import Terraform
from goldenpath.errors import GoldenpathError

DESTROY_LABEL = "goldenpath/destroy"
NO_KUBERNETES = "not run: the emulator has no Kubernetes API"
Decision = Literal["apply", "record", "stop"]
Outcome = Literal["applied", "unchanged", "destroyed", "stopped", "failed", "blocked", "not-run"]
BLOCKING: tuple[Outcome, ...] = ("stopped", "failed", "blocked")


@dataclass(frozen=True)
class Review:
    """What reviewers saw for the commits being applied: per stack the digest of its plan's resource actions (from
    the pull requests' plan comments), and the labels those pull requests carry."""

    digests: dict[str, str] = field(default_factory=dict)
    labels: frozenset[str] = frozenset()


class ReviewSource(Protocol):
    def review(self, commits: list[str]) -> Review:
        """The review of the pull requests that brought ``commits`` (the head first)."""
        ...


@dataclass(frozen=True)
class Confirmation:
    stacks: frozenset[str] = frozenset()
    everything: bool = False

    def covers(self, stack: str) -> bool:
        return self.everything or stack in self.stacks


def parse_confirmation(text: str, head: str) -> Confirmation:
    """``STACK@SHA ...`` (or ``all@SHA``): SHA, at least 7 hex digits, must start the commit being applied, so a
    confirmation never carries over to a later commit."""
    stacks, everything = set(), False
    for entry in text.replace(",", " ").split():
        stack, _, sha = entry.partition("@")
        if not stack or len(sha) < 7 or not all(c in "0123456789abcdef" for c in sha.lower()):
            raise GoldenpathError(f"--confirm: got {entry!r}, expected STACK@SHA (SHA: at least 7 hex digits of the commit)")
        if not head.lower().startswith(sha.lower()):
            raise GoldenpathError(f"--confirm: {entry!r} confirms commit {sha}, but this run applies {head[:12]}; "
                                  "confirm at the commit being applied")
        if stack == "all":
            everything = True
        else:
            stacks.add(stack)
    return Confirmation(frozenset(stacks), everything)


def gate(summary: PlanSummary, *, reviewed: str | None, planned_on_pull_requests: bool, confirmed: bool,
         removed: bool = False, destroy_labelled: bool = False) -> tuple[Decision, str]:
    """What to do with a fresh plan (see the module's docstring), and why."""
    if summary.status != "planned":
        return "stop", f"{summary.status}: {summary.reason}"
    if not summary.changes:
        return "record", "no changes"
    if confirmed:
        return "apply", "confirmed for this commit"
    digest = stack_digest(summary)
    if removed:
        if not destroy_labelled:
            return "stop", (f"removed from the code: destroyed only when its pull request has the {DESTROY_LABEL} label "
                            "(or with a confirmation)")
        if reviewed is not None and reviewed != digest:
            return "stop", "the destroy plan differs from the one reviewed on the pull request"
        return "apply", f"removed, {DESTROY_LABEL} label"
    if summary.destructive:
        destroyed = ", ".join(c.address for c in summary.changes if "delete" in c.actions)
        return "stop", f"would destroy or replace {destroyed}: needs a confirmation"
    if reviewed is not None:
        if reviewed == digest:
            return "apply", "as reviewed"
        return "stop", "the resource actions differ from those reviewed on the pull request"
    if not planned_on_pull_requests:
        return "apply", "creates and updates only (not planned on pull requests: it needs the cluster's API)"
    return "stop", "no reviewed plan for this change (pushed without a pull request?): needs a confirmation"


@dataclass(frozen=True)
class StackResult:
    stack: str
    outcome: Outcome
    detail: str
    summary: PlanSummary | None = None


@dataclass
class ApplyReport:
    environment: str
    commit: str
    results: list[StackResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(r.outcome in BLOCKING for r in self.results)

    def lines(self) -> list[str]:
        width = max((len(r.stack) for r in self.results), default=0)
        return [f"{r.stack:<{width}}  {r.outcome:<9}  {r.detail}" for r in self.results]

    def markdown(self) -> str:
        rows = [f"| `{r.stack}` | {r.outcome} | {r.detail} |" for r in self.results]
        confirm = [r.stack for r in self.results if r.outcome == "stopped"]
        hint = ([f"To apply the stopped plans as they are, run this workflow manually with confirm "
                 f"`{' '.join(f'{s}@{self.commit[:12]}' for s in confirm)}`."] if confirm else [])
        return "\n".join([f"### goldenpath apply: {self.environment} at `{self.commit[:12]}`", "",
                          "| stack | outcome | detail |", "|---|---|---|", *rows, "", *hint]) + "\n"


def pending_stacks(stacks: dict[str, PipelineStack], records: AppliedRecords) -> list[str]:
    """Stacks whose synthesized JSON is not what was last applied to them (or never applied)."""
    pending = []
    for name, stack in sorted(stacks.items()):
        record = records.get(stack.state_key)
        if record is None or record.fingerprint != fingerprint(stack.path):
            pending.append(name)
    return pending


def removed_records(stacks: dict[str, PipelineStack], environment: str, records: AppliedRecords) -> list[AppliedRecord]:
    """Records of the environment whose stack is no longer in the code."""
    return [r for r in records.under(f"{environment}/") if r.stack not in stacks]


@dataclass(frozen=True)
class PendingChanges:
    """What an apply of one environment would do: stacks to apply, records of removed stacks, and stacks left out."""

    environment: str
    pending: tuple[str, ...]
    removed: tuple[str, ...]
    not_run: tuple[str, ...] = ()
    """Stacks needing a Kubernetes API on the emulator, which has none: they never get a record there."""

    @property
    def any(self) -> bool:
        return bool(self.pending or self.removed)

    def summary(self) -> str:
        line = (f"pending in {self.environment}: {', '.join(self.pending) or 'none'}; "
                f"removed: {', '.join(self.removed) or 'none'}")
        if self.not_run:
            line += f"; not counted (the emulator has no Kubernetes API): {', '.join(self.not_run)}"
        return line


def pending_changes(stacks: dict[str, PipelineStack], environment: str, records: AppliedRecords,
                    emulator: bool = False) -> PendingChanges:
    """Pending and removed stacks of an environment; on the ``emulator``, stacks needing Kubernetes are named as not
    run rather than counted, or they would be pending forever."""
    not_run = tuple(sorted(n for n, s in stacks.items() if emulator and s.needs_kubernetes))
    pending = tuple(n for n in pending_stacks(stacks, records) if n not in not_run)
    removed = tuple(r.stack for r in removed_records(stacks, environment, records))
    return PendingChanges(environment, pending, removed, not_run)


@dataclass
class ApplyRun:
    terraform: Terraform
    records: AppliedRecords
    commit: str
    emulator: bool = False
    """The emulator runs no stack needing a Kubernetes API: those are reported as not run."""
    workers: int = 4

    def record(self, stack: PipelineStack) -> None:
        self.records.save(AppliedRecord(stack.name, stack.state_key, fingerprint(stack.path), self.commit,
                                        datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                                        canonical(stack.path), stack.dependencies))


def _gated(run: ApplyRun, stack: PipelineStack, review: Review, confirmation: Confirmation,
           removed: bool) -> StackResult:
    if run.emulator and stack.needs_kubernetes:
        return StackResult(stack.name, "not-run", NO_KUBERNETES)
    try:
        planned = plan_stack(run.terraform, stack.path, lock=True, keep=True, destroy=removed)
    except GoldenpathError as error:
        return StackResult(stack.name, "failed", first_line(error))
    summary = planned.summary
    summary.stack, summary.owner, summary.removed = stack.name, stack.owner, removed
    try:
        decision, reason = gate(summary, reviewed=review.digests.get(stack.name), confirmed=confirmation.covers(stack.name),
                                planned_on_pull_requests=not stack.needs_kubernetes, removed=removed,
                                destroy_labelled=DESTROY_LABEL in review.labels)
        if decision == "stop":
            return StackResult(stack.name, "stopped", reason, summary)
        if decision == "apply":
            run.terraform.run(stack.path, "apply", "-input=false", "-no-color", str(planned.plan_file))
    except GoldenpathError as error:
        return StackResult(stack.name, "failed", first_line(error), summary)
    finally:
        discard(planned.plan_file)
    if removed:
        run.records.forget(stack.state_key)
        return StackResult(stack.name, "destroyed", reason, summary)
    run.record(stack)
    return StackResult(stack.name, "applied" if decision == "apply" else "unchanged", reason, summary)


def _run_waves(run: ApplyRun, stacks: dict[str, PipelineStack], names: list[str], review: Review,
               confirmation: Confirmation, removed: bool, report: ApplyReport) -> None:
    dependencies = {name: list(stack.dependencies) for name, stack in stacks.items()}
    if removed:  # dependents go first: a stack waits for the removed stacks that depend on it
        dependents: dict[str, list[str]] = {name: [] for name in stacks}
        for name, needs in dependencies.items():
            for need in needs:
                dependents.setdefault(need, []).append(name)
        dependencies = dependents
    outcome: dict[str, Outcome] = {}

    def blocker(name: str, seen: frozenset[str] = frozenset()) -> str | None:
        for need in dependencies.get(name, []):
            if outcome.get(need) in BLOCKING:
                return need
            found = blocker(need, seen | {name}) if need not in seen else None
            if found:
                return found
        return None

    def one(name: str) -> StackResult:
        stopped_by = blocker(name)
        if stopped_by:
            return StackResult(name, "blocked", f"{stopped_by} did not apply")
        return _gated(run, stacks[name], review, confirmation, removed)

    with ThreadPoolExecutor(max_workers=run.workers) as pool:
        for wave in waves(set(names), dependencies):
            for result in pool.map(one, wave):
                outcome[result.stack] = result.outcome
                report.results.append(result)


def materialize(record: AppliedRecord, workdir: Path) -> PipelineStack:
    """A removed stack's recorded configuration, written out so terraform can destroy what it made."""
    folder = workdir / record.stack
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdk.tf.json").write_text(json.dumps(json.loads(record.configuration), indent=2) + "\n")
    return read_stack(record.stack, folder, list(record.dependencies))


def apply_environment(run: ApplyRun, environment: str, stacks: dict[str, PipelineStack], pending: list[str],
                      removed: list[AppliedRecord], review: Review, confirmation: Confirmation) -> ApplyReport:
    """Apply ``pending`` stacks in waves, then destroy ``removed`` ones dependents first; see the module's docstring."""
    report = ApplyReport(environment, run.commit)
    run.terraform.ready()
    _run_waves(run, stacks, pending, review, confirmation, False, report)
    if removed:
        workdir = Path(tempfile.mkdtemp(prefix="goldenpath-removed-"))
        gone = {r.stack: materialize(r, workdir) for r in removed}
        _run_waves(run, gone, sorted(gone), review, confirmation, True, report)
    return report
