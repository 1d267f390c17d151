"""Run generated GitHub Actions workflows here, as a runner would, against the AWS emulator.

What is real: every ``run:`` step, executed by ``bash --noprofile --norc -eo pipefail`` (GitHub's default shell) in
a workspace laid out as a hosted runner lays it out (``<root>/<run>/<job>/<repo>/<repo>``, with ``RUNNER_TEMP``,
``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_EVENT_PATH`` and the ``GITHUB_*`` variables);
the goldenpath they run is the built wheel installed in its own venv (real pip checks the pinned version, offline);
terraform is the real binary; AWS is moto; git checkouts are real clones of local repositories.

What is emulated, each as its action documents it: ``actions/checkout`` (a clone at the ref, into ``path``),
``actions/setup-python`` and ``hashicorp/setup-terraform`` (the requested version must be the one here),
``actions/upload-artifact``/``download-artifact`` (by name, by pattern with merge-multiple; hidden files left out;
a name used twice in a run fails), ``aws-actions/configure-aws-credentials`` (GitHub's OIDC token, whose ``sub``
is computed here independently of goldenpath from GitHub's documented rules, presented to the role's trust
policy as IAM evaluates it, then moto's AssumeRoleWithWebIdentity), GitHub's job ordering (``needs``, ``if``
with the implicit ``success()``, matrices, reusable workflows with inputs and secrets), environment deployment
branch rules, and the GitHub API (``github_api.FakeGitHub``). Approvals are taken as given. Jobs run one at a
time, in an order GitHub could run them.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import boto3
import yaml

from goldenpath.ci_identities.oidc import trusts
from goldenpath.delivery.workflows import ACTIONS
from tests.harness.expressions import Status, as_string, condition, interpolate
from tests.harness.github_api import WORKFLOW_TOKEN

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass
class Repo:
    name: str
    """owner/name."""
    bare: Path
    ids: tuple[int, int] | None = None
    """(owner id, repository id): GitHub's immutable subject form."""
    subject_template: tuple[str, ...] | None = None
    """The repository's customised OIDC subject claim keys (None: GitHub's default)."""
    environments: dict[str, list[str] | None] = field(default_factory=dict)
    """GitHub environments and their deployment branch rule (branch names; None: any branch)."""

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(self.bare), *args], check=True, capture_output=True, text=True).stdout


@dataclass
class Event:
    name: str
    ref: str
    sha: str
    payload: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)


@dataclass
class JobRun:
    key: str
    result: str = "success"
    outputs: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    assumed: list[tuple[str, str]] = field(default_factory=list)
    """(role ARN, subject presented) per configure-aws-credentials step."""
    sessions: list[str] = field(default_factory=list)
    """The role session name per configure-aws-credentials step."""
    environment: str | None = None
    workspace: Path | None = None
    summary: str = ""
    seconds: float = 0.0

    def text(self) -> str:
        return "\n".join(self.log)


@dataclass
class WorkflowRun:
    repository: str
    workflow: str
    event: Event
    jobs: dict[str, JobRun] = field(default_factory=dict)
    artifacts: dict[str, Path] = field(default_factory=dict)

    def job(self, prefix: str) -> list[JobRun]:
        return [j for k, j in self.jobs.items() if k == prefix or k.startswith(prefix + " ") or k.startswith(prefix + "/")]

    def timings(self) -> str:
        return ", ".join(f"{k.split(' ')[0]} {j.seconds:.0f}s" for k, j in self.jobs.items() if j.seconds)

    def failures(self) -> str:
        return "\n\n".join(f"== {k}: {j.result}\n{j.text()[-6000:]}" for k, j in self.jobs.items() if j.result == "failure")


class StepFailed(Exception):
    pass


def oidc_subject(repo: Repo, event: str, ref: str, environment: str | None, job_workflow_ref: str) -> str:
    """The ``sub`` GitHub issues (docs: "OpenID Connect reference", subject claims; written here from the docs,
    not from goldenpath's own subjects module, so the two check each other)."""
    if repo.ids:
        owner, name = repo.name.split("/")
        head = f"repo:{owner}@{repo.ids[0]}/{name}@{repo.ids[1]}"
    else:
        head = f"repo:{repo.name}"
    if environment:
        context = f"environment:{environment}"
    elif event == "pull_request":
        context = "pull_request"
    else:
        context = f"ref:{ref}"
    sub = f"{head}:{context}"
    if repo.subject_template == ("repo", "context", "job_workflow_ref"):
        sub += f":job_workflow_ref:{job_workflow_ref}"
    elif repo.subject_template is not None:
        raise AssertionError(f"subject template {repo.subject_template} is not modelled by the harness")
    return sub


class Runner:
    def __init__(self, root: Path, repos: dict[str, Repo], emulator_url: str, admin: Callable[[str], dict], github_url: str,
                 python_bin: Path, wheelhouse: Path, extra_path: list[Path] | None = None):
        self.root, self.repos, self.emulator_url, self.admin = root, repos, emulator_url, admin
        self.github_url, self.python_bin, self.wheelhouse = github_url, python_bin, wheelhouse
        self.extra_path = extra_path or []
        self.runs = 0

    # -- workflow level --------------------------------------------------------------------------------------
    def run(self, repository: str, workflow_file: str, event: Event) -> WorkflowRun:
        self.runs += 1
        repo = self.repos[repository]
        document = yaml.safe_load(repo.git("show", f"{event.sha}:.github/workflows/{workflow_file}"))
        run = WorkflowRun(repository, workflow_file, event)
        self.run_id = self.runs
        job_ref = f"{repository}/.github/workflows/{workflow_file}@{event.ref}"
        self._run_jobs(run, repo, document, event, inputs=event.inputs, secrets={}, job_ref=job_ref, prefix="", caller=None)
        return run

    def _base_context(self, repo: Repo, event: Event, inputs: dict, secrets: dict) -> dict:
        return {
            "github": {"event": event.payload, "event_name": event.name, "sha": event.sha, "ref": event.ref,
                       "repository": repo.name, "token": WORKFLOW_TOKEN, "server_url": "https://github.com",
                       "run_id": str(self.run_id), "actor": event.payload.get("sender", {}).get("login", "harness")},
            "inputs": inputs, "secrets": secrets, "vars": {}, "env": {}, "runner": {"os": "Linux"},
        }

    def _run_jobs(self, run: WorkflowRun, repo: Repo, document: dict, event: Event, inputs: dict, secrets: dict,
                  job_ref: str, prefix: str, caller: dict | None) -> None:
        jobs: dict[str, dict] = document["jobs"]
        results: dict[str, dict] = {}
        done: set[str] = set()
        while len(done) < len(jobs):
            ready = [k for k in jobs if k not in done and set(_listed(jobs[k].get("needs"))) <= done]
            if not ready:
                raise AssertionError(f"{run.workflow}: a needs cycle among {sorted(set(jobs) - done)}")
            for key in ready:
                spec = jobs[key]
                needs = {n: results[n] for n in _listed(spec.get("needs"))}
                context = {**self._base_context(repo, event, inputs, secrets), "needs": needs}
                # A need that failed or was skipped skips the job, unless its if uses a status function.
                status = Status(failed=not all(r["result"] == "success" for r in needs.values()))
                if not condition(spec.get("if"), context, status):
                    results[key] = {"result": "skipped", "outputs": {}}
                    run.jobs[f"{prefix}{key}"] = JobRun(f"{prefix}{key}", "skipped")
                    done.add(key)
                    continue
                if "uses" in spec:
                    results[key] = self._call(run, repo, event, spec, context, prefix + key)
                else:
                    results[key] = self._matrix_job(run, repo, event, key, spec, context, job_ref, prefix, caller)
                done.add(key)

    def _call(self, run: WorkflowRun, repo: Repo, event: Event, spec: dict, context: dict, key: str) -> dict:
        """A job that calls a reusable workflow: inputs and secrets from the caller, its jobs under the caller's
        run (same github context), each presenting the called workflow as job_workflow_ref."""
        target, ref = spec["uses"].rsplit("@", 1)
        owner, name, path = target.split("/", 2)
        called_repo = self.repos[f"{owner}/{name}"]
        sha = called_repo.git("rev-parse", ref).strip()
        called = yaml.safe_load(called_repo.git("show", f"{sha}:{path}"))
        declared = called[True]["workflow_call"] if True in called else called["on"]["workflow_call"]
        given = interpolate(spec.get("with", {}), context)
        inputs = {}
        for input_name, meta in (declared.get("inputs") or {}).items():
            if input_name in given:
                inputs[input_name] = given[input_name]
            elif meta.get("required"):
                raise AssertionError(f"{key}: required input {input_name!r} not given")
            else:
                inputs[input_name] = meta.get("default", "")
        unknown = set(given) - set(declared.get("inputs") or {})
        assert not unknown, f"{key}: inputs {unknown} not declared by {spec['uses']}"
        secrets = interpolate(spec.get("secrets", {}) or {}, context) if spec.get("secrets") != "inherit" else {}
        full_ref = ref if ref.startswith("refs/") or len(ref) == 40 else f"refs/heads/{ref}"
        job_ref = f"{owner}/{name}/{path}@{full_ref}"
        before = {k for k in run.jobs}
        self._run_jobs(run, repo, called, event, inputs, secrets, job_ref, f"{key}/", caller=spec)
        mine = [j for k, j in run.jobs.items() if k not in before]
        result = "failure" if any(j.result == "failure" for j in mine) else "success"
        run.jobs[key] = JobRun(key, result)
        return {"result": result, "outputs": {}}

    def _matrix_job(self, run: WorkflowRun, repo: Repo, event: Event, key: str, spec: dict, context: dict,
                    job_ref: str, prefix: str, caller: dict | None) -> dict:
        combinations: list[dict] = [{}]
        strategy = spec.get("strategy")
        if strategy:
            matrix = interpolate(strategy["matrix"], context)
            include = matrix.pop("include", []) if isinstance(matrix, dict) else []
            axes = {k: v for k, v in matrix.items() if k != "exclude"}
            combinations = [dict(zip(axes, values)) for values in itertools.product(*axes.values())] if axes else []
            combinations += list(include)
            assert len(combinations) <= 256, f"{key}: {len(combinations)} matrix jobs, GitHub allows 256"
        results = []
        for combination in combinations:
            label = f"{prefix}{key}" + (f" {json.dumps(combination, sort_keys=True)}" if strategy else "")
            job = JobRun(label)
            run.jobs[label] = job
            started = time.monotonic()
            self._job(run, repo, event, spec, {**context, "matrix": combination}, job, job_ref, caller)
            job.seconds = time.monotonic() - started
            results.append(job)
        result = "failure" if any(j.result == "failure" for j in results) else "success"
        outputs = results[-1].outputs if results else {}
        return {"result": result, "outputs": outputs}

    # -- one job ---------------------------------------------------------------------------------------------
    def _job(self, run: WorkflowRun, repo: Repo, event: Event, spec: dict, context: dict, job: JobRun,
             job_ref: str, caller: dict | None) -> None:
        folder = self.root / f"run-{self.run_id}" / job.key.replace("/", "__").replace(" ", "_")[:80]
        name = repo.name.split("/")[1]
        workspace = folder / name / name
        temp = folder / "_temp"
        for path in (workspace, temp, folder / "home"):
            path.mkdir(parents=True, exist_ok=True)
        job.workspace = workspace
        event_path = temp / "event.json"
        event_path.write_text(json.dumps(event.payload))
        permissions = spec.get("permissions", {}) or {}
        if caller is not None:
            outer = caller.get("permissions", {}) or {}
            for scope, level in permissions.items():
                assert outer.get(scope) in (level, "write"), f"{job.key}: {scope}: {level} exceeds the caller's {outer.get(scope)}"
        job.environment = as_string(interpolate(spec.get("environment"), context)) if spec.get("environment") else None
        if isinstance(spec.get("environment"), dict):
            raise AssertionError("environment objects are not modelled")
        if job.environment:
            rule = repo.environments.get(job.environment, None) if job.environment in repo.environments else None
            branch = event.ref.removeprefix("refs/heads/") if event.ref.startswith("refs/heads/") else None
            if rule is not None and branch not in rule:
                job.result = "failure"
                job.log.append(f"job not allowed to run in environment {job.environment!r}: its deployment branch "
                               f"rule allows {rule}, this run is on {event.ref}")
                return
        env: dict[str, str] = {
            "PATH": os.pathsep.join([*map(str, self.extra_path), SYSTEM_PATH]), "HOME": str(folder / "home"),
            "LANG": "C.UTF-8", "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_REPOSITORY": repo.name, "GITHUB_SHA": event.sha, "GITHUB_REF": event.ref,
            "GITHUB_EVENT_NAME": event.name, "GITHUB_EVENT_PATH": str(event_path), "GITHUB_API_URL": self.github_url,
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": str(self.run_id), "RUNNER_TEMP": str(temp),
            "RUNNER_OS": "Linux", "GOLDENPATH_AWS_ENDPOINT": self.emulator_url,
            "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(self.wheelhouse), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        context = {**context, "env": {}, "steps": {}, "job": {}, "runner": {"os": "Linux", "temp": str(temp)}}
        env.update({k: as_string(v) for k, v in interpolate(spec.get("env", {}) or {}, context).items()})
        status = Status()
        summary = temp / "step_summary.md"
        for index, step in enumerate(spec.get("steps", [])):
            step_context = {**context, "env": dict(env)}
            if not condition(step.get("if"), step_context, status):
                continue
            label = step.get("name") or step.get("uses") or (step.get("run") or "").splitlines()[0]
            job.log.append(f"--- step {index}: {label}")
            outputs = temp / f"output-{index}"
            env_file = temp / f"env-{index}"
            outputs.write_text("")
            env_file.write_text("")
            step_env = {**env, **{k: as_string(v) for k, v in interpolate(step.get("env", {}) or {}, step_context).items()},
                        "GITHUB_OUTPUT": str(outputs), "GITHUB_ENV": str(env_file), "GITHUB_STEP_SUMMARY": str(summary)}
            try:
                if "uses" in step:
                    self._action(run, repo, event, step, step_context, step_env, env, job, permissions, job_ref, workspace)
                else:
                    self._shell(step, step_context, step_env, workspace, job, spec.get("timeout-minutes", 360))
                outcome = "success"
            except StepFailed as error:
                job.log.append(f"step failed: {error}")
                outcome = "failure"
                status.failed = True
            env.update(_read_pairs(env_file))
            if step.get("id"):
                context["steps"][step["id"]] = {"outputs": _read_pairs(outputs), "outcome": outcome, "conclusion": outcome}
        job.result = "failure" if status.failed else "success"
        job.summary = summary.read_text() if summary.exists() else ""
        job.outputs = {k: as_string(v) for k, v in interpolate(spec.get("outputs", {}) or {}, {**context, "env": env}).items()}

    def _shell(self, step: dict, context: dict, env: dict[str, str], workspace: Path, job: JobRun, minutes: int) -> None:
        script = interpolate(step["run"], context)
        cwd = workspace / step["working-directory"] if step.get("working-directory") else workspace
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                                capture_output=True, text=True, timeout=minutes * 60)
        job.log.append(result.stdout + result.stderr)
        if result.returncode != 0:
            raise StepFailed(f"exit code {result.returncode}")

    # -- actions ---------------------------------------------------------------------------------------------
    def _action(self, run: WorkflowRun, repo: Repo, event: Event, step: dict, context: dict, step_env: dict[str, str],
                env: dict[str, str], job: JobRun, permissions: dict, job_ref: str, workspace: Path) -> None:
        name, _, sha = step["uses"].partition("@")
        known = {action: pin for action, pin, _ in ACTIONS.values()}
        if name not in known:
            raise AssertionError(f"{job.key}: action {name} is not emulated by the harness")
        assert sha == known[name], f"{job.key}: {name}@{sha} is not the pinned commit {known[name]}"
        given = interpolate(step.get("with", {}) or {}, context)
        if name == "actions/checkout":
            self._checkout(repo, event, given, workspace, job)
        elif name == "actions/setup-python":
            version = subprocess.run([str(self.python_bin / "python"), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                     capture_output=True, text=True, check=True).stdout.strip()
            if str(given.get("python-version")) != version:
                raise StepFailed(f"python-version {given.get('python-version')} requested, the harness has {version}")
            env["PATH"] = f"{self.python_bin}{os.pathsep}{env['PATH']}"
        elif name == "hashicorp/setup-terraform":
            found = shutil.which("terraform")
            assert found, "terraform is not installed"
            version = json.loads(subprocess.run([found, "version", "-json"], capture_output=True, text=True).stdout)["terraform_version"]
            if given.get("terraform_version") != version:
                raise StepFailed(f"terraform {given.get('terraform_version')} requested, the harness has {version}")
            if str(given.get("terraform_wrapper")).lower() != "false":
                raise StepFailed("terraform_wrapper must be false: the wrapper changes terraform's output")
            env["PATH"] = f"{Path(found).parent}{os.pathsep}{env['PATH']}"
        elif name == "aws-actions/configure-aws-credentials":
            if permissions.get("id-token") != "write":
                raise StepFailed("no OIDC token: the job lacks permissions: id-token: write")
            self._assume(repo, event, given, env, job, job_ref)
        elif name == "actions/upload-artifact":
            self._upload(run, given, workspace)
        elif name == "actions/download-artifact":
            self._download(run, given, workspace)
        else:
            raise AssertionError(f"{name} has a pin but no emulation")

    def _checkout(self, repo: Repo, event: Event, given: dict, workspace: Path, job: JobRun) -> None:
        source = self.repos[given.get("repository") or repo.name]
        ref = source.git("rev-parse", given.get("ref") or event.sha).strip()
        target = workspace / given["path"] if given.get("path") else workspace
        assert given.get("persist-credentials") is False, f"{job.key}: checkout without persist-credentials: false"
        if target.exists() and any(target.iterdir()) and target == workspace:
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(source.bare), str(target)], check=True)
        subprocess.run(["git", "-C", str(target), "checkout", "--quiet", "--detach", ref], check=True, capture_output=True)
        job.log.append(f"checked out {source.name}@{ref} into {target}")

    def _assume(self, repo: Repo, event: Event, given: dict, env: dict[str, str], job: JobRun, job_ref: str) -> None:
        role = given["role-to-assume"]
        account = role.split(":")[4]
        admin = self.admin(account)
        iam = boto3.client("iam", endpoint_url=self.emulator_url, region_name="us-east-1", **admin)
        providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        provider = f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
        if provider not in providers:
            raise StepFailed(f"no GitHub OIDC provider in account {account}")
        try:
            document = iam.get_role(RoleName=role.split("/")[-1])["Role"]["AssumeRolePolicyDocument"]
        except iam.exceptions.NoSuchEntityException:
            raise StepFailed(f"{role} does not exist") from None
        if isinstance(document, str):
            document = json.loads(document)
        sub = oidc_subject(repo, event.name, event.ref, job.environment, job_ref)
        decision = trusts(document, role, sub)
        job.log.append(f"OIDC sub {sub} -> {role}: {decision.reason}")
        if not decision:
            raise StepFailed(f"Not authorized to perform sts:AssumeRoleWithWebIdentity on {role} with sub {sub}")
        sts = boto3.client("sts", endpoint_url=self.emulator_url, region_name=given["aws-region"],
                           aws_access_key_id="anonymous", aws_secret_access_key="anonymous")
        # The action's default session name (src/index.ts ROLE_SESSION_NAME @ v4.0.2).
        session = str(given.get("role-session-name") or "GitHubActions")
        credentials = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName=session,
                                                        WebIdentityToken="harness-oidc-token")["Credentials"]
        env.update({"AWS_ACCESS_KEY_ID": credentials["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                    "AWS_SESSION_TOKEN": credentials["SessionToken"], "AWS_REGION": given["aws-region"],
                    "AWS_DEFAULT_REGION": given["aws-region"]})
        job.assumed.append((role, sub))
        job.sessions.append(session)

    def _upload(self, run: WorkflowRun, given: dict, workspace: Path) -> None:
        name = given["name"]
        if name in run.artifacts:
            raise StepFailed(f"an artifact named {name!r} exists in this run (artifacts are immutable)")
        source = workspace / given["path"]
        if not source.exists():
            raise StepFailed(f"no files found at {given['path']}")
        store = self.root / f"run-{self.run_id}" / "_artifacts" / name
        if source.is_dir():
            shutil.copytree(source, store, ignore=lambda d, names: [n for n in names if n.startswith(".")])
        else:
            store.mkdir(parents=True)
            shutil.copy2(source, store / source.name)
        run.artifacts[name] = store

    def _download(self, run: WorkflowRun, given: dict, workspace: Path) -> None:
        target = workspace / given.get("path", ".")
        if given.get("name"):
            if given["name"] not in run.artifacts:
                raise StepFailed(f"artifact {given['name']!r} not found")
            shutil.copytree(run.artifacts[given["name"]], target, dirs_exist_ok=True)
            return
        import fnmatch

        matching = [n for n in run.artifacts if fnmatch.fnmatch(n, given.get("pattern", "*"))]
        for name in matching:
            destination = target if str(given.get("merge-multiple")).lower() == "true" else target / name
            shutil.copytree(run.artifacts[name], destination, dirs_exist_ok=True)
        target.mkdir(parents=True, exist_ok=True)


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _read_pairs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV lines: ``key=value`` and ``key<<DELIMITER`` blocks."""
    values: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block = []
            index += 1
            while lines[index] != delimiter:
                block.append(lines[index])
                index += 1
            values[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
        index += 1
    return values
