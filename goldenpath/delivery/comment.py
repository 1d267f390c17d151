"""The one comment a pull request of the platform repository gets (created once, then edited): per environment and
stack what would be added, changed and destroyed, replacements of critical resources flagged, the owning team,
plans marked provisional where an upstream stack's outputs they read will change, the stacks not planned and why,
and the cost of the change. It also carries, hidden, a digest of every planned stack's resource actions: after
merge the apply job plans again and compares with what reviewers saw here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass

from goldenpath.delivery.affected import SynthOutput
from goldenpath.delivery.planning import NEEDS_CLUSTER
from goldenpath.delivery.plans import PlanSummary, read_outputs_referenced
from goldenpath.delivery.stacks import PipelineStack, read_stack

MARKER = "<!-- goldenpath-plan -->"
DIGEST_PREFIX = "<!-- goldenpath-plan-digest "
MAX_COMMENT = 65536
"""GitHub: an issue or pull-request comment holds at most 65,536 characters."""


DIGEST_HEX = 16
"""64 bits of SHA-256 per stack: the check is that the plan at merge is the plan reviewed, not a defence against a
chosen collision (the same code is planned twice), and 2,000 stacks' digests must fit in one comment."""


def stack_digest(summary: PlanSummary) -> str:
    return hashlib.sha256("\n".join(summary.digest()).encode()).hexdigest()[:DIGEST_HEX]


def _encoded(head: str, digest: dict[str, str]) -> str:
    return base64.b64encode(zlib.compress(json.dumps({"head": head, "stacks": digest}, sort_keys=True,
                                                     separators=(",", ":")).encode(), 9)).decode()


@dataclass(frozen=True)
class StackRow:
    environment: str
    summary: PlanSummary
    provisional: str = ""
    """Why the plan may change once upstream stacks are applied (empty when it is final)."""


def _row(row: StackRow) -> str:
    s = row.summary
    if s.status != "planned":
        return f"| `{s.stack}`{' (removed)' if s.removed else ''} | {s.owner or '-'} | | | | | {s.status}: {s.reason} |"
    add, change, destroy = s.counts()
    critical = ", ".join(f"`{c.address}`" for c in s.critical)
    note = "; ".join(n for n in (
        f"removed: destroyed after merge only with the `goldenpath/destroy` label" if s.removed else "",
        f"**replaces {critical}**" if critical else "", f"provisional: {row.provisional}" if row.provisional else "",
        "no changes" if not s.changes else "") if n)
    return f"| `{s.stack}`{' (removed)' if s.removed else ''} | {s.owner or '-'} | {add} | {change} | {destroy} | {'yes' if s.critical else ''} | {note} |"


def render(rows: list[StackRow], head: str, cost_markdown: str = "") -> str:
    """The comment's body: the marker, the tables, the cost diff, the hidden digest; never over GitHub's limit.
    Stacks whose digest does not fit are named: after merge they stop for a confirmation."""
    digest = {r.summary.stack: stack_digest(r.summary) for r in rows if r.summary.status == "planned"}
    left_out: list[str] = []
    tail = f"\n{DIGEST_PREFIX}{_encoded(head, digest)} -->\n"
    while len(tail) > MAX_COMMENT // 2 and digest:
        dropped = sorted(digest)[len(digest) // 2:]
        left_out += dropped
        digest = {k: v for k, v in digest.items() if k not in dropped}
        tail = f"\n{DIGEST_PREFIX}{_encoded(head, digest)} -->\n"
    lines = [MARKER, "### goldenpath plan", "",
             f"Planned at `{head[:12]}`: {sum(1 for r in rows if r.summary.status == 'planned')} stack(s) planned, "
             f"{sum(1 for r in rows if r.summary.status != 'planned')} not."]
    if left_out:
        lines.append(f"**{len(left_out)} stack(s) too many to record in this comment** (from `{sorted(left_out)[0]}`): "
                     "after merge their plans stop for a confirmation.")
    critical = [c.address for r in rows for c in r.summary.critical]
    if critical:
        lines.append(f"**This change replaces or destroys critical resources:** {', '.join(f'`{a}`' for a in critical)}. "
                     "Applying it after merge stops for confirmation.")
    for environment in sorted({r.environment for r in rows}):
        lines += ["", f"#### {environment}", "", "| stack | owner | add | change | destroy | critical | note |",
                  "|---|---|---:|---:|---:|---|---|"]
        lines += [_row(r) for r in rows if r.environment == environment]
    if cost_markdown:
        lines += ["", cost_markdown.strip()]
    body = "\n".join(lines)
    room = MAX_COMMENT - len(tail) - 200
    if len(body) > room:
        body = body[:room].rsplit("\n", 1)[0] + "\n\n(cut to GitHub's comment limit: the full plans are in the job logs)"
    return body + tail


def reviewed_digest(body: str) -> dict[str, str]:
    """The stacks' digests a comment carries (empty when it carries none)."""
    start = body.find(DIGEST_PREFIX)
    if start < 0:
        return {}
    encoded = body[start + len(DIGEST_PREFIX):].split(" -->", 1)[0].strip()
    try:
        return dict(json.loads(zlib.decompress(base64.b64decode(encoded)))["stacks"])
    except (ValueError, KeyError, TypeError, zlib.error):
        return {}


def provisional_marks(summaries: dict[str, PlanSummary], dependencies: dict[str, list[str]],
                      reads: dict[str, dict[str, set[str]]], state_keys: dict[str, str]) -> dict[str, str]:
    """stack -> why its plan is provisional: an upstream stack of the same change will change outputs it reads
    (``reads``: stack -> upstream state key -> output keys; ``state_keys``: stack -> its state key)."""
    marks = {}
    for stack in summaries:
        reasons = []
        for upstream in dependencies.get(stack, []):
            theirs = summaries.get(upstream)
            if theirs is None or theirs.status != "planned":
                continue
            read = reads.get(stack, {}).get(state_keys.get(upstream, ""), set())
            changed = sorted(read & set(theirs.outputs_changed))
            if changed:
                reasons.append(f"{upstream} changes {', '.join(changed)}")
        if reasons:
            marks[stack] = "; ".join(reasons)
    return marks


def comment_rows(head: SynthOutput, base: SynthOutput, affected: dict, summaries: dict[str, PlanSummary]) -> list[StackRow]:
    """A row per affected stack: its plan summary, or why it has none; plans marked provisional where an upstream
    stack of the change will change outputs they read. ``affected``: `goldenpath ci affected`'s JSON (with its
    plan matrix)."""
    given = {name for entry in affected.get("matrix", []) for key in ("stacks", "removed") for name in entry[key].split()}
    rows: dict[str, PlanSummary] = {}
    stacks: dict[str, PipelineStack] = {}
    for names, synth, removed in ((affected["added"] + affected["changed"], head, False), (affected["removed"], base, True)):
        for name in names:
            stack = read_stack(name, synth.stacks[name], synth.dependencies.get(name, []))
            stacks[name] = stack
            if name in summaries:
                rows[name] = summaries[name]
            elif stack.needs_kubernetes:
                rows[name] = PlanSummary(name, "not-planned", NEEDS_CLUSTER, owner=stack.owner, removed=removed)
            elif name in given:
                rows[name] = PlanSummary(name, "failed", "no plan: its plan job did not finish (see its log)",
                                         owner=stack.owner, removed=removed)
            else:
                rows[name] = PlanSummary(name, "not-planned", "no plan role: its environment file has no ci section",
                                         owner=stack.owner, removed=removed)
    marks = provisional_marks(rows, {n: list(s.dependencies) for n, s in stacks.items()},
                              {n: read_outputs_referenced(s.path) for n, s in stacks.items()},
                              {n: s.state_key for n, s in stacks.items()})
    return [StackRow(stacks[name].environment, rows[name], marks.get(name, "")) for name in sorted(rows)]
