"""The repositories the harness runs: a small platform repository (dev and prod, one team with one service on
both, previews on dev) and that service's repository, each a local bare git repository with a working clone to
commit from, as a platform engineer and a service team would."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.harness.runner import Repo

PLATFORM = "acme/platform"
SERVICE_REPOSITORY = "acme/web"
OTHER_SERVICE_REPOSITORY = "acme/api"
DEV_ACCOUNT, PROD_ACCOUNT = "111111111111", "333333333333"

_ENVIRONMENT = """name: {name}
production: {production}
region: eu-west-1
account_id: "{account}"
tags:
  owner: platform-team
  cost-center: cc-1001
log_retention_days: 30
network:
  cidr: {cidr}
  az_count: 2
  nat: single
cluster:
  kubernetes_version: "1.36"
  admin_role_arns: ["arn:aws:iam::{account}:role/platform-admin"]
  node_groups:
    - name: general
      instance_types: [t3.large]
      min_size: 1
      desired_size: 1
      max_size: 2
observability:
  runbook_base_url: https://git.example.com/platform/blob/main/docs/runbooks
  retention: {{metrics_days: 7, logs_days: 7, traces_days: 2}}
  teams:
    platform:
      page: {{type: webhook, url: "http://alert-bridge.observability.svc:9095/page"}}
      ticket: {{type: webhook, url: "http://alert-bridge.observability.svc:9095/ticket"}}
    shop:
      page: {{type: webhook, url: "http://alert-bridge.observability.svc:9095/shop/page"}}
      ticket: {{type: webhook, url: "http://alert-bridge.observability.svc:9095/shop/ticket"}}
    ops:
      page: {{type: webhook, url: "http://alert-bridge.observability.svc:9095/ops/page"}}
      ticket: {{type: webhook, url: "http://alert-bridge.observability.svc:9095/ops/ticket"}}
  # the bridge is this platform team's own chart, installed outside goldenpath: declared, so validate accepts it
  declared_services: {{"alert-bridge.observability.svc:9095": "the platform team's alert-bridge chart (platform-addons repo)"}}
  heartbeat:
    receiver: {{type: webhook, secret: {{name: alertmanager-heartbeat, key: url}}}}
ci:
  repository: {platform}
"""
# Previews share the state bucket: the environment names its state key.
_PREVIEWS = f"""state:
  kms_key: arn:aws:kms:eu-west-1:{DEV_ACCOUNT}:alias/goldenpath-state
previews:
  domain: preview.dev.example.com
  max_monthly_usd: 200
"""
# web owns a bucket too: the environment's shared tenants key then outlives team ops leaving dev.
_TEAM = """name: shop
owners: shop-engineers
services:
  - name: web
    environments: [{web_envs}]
    repository: {web_repo}
    cloud: {{bucket: read_write}}
    previews:
      repository: https://charts.example.com/apps
      chart: web-service
      version: 1.4.2
      image_repository: registry.example.com/apps/web
      port: 8080
  - name: api
    environments: [{api_envs}]
    repository: {api_repo}
"""
OPS_TEAM = """name: ops
owners: ops-engineers
services:
  - name: batch
    environments: [dev, prod]
    cloud: {bucket: read_write}
"""


def git(directory: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(directory), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "Harness", "GIT_AUTHOR_EMAIL": "harness@example.com",
                               "GIT_COMMITTER_NAME": "Harness", "GIT_COMMITTER_EMAIL": "harness@example.com",
                               "PATH": "/usr/bin:/bin", "HOME": str(directory)}).stdout.strip()


@dataclass
class Checkout:
    """A repository: its bare store (what the runner clones) and a working clone to commit from."""

    repo: Repo
    work: Path

    def commit(self, message: str, branch: str = "main") -> str:
        git(self.work, "checkout", "--quiet", "-B", branch)
        git(self.work, "add", "-A")
        git(self.work, "commit", "--quiet", "--allow-empty", "-m", message)
        git(self.work, "push", "--quiet", "--force", "origin", f"{branch}:{branch}")
        return git(self.work, "rev-parse", "HEAD")

    def merge(self, branch: str, message: str) -> str:
        """A merge commit of ``branch`` into main, pushed (what GitHub's merge button does)."""
        git(self.work, "checkout", "--quiet", "main")
        git(self.work, "merge", "--quiet", "--no-ff", "-m", message, branch)
        git(self.work, "push", "--quiet", "origin", "main:main")
        return git(self.work, "rev-parse", "HEAD")

    def head(self, branch: str = "main") -> str:
        return self.repo.git("rev-parse", branch).strip()


def new_repository(root: Path, name: str, **repo_options) -> Checkout:
    bare = root / "git" / f"{name.replace('/', '__')}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(bare)], check=True)
    work = root / "work" / name.replace("/", "__")
    subprocess.run(["git", "clone", "--quiet", str(bare), str(work)], check=True, capture_output=True)
    git(work, "checkout", "--quiet", "-B", "main")
    return Checkout(Repo(name, bare, **repo_options), work)


def write_platform(work: Path, web_envs: str = "dev, prod", api_envs: str = "dev, prod") -> None:
    environments = work / "environments"
    environments.mkdir(parents=True, exist_ok=True)
    (environments / "dev.yaml").write_text(
        _ENVIRONMENT.format(name="dev", production="false", account=DEV_ACCOUNT, cidr="10.10.0.0/16", platform=PLATFORM) + _PREVIEWS)
    (environments / "prod.yaml").write_text(
        _ENVIRONMENT.format(name="prod", production="true", account=PROD_ACCOUNT, cidr="10.30.0.0/16", platform=PLATFORM))
    teams = work / "teams"
    teams.mkdir(exist_ok=True)
    (teams / "shop.yaml").write_text(_TEAM.format(web_envs=web_envs, api_envs=api_envs, web_repo=SERVICE_REPOSITORY,
                                                  api_repo=OTHER_SERVICE_REPOSITORY))
    (teams / "ops.yaml").write_text(OPS_TEAM)
    (work / ".gitignore").write_text("cdktf.out/\n.goldenpath/\n")
