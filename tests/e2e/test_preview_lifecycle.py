"""Preview lifecycle with real terraform and real state objects in the emulated S3 bucket.

The in-cluster preview stack needs a Kubernetes API, which this machine lacks; the AWS-only
preview stack (an encrypted bucket) and every state and registry object are real.
"""

from __future__ import annotations

from decimal import Decimal
from datetime import datetime, timedelta, timezone

import pytest

from goldenpath.deploy.runner import emulator_terraform
from goldenpath.deploy.emulator import create_state_bucket, emulator_client, running_emulator
from goldenpath.previews.lifecycle import PreviewRun, down, reap, up
from goldenpath.previews.registry import Registry
from goldenpath.modules.preview_request import PreviewError, PreviewRequest
from goldenpath.tenancy.catalog import catalog_for
from tests.conftest import REPO

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def run(terraform_and_mirror, bundled_environments, tmp_path_factory):
    dev = next(e for e in bundled_environments if e.name == "dev")
    workdir = tmp_path_factory.mktemp("previews")
    with running_emulator(dev.account_id, workdir / "moto.log") as endpoint:
        create_state_bucket(endpoint, dev.state_bucket, dev.state_region)
        s3 = emulator_client("s3", endpoint, dev.region)
        catalog = catalog_for(REPO, bundled_environments)
        yield PreviewRun(dev, Registry(s3, dev.state_bucket), emulator_terraform(workdir, endpoint, stream=False), catalog,
                         emulator=endpoint, in_cluster=False, workdir=workdir)


def request(pr: int, **overrides) -> PreviewRequest:
    fields = dict(repository="acme/storefront-web", pr=pr, branch=f"feature/{pr}", service="web", image_tag="sha-1", owner="alice", bucket=True)
    return PreviewRequest(**{**fields, **overrides})


def keys(run) -> set[str]:
    response = run.registry.s3.list_objects_v2(Bucket=run.registry.bucket, Prefix="previews/")
    return {item["Key"] for item in response.get("Contents", [])}


def buckets(run) -> set[str]:
    return {b["Name"] for b in run.registry.s3.list_buckets()["Buckets"]} - {run.registry.bucket}


def test_up_applies_the_aws_stack_and_records_the_preview(run):
    record = up(run, request(1), NOW)
    assert record.expires_at == (NOW + timedelta(hours=72)).isoformat()
    assert keys(run) == {f"previews/{record.name}.json", f"previews/{record.name}-aws.tfstate"}
    assert len(buckets(run)) == 1
    (listed,) = run.registry.all()
    assert (listed.pr, listed.owner, listed.branch) == (1, "alice", "feature/1")
    # its quota (2 CPU / 4Gi) reserves one t3.large of dev's SPOT node group: 0.0912 x 0.5 x 730 = 33.29;
    # its bucket's key $3.00 (rotated, steady state) + $0.03 requests; the bucket $0.23 + $0.50 + $0.40
    assert listed.monthly_usd == "37.45"
    assert listed.not_priced == ()


def test_a_push_extends_the_expiry_and_keeps_the_creation_time(run):
    later = NOW + timedelta(hours=5)
    record = up(run, request(1, image_tag="sha-2"), later)
    assert record.created_at == NOW.isoformat() and record.expires_at == (later + timedelta(hours=72)).isoformat()


def test_bad_input_creates_nothing(run):
    before = keys(run)
    with pytest.raises(PreviewError, match="--image: got 'a b'"):
        up(run, request(2, image_tag="a b"), NOW)
    with pytest.raises(PreviewError, match="--pr: got 0"):
        up(run, request(0), NOW)
    assert keys(run) == before


def test_down_destroys_and_deletes_state_and_is_idempotent(run):
    (record,) = run.registry.all()
    assert down(run, "acme/storefront-web", 1, service="api") == []  # another service's preview of the PR: none
    assert keys(run) != set()
    assert down(run, "acme/storefront-web", 1, service="web") == [record.name]
    assert keys(run) == set() and buckets(run) == set()
    assert down(run, "acme/storefront-web", 1) == []      # twice
    assert down(run, "acme/storefront-web", 999) == []    # never existed


def test_reap_destroys_expired_and_closed_and_keeps_the_rest(run):
    expired = up(run, request(10), NOW - timedelta(days=10))
    # Only the expired one has an AWS stack (a bucket: about a minute of terraform waiting for its
    # lifecycle rules to propagate); the others are state and registry records, reaped just the same.
    closed = up(run, request(11, bucket=False), NOW)
    live = up(run, request(12, bucket=False), NOW)
    dry = reap(run, NOW, {("acme/storefront-web", 11)}, dry_run=True)
    assert sorted(dry.would_destroy) == sorted([expired.name, closed.name]) and not dry.destroyed
    assert len(run.registry.all()) == 3
    report = reap(run, NOW, {("acme/storefront-web", 11)}, dry_run=False)
    assert sorted(report.destroyed) == sorted([expired.name, closed.name]) and report.failed == {}
    assert [r.name for r in run.registry.all()] == [live.name]
    down(run, "acme/storefront-web", 12)
    assert keys(run) == set() and buckets(run) == set()


def test_cap_per_repository(run):
    cap = run.environment.previews.max_per_repository
    small = PreviewRun(run.environment.model_copy(update={"previews": run.environment.previews.model_copy(update={"max_per_repository": 1})}),
                       run.registry, run.terraform, run.catalog, run.emulator, in_cluster=False, workdir=run.workdir)
    assert cap == 10
    up(small, request(20, bucket=False), NOW)
    with pytest.raises(PreviewError, match=r"acme/storefront-web already has 1 previews, the cap is 1"):
        up(small, request(21, bucket=False), NOW)
    down(small, "acme/storefront-web", 20)
    assert keys(run) == set()


def test_a_preview_above_the_cost_cap_is_refused_before_anything_is_created(run):
    previews = run.environment.previews.model_copy(update={"max_monthly_usd": Decimal("10")})
    capped = PreviewRun(run.environment.model_copy(update={"previews": previews}), run.registry, run.terraform,
                        run.catalog, run.emulator, in_cluster=False, workdir=run.workdir)
    before = (keys(run), buckets(run))
    with pytest.raises(PreviewError, match=r"the preview is estimated at \$37.45/month, above the cap of \$10.00 "
                                           r"\(previews.max_monthly_usd in .*dev.yaml\): kubernetes_resource_quota_v1\."):
        up(capped, request(30), NOW)
    assert (keys(run), buckets(run)) == before
