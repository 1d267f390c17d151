"""`goldenpath ci ...`: the commands the generated workflows run (each parses, calls goldenpath.delivery, prints).

``GOLDENPATH_AWS_ENDPOINT`` (a loopback URL) points every AWS call and terraform run at a local emulator, as
``--aws-endpoint`` does for previews: the workflow harness runs the generated workflows that way.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from goldenpath.errors import GoldenpathError

WORKDIR = Path(".goldenpath/ci")
ENDPOINT_VARIABLE = "GOLDENPATH_AWS_ENDPOINT"


def add_parser(sub, with_envs) -> None:
    ci = sub.add_parser("ci", help="the delivery pipeline on GitHub Actions").add_subparsers(dest="ci_action", required=True)

    p = ci.add_parser("render", help="write the platform repository's workflows")
    p.add_argument("what", choices=["platform"], help="platform: plan, apply, drift, preview reap, reusable preview and deploy")
    with_envs(p)
    p.add_argument("--out", type=Path, default=Path(".github/workflows"), help="default: .github/workflows")
    p.add_argument("--drift-cron", default="23 3 * * *", help="default: nightly at 03:23 UTC")
    p.add_argument("--reap-cron", default="17 * * * *", help="default: hourly")

    p = ci.add_parser("changed-teams", help="teams whose stacks a change can affect, from its files ('*': every team)")
    p.add_argument("--base", type=Path, required=True, help="the base's checkout (a folder holding environments/)")
    p.add_argument("--head", type=Path, default=Path("."), help="the head's checkout (default: here)")

    p = ci.add_parser("affected", help="stacks a change adds, changes and removes (from synthesized JSON), in waves")
    p.add_argument("--base", type=Path, required=True, help="synth output of the base (may not exist: nothing before)")
    p.add_argument("--head", type=Path, required=True, help="synth output of the head")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--out", type=Path, help="also write the JSON (with the plan matrix) here")
    p.add_argument("--github-output", type=Path, help="append matrix= and count= for the plan jobs")

    p = ci.add_parser("plan", help="plan stacks of one environment read-only, wave by wave; write summaries")
    _synth_env(p)
    p.add_argument("--stacks", default="", help="space-separated stacks of the head to plan")
    p.add_argument("--removed", default="", help="space-separated stacks of the base to plan destroying")
    p.add_argument("--out", type=Path, required=True, help="folder for one summary per stack (actions, never values)")

    p = ci.add_parser("comment", help="the pull request's plan comment, from the plan summaries")
    p.add_argument("--synth", type=Path, required=True, help="folder holding base/, head/, affected.json, cost-diff.md")
    p.add_argument("--plans", type=Path, required=True)
    p.add_argument("--head", required=True, help="the pull request's head commit")
    p.add_argument("--pr", type=int, help="create or edit the comment on this pull request (else print it)")

    p = ci.add_parser("pending", help="stacks whose code moved since their last apply (read-only)")
    _synth_env(p)
    p.add_argument("--github-output", type=Path, help="append pending=true|false")

    p = ci.add_parser("apply", help="apply pending stacks in waves, each behind its gate; destroy removed ones")
    _synth_env(p)
    p.add_argument("--commit", required=True, help="the commit being applied")
    p.add_argument("--confirm", default="", help="STACK@SHA ... (all@SHA): apply these stopped plans as they are")
    p.add_argument("--summary", type=Path, help="append a Markdown report here ($GITHUB_STEP_SUMMARY)")

    p = ci.add_parser("drift", help="plan every stack read-only: clean, drift or unapplied")
    _synth_env(p)
    p.add_argument("--out", type=Path, required=True, help="folder for the report (stack, status, addresses)")

    p = ci.add_parser("drift-issues", help="open, update and close one GitHub issue per drifted stack")
    p.add_argument("--reports", type=Path, required=True)
    p.add_argument("--run-url", required=True)

    p = ci.add_parser("role", help="the role a pipeline job assumes (and its region)")
    p.add_argument("--kind", choices=["plan", "apply", "drift", "reap", "preview", "deploy"], required=True)
    p.add_argument("--env", dest="role_env", required=True, metavar="NAME")
    p.add_argument("--service", help="the service (deploy roles)")
    p.add_argument("--github-output", type=Path, help="append role=, region=")

    p = ci.add_parser("deploy", help="deploy a service's chart and record its DORA event (the reusable deploy workflow)")
    p.add_argument("--env", dest="target_env", required=True, metavar="NAME")
    p.add_argument("--service", required=True)
    p.add_argument("--image-tag", required=True)
    p.add_argument("--first-commit-at", default="", help="ISO 8601 time of the change's first commit (lead time)")
    p.add_argument("--repository", default=os.environ.get("GITHUB_REPOSITORY"), help="default: $GITHUB_REPOSITORY")


def _synth_env(p: argparse.ArgumentParser) -> None:
    p.add_argument("--synth", type=Path, required=True, help="a synth output folder (goldenpath synth --outdir)")
    p.add_argument("--env", dest="target_env", required=True, metavar="NAME", help="the environment")


def _backend():
    from goldenpath.cli.lifecycle_options import backend

    endpoint = os.environ.get(ENDPOINT_VARIABLE) or None
    return backend(argparse.Namespace(aws_endpoint=endpoint, verbose=False), WORKDIR)


def _write_output(path: Path | None, values: dict[str, str]) -> None:
    if path is None:
        return
    with path.open("a") as sink:
        for key, value in values.items():
            sink.write(f"{key}={value}\n")


def _environment_stacks(args: argparse.Namespace):
    from goldenpath.delivery.affected import SynthOutput
    from goldenpath.delivery.stacks import environment_stacks, state_location

    synth = SynthOutput.read(args.synth)
    stacks = environment_stacks(synth, args.target_env)
    return synth, stacks, state_location(stacks, args.target_env)


def _records(run, location):
    from goldenpath.delivery.records import AppliedRecords

    bucket, region, kms_key = location
    return AppliedRecords(run.client("s3", region), bucket, kms_key)


class Project:
    """The environment and catalog files, read only by the commands that need them (the plan, apply and drift jobs
    run without a checkout: the synth output is all they read)."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self._environments: list | None = None
        self._catalog = None

    def environments(self) -> list:
        if self._environments is None:
            from goldenpath.config.loader import load_environments

            self._environments = load_environments(self.args.environments, getattr(self.args, "envs", None))
        return self._environments

    def catalog(self):
        if self._catalog is None:
            from goldenpath.tenancy.catalog import catalog_for

            self._catalog = catalog_for(self.args.environments.resolve().parent, self.environments())
        return self._catalog


def cmd_ci(args: argparse.Namespace) -> int:
    handler = {"render": _render, "changed-teams": _changed_teams, "affected": _affected, "plan": _plan, "comment": _comment, "pending": _pending,
               "apply": _apply, "drift": _drift, "drift-issues": _drift_issues, "role": _role, "deploy": _deploy}
    return handler[args.ci_action](args, Project(args))


def _render(args, project: Project) -> int:
    from goldenpath.delivery.workflows import PlatformWorkflowSettings, write_platform_workflows

    settings = PlatformWorkflowSettings(drift_cron=args.drift_cron, reap_cron=args.reap_cron)
    for path in write_platform_workflows(project.environments(), project.catalog(), args.out, settings):
        print(f"wrote {path}")
    print("next: create the GitHub environments and their rules (docs/delivery.md, 'Setting up GitHub'), then apply "
          "each environment's <env>-ci stack once by hand: it creates the roles these workflows assume")
    return 0


def _changed_teams(args, project: Project) -> int:
    from goldenpath.delivery.inputs import changed_teams, format_teams

    print(format_teams(changed_teams(args.base, args.head)))
    return 0


def _affected(args, project: Project) -> int:
    from goldenpath.delivery.affected import SynthOutput, affected
    from goldenpath.delivery.matrix import plan_matrix

    base, head = SynthOutput.read(args.base), SynthOutput.read(args.head)
    result = affected(base, head)
    matrix = plan_matrix(result, head, base, project.environments(), project.catalog())
    document = {**result.as_json(), "matrix": matrix}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    _write_output(args.github_output, {"matrix": json.dumps(matrix, separators=(",", ":")), "count": str(len(matrix))})
    if args.format == "json":
        print(json.dumps(document, indent=2, sort_keys=True))
        return 0
    for label in ("added", "changed", "removed"):
        print(f"{label}: {', '.join(document[label]) or 'none'}")
    for index, wave in enumerate(result.waves, start=1):
        print(f"wave {index}: {', '.join(wave)}")
    print(f"{len(result.unchanged)} stack(s) unchanged; {len(matrix)} plan job(s)")
    return 0


def _plan(args, project: Project) -> int:
    from goldenpath.delivery.affected import SynthOutput
    from goldenpath.delivery.planning import plan_change
    from goldenpath.delivery.stacks import environment_stacks

    head = SynthOutput.read(args.synth / "head")
    base = SynthOutput.read(args.synth / "base")
    run = _backend()
    summaries = plan_change(environment_stacks(head, args.target_env), args.stacks.split(), run.terraform,
                            environment_stacks(base, args.target_env), args.removed.split())
    args.out.mkdir(parents=True, exist_ok=True)
    for summary in summaries:
        (args.out / f"{summary.stack}.json").write_text(json.dumps(summary.as_json(), indent=2, sort_keys=True) + "\n")
        add, change, destroy = summary.counts()
        counts = f"{add} to add, {change} to change, {destroy} to destroy" if summary.status == "planned" else summary.reason
        print(f"{summary.stack}{' (destroy)' if summary.removed else ''}: {summary.status}: {counts}")
    return 1 if any(s.status == "failed" for s in summaries) else 0


def _comment(args, project: Project) -> int:
    from goldenpath.delivery.affected import SynthOutput
    from goldenpath.delivery.comment import comment_rows, render
    from goldenpath.delivery.plans import PlanSummary

    affected_file = args.synth / "affected.json"
    if not affected_file.is_file():
        raise GoldenpathError(f"{affected_file}: not found; expected the output of `goldenpath ci affected --out`")
    summaries = {}
    for path in sorted(args.plans.glob("*.json")) if args.plans.is_dir() else []:
        summary = PlanSummary.from_json(json.loads(path.read_text()))
        summaries[summary.stack] = summary
    rows = comment_rows(SynthOutput.read(args.synth / "head"), SynthOutput.read(args.synth / "base"),
                        json.loads(affected_file.read_text()), summaries)
    cost = args.synth / "cost-diff.md"
    body = render(rows, args.head, cost.read_text() if cost.is_file() else "")
    if args.pr is None:
        print(body)
        return 0
    from goldenpath.delivery.github import GitHub, upsert_comment

    print(f"plan comment {upsert_comment(GitHub.from_environment(), args.pr, body)} on #{args.pr}")
    return 0


def _pending(args, project: Project) -> int:
    from goldenpath.delivery.apply import pending_changes

    _, stacks, location = _environment_stacks(args)
    run = _backend()
    changes = pending_changes(stacks, args.target_env, _records(run, location), emulator=run.emulator is not None)
    print(changes.summary())
    _write_output(args.github_output, {"pending": "true" if changes.any else "false"})
    return 0


def _apply(args, project: Project) -> int:
    from goldenpath.delivery.apply import ApplyRun, apply_environment, parse_confirmation, pending_stacks, removed_records
    from goldenpath.delivery.github import GitHub, GitHubReviews

    confirmation = parse_confirmation(args.confirm, args.commit)  # bad input fails before any cloud call
    _, stacks, location = _environment_stacks(args)
    run = _backend()
    records = _records(run, location)
    pending = pending_stacks(stacks, records)
    removed = removed_records(stacks, args.target_env, records)
    since = [r.commit for name in pending if (r := records.get(stacks[name].state_key)) is not None]
    review = GitHubReviews(GitHub.from_environment(), args.commit).review([args.commit, *since, *(r.commit for r in removed)])
    report = apply_environment(ApplyRun(run.terraform, records, args.commit, emulator=run.emulator is not None),
                               args.target_env, stacks, pending, removed, review, confirmation)
    print("\n".join(report.lines()) or f"nothing pending in {args.target_env}")
    if args.summary:
        with args.summary.open("a") as sink:
            sink.write(report.markdown())
    return 0 if report.ok else 1


def _drift(args, project: Project) -> int:
    from goldenpath.delivery.drift import check_environment

    _, stacks, location = _environment_stacks(args)
    run = _backend()
    reports = check_environment(stacks, args.target_env, _records(run, location), run.terraform, run.emulator is not None)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.target_env}.json").write_text(json.dumps([r.as_json() for r in reports], indent=2) + "\n")
    for r in reports:
        print(f"{r.stack}: {r.status}: {r.detail}" + "".join(f"\n  {c}" for c in r.changes))
    return 1 if any(r.status == "error" for r in reports) else 0


def _drift_issues(args, project: Project) -> int:
    from goldenpath.delivery.drift import StackDrift
    from goldenpath.delivery.github import GitHub, sync_drift_issues

    reports = [StackDrift.from_json(item) for path in sorted(args.reports.glob("*.json")) if args.reports.is_dir()
               for item in json.loads(path.read_text())]
    if not reports:
        raise GoldenpathError(f"{args.reports}: no drift report; expected the drift jobs' *.json (did they all fail?)")
    for line in sync_drift_issues(GitHub.from_environment(), reports, args.run_url) or ["no issue to open, update or close"]:
        print(line)
    return 0


def _role(args, project: Project) -> int:
    from goldenpath.ci_identities.roles import all_roles

    environments = project.environments()
    env = next((e for e in environments if e.name == args.role_env), None)
    if env is None:
        raise GoldenpathError(f"--env: got {args.role_env!r}, expected one of {', '.join(e.name for e in environments)}")
    roles = [r for r in all_roles(env, project.catalog()) if r.kind == args.kind and (args.kind != "deploy" or r.service == args.service)]
    if not roles:
        what = f"service {args.service!r} (with a repository in the catalog)" if args.kind == "deploy" else "its ci section"
        raise GoldenpathError(f"--kind {args.kind}: {env.name} has no such role; expected {what}")
    _write_output(args.github_output, {"role": roles[0].arn, "region": env.region})
    print(f"{roles[0].arn} ({env.region})")
    return 0


def _deploy(args, project: Project) -> int:
    from goldenpath.delivery.deploy import deploy, deploy_target, lead_time

    now = datetime.now(timezone.utc)
    target = deploy_target(project.environments(), project.catalog(), args.target_env, args.service, args.repository)
    outcome = deploy(target, args.image_tag, lead_time(args.first_commit_at, now), now)
    print(outcome.detail)
    print("DORA event recorded" if outcome.dora_sent else "DORA event NOT recorded (see the pod's events)")
    return 0 if outcome.deployed else 1
