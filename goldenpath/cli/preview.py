"""`goldenpath preview up|down|list|reap|name`."""

from __future__ import annotations

import argparse
import os
from datetime import datetime, timezone
from pathlib import Path

from goldenpath.cli.lifecycle_options import add_lifecycle_options, backend
from goldenpath.errors import GoldenpathError


def add_parser(sub) -> None:
    preview = sub.add_parser("preview", help="preview environments per pull request")
    actions = preview.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        add_lifecycle_options(p, "previews")

    def identity(p: argparse.ArgumentParser) -> None:
        p.add_argument("--repository", default=os.environ.get("GITHUB_REPOSITORY"),
                       help="owner/name (default: $GITHUB_REPOSITORY)")
        p.add_argument("--pr", type=int, required=True)

    p = actions.add_parser("up", help="synthesize and deploy one preview (only its own stacks)")
    common(p)
    identity(p)
    p.add_argument("--branch", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--image", required=True, help="image tag")
    p.add_argument("--owner", default=os.environ.get("GITHUB_ACTOR", "unknown"))
    p.add_argument("--ttl-hours", type=int)
    p.add_argument("--bucket", action="store_true", help="also an encrypted bucket in the preview's AWS-only stack")
    p.add_argument("--comment", action="store_true", help="create or edit the preview's comment on the pull request "
                   "(GITHUB_TOKEN, GITHUB_REPOSITORY)")

    p = actions.add_parser("down", help="destroy a pull request's previews and delete their state (idempotent)")
    common(p)
    identity(p)
    p.add_argument("--service", help="only this service's preview (default: every preview of the pull request)")

    p = actions.add_parser("name", help="print a preview's name (its namespace, and the session name its job assumes "
                           "the preview role with)")
    identity(p)
    p.add_argument("--service", required=True)

    p = actions.add_parser("list", help="previews found in the state bucket")
    common(p)

    p = actions.add_parser("reap", help="destroy expired previews and those of closed pull requests")
    common(p)
    p.add_argument("--closed-prs", type=Path, help="file of owner/name#number lines")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--closed-from-github", action="store_true", help="also ask GitHub which previews' pull requests "
                   "are closed (GITHUB_TOKEN; repositories it cannot read are named and left to their TTL)")


def _run(args: argparse.Namespace, environments, catalog):
    from goldenpath.previews.lifecycle import WORKDIR, PreviewRun
    from goldenpath.previews.registry import Registry

    hosts = [e for e in environments if e.previews is not None]
    if len(hosts) != 1:
        raise GoldenpathError(
            f"--env: {len(hosts)} of the given environments host previews, expected exactly one "
            f"(those with a previews section: {', '.join(e.name for e in hosts) or 'none'})"
        )
    environment = hosts[0]
    run = backend(args, WORKDIR)
    registry = Registry(run.client("s3", environment.state_region), environment.state_bucket, environment.state.kms_key)
    # who is asking matters only where a preview is changed by name (up, down)
    caller = run.client("sts", environment.region).get_caller_identity()["Arn"] if args.action in ("up", "down") else None
    return PreviewRun(environment, registry, run.terraform, catalog, emulator=run.emulator, in_cluster=run.emulator is None,
                      caller=caller)


def _age(record, now: datetime) -> str:
    hours = (now - datetime.fromisoformat(record.created_at)).total_seconds() / 3600
    return f"{hours:.0f}h"


def cmd_preview(args: argparse.Namespace, environments, catalog) -> int:
    from goldenpath.previews import lifecycle
    from goldenpath.modules.preview_request import PreviewError, PreviewRequest

    now = datetime.now(timezone.utc).replace(microsecond=0)
    if args.action in ("up", "down", "name"):
        from goldenpath.modules.preview_request import check_pr_number, check_repository_name

        if not args.repository:
            raise PreviewError("--repository: missing, expected owner/name (or set GITHUB_REPOSITORY)")
        check_repository_name(args.repository)
        check_pr_number(args.pr)
    if args.action == "name":
        from goldenpath.modules.preview_request import preview_name

        print(preview_name(args.repository, args.pr, args.service))
        return 0
    if args.action == "up":
        request = PreviewRequest(args.repository, args.pr, args.branch, args.service, args.image, args.owner,
                                 args.ttl_hours, args.bucket)
        hosts = [e for e in environments if e.previews is not None]
        if len(hosts) == 1:
            request.check(hosts[0], catalog.previewable(hosts[0]))  # refuse bad input before touching any cloud API
        record = lifecycle.up(_run(args, environments, catalog), request, now)
        url = f"https://{record.name}.{hosts[0].previews.domain}"
        print(f"preview {record.name} is up: {url} (expires {record.expires_at})")
        unpriced = f"; not priced: {'; '.join(record.not_priced)}" if record.not_priced else ""
        print(f"estimate: ${record.monthly_usd}/month (its quota's share of the cluster's nodes){unpriced}")
        if args.comment:
            from goldenpath.delivery.github import GitHub, upsert_comment
            from goldenpath.previews.lifecycle import PREVIEW_MARKER, preview_comment

            done = upsert_comment(GitHub.from_environment(), args.pr, preview_comment(record, url), PREVIEW_MARKER)
            print(f"preview comment {done} on #{args.pr}")
        return 0
    run = _run(args, environments, catalog)
    if args.action == "down":
        destroyed = lifecycle.down(run, args.repository, args.pr, args.service)
        print(f"destroyed: {', '.join(destroyed)}" if destroyed else f"no preview for {args.repository}#{args.pr}; nothing to do")
        return 0
    if args.action == "list":
        records = run.registry.all()
        print(f"{'PR':<8} {'name':<50} {'age':>5}  {'expires':<26} {'$/month':>9} owner")
        for r in records:
            print(f"{r.repository}#{r.pr:<4} {r.name:<50} {_age(r, now):>5}  {r.expires_at:<26} {r.monthly_usd or '-':>9} {r.owner}")
        print(f"{len(records)} preview(s)")
        return 0
    closed = lifecycle.read_closed_prs(args.closed_prs) if args.closed_prs else set()
    if args.closed_from_github:
        from goldenpath.delivery.github import GitHub, closed_pull_requests

        found, unreadable = closed_pull_requests(GitHub.from_environment(), {(r.repository, r.pr) for r in run.registry.all()})
        closed |= found
        if unreadable:
            print(f"cannot read {', '.join(unreadable)} with this token: left to their time to live")
    report = lifecycle.reap(run, now, closed, args.dry_run)
    if args.dry_run:
        print(f"would destroy: {', '.join(report.would_destroy) or 'nothing'}")
    else:
        print(f"destroyed: {', '.join(report.destroyed) or 'nothing'}")
        for name, reason in report.failed.items():
            print(f"FAILED {name}: {reason}")
    return 1 if report.failed else 0
