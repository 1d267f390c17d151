"""The cross-artifact test: for every job of every generated workflow that asks for ``id-token: write`` (the
platform repository's and every service repository's), the ``sub`` GitHub would issue it (event, environment,
matrix, reusable-workflow ref, the repository's subject template; computed by the harness's own reading of
GitHub's rules, not by goldenpath) is accepted by exactly the role that job assumes, and by no other role
goldenpath generates, as IAM evaluates the synthesized trust policies. And every generated role is used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from goldenpath.delivery.affected import Affected, SynthOutput
from goldenpath.delivery.matrix import plan_matrix
from goldenpath.ci_identities.oidc import trusts
from goldenpath.delivery.workflows import render_platform_workflows
from goldenpath.scaffold.service import ScaffoldSettings, render_service_workflows
from goldenpath.tenancy.catalog import catalog_for
from tests.conftest import ENVIRONMENTS, REPO
from tests.harness.expressions import interpolate
from tests.harness.runner import Repo, oidc_subject

PLATFORM = "acme/platform"
REFS = {"pull_request": "refs/pull/7/merge", "push": "refs/heads/main", "schedule": "refs/heads/main",
        "workflow_dispatch": "refs/heads/main"}


@pytest.fixture(scope="module")
def catalog(bundled_environments):
    return catalog_for(REPO, bundled_environments)


@pytest.fixture(scope="module")
def roles(bundled_synth, bundled_environments) -> dict[str, dict]:
    """Every role the stacks create that trusts GitHub: ARN -> trust policy."""
    accounts = {e.name: e.account_id for e in bundled_environments}
    found = {}
    for name, folder in bundled_synth.stacks.items():
        document = json.loads((folder / "cdk.tf.json").read_text())
        account = accounts[name.split("-", 1)[0]]
        for role in document.get("resource", {}).get("aws_iam_role", {}).values():
            policy = json.loads(role["assume_role_policy"])
            if "token.actions.githubusercontent.com" in json.dumps(policy):
                found[f"arn:aws:iam::{account}:role/{role['name']}"] = policy
    return found


def _on(workflow: dict) -> dict:
    on = workflow.get(True, workflow.get("on"))
    return on if isinstance(on, dict) else {on: None}


def _role_step(job: dict) -> dict | None:
    return next((s for s in job.get("steps", []) if "configure-aws-credentials" in s.get("uses", "")), None)


def _deploy_role(environments_dir: Path, tmp_path: Path, env: str, service: str) -> dict:
    """What the deploy job's `ci role` step writes to $GITHUB_OUTPUT: the same command, run here."""
    from goldenpath.cli.main import main

    output = tmp_path / f"output-{env}-{service}"
    assert main(["--environments", str(environments_dir), "ci", "role", "--kind", "deploy", "--env", env,
                 "--service", service, "--github-output", str(output)]) == 0
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def _jobs_presenting(workflow: dict, context: dict) -> list[tuple[str, dict, dict]]:
    """(job, job spec, context with its matrix) for each job that asks for an OIDC token."""
    found = []
    for key, job in workflow["jobs"].items():
        if (job.get("permissions") or {}).get("id-token") != "write":
            continue
        strategy = job.get("strategy")
        combinations = [{}]
        if strategy:
            matrix = interpolate(strategy["matrix"], context)
            combinations = list(matrix.get("include", [])) or [{k: v} for k, values in matrix.items() for v in values]
        found += [(key, job, {**context, "matrix": combination}) for combination in combinations]
    return found


@pytest.fixture(scope="module")
def presented(bundled_environments, bundled_synth, catalog, tmp_path_factory) -> list[tuple[str, str, str]]:
    """(where, sub, role ARN the job assumes) for every OIDC job of every generated workflow."""
    tmp = tmp_path_factory.mktemp("trust")
    platform_files = {name: yaml.safe_load(text) for name, text in render_platform_workflows(bundled_environments, catalog).items()}
    platform_ids = bundled_environments[0].ci.ids
    platform = Repo(PLATFORM, Path("/dev/null"), (platform_ids.owner, platform_ids.repository) if platform_ids else None)
    synth = SynthOutput.read(bundled_synth.outdir)
    every_stack = Affected(added=sorted(synth.stacks))
    matrix = plan_matrix(every_stack, synth, SynthOutput.read(tmp / "none"), bundled_environments, catalog)
    results = []
    # The platform repository's own workflows, on each event they run on.
    for name, workflow in platform_files.items():
        if "workflow_call" in _on(workflow):
            continue
        for event in _on(workflow):
            context = {"needs": {"affected": {"outputs": {"matrix": json.dumps(matrix)}}}, "inputs": {}, "secrets": {},
                       "github": {"event_name": event}, "steps": {}}
            for key, job, job_context in _jobs_presenting(workflow, context):
                environment = interpolate(job.get("environment"), job_context)
                role = interpolate(_role_step(job)["with"]["role-to-assume"], job_context)
                sub = oidc_subject(platform, event, REFS[event], environment, f"{PLATFORM}/.github/workflows/{name}@{REFS[event]}")
                results.append((f"{name}:{key} {job_context['matrix']} on {event}", sub, role))
    # Every service repository's callers, through the platform's reusable workflows.
    for team in catalog.teams:
        for service in team.services:
            if service.repository is None or service.previews is None:
                continue
            ids = (service.repository_ids.owner, service.repository_ids.repository) if service.repository_ids else None
            repo = Repo(service.repository, Path("/dev/null"), ids, subject_template=("repo", "context", "job_workflow_ref"))
            for caller_name, text in render_service_workflows(catalog, ScaffoldSettings(team.name, service.name)).items():
                caller = yaml.safe_load(text)
                for event in _on(caller):
                    for caller_key, caller_job in caller["jobs"].items():
                        target, ref = caller_job["uses"].rsplit("@", 1)
                        called = platform_files[target.rsplit("/", 1)[1]]
                        inputs = {k: interpolate(v, {"github": {"sha": "0" * 40, "event": {"commits": [{}]}}})
                                  for k, v in caller_job.get("with", {}).items()}
                        context = {"inputs": inputs, "secrets": {}, "github": {"event_name": event}, "needs": {}}
                        for key, job, job_context in _jobs_presenting(called, context):
                            environment = interpolate(job.get("environment"), job_context)
                            step_outputs = {}
                            if "steps.role.outputs" in json.dumps(job):
                                step_outputs = {"role": {"outputs": _deploy_role(ENVIRONMENTS, tmp, inputs["environment"], inputs["service"])}}
                            role = interpolate(_role_step(job)["with"]["role-to-assume"], {**job_context, "steps": step_outputs})
                            sub = oidc_subject(repo, event, REFS[event], environment, f"{target}@refs/heads/{ref}")
                            results.append((f"{service.repository} {caller_name}:{caller_key}/{key} on {event}", sub, role))
    return results


def test_every_oidc_job_is_accepted_by_exactly_the_role_it_uses(presented, roles):
    assert len(presented) > 20
    wrong = []
    for where, sub, used in presented:
        accepting = sorted(arn for arn, policy in roles.items() if trusts(policy, arn, sub))
        if accepting != [used]:
            wrong.append(f"{where}: sub {sub} is accepted by {accepting or 'no role'}, expected exactly {used}")
    assert not wrong, "\n".join(wrong)


def test_every_generated_role_is_used_by_some_job(presented, roles):
    used = {role for _, _, role in presented}
    assert sorted(set(roles) - used) == []


def test_a_pull_request_subject_reaches_no_platform_role(roles):
    """Whatever workflow a pull request's author writes in the platform repository, a job without an environment
    presents ``repo:acme/platform:pull_request``; environments that allow only main refuse it a token at all."""
    platform = Repo(PLATFORM, Path("/dev/null"))
    for workflow_ref in (f"{PLATFORM}/.github/workflows/goldenpath-plan.yml@refs/pull/7/merge",
                         f"{PLATFORM}/.github/workflows/mine.yml@refs/pull/7/merge"):
        sub = oidc_subject(platform, "pull_request", "refs/pull/7/merge", None, workflow_ref)
        assert [arn for arn, policy in roles.items() if trusts(policy, arn, sub)] == []


def test_a_service_repository_reaches_only_its_own_deploy_role(roles, catalog):
    """A service repository's job that calls the deploy workflow in dev presents its own repository: only its own
    service's deploy role accepts it, never another service's, never a platform role, and not from a fork of the
    reusable workflow (another ref) or without the job_workflow_ref claim."""
    web = Repo("acme/storefront-web", Path("/dev/null"), (1010101, 2020202), ("repo", "context", "job_workflow_ref"))
    reusable = f"{PLATFORM}/.github/workflows/goldenpath-deploy.yml@refs/heads/main"
    sub = oidc_subject(web, "push", "refs/heads/main", "dev", reusable)
    assert [arn.split("/")[-1] for arn, p in roles.items() if trusts(p, arn, sub)] == ["goldenpath-dev-deploy-storefront-web"]
    elsewhere = oidc_subject(web, "push", "refs/heads/main", "dev", f"{PLATFORM}/.github/workflows/goldenpath-deploy.yml@refs/heads/evil")
    plain = oidc_subject(Repo("acme/storefront-web", Path("/dev/null"), (1010101, 2020202)), "push", "refs/heads/main", "dev", reusable)
    by_name = oidc_subject(Repo("acme/storefront-web", Path("/dev/null"), None, ("repo", "context", "job_workflow_ref")),
                           "push", "refs/heads/main", "dev", reusable)
    for other in (elsewhere, plain, by_name):  # renamed or transferred repositories keep their ids, not their names
        assert [arn for arn, p in roles.items() if trusts(p, arn, other)] == []
