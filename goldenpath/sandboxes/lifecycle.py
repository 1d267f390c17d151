"""sandbox request / approve / list / extend / release / reap: the lease rules of ``lease.py`` applied with
real terraform, one stack (and state key) per sandbox, the record next to the state, and clean-up verified
by looking for what is left rather than trusting that destroy worked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from goldenpath.config.model import Environment
from goldenpath.cost.prices import PROJECT_PRICES, load_snapshot
from goldenpath.deploy.terraform import Terraform
from goldenpath.errors import GoldenpathError
from goldenpath.sandboxes import lease
from goldenpath.sandboxes.cleanup import Client, identity_leftovers, sweep_compute, tagged_leftovers
from goldenpath.sandboxes.lease import LeaseError, SandboxRecord, allowed_regions, narrowed
from goldenpath.sandboxes.registry import SandboxRegistry
from goldenpath.stacks.target import EmulatorEndpoint

WORKDIR = Path(".goldenpath/sandboxes")


class CleanupError(GoldenpathError):
    """Something of the sandbox is still there after release; its record is kept so release can be retried."""


@dataclass
class SandboxRun:
    """How sandboxes are applied: terraform, AWS clients, and which stacks can run here."""

    environment: Environment
    registry: SandboxRegistry
    terraform: Terraform
    client: Client
    """``client(service, region)`` for clean-up checks (AWS or the emulator)."""
    emulator: EmulatorEndpoint | None = None
    in_cluster: bool = True
    """False where no Kubernetes API is reachable (the emulator): namespace stacks are not applied."""
    workdir: Path = WORKDIR
    prices: Path = PROJECT_PRICES

    def snapshots(self, region: str):
        return load_snapshot(region, self.prices)


@dataclass
class Released:
    sandbox_id: str
    removed: list[str] = field(default_factory=list)
    """What the owner had launched and release removed (instances, volumes)."""
    nothing_to_do: bool = False


@dataclass
class ReapReport:
    released: list[str] = field(default_factory=list)
    would_release: list[str] = field(default_factory=list)
    expiring: list[SandboxRecord] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _tier_kind(run: SandboxRun, record: SandboxRecord) -> str:
    return narrowed(run.environment, record).kind


def synthesize_sandbox(run: SandboxRun, record: SandboxRecord) -> Path:
    """Only this sandbox's stack; on the emulator, adapted the way `deploy --aws-endpoint` adapts stacks."""
    from goldenpath.sandboxes.stacks import SandboxAwsStack, SandboxNamespaceStack
    from goldenpath.stacks.app import new_app
    from goldenpath.stacks.emulator import adapt_stack

    outdir = (run.workdir / record.id / "cdktf.out").resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    app = new_app(outdir)
    kind = _tier_kind(run, record)
    stack = (SandboxAwsStack if kind == "aws" else SandboxNamespaceStack)(app, run.environment, record, run.emulator)
    app.synth()
    path = outdir / "stacks" / stack.layout.name
    if run.emulator and kind == "aws":
        adapt_stack(path)
    return path


def is_applied(run: SandboxRun, record: SandboxRecord) -> bool:
    """Whether this run applies the sandbox's stack (not a namespace one where no Kubernetes API is reachable)."""
    return run.in_cluster or _tier_kind(run, record) == "aws"


def _apply(run: SandboxRun, record: SandboxRecord) -> None:
    path = synthesize_sandbox(run, record)
    if is_applied(run, record):
        run.terraform.init(path)
        run.terraform.apply(path, auto_approve=True)


def _start(run: SandboxRun, record: SandboxRecord, now: datetime) -> SandboxRecord:
    """Activate and apply. The record is saved first, so a failed apply is still found by release and reap."""
    active = lease.activate(record, now)
    run.registry.save(active)
    _apply(run, active)
    return active


def request(run: SandboxRun, tier: str, owner: str, hours: int | None, reason: str, now: datetime,
            regions: tuple[str, ...] = (), instance_types: tuple[str, ...] = ()) -> SandboxRecord:
    record = lease.request(run.environment, tier, owner, hours, reason, now, run.registry.all(), run.snapshots,
                           regions, instance_types)
    if record.state == "pending":
        run.registry.save(record)
        return record
    return _start(run, record, now)


def approve(run: SandboxRun, sandbox_id: str, by: str, now: datetime) -> SandboxRecord:
    record = run.registry.get(sandbox_id)
    approved = lease.approve(run.environment, record, by)
    if approved.state == "approved":
        return _start(run, approved, now)
    run.registry.save(approved)
    _apply(run, approved)  # an approved extension: new expiry tags and budget end
    return approved


def extend(run: SandboxRun, sandbox_id: str, hours: int, now: datetime) -> SandboxRecord:
    extended = lease.extend(run.environment, run.registry.get(sandbox_id), hours, now, run.snapshots)
    run.registry.save(extended)
    if not extended.pending_hours:
        _apply(run, extended)
    return extended


def _leftovers(run: SandboxRun, record: SandboxRecord) -> list[str]:
    from goldenpath.modules.sandbox import sandbox_role_name

    found = [f"state s3://{run.registry.bucket}/{key}" for key in run.registry.remaining_state(record.id)]
    if _tier_kind(run, record) == "aws":
        tier = narrowed(run.environment, record)
        found += tagged_leftovers(run.client, allowed_regions(run.environment, tier), record.id)
        name = sandbox_role_name(record.id)
        found += identity_leftovers(run.client, run.environment.account_id, name, name)
    return found


def release(run: SandboxRun, sandbox_id: str) -> Released:
    """Destroy the sandbox, remove what its owner launched, verify nothing is left, then drop the record.
    Idempotent: a sandbox without a record is already released."""
    record = run.registry.find(sandbox_id)
    if record is None:
        return Released(sandbox_id, nothing_to_do=True)
    removed: list[str] = []
    if record.state == "active":
        aws = _tier_kind(run, record) == "aws"
        if aws:  # first what terraform does not know about, so the role's destroy is not blocked by it
            removed = sweep_compute(run.client, allowed_regions(run.environment, narrowed(run.environment, record)), record.id)
        if is_applied(run, record):
            path = synthesize_sandbox(run, record)
            run.terraform.init(path)
            run.terraform.destroy(path, auto_approve=True)
    run.registry.forget_state(record.id)
    left = _leftovers(run, record)
    if left:
        raise CleanupError(f"{record.id}: still there after release: {'; '.join(left)}; the record is kept, "
                           "run `goldenpath sandbox release` again once they are gone")
    run.registry.forget(record.id)
    return Released(record.id, removed)


def reap(run: SandboxRun, now: datetime, dry_run: bool) -> ReapReport:
    """Release every expired sandbox (one failure stops nothing) and name those expiring within warn_hours."""
    report = ReapReport()
    warn = run.environment.sandboxes.warn_hours if run.environment.sandboxes else 24
    for record in run.registry.all():
        if record.expiring_within(now, warn):
            report.expiring.append(record)
        if not record.expired(now):
            continue
        if dry_run:
            report.would_release.append(record.id)
            continue
        try:
            release(run, record.id)
            report.released.append(record.id)
        except Exception as exc:  # noqa: BLE001 - reported per sandbox; the others still get reaped
            report.failed[record.id] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return report


def expires_label(record: SandboxRecord) -> str:
    expires = record.expires_at
    return expires.isoformat() if expires else "-"


def as_json(record: SandboxRecord) -> dict:
    """What `sandbox list --format json` prints per sandbox."""
    return {"id": record.id, "state": record.state, "owner": record.owner, "tier": record.tier,
            "environment": record.environment, "requested_at": record.requested_at, "hours": record.hours,
            "expires_at": record.expires_at.isoformat() if record.expires_at else None,
            "worst_case_usd": record.worst_case_usd, "approved_by": record.approved_by or None,
            "pending_hours": record.pending_hours or None, "reason": record.reason,
            "regions": list(record.regions), "instance_types": list(record.instance_types)}

