"""`goldenpath sandbox request|approve|list|extend|release|reap`: parse, call goldenpath.sandboxes.lifecycle, print."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone

from goldenpath.cli.lifecycle_options import add_lifecycle_options, backend


def add_parser(sub) -> None:
    sandbox = sub.add_parser("sandbox", help="self-service, time-boxed, budget-capped sandboxes")
    actions = sandbox.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        add_lifecycle_options(p, "sandboxes")

    p = actions.add_parser("request", help="a new sandbox (applied now, or pending where the tier needs approval)")
    common(p)
    p.add_argument("--tier", required=True)
    p.add_argument("--owner", help="optional: must be you (your Identity Center user name, read from your credentials)")
    p.add_argument("--hours", type=int, help="lease length (default: the tier's max_lease_hours)")
    p.add_argument("--reason", default="", help="why, for the approver and the record")
    p.add_argument("--region", dest="regions", action="append", default=[], metavar="REGION",
                   help="aws tiers: narrow to these of the tier's regions (repeatable)")
    p.add_argument("--instance-type", dest="instance_types", action="append", default=[], metavar="TYPE",
                   help="aws tiers: narrow to these of the tier's instance types (repeatable)")

    p = actions.add_parser("approve", help="approve a pending request or extension (never by its requester)")
    common(p)
    p.add_argument("id")
    p.add_argument("--by", help="optional: must be you (an approver of the tier, read from your credentials)")

    p = actions.add_parser("list", help="sandboxes found in the state bucket")
    common(p)
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = actions.add_parser("extend", help="lengthen an active lease (within the tier's maximum)")
    common(p)
    p.add_argument("id")
    p.add_argument("--hours", type=int, required=True, help="hours to add")

    p = actions.add_parser("release", help="destroy a sandbox and verify nothing of it is left (idempotent)")
    common(p)
    p.add_argument("id")

    p = actions.add_parser("reap", help="release expired sandboxes; warn about those expiring soon")
    common(p)
    p.add_argument("--dry-run", action="store_true")

    p = actions.add_parser("guardrails", help="the service control policy the sandbox account should carry (JSON)")
    p.add_argument("--env", dest="envs", action="append", metavar="NAME", default=None,
                   help="environment hosting sandboxes (default: the only one with a sandboxes section)")


def _host(environments):
    """The one environment hosting sandboxes among those given (a production one never does)."""
    from goldenpath.errors import GoldenpathError

    hosts = [e for e in environments if e.sandboxes is not None]
    if len(hosts) == 1:
        return hosts[0]
    production = [e for e in environments if e.production]
    if not hosts and len(environments) == 1 and production:
        raise GoldenpathError(f"--env: {production[0].name} is a production environment ({production[0].source_file} sets "
                              "production: true), expected a non-production one: sandboxes never run in production")
    raise GoldenpathError(f"--env: {len(hosts)} of the given environments host sandboxes, expected exactly one "
                          f"(those with a sandboxes section: {', '.join(e.name for e in hosts) or 'none'})")


OPERATOR_SESSION = "goldenpath-sandbox-operator"


def _run(args: argparse.Namespace, environments):
    from goldenpath.sandboxes.lifecycle import WORKDIR, SandboxRun
    from goldenpath.sandboxes.registry import SandboxRegistry

    environment = _host(environments)
    run = backend(args, WORKDIR)
    registry = SandboxRegistry(run.client("s3", environment.state_region), environment.state_bucket, environment.state.kms_key)
    sandboxes = environment.sandboxes
    operator = _assumed_on_first_use(run, sandboxes.operator_role_arn) if sandboxes and sandboxes.account_id else None
    return SandboxRun(environment, registry, run.terraform, run.client, sandbox_client=operator, emulator=run.emulator,
                      in_cluster=run.emulator is None)


def _assumed_on_first_use(run, role_arn: str):
    """Clients in the sandbox account, assuming the operator role only when one is first needed (not for list)."""
    session: list = []

    def client(service: str, region: str):
        if not session:
            session.append(run.assume(role_arn, OPERATOR_SESSION))
        return session[0](service, region)

    return client


def _caller(args: argparse.Namespace, run) -> str:
    """The person behind the credentials (an Identity Center session), never a flag."""
    from goldenpath.sandboxes.identity import who_is_calling

    return who_is_calling(run.client("sts", run.environment.region), run.environment.sandboxes)


def _check_before_any_cloud_call(args: argparse.Namespace, environments, now: datetime) -> None:
    """A request's bad input is refused before credentials, terraform or the emulator are touched."""
    from goldenpath.cost.prices import PROJECT_PRICES, load_snapshot
    from goldenpath.sandboxes import lease

    environment = _host(environments)
    if args.action == "request":  # the owner is checked once known (from the credentials); the rest now
        lease.request(environment, args.tier, args.owner or "checked-later", args.hours, args.reason, now, [],
                      lambda region: load_snapshot(region, PROJECT_PRICES), tuple(args.regions), tuple(args.instance_types))
    if args.action == "extend" and args.hours < 1:
        raise lease.LeaseError(f"--hours: got {args.hours}, expected at least 1 hour to add")


def _print_record(verb: str, record, run=None) -> None:
    from goldenpath.sandboxes.lifecycle import expires_label, is_applied

    waiting = f"; extension to {record.pending_hours} h waits for approval" if record.pending_hours else ""
    print(f"sandbox {record.id} {verb}: tier {record.tier}, owner {record.owner}, {record.state}, "
          f"expires {expires_label(record)}, worst case ${record.worst_case_usd}{waiting}")
    if run is not None and record.state == "active" and not is_applied(run, record):
        print("  its namespace stack was synthesized, not applied: the emulator has no Kubernetes API")


def _guardrails(environments) -> int:
    from goldenpath.sandboxes.guardrails import scp_text

    print(scp_text(_host(environments)))
    return 0


def cmd_sandbox(args: argparse.Namespace, environments) -> int:
    from goldenpath.sandboxes import lifecycle
    from goldenpath.sandboxes.identity import agree

    if args.action == "guardrails":
        return _guardrails(environments)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    _check_before_any_cloud_call(args, environments, now)
    run = _run(args, environments)
    if args.action == "request":
        owner = agree("--owner", args.owner, _caller(args, run))
        record = lifecycle.request(run, args.tier, owner, args.hours, args.reason, now, tuple(args.regions),
                                   tuple(args.instance_types))
        _print_record("is waiting for approval" if record.state == "pending" else "is up", record, run)
        return 0
    if args.action == "approve":
        _print_record("approved", lifecycle.approve(run, args.id, agree("--by", args.by, _caller(args, run)), now), run)
        return 0
    if args.action == "extend":
        _print_record("extended", lifecycle.extend(run, args.id, args.hours, now, _caller(args, run)))
        return 0
    if args.action == "release":
        return _release(args, run)
    if args.action == "list":
        return _list(run) if args.format == "text" else _list_json(run)
    report = lifecycle.reap(run, now, args.dry_run)
    for record in report.expiring:
        print(f"WARNING {record.id} ({record.owner}, tier {record.tier}) expires {lifecycle.expires_label(record)}")
    if args.dry_run:
        print(f"would release: {', '.join(report.would_release) or 'nothing'}")
    else:
        print(f"released: {', '.join(report.released) or 'nothing'}")
        for sandbox_id, reason in report.failed.items():
            print(f"FAILED {sandbox_id}: {reason}")
    return 1 if report.failed else 0


def _list(run) -> int:
    from goldenpath.sandboxes.lifecycle import expires_label

    records = run.registry.all()
    print(f"{'id':<15} {'state':<9} {'tier':<14} {'owner':<16} {'expires':<26} {'worst case':>10}")
    for r in records:
        print(f"{r.id:<15} {r.state:<9} {r.tier:<14} {r.owner:<16} {expires_label(r):<26} {'$' + r.worst_case_usd:>10}")
    print(f"{len(records)} sandbox(es)")
    return 0


def _list_json(run) -> int:
    from goldenpath.sandboxes.lifecycle import as_json

    print(json.dumps([as_json(r) for r in run.registry.all()], indent=2, sort_keys=True))
    return 0


def _release(args: argparse.Namespace, run) -> int:
    from goldenpath.sandboxes import lifecycle

    released = lifecycle.release(run, args.id, _caller(args, run))
    if released.nothing_to_do:
        print(f"no sandbox {args.id} (already released); nothing to do")
        return 0
    removed = f"; removed what it launched: {', '.join(released.removed)}" if released.removed else ""
    print(f"released {args.id}: stacks destroyed, state and record deleted, nothing it made and tagged "
          f"sandbox-id={args.id} left{removed}")
    if released.left_alone:
        print(f"  left alone (tagged {args.id} but older than its lease, so not made by it): {', '.join(released.left_alone)}")
    return 0
