"""The `goldenpath` command line."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from goldenpath.errors import GoldenpathError, aws_error_message
from goldenpath.observability.dora_events import DEFAULT_ENDPOINT as DORA_ENDPOINT

DEFAULT_OUTDIR = Path("cdktf.out")
DEFAULT_REPORTS = Path("reports")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goldenpath", description="Platform modules on CDK Terrain: synthesize, validate and deploy environments."
    )
    from goldenpath._version import __version__

    parser.add_argument("--version", action="version", version=f"goldenpath {__version__}")
    parser.add_argument("--environments", type=Path, default=Path("environments"), help="folder of <env>.yaml files (default: environments)")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_envs(p: argparse.ArgumentParser) -> None:
        p.add_argument("--env", action="append", dest="envs", metavar="NAME", help="environment(s) to use (repeatable; default: all)")

    p = sub.add_parser("synth", help="synthesize Terraform JSON into cdktf.out/")
    with_envs(p)
    p.add_argument("--outdir", type=Path, default=DEFAULT_OUTDIR)
    p.add_argument("--teams", default="*", metavar="LIST", help="only these teams' tenants stacks (comma-separated; "
                   "'-' none; default '*': every team), as `goldenpath ci changed-teams` prints them")

    p = sub.add_parser("validate", help="synthesize, then run checkov with goldenpath's checks and suppressions, "
                       "and check the in-cluster stacks against the pinned charts' facts and the Kubernetes schema")
    with_envs(p)
    p.add_argument("--outdir", type=Path, default=DEFAULT_OUTDIR)
    p.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="where SARIF and JUnit files go (default: reports)")
    p.add_argument("--html", type=Path, metavar="DIR", help="also write the platform report page (index.html) into DIR")

    p = sub.add_parser("report", help="run the gate and write one static HTML page: stacks, dependencies, policy gate, "
                       "cost against budget, egress, alert routing, tenants")
    with_envs(p)
    p.add_argument("--outdir", type=Path, default=DEFAULT_OUTDIR)
    p.add_argument("--out", type=Path, default=DEFAULT_REPORTS / "platform", help="folder for index.html (default: reports/platform)")

    p = sub.add_parser("init", help="scaffold a platform repository (environments, runbooks, main.py, CI workflow)")
    p.add_argument("directory", nargs="?", type=Path, default=Path("."), help="default: the current folder")
    p.add_argument("--env", dest="init_env", default="dev", metavar="NAME", help="first environment (default: dev)")
    p.add_argument("--region", default="eu-west-1", help="any AWS region (default: eu-west-1; a region without bundled "
                   "prices validates, its cost lines \"not priced\" until `goldenpath cost refresh --region R`)")
    p.add_argument("--package", default=None, help="what the validate workflow pip-installs (default: goldenpath==<this "
                   "version>; or an https URL of the wheel, or git+https://...@TAG)")
    p.add_argument("--production", action="store_true", help="a production environment (no previews or sandboxes)")
    p.add_argument("--cidr", help="the VPC range (default: the first 10.N0.0.0/16 no other environment of the account uses)")
    p.add_argument("--account-id", default="123456789012", help="default: a placeholder to replace before deploying")
    p.add_argument("--owner", default="platform-team", help="owning team (default: platform-team)")
    p.add_argument("--force", action="store_true", help="overwrite files that exist with other content")

    p = sub.add_parser("schema", help="print the JSON Schema of environment files or team (catalog) files")
    p.add_argument("--kind", choices=("environment", "team"), default="environment", help="default: environment")

    p = sub.add_parser("dora", help="record a DORA deployment event (OTLP to the platform collector)")
    dora_sub = p.add_subparsers(dest="action", required=True)
    q = dora_sub.add_parser("record", help="send one deployment event; the deploy workflow runs this after each deploy")
    q.add_argument("--service", required=True)
    q.add_argument("--team", required=True)
    q.add_argument("--env", dest="event_env", required=True, metavar="NAME")
    q.add_argument("--lead-time-seconds", type=float, help="seconds from the change's first commit to this deploy")
    q.add_argument("--failed", action="store_true", help="the deploy failed or was rolled back (a change failure)")
    q.add_argument("--endpoint", default=DORA_ENDPOINT, help=f"the collector's OTLP/HTTP address (default: {DORA_ENDPOINT}, a port-forward)")

    p = sub.add_parser("team", help="the service catalog: add a team (teams/<team>.yaml)")
    team_sub = p.add_subparsers(dest="action", required=True)
    q = team_sub.add_parser("add", help="write teams/NAME.yaml")
    q.add_argument("name")
    q.add_argument("--owners", required=True, metavar="GROUP", help="identity-provider group that owns the team's namespaces")

    p = sub.add_parser("service", help="the service catalog: add a service to a team")
    service_sub = p.add_subparsers(dest="action", required=True)
    q = service_sub.add_parser("add", help="append a service to teams/TEAM.yaml (comments and order kept)")
    q.add_argument("team")
    q.add_argument("name")
    q.add_argument("--env", action="append", dest="service_envs", required=True, metavar="NAME", help="environment it runs in (repeatable)")
    q.add_argument("--tier", help="size tier (default: the environment's default tier)")
    q.add_argument("--host", action="append", dest="service_hosts", type=_environment_host, default=[], metavar="ENV=HOST",
                   help="a host its Ingresses may name on ENV's shared ingress controller (repeatable; default: none)")
    q = service_sub.add_parser("scaffold", help="write the service repository's workflows: callers of the platform's "
                               "reusable deploy and preview workflows")
    q.add_argument("team")
    q.add_argument("name")
    q.add_argument("--branch", default="main", help="the service repository's branch whose pushes deploy (default: main)")
    q.add_argument("--out", type=Path, default=Path(".github/workflows"), help="default: .github/workflows")
    sub.add_parser("list", help="list environments, their stacks and state keys")
    sub.add_parser("doctor", help="check node, jsii, terraform, the provider mirror and credentials")

    from goldenpath.cli.cost import add_parser as add_cost_parser

    add_cost_parser(sub, with_envs)

    from goldenpath.cli.pins import add_parser as add_pins_parser

    add_pins_parser(sub, with_envs)

    from goldenpath.cli.upgrade import add_parser as add_upgrade_parser

    add_upgrade_parser(sub, with_envs)

    p = sub.add_parser("egress", help="list every endpoint outside the cluster the platform sends data to")
    p.add_argument("--env", action="append", dest="envs", metavar="NAME", required=True)

    p = sub.add_parser("alerts", help="write rules, promtool tests and Alertmanager config for promtool/amtool")
    p.add_argument("--env", action="append", dest="envs", metavar="NAME", required=True)
    p.add_argument("--out", type=Path, default=Path("reports/alerting"), help="default: reports/alerting/<env>")
    p.add_argument("--check", action="store_true", help="also run promtool check/test rules and amtool check-config")

    p = sub.add_parser("state-policy", help="the bucket policy of an environment's state bucket: each prefix to its "
                       "owners only (JSON; apply it to the bucket yourself)")
    p.add_argument("--env", dest="env", metavar="NAME", required=True)

    p = sub.add_parser("runbooks", help="generate docs/runbooks/*.md from the alert and SLO objects")
    p.add_argument("--out", type=Path, default=None, help="default: docs/runbooks next to the environments folder")

    from goldenpath.cli.ci import add_parser as add_ci_parser

    add_ci_parser(sub, with_envs)

    from goldenpath.cli.preview import add_parser as add_preview_parser
    from goldenpath.cli.sandbox import add_parser as add_sandbox_parser

    from goldenpath.cli.migrate import add_parser as add_migrate_parser

    add_preview_parser(sub)
    add_sandbox_parser(sub)
    add_migrate_parser(sub)

    p = sub.add_parser("deploy", help="run terraform on the synthesized stacks in dependency order")
    with_envs(p)
    p.add_argument("--outdir", type=Path, default=DEFAULT_OUTDIR)
    p.add_argument("--emulator", action="store_true", help="apply against a local AWS emulator (moto) instead of AWS")
    p.add_argument("--destroy", action="store_true", help="destroy instead (with --emulator: apply, verify, then destroy)")
    p.add_argument("--auto-approve", action="store_true", help="do not ask terraform for confirmation (real deploys)")
    p.add_argument("--verbose", action="store_true", help="stream terraform's own output (always kept in .goldenpath/logs/)")
    return parser


def _environments(args: argparse.Namespace):
    from goldenpath.config.loader import load_environments

    return load_environments(args.environments, getattr(args, "envs", None))


def _catalog(args: argparse.Namespace, environments):
    from goldenpath.tenancy.catalog import catalog_for

    return catalog_for(_project_root(args), environments)


def _project_root(args: argparse.Namespace) -> Path:
    """The folder holding environments/ and docs/runbooks/."""
    return args.environments.resolve().parent


def cmd_synth(args: argparse.Namespace) -> int:
    from goldenpath.stacks.synth import synthesize

    from goldenpath.delivery.inputs import parse_teams

    environments = _environments(args)
    teams = parse_teams(args.teams)
    endpoint = os.environ.get("GOLDENPATH_AWS_ENDPOINT")
    if endpoint:  # the workflow harness: stacks for a local emulator (the loopback check is EmulatorEndpoint's)
        from goldenpath.deploy.runner import synthesize_for_emulator
        from goldenpath.stacks.target import EmulatorEndpoint

        result, adaptations = synthesize_for_emulator(environments, EmulatorEndpoint(endpoint), args.outdir,
                                                      _project_root(args), teams)
        print(f"for the AWS emulator at {endpoint} (GOLDENPATH_AWS_ENDPOINT): {len(adaptations)} adaptations")
    else:
        result = synthesize(environments, args.outdir, project_root=_project_root(args), teams=teams)
    print(f"synthesized {len(result.stacks)} stacks into {args.outdir}/: {', '.join(result.ordered())}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from goldenpath.ingress_nginx import ingress_annotations_line, ingress_controller_line
    from goldenpath.node_updates import node_update_line
    from goldenpath.observability.heartbeat import heartbeat_line
    from goldenpath.observability.network import grafana_egress_line
    from goldenpath.observability.series_budget import series_line
    from goldenpath.pod_priority import pod_priority_line
    from goldenpath.policies.reports import text_summary, write_reports

    gate = _gate(args)
    print(text_summary(gate.checkov))
    print(gate.in_cluster.summary())
    print("\n".join(gate.cost_lines))
    print("\n".join(gate.version_lines))
    print("\n".join(gate.support.lines))
    print(gate.support.calendar)
    print("\n".join(node_update_line(environment) for environment in gate.environments))
    print("\n".join(heartbeat_line(environment) for environment in gate.environments))
    print("\n".join(series_line(environment) for environment in gate.environments))
    print("\n".join(grafana_egress_line(environment) for environment in gate.environments))
    print("\n".join(ingress_annotations_line(environment.name, environment.tenancy.ingress_annotations_accepted)
                     for environment in gate.environments))
    print("\n".join(ingress_controller_line(environment.name, environment.cluster.kubernetes_version)
                     for environment in gate.environments))
    print("\n".join(pod_priority_line(environment.name, environment.tenancy.max_pod_priority)
                     for environment in gate.environments))
    for problem in gate.support.problems:
        print(f"  FAILED {problem}")
    if gate.sandbox_lines:
        print("\n".join(gate.sandbox_lines))
    sarif_path, junit_path = write_reports(gate.checkov, args.outdir, args.reports, gate.in_cluster)
    print(f"reports: {sarif_path}, {junit_path}")
    if args.html:
        print(f"platform report: {_write_page(gate, args.html)}")
    print(gate.verdict())
    return 0 if gate.passed else 1


def _gate(args: argparse.Namespace):
    from datetime import date

    from goldenpath.extensions import load_extensions
    from goldenpath.gate import run_gate

    environments = _environments(args)
    return run_gate(environments, args.outdir, _project_root(args), load_extensions(_project_root(args)),
                    _catalog(args, environments), date.today())


def _write_page(gate, out: Path) -> Path:
    from goldenpath.report.page import write_page

    return write_page(gate, out)


def cmd_report(args: argparse.Namespace) -> int:
    gate = _gate(args)
    path = _write_page(gate, args.out)
    print(f"policy gate: {'passed' if gate.passed else 'FAILED'}; " + "; ".join(gate.cost_lines))
    print(f"platform report: {path}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from goldenpath.scaffold import InitSettings, init_project

    settings = InitSettings(args.directory, environment=args.init_env, region=args.region,
                            account_id=args.account_id, owner=args.owner, production=args.production, cidr=args.cidr,
                            **({"package": args.package} if args.package else {}))
    result = init_project(settings, force=args.force)
    for label, paths in (("wrote", result.written), ("overwrote", result.overwritten), ("unchanged", result.unchanged)):
        if paths:
            print(f"{label} {len(paths)}: {', '.join(str(p) for p in paths)}")
    print(f"next: cd {args.directory} && goldenpath validate   (then edit environments/{args.init_env}.yaml)")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from goldenpath.config.schema import environment_schema_json
    from goldenpath.tenancy.schema import team_schema_json

    if args.kind == "team":
        sys.stdout.write(team_schema_json())
        return 0

    sys.stdout.write(environment_schema_json())
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from goldenpath.stacks.layout import stack_layouts

    environments = _environments(args)
    catalog = _catalog(args, environments)
    for environment in environments:
        print(f"{environment.name}  ({environment.region}, account {environment.account_id}, "
              f"{'production' if environment.production else 'non-production'})")
        for layout in stack_layouts(environment, catalog.teams_on(environment.name)):
            print(f"  {layout.name:<28} s3://{layout.bucket}/{layout.state_key}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from goldenpath.cli.doctor import report

    text, healthy = report()
    print(text)
    return 0 if healthy else 1


def cmd_deploy(args: argparse.Namespace) -> int:
    from goldenpath.deploy.runner import deploy_for_real, deploy_to_emulator

    environments = _environments(args)
    started = time.monotonic()
    if args.emulator:
        if len(environments) != 1:
            raise GoldenpathError(
                f"--env: got {len(environments)} environments, expected exactly one with --emulator (e.g. --env dev)"
            )
        report = deploy_to_emulator(environments[0], destroy_after=args.destroy, project_root=_project_root(args),
                                    verbose=args.verbose, out=sys.stdout)
        print(f"\nSummary ({int(time.monotonic() - started)} s; terraform logs in .goldenpath/logs/):")
        print(f"  applied on the emulator: {', '.join(report.applied)}")
        print(f"  second plan showed no changes: {', '.join(report.unchanged_on_replan)}")
        print(f"  state objects: {', '.join(report.state_objects)}")
        for line in report.inventory:
            print(f"  {line}")
        if report.destroyed:
            print(f"  destroyed: {', '.join(report.destroyed)}")
        if report.verified_empty:
            print("  after destroy the emulator holds nothing of the environment (VPC, NAT, addresses, launch "
                  "templates, clusters, roles, log groups, buckets; KMS keys pending deletion)")
        if report.not_applied:
            print(f"  not applied (in-cluster; the emulator has no Kubernetes API): {', '.join(report.not_applied)}")
        left_out = [a for a in report.adaptations if a.change == "left out"]
        if left_out:
            print(f"  left out of the emulated apply ({len(left_out)}; moto has no API for them): "
                  + ", ".join(sorted({a.address.rsplit('.', 1)[0] for a in left_out})))
        adjusted = [a for a in report.adaptations if a.change != "left out"]
        if adjusted:
            kinds = sorted({f"{a.address.rsplit('.', 1)[0]} {a.change}" for a in adjusted})
            print(f"  adjusted for the emulator only ({len(adjusted)}): {'; '.join(kinds)}")
        return 0
    report = deploy_for_real(environments, args.outdir, args.auto_approve, args.destroy, _project_root(args),
                             verbose=args.verbose, out=sys.stdout)
    print(f"\n{'destroyed' if args.destroy else 'applied'}: {', '.join(report.destroyed or report.applied)} "
          f"({int(time.monotonic() - started)} s; terraform logs in .goldenpath/logs/)")
    return 0


def cmd_cost(args: argparse.Namespace) -> int:
    from goldenpath.cli.cost import cmd_cost as run_cost

    return run_cost(args, _project_root(args))


def cmd_pins(args: argparse.Namespace) -> int:
    from goldenpath.cli.pins import cmd_pins as run_pins

    return run_pins(args, _project_root(args))


def cmd_upgrade(args: argparse.Namespace) -> int:
    from goldenpath.cli.upgrade import cmd_upgrade as run_upgrade

    return run_upgrade(args, _project_root(args))


def cmd_egress(args: argparse.Namespace) -> int:
    from goldenpath.observability.egress import egress_endpoints

    for environment in _environments(args):
        endpoints = egress_endpoints(environment)
        print(f"{environment.name}: {len(endpoints)} endpoint(s) outside the cluster")
        for e in endpoints:
            print(f"  {e.component:<14} {e.name:<40} -> {e.destination}  [{e.data}]")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from goldenpath.extensions import load_extensions
    from goldenpath.observability.render import render_alerting
    from goldenpath.observability.toolcheck import check_alerting_files

    from goldenpath.tenancy.slos import catalog_slos

    extensions = load_extensions(_project_root(args))
    environments = _environments(args)
    catalog = _catalog(args, environments)
    for environment in environments:
        files = render_alerting(environment, args.out / environment.name,
                                slos=list(extensions.all_slos()), alerts=list(extensions.all_alerts()),
                                runbook_dir=_project_root(args) / "docs" / "runbooks",
                                service_slos=catalog_slos(catalog, environment.name))
        print(f"{environment.name}: " + ", ".join(str(p) for p in files.values()))
        if args.check:
            for line in check_alerting_files(files):
                print(f"  {line}")
    return 0


def cmd_state_policy(args: argparse.Namespace) -> int:
    from goldenpath.ci_identities.state_bucket import sharing_bucket_of, state_bucket_policy
    from goldenpath.config.loader import load_environments

    print(state_bucket_policy(sharing_bucket_of(args.env, load_environments(args.environments))))
    return 0


def cmd_runbooks(args: argparse.Namespace) -> int:
    from goldenpath.extensions import load_extensions
    from goldenpath.observability.rules import all_alerts
    from goldenpath.observability.runbooks import write_runbooks

    from goldenpath.tenancy.slos import catalog_slos

    extensions = load_extensions(_project_root(args))
    out = args.out or _project_root(args) / "docs" / "runbooks"
    services = catalog_slos(_catalog(args, _environments(args)))
    written = write_runbooks(all_alerts([*extensions.all_slos(), *services], list(extensions.all_alerts())), out)
    print(f"wrote {len(written)} runbooks into {out}/")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from goldenpath.cli.migrate import cmd_migrate as run_migrate

    environments = _environments(args)
    return run_migrate(args, environments, _catalog(args, environments), _project_root(args))


def cmd_sandbox(args: argparse.Namespace) -> int:
    from goldenpath.cli.sandbox import cmd_sandbox as run_sandbox

    return run_sandbox(args, _environments(args))


def cmd_preview(args: argparse.Namespace) -> int:
    from goldenpath.cli.preview import cmd_preview as run_preview

    if args.action == "name":  # a pure function of the pull request: no environment is read
        return run_preview(args, [], None)
    environments = _environments(args)
    return run_preview(args, environments, _catalog(args, environments))


def cmd_ci(args: argparse.Namespace) -> int:
    from goldenpath.cli.ci import cmd_ci as run_ci

    return run_ci(args)


def cmd_dora(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from goldenpath.observability.dora_events import DeploymentEvent, otlp_payload, send

    event = DeploymentEvent(args.service, args.team, args.event_env, args.lead_time_seconds, args.failed)
    send(otlp_payload(event, datetime.now(timezone.utc)), args.endpoint)
    what = "change failure" if args.failed else "deployment"
    print(f"recorded {what} of {args.service} in {args.event_env} at {args.endpoint}")
    return 0


def cmd_team(args: argparse.Namespace) -> int:
    from goldenpath.tenancy.onboarding import add_team

    done = add_team(_project_root(args), _environments(args), args.name, args.owners)
    _print_onboarded(done)
    return 0


def _environment_host(text: str) -> tuple[str, str]:
    environment, separator, host = text.partition("=")
    if not separator or not environment or not host:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected ENV=HOST, e.g. dev=shop.dev.example.com")
    return environment, host


def cmd_service(args: argparse.Namespace) -> int:
    from goldenpath.tenancy.onboarding import add_service

    if args.action == "scaffold":
        return _scaffold(args)
    done = add_service(_project_root(args), _environments(args), args.team, args.name, args.service_envs, args.tier,
                       hosts=args.service_hosts)
    _print_onboarded(done)
    return 0


def _scaffold(args: argparse.Namespace) -> int:
    from goldenpath.scaffold.service import ScaffoldSettings, subject_template_command, write_service_workflows

    environments = _environments(args)
    catalog = _catalog(args, environments)
    written = write_service_workflows(catalog, ScaffoldSettings(args.team, args.name, args.branch), args.out)
    print("wrote " + ", ".join(str(p) for p in written))
    repository = next(s.repository for s in catalog.team(args.team).services if s.name == args.name)
    print("next steps (once per service repository; see docs/delivery.md):")
    print(f"  - make its OIDC subjects name the platform workflow a job runs:\n      {subject_template_command(repository)}")
    print("  - create a GitHub environment per deploy environment in it (required reviewers for production)")
    print("  - merge the platform change that adds the service: its team's stack creates the deploy roles")
    return 0


def _print_onboarded(done) -> None:
    print(f"wrote {done.path}")
    print("next steps:")
    for step in done.next_steps:
        print(f"  - {step}")


COMMANDS = {
    "init": cmd_init, "synth": cmd_synth, "validate": cmd_validate, "schema": cmd_schema,
    "list": cmd_list, "doctor": cmd_doctor, "deploy": cmd_deploy,
    "egress": cmd_egress, "cost": cmd_cost, "pins": cmd_pins, "upgrade": cmd_upgrade, "report": cmd_report, "alerts": cmd_alerts, "runbooks": cmd_runbooks, "state-policy": cmd_state_policy, "preview": cmd_preview, "sandbox": cmd_sandbox, "migrate": cmd_migrate, "ci": cmd_ci,
    "team": cmd_team, "service": cmd_service, "dora": cmd_dora,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except GoldenpathError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a path given on the command line cannot be read or written
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error:{where}: {exc.strerror or exc}; expected a path goldenpath can read and write", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an AWS API failure is one line too; anything else is a bug and keeps its traceback
        message = aws_error_message(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
