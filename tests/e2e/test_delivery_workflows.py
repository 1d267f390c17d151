"""The generated workflows, run end to end (tests/harness): the platform repository's plan, apply and drift
pipelines and a service repository's previews and deploys, against moto, with the built wheel, real terraform
and real git, in the order GitHub would run them. One story, test by test (each builds on the one before):

1. a platform engineer bootstraps: state buckets, each environment's ``<env>-ci`` stack by hand, then the first
   apply through the pipeline, confirmed for that commit;
2. a pull request that changes only dev: only dev's stacks are planned, with dev's plan role, in one comment;
3. its merge: dev is applied as reviewed, prod is not touched;
4. what a pull request's author cannot do: reach an apply role, apply a plan nobody reviewed;
5. a service repository's pull request brings its preview up and down, and its push deploys it, each job with its
   own role, limits and chart from the platform repository;
6. drift injected in the cloud opens an issue, and closes it once fixed; an unapplied change is not drift;
7. a removed stack is destroyed only with the destroy label.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
import time
from pathlib import Path

import pytest

from goldenpath.config.loader import load_environments
from goldenpath.deploy.emulator import account_credentials, create_state_bucket, emulator_client, running_emulator
from goldenpath.deploy.runner import emulator_terraform
from tests.harness.github_api import BOT, FakeGitHub, GitHubState, PullRequest
from tests.harness.platform import (DEV_ACCOUNT, OTHER_SERVICE_REPOSITORY, PLATFORM, PROD_ACCOUNT, SERVICE_REPOSITORY,
                                    Checkout, git, new_repository, write_platform)
from tests.harness.runner import Event, Runner, WorkflowRun

pytestmark = pytest.mark.e2e
MAIN = "refs/heads/main"


class World:
    def __init__(self, root: Path, endpoint, github: FakeGitHub, wheel, stubs: Path):
        self.root, self.endpoint, self.github = root, endpoint, github
        self.bin_dir, self.env, self.dist = wheel
        self.platform = new_repository(root, PLATFORM, environments={
            "dev": ["main"], "prod": ["main"], "goldenpath-drift-dev": ["main"], "goldenpath-drift-prod": ["main"],
            "goldenpath-reap-dev": ["main"], "goldenpath-plan-dev": None, "goldenpath-plan-prod": None})
        reusable = ("repo", "context", "job_workflow_ref")
        self.web = new_repository(root, SERVICE_REPOSITORY, subject_template=reusable, environments={"dev": ["main"], "prod": ["main"]})
        self.api = new_repository(root, OTHER_SERVICE_REPOSITORY, subject_template=reusable)
        repos = {c.repo.name: c.repo for c in (self.platform, self.web, self.api)}
        github.state.repositories.update({name: repo.bare for name, repo in repos.items()})
        self.stubs = stubs
        self.runner = Runner(root / "runner", repos, endpoint.url, self.admin_keys, github.url, self.bin_dir, self.dist,
                             extra_path=[stubs])
        self.pulls = 0
        self.admins: dict[str, object] = {}

    def admin(self, account: str):
        """An administrator of ``account`` in the emulator (created once: new keys would void the old ones)."""
        if account not in self.admins:
            self.admins[account] = account_credentials(self.endpoint.url, account)
        return self.admins[account]

    def admin_keys(self, account: str) -> dict:
        credentials = self.admin(account)
        return {"aws_access_key_id": credentials.access_key_id, "aws_secret_access_key": credentials.secret_access_key}

    def goldenpath(self, cwd: Path, *argv: str, emulator: bool = False) -> str:
        env = {**self.env, **({"GOLDENPATH_AWS_ENDPOINT": self.endpoint.url} if emulator else {})}
        result = subprocess.run([str(self.bin_dir / "goldenpath"), *argv], cwd=cwd, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"goldenpath {' '.join(argv)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout

    def run(self, checkout: Checkout, workflow: str, event: Event) -> WorkflowRun:
        started = time.monotonic()
        run = self.runner.run(checkout.repo.name, workflow, event)
        print(f"{workflow} on {event.name}: {time.monotonic() - started:.0f}s ({run.timings()})")
        return run

    def open_pull(self, checkout: Checkout, branch: str, author: str = "pat") -> tuple[PullRequest, Event]:
        self.pulls += 1
        head = checkout.head(branch)
        pull = PullRequest(checkout.repo.name, self.pulls, head, branch, author)
        self.github.state.pulls[(checkout.repo.name, pull.number)] = pull
        return pull, self.pull_event(checkout, pull, "opened")

    def pull_event(self, checkout: Checkout, pull: PullRequest, action: str) -> Event:
        payload = {"action": action, "number": pull.number, "pull_request": {
            "number": pull.number, "head": {"sha": pull.head_sha, "ref": pull.head_ref},
            "base": {"sha": checkout.head("main"), "ref": "main"}, "user": {"login": pull.author}}}
        return Event("pull_request", f"refs/pull/{pull.number}/merge", pull.head_sha, payload)

    def merge(self, checkout: Checkout, pull: PullRequest) -> Event:
        sha = checkout.merge(pull.head_ref, f"Merge pull request #{pull.number}")
        pull.state, pull.merged_at, pull.merge_commit_sha = "closed", f"2026-12-04T12:{pull.number:02d}:00Z", sha
        return Event("push", MAIN, sha, {"after": sha, "commits": [{"timestamp": "2026-12-04T10:00:00Z"}]})


def _stub(folder: Path) -> Path:
    """aws, helm and kubectl for the deploy job: no Kubernetes API or EKS endpoint runs here, so these record what
    they are asked (and keep each manifest applied) instead: the one mock of the harness."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("aws", "helm", "kubectl"):
        path = folder / name
        path.write_text(f"""#!/bin/bash
echo "{name} $*" >> "{folder}/calls.log"
previous=""
for argument in "$@"; do
  if [ "$previous" = "-f" ]; then cp "$argument" "{folder}/applied-$(date +%s%N).json"; fi
  previous="$argument"
done
""")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.fixture(scope="module")
def world(tmp_path_factory, terraform_and_mirror, wheel_install):
    root = tmp_path_factory.mktemp("delivery")
    with running_emulator(DEV_ACCOUNT, root / "moto.log") as endpoint, FakeGitHub(GitHubState()) as github:
        yield World(root, endpoint, github, wheel_install, _stub(root / "stubs"))


def test_bootstrap_then_the_first_apply_through_the_pipeline(world):
    platform = world.platform
    write_platform(platform.work)
    world.goldenpath(platform.work, "runbooks")
    world.goldenpath(platform.work, "ci", "render", "platform")
    platform.commit("platform: dev and prod")
    world.goldenpath(platform.work, "service", "scaffold", "shop", "web", "--out", str(world.web.work / ".github/workflows"))
    (world.web.work / "README.md").write_text("web\n")
    world.web.commit("web: workflows")
    # Once, by hand: the state buckets, and each environment's <env>-ci stack (it creates the roles the pipeline uses).
    environments = {e.name: e for e in load_environments(platform.work / "environments")}
    synth = world.root / "bootstrap"
    world.goldenpath(platform.work, "synth", "--outdir", str(synth), emulator=True)
    for name, account in (("dev", DEV_ACCOUNT), ("prod", PROD_ACCOUNT)):
        admin = world.admin(account)
        create_state_bucket(admin, environments[name].state_bucket, environments[name].state_region)
        terraform = emulator_terraform(world.root / f"tf-{name}", admin, stream=False)
        stack = synth / "stacks" / f"{name}-ci"
        terraform.init(stack)
        terraform.apply(stack, auto_approve=True)
    # The first apply: nothing was reviewed, so it is confirmed for this commit (a manual run with `confirm`).
    head = platform.head()
    run = world.run(platform, "goldenpath-apply.yml",
                    Event("workflow_dispatch", MAIN, head, {"inputs": {"confirm": f"all@{head[:12]}"}}, {"confirm": f"all@{head[:12]}"}))
    assert not run.failures(), run.failures()
    for env in ("dev", "prod"):
        (apply,) = run.job(f"apply-{env}")
        assert apply.result == "success"
        assert any(role.endswith(f"goldenpath-{env}-ci-apply") for role, _ in apply.assumed)
        assert "applied" in apply.text() and f"{env}-network" in apply.text()
        assert re.search(rf"{env}-platform +not-run", apply.text())  # no Kubernetes API in the emulator, and it says so
    records = emulator_client("s3", world.admin(DEV_ACCOUNT), "eu-west-1").list_objects_v2(
        Bucket=environments["dev"].state_bucket, Prefix="dev/")["Contents"]
    assert {"dev/network.applied.json", "dev/tenants/shop.applied.json"} <= {o["Key"] for o in records}


def test_a_pull_request_changing_only_dev_plans_only_dev(world):
    platform = world.platform
    dev = platform.work / "environments" / "dev.yaml"
    git(platform.work, "checkout", "--quiet", "-B", "tag-dev", "main")
    dev.write_text(dev.read_text().replace("log_retention_days: 30", "log_retention_days: 14"))
    platform.commit("dev: keep flow and control-plane logs for two weeks", branch="tag-dev")
    pull, event = world.open_pull(platform, "tag-dev")
    run = world.run(platform, "goldenpath-plan.yml", event)
    assert not run.failures(), run.failures()
    plans = run.job("plan")
    assert plans and all(json.loads(j.key.split(" ", 1)[1])["plan"]["environment"] == "dev" for j in plans)
    assert {role for j in plans for role, _ in j.assumed} == {f"arn:aws:iam::{DEV_ACCOUNT}:role/goldenpath-dev-ci-plan"}
    (comment,) = world.github.state.comments_on(PLATFORM, pull.number)
    assert comment["user"]["login"] == BOT and "#### dev" in comment["body"] and "#### prod" not in comment["body"]
    # log retention is in the network's flow logs and the cluster's control-plane logs, nowhere else
    assert "`dev-network`" in comment["body"] and "`dev-cluster`" in comment["body"] and "2 stack(s) planned" in comment["body"]
    # Plans hold values in cleartext: only summaries (addresses, actions) ever leave the plan job.
    uploaded = [p for folder in run.artifacts.values() for p in folder.rglob("*") if p.is_file()]
    assert uploaded and not [p for p in uploaded if p.suffix in (".tfplan", ".tfstate") or "tfplan" in p.name]
    assert not any(b'"before"' in p.read_bytes() or b'"after"' in p.read_bytes() for p in uploaded if p.suffix == ".json")
    world.tag_pull = pull


def test_its_merge_applies_dev_as_reviewed_and_leaves_prod(world):
    run = world.run(world.platform, "goldenpath-apply.yml", world.merge(world.platform, world.tag_pull))
    assert not run.failures(), run.failures()
    (check_prod,) = run.job("check-prod")
    assert check_prod.outputs == {"pending": "false"}
    (apply_prod,) = run.job("apply-prod")
    assert apply_prod.result == "skipped"
    (apply_dev,) = run.job("apply-dev")
    assert re.search(r"dev-network +applied +as reviewed", apply_dev.text())
    assert "| `dev-network` | applied | as reviewed |" in apply_dev.summary


def test_a_pull_request_author_cannot_reach_an_apply_role(world):
    """A workflow written in a pull request that names the dev environment is refused before any token (the
    environment allows main only); without it, its subject matches no role but... none: not even plan."""
    platform = world.platform
    git(platform.work, "checkout", "--quiet", "-B", "attack", "main")
    workflow = platform.work / ".github" / "workflows" / "attack.yml"
    steps = ("    steps:\n      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502\n"
             "        with:\n          role-to-assume: arn:aws:iam::{account}:role/goldenpath-dev-ci-{kind}\n          aws-region: eu-west-1\n")
    workflow.write_text("name: attack\non: pull_request\njobs:\n"
                        "  as-dev:\n    runs-on: ubuntu-latest\n    environment: dev\n    permissions: {id-token: write}\n"
                        + steps.format(account=DEV_ACCOUNT, kind="apply")
                        + "  plain:\n    runs-on: ubuntu-latest\n    permissions: {id-token: write}\n"
                        + steps.format(account=DEV_ACCOUNT, kind="plan"))
    platform.commit("try the apply role", branch="attack")
    _, event = world.open_pull(platform, "attack", author="mallory")
    run = world.run(platform, "attack.yml", event)
    (as_dev,) = run.job("as-dev")
    assert as_dev.result == "failure" and not as_dev.assumed and "deployment branch rule" in as_dev.text()
    (plain,) = run.job("plain")
    assert plain.result == "failure" and not plain.assumed
    assert "Not authorized to perform sts:AssumeRoleWithWebIdentity" in plain.text()
    git(platform.work, "checkout", "--quiet", "main")


def test_a_service_pull_request_previews_and_its_push_deploys(world):
    web = world.web
    git(web.work, "checkout", "--quiet", "-B", "feature", "main")
    (web.work / "app.txt").write_text("v2\n")
    web.commit("web: v2", branch="feature")
    pull, event = world.open_pull(web, "feature", author="sam")
    run = world.run(web, "preview.yml", event)
    assert not run.failures(), run.failures()
    (up,) = run.job("preview/up")
    (role, sub) = up.assumed[0]
    assert role.endswith("goldenpath-dev-ci-preview")
    assert sub == (f"repo:{SERVICE_REPOSITORY}:pull_request:job_workflow_ref:"
                   f"{PLATFORM}/.github/workflows/goldenpath-previews-dev.yml@refs/heads/main")
    assert "is up: https://" in up.text()
    # Its session is named after the preview: the cluster lets that session into that namespace only, and
    # goldenpath refuses a preview-role session named otherwise (the caller's ARN, as moto's STS returns it).
    from goldenpath.modules.preview_request import preview_name

    assert up.sessions == [preview_name(SERVICE_REPOSITORY, pull.number, "web")]
    (comment,) = world.github.state.comments_on(SERVICE_REPOSITORY, pull.number)
    assert "goldenpath-preview" in comment["body"]
    # The other service's repository cannot preview web under its name: the catalog names web's repository.
    api = world.api
    (api.work / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    (api.work / ".github" / "workflows" / "preview.yml").write_text(
        (web.work / ".github" / "workflows" / "preview.yml").read_text())
    api.commit("api: borrow web's preview")
    git(api.work, "checkout", "--quiet", "-B", "sneak", "main")
    (api.work / "x").write_text("x")
    api.commit("sneak", branch="sneak")
    _, sneak = world.open_pull(api, "sneak", author="mallory")
    refused = world.run(api, "preview.yml", sneak)
    (sneak_up,) = refused.job("preview/up")
    assert sneak_up.result == "failure" and not sneak_up.assumed and "Not authorized" in sneak_up.text()
    # Closing the pull request takes its preview down.
    pull.state = "closed"
    down = world.run(web, "preview.yml", world.pull_event(web, pull, "closed"))
    assert not down.failures(), down.failures()
    (down_job,) = down.job("preview/down")
    assert "destroyed:" in down_job.text()
    assert down_job.sessions == up.sessions
    # A push to main deploys dev then prod, each with the service's own deploy role for that environment.
    deployed = world.run(web, "deploy.yml", world.merge(web, pull))
    assert not deployed.failures(), deployed.failures()
    (dev,) = deployed.job("dev/deploy")
    assert dev.assumed[0][0] == f"arn:aws:iam::{DEV_ACCOUNT}:role/goldenpath-dev-deploy-shop-web"
    assert dev.assumed[0][1].endswith(":environment:dev:job_workflow_ref:acme/platform/.github/workflows/goldenpath-deploy.yml@refs/heads/main")
    calls = (world.stubs / "calls.log").read_text()
    assert "helm upgrade --install web web-service --repo https://charts.example.com/apps --version 1.4.2 --namespace shop-web" in calls
    assert "port-forward" not in calls
    import kubernetes_validate

    from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS

    for manifest in sorted(world.stubs.glob("applied-*.json")):
        pod = json.loads(manifest.read_text())
        for version in SUPPORTED_KUBERNETES_VERSIONS:  # whichever the service's cluster runs
            kubernetes_validate.validate(pod, version, strict=True)
        assert pod["metadata"]["namespace"] == "shop-web"


def test_drift_opens_an_issue_and_closes_it_once_fixed(world):
    platform = world.platform
    admin = world.admin(DEV_ACCOUNT)
    ec2 = emulator_client("ec2", admin, "eu-west-1")
    (vpc,) = [v for v in ec2.describe_vpcs()["Vpcs"] if {"Key": "environment", "Value": "dev"} in v.get("Tags", [])]
    ec2.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "edited-by", "Value": "someone-in-the-console"}])
    schedule = Event("schedule", MAIN, platform.head(), {"schedule": "23 3 * * *"})
    run = world.run(platform, "goldenpath-drift.yml", schedule)
    (drift_dev,) = [j for j in run.job("drift") if '"dev"' in j.key]
    assert "dev-network: drift" in drift_dev.text()
    issues = world.github.state.issues[PLATFORM]
    assert [i["title"] for i in issues if i["state"] == "open"] == ["goldenpath drift: dev-network"]
    ec2.delete_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "edited-by"}])
    world.run(platform, "goldenpath-drift.yml", schedule)
    assert [i["state"] for i in issues] == ["closed"]


def test_an_unapplied_change_is_not_drift(world):
    platform = world.platform
    prod = platform.work / "environments" / "prod.yaml"
    git(platform.work, "checkout", "--quiet", "main")
    prod.write_text(prod.read_text().replace("cost-center: cc-1001", "cost-center: cc-3003"))
    head = platform.commit("prod: new cost center (its apply waits for approval)")
    run = world.run(platform, "goldenpath-drift.yml", Event("schedule", MAIN, head, {}))
    (drift_prod,) = [j for j in run.job("drift") if '"prod"' in j.key]
    assert "prod-network: unapplied" in drift_prod.text() and "prod-network: drift" not in drift_prod.text()
    assert not [i for i in world.github.state.issues[PLATFORM] if i["state"] == "open"]


def test_a_removed_stack_is_destroyed_only_with_the_destroy_label(world):
    """Team ops leaves dev: its dev-tenants-ops stack (batch's bucket in the emulator) is removed from the code. The pull request shows its destroy
    plan; after merge nothing is destroyed until the pull request carries the goldenpath/destroy label."""
    platform = world.platform
    git(platform.work, "checkout", "--quiet", "-B", "ops-leaves-dev", "main")
    team = platform.work / "teams" / "ops.yaml"
    team.write_text(team.read_text().replace("environments: [dev, prod]", "environments: [prod]"))
    platform.commit("ops leaves dev", branch="ops-leaves-dev")
    pull, event = world.open_pull(platform, "ops-leaves-dev")
    planned = world.run(platform, "goldenpath-plan.yml", event)
    assert not planned.failures(), planned.failures()
    (comment,) = world.github.state.comments_on(PLATFORM, pull.number)
    assert "`dev-tenants-ops` (removed)" in comment["body"] and "#### prod" not in comment["body"]
    merged = world.merge(platform, pull)
    first = world.run(platform, "goldenpath-apply.yml", merged)
    (apply_dev,) = first.job("apply-dev")
    assert apply_dev.result == "failure" and re.search(r"dev-tenants-ops +stopped +removed from the code", apply_dev.text()), \
        apply_dev.text()
    s3 = emulator_client("s3", world.admin(DEV_ACCOUNT), "eu-west-1")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("goldenpath-tfstate"))
    assert s3.head_object(Bucket=bucket, Key="dev/tenants/ops.applied.json")  # nothing destroyed without the label
    pull.labels.append("goldenpath/destroy")
    second = world.run(platform, "goldenpath-apply.yml", Event("workflow_dispatch", MAIN, merged.sha, {}, {"confirm": ""}))
    (apply_dev,) = second.job("apply-dev")
    assert apply_dev.result == "success", second.failures()
    assert re.search(r"dev-tenants-ops +destroyed", apply_dev.text())
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="dev/tenants/").get("Contents", [])}
    assert "dev/tenants/ops.applied.json" not in keys and "dev/tenants/ops.tfstate" not in keys
    # prod has a change pushed without a pull request (the test before): it stops for a confirmation, visibly
    (apply_prod,) = second.job("apply-prod")
    assert apply_prod.result == "failure" and "no reviewed plan" in apply_prod.text()
