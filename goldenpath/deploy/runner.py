"""`goldenpath deploy`: synthesize, then run real terraform on each stack in dependency order."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from goldenpath.deploy.emulator import create_state_bucket, running_emulator
from goldenpath.deploy.inspect import applied_inventory, leftovers, state_objects
from goldenpath.stacks.synth import SynthResult, synthesize
from goldenpath.deploy.terraform import Terraform, base_env, find_aws_mirror, find_terraform, mirror_cli_config, require_aws_credentials
from goldenpath.config.model import Environment
from goldenpath.errors import GoldenpathError
from goldenpath.stacks.emulator import Adaptation, adapt_stack, runs_on_emulator
from goldenpath.stacks.layout import synthesized_layouts
from goldenpath.stacks.target import EmulatorEndpoint

EMULATOR_WORKDIR = Path(".goldenpath/emulator")


@dataclass
class DeployReport:
    not_applied: list[str] = field(default_factory=list)
    """In-cluster stacks the emulator cannot run (it has no Kubernetes API)."""
    applied: list[str] = field(default_factory=list)
    destroyed: list[str] = field(default_factory=list)
    unchanged_on_replan: list[str] = field(default_factory=list)
    adaptations: list[Adaptation] = field(default_factory=list)
    state_objects: list[str] = field(default_factory=list)
    """State objects in the state bucket after apply (emulator)."""
    inventory: list[str] = field(default_factory=list)
    """Clusters and buckets as the emulator's API reports them after apply."""
    verified_empty: bool = False
    """After destroy, the emulator's API was searched and nothing of the environment was left."""


def emulator_terraform(workdir: Path, endpoint: EmulatorEndpoint, stream: bool = False,
                       progress: TextIO | None = None) -> Terraform:
    """terraform that installs hashicorp/aws from this machine's mirror and talks only to the emulator, with the
    endpoint's credentials."""
    mirror = find_aws_mirror()
    if mirror is None:
        raise GoldenpathError(
            "no filesystem mirror of hashicorp/aws found (looked in $GOLDENPATH_TF_MIRROR, /opt/tf-plugins, "
            "~/.terraform.d/plugins, ...); the emulator runs offline and needs one: "
            "set GOLDENPATH_TF_MIRROR to the folder holding registry.terraform.io"
        )
    directory = workdir.resolve()
    env = base_env({**endpoint.environment(), "TF_CLI_CONFIG_FILE": str(directory / "terraformrc")})
    for inherited in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):  # only the endpoint's credentials reach the emulator
        if inherited not in endpoint.environment():
            env.pop(inherited, None)
    # Every emulator run starts from empty state at a new address, so no state is migrated.

    def prepare() -> None:
        mirror_cli_config(mirror, directory)

    return Terraform(find_terraform(), env, stream, reconfigure=True, progress=progress, prepare=prepare)


def in_cluster_stacks(environment: Environment, result: SynthResult) -> tuple[str, ...]:
    return tuple(layout.name for layout in synthesized_layouts(environment, result.stacks) if layout.in_cluster)


def prepare_for_emulator(environment: Environment, endpoint: EmulatorEndpoint, outdir: Path,
                         project_root: Path = Path(".")) -> tuple[SynthResult, list[Adaptation]]:
    """Synthesize ``environment`` against ``endpoint``, adapt it to moto, and create the state bucket."""
    result = synthesize([environment], outdir, endpoint, project_root)
    adaptations: list[Adaptation] = []
    skip = in_cluster_stacks(environment, result)
    for name in result.ordered():
        if name not in skip:
            adaptations += adapt_stack(result.stacks[name])
    create_state_bucket(endpoint, environment.state_bucket, environment.state_region)
    return result, adaptations


def synthesize_for_emulator(environments: list[Environment], endpoint: EmulatorEndpoint, outdir: Path,
                            project_root: Path = Path("."), teams: frozenset[str] | None = None
                            ) -> tuple[SynthResult, list[Adaptation]]:
    """Every environment's stacks against ``endpoint``, each adapted to moto; stacks with a Kubernetes half keep
    only their AWS half (the emulator has no Kubernetes API), and stacks needing another provider stay as they are
    (nothing runs them there). The delivery pipeline's harness synthesizes this way."""
    result = synthesize(environments, outdir, endpoint, project_root, teams=teams)
    adaptations: list[Adaptation] = []
    for name in result.ordered():
        if runs_on_emulator(result.stacks[name], aws_half=True):
            adaptations += adapt_stack(result.stacks[name], aws_half=True)
    return result, adaptations


def _initialised(result: SynthResult, terraform: Terraform, skip: tuple[str, ...], reverse: bool):
    """(name, directory) of each stack to act on, in dependency order (or reversed), after init."""
    names = result.ordered()
    for name in reversed(names) if reverse else names:
        if name not in skip:
            terraform.init(result.stacks[name])
            yield name, result.stacks[name]


def apply_stacks(result: SynthResult, terraform: Terraform, auto_approve: bool, verify: bool, report: DeployReport,
                 skip: tuple[str, ...] = ()) -> None:
    for name, stack_dir in _initialised(result, terraform, skip, reverse=False):
        terraform.apply(stack_dir, auto_approve)
        report.applied.append(name)
        if verify:
            if terraform.plan_has_changes(stack_dir):
                raise GoldenpathError(f"{name}: a second plan after apply still shows changes; the stack does not converge")
            report.unchanged_on_replan.append(name)


def destroy_stacks(result: SynthResult, terraform: Terraform, auto_approve: bool, report: DeployReport,
                   skip: tuple[str, ...] = ()) -> None:
    for name, stack_dir in _initialised(result, terraform, skip, reverse=True):
        terraform.destroy(stack_dir, auto_approve)
        report.destroyed.append(name)


def deploy_to_emulator(environment: Environment, destroy_after: bool, project_root: Path = Path("."), *,
                       verbose: bool = False, out: TextIO | None = None) -> DeployReport:
    """Start moto, apply the environment's AWS stacks, check a second plan is empty, optionally destroy.

    ``out`` receives status and per-stack progress lines (the CLI passes stdout); ``verbose``
    streams terraform's own output instead of progress (it is always in .goldenpath/logs/)."""
    report = DeployReport()
    workdir = EMULATOR_WORKDIR / environment.name
    with running_emulator(environment.account_id, workdir / "moto.log") as endpoint:
        terraform = emulator_terraform(workdir, endpoint, stream=verbose, progress=None if verbose else out)
        _say(out, f"AWS emulator (moto) running at {endpoint.url} as account {environment.account_id}")
        result, report.adaptations = prepare_for_emulator(environment, endpoint, workdir / "cdktf.out", project_root)
        if report.adaptations:
            _say(out, f"{len(report.adaptations)} emulator adaptations (the real output keeps all of them; "
                      f"listed in the summary)")
        skip = in_cluster_stacks(environment, result)
        report.not_applied = list(skip)
        apply_stacks(result, terraform, auto_approve=True, verify=True, report=report, skip=skip)
        report.state_objects = state_objects(endpoint, environment)
        report.inventory = applied_inventory(endpoint, environment)
        if destroy_after:
            destroy_stacks(result, terraform, auto_approve=True, report=report, skip=skip)
            left = leftovers(endpoint, environment)
            if left:
                raise GoldenpathError(f"destroy left {len(left)} resource(s) of {environment.name} in the emulator: "
                                      + ", ".join(left))
            report.verified_empty = True
    return report


def deploy_for_real(environments: list[Environment], outdir: Path, auto_approve: bool, destroy: bool,
                    project_root: Path = Path("."), *, verbose: bool = False, out: TextIO | None = None) -> DeployReport:
    """Real terraform, in dependency order. Without ``auto_approve`` terraform's own output is shown
    (it asks for confirmation); with it, per-stack progress goes to ``out`` unless ``verbose``."""
    report = DeployReport()
    stream = verbose or not auto_approve
    terraform = Terraform(find_terraform(), base_env(), stream=stream, progress=None if stream else out)
    require_aws_credentials()
    result = synthesize(environments, outdir, project_root=project_root)
    if destroy:
        destroy_stacks(result, terraform, auto_approve, report)
    else:
        apply_stacks(result, terraform, auto_approve, verify=False, report=report)
    return report


def _say(out: TextIO | None, line: str) -> None:
    if out is not None:
        out.write(line + "\n")
        out.flush()
