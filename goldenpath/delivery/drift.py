"""Nightly drift: per stack, is the cloud still what was last applied?

- ``unapplied``: the code differs from what was last applied (or the stack was never applied, or was removed from
  the code): a merged change waits for its apply; not drift, and not planned here;
- ``drift``: the code is what was applied but a plan (``-detailed-exitcode``: 2) still has changes, so someone or
  something changed the cloud;
- ``clean``: the plan is empty; ``error``: the plan failed; ``not-run``: the emulator has no Kubernetes API.

Plans are read-only (no state lock) and kept as summaries: addresses and actions, never values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from goldenpath.delivery.affected import fingerprint
from goldenpath.delivery.apply import NO_KUBERNETES
from goldenpath.delivery.planning import first_line
from goldenpath.delivery.plans import plan_stack
from goldenpath.delivery.records import AppliedRecords
from goldenpath.delivery.stacks import PipelineStack
from goldenpath.deploy.terraform import Terraform
from goldenpath.errors import GoldenpathError

Status = Literal["clean", "drift", "unapplied", "error", "not-run"]


@dataclass(frozen=True)
class StackDrift:
    stack: str
    environment: str
    status: Status
    detail: str = ""
    changes: list[str] = field(default_factory=list)
    """``address action+action`` per drifted resource."""

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> StackDrift:
        return cls(data["stack"], data["environment"], data["status"], data.get("detail", ""), list(data.get("changes", [])))


def check_stack(stack: PipelineStack, records: AppliedRecords, terraform: Terraform, emulator: bool) -> StackDrift:
    record = records.get(stack.state_key)
    if record is None:
        return StackDrift(stack.name, stack.environment, "unapplied", "never applied by the pipeline")
    if record.fingerprint != fingerprint(stack.path):
        return StackDrift(stack.name, stack.environment, "unapplied",
                          f"the code changed since the apply of {record.commit[:12]} ({record.applied_at})")
    if emulator and stack.needs_kubernetes:
        return StackDrift(stack.name, stack.environment, "not-run", NO_KUBERNETES)
    try:
        summary = plan_stack(terraform, stack.path, lock=False).summary
    except GoldenpathError as error:
        return StackDrift(stack.name, stack.environment, "error", first_line(error))
    if not summary.changes:
        return StackDrift(stack.name, stack.environment, "clean", f"as applied at {record.commit[:12]}")
    return StackDrift(stack.name, stack.environment, "drift", f"differs from the apply of {record.commit[:12]}",
                      summary.digest())


def check_environment(stacks: dict[str, PipelineStack], environment: str, records: AppliedRecords,
                      terraform: Terraform, emulator: bool) -> list[StackDrift]:
    terraform.ready()
    found = [check_stack(stacks[name], records, terraform, emulator) for name in sorted(stacks)]
    found += [StackDrift(r.stack, environment, "unapplied", "removed from the code; destroyed after merge with the "
                         "goldenpath/destroy label") for r in records.under(f"{environment}/") if r.stack not in stacks]
    return found
