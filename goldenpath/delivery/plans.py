"""A stack's plan as a summary a reviewer reads and a later job compares: which resources would be created,
updated, replaced or destroyed, which outputs would change, and which replacements hit critical resources. The
summary holds addresses and actions only: a saved plan and `terraform show -json` hold values in cleartext
(Terraform's `plan -out` documentation), so they stay in memory or in the job's temporary files, never in an
artifact, a log or a comment.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from goldenpath.deploy.terraform import Terraform

# Replacing one of these loses data or everything built on it (a cluster, a key's ciphertexts, a bucket's objects).
CRITICAL_TYPES = ("aws_eks_cluster", "aws_kms_key", "aws_s3_bucket", "aws_vpc", "aws_db_instance", "aws_rds_cluster",
                  "aws_dynamodb_table", "aws_efs_file_system", "aws_iam_openid_connect_provider", "kubernetes_namespace_v1")
Status = Literal["planned", "not-planned", "failed"]


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    actions: tuple[str, ...]

    @property
    def replaced(self) -> bool:
        return "delete" in self.actions and "create" in self.actions

    @property
    def destroyed(self) -> bool:
        return self.actions == ("delete",)


@dataclass
class PlanSummary:
    stack: str
    status: Status
    reason: str = ""
    changes: list[ResourceChange] = field(default_factory=list)
    outputs_changed: list[str] = field(default_factory=list)
    owner: str = ""
    """The owning team of a team's tenants stack."""
    removed: bool = False
    """A stack the change removes: this is its destroy plan."""

    def counts(self) -> tuple[int, int, int]:
        """(to add, to change, to destroy), counted as terraform does: a replacement is one add and one destroy."""
        add = sum(1 for c in self.changes if "create" in c.actions)
        change = sum(1 for c in self.changes if c.actions == ("update",))
        destroy = sum(1 for c in self.changes if "delete" in c.actions)
        return add, change, destroy

    @property
    def critical(self) -> list[ResourceChange]:
        return [c for c in self.changes if c.type in CRITICAL_TYPES and "delete" in c.actions]

    @property
    def destructive(self) -> bool:
        return any("delete" in c.actions for c in self.changes)

    def digest(self) -> list[str]:
        """What was reviewed, as comparable text: ``address action+action`` per changed resource, sorted."""
        return sorted(f"{c.address} {'+'.join(c.actions)}" for c in self.changes)

    def as_json(self) -> dict:
        return {**asdict(self), "changes": [asdict(c) for c in self.changes]}

    @classmethod
    def from_json(cls, data: dict) -> PlanSummary:
        changes = [ResourceChange(c["address"], c["type"], tuple(c["actions"])) for c in data.get("changes", [])]
        return cls(data["stack"], data["status"], data.get("reason", ""), changes, list(data.get("outputs_changed", [])),
                   data.get("owner", ""), bool(data.get("removed", False)))


def summarize(stack: str, plan: dict) -> PlanSummary:
    """A summary of `terraform show -json` output (the plan representation: resource_changes, output_changes)."""
    changes = [ResourceChange(rc["address"], rc["type"], tuple(rc["change"]["actions"])) for rc in plan.get("resource_changes", [])
               if rc.get("mode", "managed") == "managed" and tuple(rc["change"]["actions"]) not in (("no-op",), ("read",))]
    outputs = sorted(name for name, change in plan.get("output_changes", {}).items()
                     if tuple(change.get("actions", ())) not in (("no-op",),))
    return PlanSummary(stack, "planned", changes=sorted(changes, key=lambda c: c.address), outputs_changed=outputs)


@dataclass
class Planned:
    summary: PlanSummary
    plan_file: Path | None
    """The saved plan, in a private temporary folder: apply it or delete it (it holds values in cleartext)."""


def plan_stack(terraform: Terraform, stack_dir: Path, *, lock: bool, keep: bool = False, destroy: bool = False) -> Planned:
    """init and plan ``stack_dir``; ``keep``: keep the saved plan to apply it (else it is deleted at once)."""
    terraform.init(stack_dir)
    folder = Path(tempfile.mkdtemp(prefix="goldenpath-plan-"))
    plan_file = folder / "plan.tfplan"
    args = ["plan", "-input=false", "-no-color", f"-lock={'true' if lock else 'false'}", f"-out={plan_file}"]
    terraform.run(stack_dir, *args, *(["-destroy"] if destroy else []))
    try:
        shown = json.loads(terraform.capture(stack_dir, "show", "-json", str(plan_file)))
    except BaseException:
        discard(plan_file)
        raise
    summary = summarize(stack_dir.name, shown)
    if not keep:
        discard(plan_file)
        return Planned(summary, None)
    return Planned(summary, plan_file)


def discard(plan_file: Path | None) -> None:
    if plan_file is None:
        return
    plan_file.unlink(missing_ok=True)
    try:
        plan_file.parent.rmdir()
    except OSError:
        pass


def read_outputs_referenced(stack_dir: Path) -> dict[str, set[str]]:
    """Upstream stacks' outputs a stack reads: remote-state name -> output keys (``outputs.<key>`` references)."""
    text = (stack_dir / "cdk.tf.json").read_text()
    document = json.loads(text)
    remote = document.get("data", {}).get("terraform_remote_state", {})
    found: dict[str, set[str]] = {}
    for name, block in remote.items():
        key = block.get("config", {}).get("key", "")
        marker = f"data.terraform_remote_state.{name}.outputs."
        found[key] = {part.split("}")[0].split(".")[0].split("[")[0] for part in text.split(marker)[1:]}
    return found
