"""preview up / down / list / reap: synthesize only one preview's stacks, run real terraform,
and keep the registry in the state bucket in step."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from goldenpath.cost.budget import preview_monthly
from goldenpath.cost.environments import pricing_context, read_stack
from goldenpath.cost.estimate import StackEstimate, estimate_stack
from goldenpath.cost.prices import PROJECT_PRICES
from goldenpath.cost.render import grouped_unpriced, money, usd
from goldenpath.deploy.terraform import Terraform
from goldenpath.config.model import Environment
from goldenpath.iam.sessions import ASSUMED_ROLE
from goldenpath.previews.registry import PreviewRecord, Registry
from goldenpath.stacks.target import EmulatorEndpoint
from goldenpath.modules.preview_request import PreviewError, PreviewRequest
from goldenpath.tenancy.catalog import Catalog
from goldenpath.terraform_json import single_block

WORKDIR = Path(".goldenpath/previews")
PREVIEW_MARKER = "<!-- goldenpath-preview -->"


@dataclass
class PreviewRun:
    """How previews are applied: terraform, where stacks go, and which stacks can run here."""

    environment: Environment
    registry: Registry
    terraform: Terraform
    catalog: Catalog
    """The service catalog: which services opted in to previews, and their charts."""
    emulator: EmulatorEndpoint | None = None
    in_cluster: bool = True
    """False where no Kubernetes API is reachable (the emulator): only AWS-only stacks run."""
    workdir: Path = WORKDIR
    prices: Path = PROJECT_PRICES
    """Refreshed price snapshots (`goldenpath cost refresh`); the bundled ones where absent."""
    caller: str | None = None
    """The caller's ARN (STS GetCallerIdentity). A session of the preview role may only work on the preview its
    session is named after. Default: unknown, not checked."""


@dataclass
class ReapReport:
    destroyed: list[str] = field(default_factory=list)
    would_destroy: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def synthesize_preview(run: PreviewRun, request: PreviewRequest, expires_at: datetime) -> dict[str, Path]:
    """Only this preview's stacks: no other stack is built, so up does not pay for the platform."""
    from goldenpath.stacks.app import new_app
    from goldenpath.stacks.base import GoldenpathStack
    from goldenpath.previews.stacks import PreviewAwsStack, PreviewStack

    outdir = (run.workdir / request.name / "cdktf.out").resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    app = new_app(outdir)
    stacks: list[GoldenpathStack] = [PreviewStack(app, run.environment, request, expires_at, run.catalog, run.emulator)]
    if request.bucket:
        stacks.append(PreviewAwsStack(app, run.environment, request, expires_at, run.catalog, run.emulator))
    app.synth()
    return {s.layout.name: outdir / "stacks" / s.layout.name for s in stacks}


def estimate_preview(run: PreviewRun, stacks: dict[str, Path], now: datetime) -> StackEstimate:
    """The preview's stacks as one estimate: its own resources plus its quota's share of the nodes."""
    ctx = pricing_context(run.environment, now.date(), run.prices)
    combined = StackEstimate(", ".join(sorted(stacks)))
    for name, path in sorted(stacks.items()):
        estimate = estimate_stack(name, read_stack(path), ctx)
        combined.items += estimate.items
        combined.not_priced += [f"{name}: {n}" for n in estimate.not_priced]
    return combined


def check_preview_cap(run: PreviewRun, request: PreviewRequest, estimate: StackEstimate) -> None:
    cap = run.environment.previews.max_monthly_usd  # type: ignore[union-attr]
    monthly = preview_monthly(estimate)
    if cap is not None and estimate.not_priced:  # a lower bound cannot hold a pull request to a cap
        raise PreviewError(
            f"--service {request.service}: the preview is estimated at at least {money(monthly)}/month, and "
            f"{len(estimate.not_priced)} line(s) are not priced ({'; '.join(grouped_unpriced(estimate.not_priced))}), so the "
            f"cap of {money(cap)} (previews.max_monthly_usd in {run.environment.source_file}) cannot be checked; expected "
            f"every line priced: `goldenpath cost refresh --region {run.environment.region}`"
        )
    if cap is not None and monthly > cap:
        lines = "; ".join(f"{i.address} {i.component} {money(i.expected)} ({i.detail})" for i in estimate.items)
        raise PreviewError(
            f"--service {request.service}: the preview is estimated at {money(monthly)}/month, above the cap of "
            f"{money(cap)} (previews.max_monthly_usd in {run.environment.source_file}): {lines}"
        )


def _runnable(run: PreviewRun, stacks: dict[str, Path]) -> list[Path]:
    return [path for name, path in stacks.items() if run.in_cluster or name.endswith("-aws")]


def session_grant(stack_dir: Path) -> tuple[str, ...]:
    """The addresses of the preview's Namespace and of the RoleBinding that gives its session access to it.

    They are applied on their own before the rest: Kubernetes' authorizer reads RoleBindings from a cache, so a
    write that follows the binding's creation within the same apply could still be refused; a second terraform run
    comes after the binding has reached every API server. A stack without them (AWS only) has nothing to grant."""
    from goldenpath.modules.preview_access import SESSION_ROLE

    resources = json.loads((stack_dir / "cdk.tf.json").read_text()).get("resource", {})
    namespaces = [f"kubernetes_namespace_v1.{key}" for key in sorted(resources.get("kubernetes_namespace_v1", {}))]
    bindings = [f"kubernetes_role_binding_v1.{key}" for key, body in sorted(resources.get("kubernetes_role_binding_v1", {}).items())
                if single_block(body.get("metadata")).get("name") == SESSION_ROLE]
    return tuple(namespaces + bindings) if bindings else ()


def _grant_session(run: PreviewRun, stack_dir: Path) -> None:
    grant = session_grant(stack_dir)
    if grant:
        run.terraform.apply(stack_dir, auto_approve=True, targets=grant)


def check_repository(catalog: Catalog, environment: Environment, request: PreviewRequest) -> None:
    """A pull request previews only the service whose catalog entry names its repository: the preview role trusts
    every previewing repository's pull requests, so the repository is what tells one team's service from another's."""
    placement = next((p for p in catalog.placements(environment.name) if p.service.name == request.service), None)
    named = placement.service.repository if placement else None
    if placement is not None and named is not None and named.lower() != request.repository.lower():
        raise PreviewError(f"{placement.team.source_file}: service {request.service!r} previews from {named!r}, but this "
                           f"pull request is in {request.repository!r}; expected the repository the catalog names "
                           "(services[].repository)")


def check_caller(run: PreviewRun, name: str) -> None:
    """Refuse, before anything is changed, a preview-role session named after another preview: the cluster would
    refuse its first write anyway (goldenpath.modules.preview_access), after the AWS side had been touched."""
    from goldenpath.ci_identities.roles import preview_role

    session = ASSUMED_ROLE.match(run.caller or "")
    if session is None or session.group(2) != preview_role(run.environment).name:
        return
    if session.group(3) != name:
        raise PreviewError(
            f"the credentials are the preview role's session {session.group(3)!r}, expected a session named after the preview, "
            f"{name!r}: a preview job assumes the role with role-session-name set to `goldenpath preview name` "
            "(the generated workflows do)")


def preview_comment(record: PreviewRecord, url: str) -> str:
    unpriced = f" (not priced: {'; '.join(record.not_priced)})" if record.not_priced else ""
    return (f"{PREVIEW_MARKER}\nPreview `{record.name}`: {url}\n\nImage tag `{record.image_tag}`, expires {record.expires_at}; "
            f"estimated ${record.monthly_usd}/month{unpriced}.\n")


def up(run: PreviewRun, request: PreviewRequest, now: datetime) -> PreviewRecord:
    request.check(run.environment, run.catalog.previewable(run.environment))
    check_repository(run.catalog, run.environment, request)
    check_caller(run, request.name)
    records = run.registry.all()
    others = [r for r in records if r.repository == request.repository and r.name != request.name]
    cap = run.environment.previews.max_per_repository  # type: ignore[union-attr]
    if len(others) >= cap:
        raise PreviewError(
            f"--pr {request.pr}: {request.repository} already has {len(others)} previews, the cap is {cap} "
            f"(previews.max_per_repository); close or reap one first"
        )
    existing = next((r for r in records if r.name == request.name), None)
    expires_at = request.expires_at(run.environment, now)  # every push extends the TTL
    stacks = synthesize_preview(run, request, expires_at)
    estimate = estimate_preview(run, stacks, now)
    check_preview_cap(run, request, estimate)  # before anything is created
    for path in _runnable(run, stacks):
        run.terraform.init(path)
        _grant_session(run, path)
        run.terraform.apply(path, auto_approve=True)
    record = PreviewRecord.of(request, datetime.fromisoformat(existing.created_at) if existing else now, expires_at,
                              usd(preview_monthly(estimate)), tuple(estimate.not_priced))
    run.registry.save(record)
    return record


def _destroy(run: PreviewRun, record: PreviewRecord) -> None:
    """Destroy one preview's stacks (re-synthesized from its record), then delete its state and record."""
    stacks = synthesize_preview(run, record.request(), datetime.fromisoformat(record.expires_at))
    for path in reversed(_runnable(run, stacks)):
        run.terraform.init(path)
        _grant_session(run, path)  # a preview made before 0.22 has no binding: its session could not read it
        run.terraform.destroy(path, auto_approve=True)
    run.registry.forget(record.name)


def down(run: PreviewRun, repository: str, pr: int, service: str | None = None) -> list[str]:
    """Destroy every preview of the pull request (``service``: only that service's) and delete its state; nothing to
    do is success. A preview job's session reaches one preview's namespace, so its workflow names the service."""
    records = [r for r in run.registry.all() if r.repository == repository and r.pr == pr
               and (service is None or r.service == service)]
    for record in records:
        check_caller(run, record.name)
    for record in records:
        _destroy(run, record)
    return [r.name for r in records]


def reap(run: PreviewRun, now: datetime, closed: set[tuple[str, int]], dry_run: bool) -> ReapReport:
    """Destroy expired previews and those whose pull request is closed; one failure stops nothing."""
    report = ReapReport()
    for record in run.registry.all():
        if not (record.expired(now) or (record.repository, record.pr) in closed):
            continue
        if dry_run:
            report.would_destroy.append(record.name)
            continue
        try:
            _destroy(run, record)  # the registry was read once above, not again per preview
            report.destroyed.append(record.name)
        except Exception as exc:  # noqa: BLE001 - reported per preview; the others still get reaped
            report.failed[record.name] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return report


def read_closed_prs(path: Path) -> set[tuple[str, int]]:
    """Lines of ``owner/name#number`` (blank lines and # comments ignored)."""
    closed = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        repository, _, pr = text.rpartition("#")
        if not repository or not pr.isdigit():
            raise PreviewError(f"{path}: line {number}: got {text!r}, expected owner/name#number")
        closed.add((repository, int(pr)))
    return closed
