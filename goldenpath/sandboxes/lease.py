"""The rules of a sandbox's lease, apart from how it is applied: request, approve, extend, expiry.

Pure functions over records (no AWS, no terraform), so every refusal is one clear error, tested, and
raised before anything is created. The lifecycle (apply, release, verify) builds on these.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from goldenpath.config.model import Environment, SandboxTier
from goldenpath.errors import GoldenpathError
from goldenpath.sandboxes.worst_case import Snapshots, worst_case
from goldenpath.tenancy.reserved import SANDBOX_PREFIX

State = Literal["pending", "approved", "active", "released"]
OWNER = re.compile(r"^[A-Za-z0-9+=,.@_-]{2,64}$")
"""An owner is an IAM Identity Center user name as STS shows it in a session name (2-64 of letters, digits and
+=,.@_-): it becomes a tag value and the suffix the sandbox role's trust requires of ``aws:userid``."""


class LeaseError(GoldenpathError):
    """A request, approval or extension that is refused; nothing was created or changed."""


@dataclass(frozen=True)
class SandboxRecord:
    id: str
    environment: str
    tier: str
    owner: str
    state: State
    requested_at: str
    hours: int
    """Lease length granted (or asked for, while pending)."""
    reason: str = ""
    worst_case_usd: str = ""
    approved_by: str = ""
    started_at: str = ""
    """When it became active; the lease runs from here."""
    pending_hours: int = 0
    """An extension waiting for approval: the lease length it would grant."""
    regions: tuple[str, ...] = ()
    """aws tiers: the regions asked for (a subset of the tier's). Default: the tier's."""
    instance_types: tuple[str, ...] = ()
    """aws tiers: the instance types asked for (a subset of the tier's). Default: the tier's."""

    @classmethod
    def from_json(cls, data: dict) -> SandboxRecord:
        return cls(**{**data, "regions": tuple(data.get("regions", ())),
                      "instance_types": tuple(data.get("instance_types", ()))})

    @property
    def expires_at(self) -> datetime | None:
        if not self.started_at:
            return None
        return datetime.fromisoformat(self.started_at) + timedelta(hours=self.hours)

    def expired(self, now: datetime) -> bool:
        expires = self.expires_at
        return self.state == "active" and expires is not None and expires <= now

    def expiring_within(self, now: datetime, hours: int) -> bool:
        expires = self.expires_at
        return self.state == "active" and expires is not None and now < expires <= now + timedelta(hours=hours)


def sandbox_id(environment: str, tier: str, owner: str, requested_at: datetime) -> str:
    """Short, stable and unique enough per request: used in names and the sandbox-id tag."""
    digest = hashlib.sha256(f"{environment}/{tier}/{owner}/{requested_at.isoformat()}".encode()).hexdigest()
    return f"{SANDBOX_PREFIX}{digest[:10]}"


def _tier(environment: Environment, name: str) -> SandboxTier:
    if environment.sandboxes is None:
        raise LeaseError(f"--env: {environment.name} hosts no sandboxes ({environment.source_file} has no sandboxes section)")
    tiers = environment.sandboxes.tiers
    if name not in tiers:
        raise LeaseError(f"--tier: got {name!r}, expected one of {', '.join(sorted(tiers))} ({environment.source_file})")
    return tiers[name]


def _hours(hours: int, tier_name: str, tier: SandboxTier, what: str = "--hours") -> None:
    if not 1 <= hours <= tier.max_lease_hours:
        raise LeaseError(f"{what}: got {hours}, expected 1 to {tier.max_lease_hours} (tier {tier_name}'s max_lease_hours)")


def _subset(flag: str, asked: tuple[str, ...], allowed: list[str], tier_name: str, kind: str) -> tuple[str, ...]:
    if asked and kind != "aws":
        raise LeaseError(f"{flag}: got {', '.join(asked)}, expected nothing: tier {tier_name} is a namespace sandbox "
                         "with no AWS access")
    outside = [a for a in asked if a not in allowed]
    if outside:
        raise LeaseError(f"{flag}: got {', '.join(outside)}, expected one of tier {tier_name}'s: "
                         f"{', '.join(allowed) or 'none'}")
    return tuple(dict.fromkeys(asked))


def narrowed(environment: Environment, record: SandboxRecord) -> SandboxTier:
    """The record's tier with the regions and instance types the sandbox asked for (all of the tier's if none)."""
    tier = _tier(environment, record.tier)
    update: dict = {}
    if record.regions:
        update["regions"] = list(record.regions)
    if record.instance_types:
        update["instance_types"] = list(record.instance_types)
    return tier.model_copy(update=update) if update else tier


def allowed_regions(environment: Environment, tier: SandboxTier) -> tuple[str, ...]:
    return tuple(tier.regions or [environment.region])


def request(environment: Environment, tier_name: str, owner: str, hours: int | None, reason: str, now: datetime,
            records: list[SandboxRecord], snapshots: Snapshots, regions: tuple[str, ...] = (),
            instance_types: tuple[str, ...] = ()) -> SandboxRecord:
    """A new sandbox: ``approved`` (ready to apply) or ``pending`` when the tier needs approval.
    ``regions`` / ``instance_types``: narrow an aws tier's (each must be the tier's); default: all of them."""
    tier = _tier(environment, tier_name)
    regions = _subset("--region", regions, list(allowed_regions(environment, tier)), tier_name, tier.kind)
    instance_types = _subset("--instance-type", instance_types, list(tier.instance_types), tier_name, tier.kind)
    if not OWNER.match(owner or ""):
        raise LeaseError(f"--owner: got {owner!r}, expected an Identity Center user name as a session name "
                         "(2-64 of letters, digits and +=,.@_-)")
    hours = tier.max_lease_hours if hours is None else hours
    _hours(hours, tier_name, tier)
    live = [r for r in records if r.environment == environment.name and r.tier == tier_name and r.owner == owner
            and r.state != "released"]
    if len(live) >= tier.max_per_user:
        raise LeaseError(f"--owner: {owner} already has {len(live)} sandbox(es) in tier {tier_name} "
                         f"({', '.join(r.id for r in live)}), expected fewer than max_per_user ({tier.max_per_user})")
    draft = SandboxRecord(sandbox_id(environment.name, tier_name, owner, now), environment.name, tier_name, owner,
                          "pending" if tier.approval.required else "approved", now.isoformat(), hours, reason,
                          regions=regions, instance_types=instance_types)
    case = worst_case(tier_name, narrowed(environment, draft), environment, hours, snapshots)
    if not case.fits(tier.max_spend_usd):
        raise LeaseError(f"--hours: tier {tier_name} for {hours} h: {case.explain(tier.max_spend_usd)}; "
                         "ask for fewer hours or raise the tier's max_spend_usd")
    return replace(draft, worst_case_usd=str(case.total.quantize(Decimal("0.01"))))


def approve(environment: Environment, record: SandboxRecord, by: str) -> SandboxRecord:
    """Approve a pending request or a pending extension; never by the requester, only by an approver."""
    tier = _tier(environment, record.tier)
    if by == record.owner:
        raise LeaseError(f"--by: {by} requested {record.id}, expected someone else to approve it")
    if by not in tier.approval.approvers:
        raise LeaseError(f"--by: got {by!r}, expected one of tier {record.tier}'s approvers: {', '.join(tier.approval.approvers)}")
    if record.state == "pending":
        return replace(record, state="approved", approved_by=by)
    if record.state == "active" and record.pending_hours:
        return replace(record, hours=record.pending_hours, pending_hours=0, approved_by=by)
    raise LeaseError(f"{record.id}: is {record.state} with nothing waiting, expected a pending request or extension")


def activate(record: SandboxRecord, now: datetime) -> SandboxRecord:
    """Applied: the lease starts now."""
    if record.state != "approved":
        raise LeaseError(f"{record.id}: is {record.state}, expected approved before it is applied")
    return replace(record, state="active", started_at=now.isoformat())


def extend(environment: Environment, record: SandboxRecord, hours: int, now: datetime, snapshots: Snapshots,
           by: str) -> SandboxRecord:
    """Add ``hours`` to an active lease, within the tier's maximum and spend; pending where approval is required.
    Only its owner extends a sandbox."""
    tier = _tier(environment, record.tier)
    if by != record.owner:
        raise LeaseError(f"{record.id}: belongs to {record.owner}, expected its owner to extend it (you are {by})")
    if record.state != "active" or record.expired(now):
        raise LeaseError(f"{record.id}: is {'expired' if record.expired(now) else record.state}, expected an active sandbox to extend")
    total = record.hours + hours
    _hours(hours, record.tier, tier)
    if total > tier.max_lease_hours:
        raise LeaseError(f"--hours: {record.hours} h + {hours} h = {total} h, expected at most {tier.max_lease_hours} "
                         f"(tier {record.tier}'s max_lease_hours)")
    case = worst_case(record.tier, narrowed(environment, record), environment, total, snapshots)
    if not case.fits(tier.max_spend_usd):
        raise LeaseError(f"--hours: {record.id} for {total} h: {case.explain(tier.max_spend_usd)}")
    worst = str(case.total.quantize(Decimal("0.01")))
    if tier.approval.required:
        return replace(record, pending_hours=total, worst_case_usd=worst)
    return replace(record, hours=total, worst_case_usd=worst)


def check_release(environment: Environment, record: SandboxRecord, by: str) -> None:
    """A sandbox is released by its owner or one of its tier's approvers (reap releases expired ones for everyone)."""
    tier = _tier(environment, record.tier)
    if by != record.owner and by not in tier.approval.approvers:
        raise LeaseError(f"{record.id}: belongs to {record.owner}, expected its owner or one of tier {record.tier}'s "
                         f"approvers ({', '.join(tier.approval.approvers) or 'none'}) to release it (you are {by})")
