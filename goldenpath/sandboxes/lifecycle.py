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
    """``client(service, region)`` in the environment's account (AWS or the emulator), for the records."""
    sandbox_client: Client | None = None
    """The same in the sandbox account, as its operator role: clean-up and its checks. Default: none (only
    namespace tiers, or an environment without aws tiers)."""
    emulator: EmulatorEndpoint | None = None
    in_cluster: bool = True
    """False where no Kubernetes API is reachable (the emulator): namespace stacks are not applied."""
    workdir: Path = WORKDIR
    prices: Path = PROJECT_PRICES

    def snapshots(self, region: str):
        return load_snapshot(region, self.prices)

    def in_sandbox_account(self) -> Client:
        if self.sandbox_client is None:
            raise LeaseError("no client for the sandbox account: an aws sandbox is released as its operator role "
                             "(sandboxes.operator_role)")
        return self.sandbox_client


@dataclass
class Released:
    sandbox_id: str
    removed: list[str] = field(default_factory=list)
    """What the owner had launched and release removed (instances, volumes)."""
    left_alone: list[str] = field(default_factory=list)
    """Carried the sandbox's tag but existed before its lease began: not the sandbox's, never touched."""
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
    """A sandbox for ``owner``: the caller's authenticated identity (goldenpath.sandboxes.identity)."""
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


def extend(run: SandboxRun, sandbox_id: str, hours: int, now: datetime, by: str) -> SandboxRecord:
    extended = lease.extend(run.environment, run.registry.get(sandbox_id), hours, now, run.snapshots, by)
    run.registry.save(extended)
    if not extended.pending_hours:
        _apply(run, extended)
    return extended


def _leftovers(run: SandboxRun, record: SandboxRecord) -> list[str]:
    from goldenpath.modules.sandbox import sandbox_role_name

    found = [f"state s3://{run.registry.bucket}/{key}" for key in run.registry.remaining_state(record.id)]
    if _tier_kind(run, record) == "aws":
        tier, client = narrowed(run.environment, record), run.in_sandbox_account()
        found += tagged_leftovers(client, allowed_regions(run.environment, tier), record.id, _began(record))
        name = sandbox_role_name(record.id)
        found += identity_leftovers(client, _sandbox_account(run), name, name)
    return found


def _sandbox_account(run: SandboxRun) -> str:
    sandboxes = run.environment.sandboxes
    if sandboxes is None or sandboxes.account_id is None:
        raise LeaseError(f"{run.environment.source_file}: sandboxes.account_id is not set, expected the sandbox account")
    return sandboxes.account_id


def _began(record: SandboxRecord) -> datetime:
    return datetime.fromisoformat(record.started_at or record.requested_at)


def release(run: SandboxRun, sandbox_id: str, by: str | None) -> Released:
    """Destroy the sandbox, remove what it created, verify nothing of it is left, then drop the record.
    Idempotent: a sandbox without a record is already released. ``by``: who asks (its owner or an approver);
    None for reap, which releases only expired sandboxes."""
    record = run.registry.find(sandbox_id)
    if record is None:
        return Released(sandbox_id, nothing_to_do=True)
    if by is not None:
        lease.check_release(run.environment, record, by)
    removed: list[str] = []
    left_alone: list[str] = []
    if record.state == "active":
        aws = _tier_kind(run, record) == "aws"
        if aws:  # first what terraform does not know about, so the role's destroy is not blocked by it
            regions = allowed_regions(run.environment, narrowed(run.environment, record))
            removed, left_alone = sweep_compute(run.in_sandbox_account(), regions, record.id, _began(record))
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
    return Released(record.id, removed, left_alone)


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
            release(run, record.id, by=None)
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

