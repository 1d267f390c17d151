"""Preview environments: guardrails on the request, names for any branch, and the synthesized stacks.

Regenerate the preview snapshot after an intended change with UPDATE_SNAPSHOTS=1.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenpath.config.loader import parse_environment
from goldenpath.errors import ConfigError
from goldenpath.modules.preview_request import PreviewError, PreviewRequest, label_value, preview_name
from tests.conftest import ENVIRONMENTS

SNAPSHOT = Path(__file__).parent / "snapshots" / "preview.tf.json"
NOW = datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc)
LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def environment(name: str = "dev"):
    return parse_environment((ENVIRONMENTS / f"{name}.yaml").read_text(), f"environments/{name}.yaml")


def catalog():
    from goldenpath.config.loader import load_environments
    from goldenpath.tenancy.catalog import catalog_for

    return catalog_for(ENVIRONMENTS.parent, load_environments(ENVIRONMENTS))


def previewable(env):
    return catalog().previewable(env)


def request(**overrides) -> PreviewRequest:
    fields = dict(repository="acme/shop", pr=12, branch="feature/checkout", service="web", image_tag="sha-1234", owner="alice")
    return PreviewRequest(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pr": 0}, "--pr: got 0, expected a pull-request number of 1 or more"),
        ({"pr": -3}, "--pr: got -3, expected a pull-request number of 1 or more"),
        ({"branch": "  "}, "--branch: got an empty branch name"),
        ({"service": "db"}, "--service: got 'db', expected one of web"),
        ({"image_tag": "v1 beta"}, "--image: got 'v1 beta', expected an image tag"),
        ({"ttl_hours": 500}, r"--ttl-hours: got 500, expected 1 to 168 \(previews.max_ttl_hours\)"),
        ({"repository": "shop"}, "--repository: got 'shop', expected owner/name"),
    ],
)
def test_bad_requests_get_a_clear_error(overrides, message):
    with pytest.raises(PreviewError, match=message):
        request(**overrides).check(environment(), previewable(environment()))


def test_previews_never_target_production():
    with pytest.raises(PreviewError, match="'prod' is a production environment; previews never run there"):
        request().check(environment("prod"), previewable(environment("prod")))
    with pytest.raises(PreviewError, match="environment 'staging' hosts no previews"):
        request().check(environment("staging"), previewable(environment("staging")))
    previews = "previews:" + (ENVIRONMENTS / "dev.yaml").read_text().split("previews:", 1)[1].split("\nci:", 1)[0] + "\n"
    text = (ENVIRONMENTS / "prod.yaml").read_text() + previews
    with pytest.raises(ConfigError, match="previews: got '\\(set\\)', expected no previews section"):
        parse_environment(text, "environments/prod.yaml")


def test_expiry_follows_ttl_from_each_push():
    assert request().expires_at(environment(), NOW) == datetime(2026, 11, 26, 20, 0, tzinfo=timezone.utc)
    assert request(ttl_hours=1).expires_at(environment(), NOW) == datetime(2026, 11, 23, 21, 0, tzinfo=timezone.utc)


@settings(max_examples=300, deadline=None)
@given(branch=st.text(min_size=1, max_size=220))
def test_any_branch_name_becomes_a_valid_label(branch):
    value = label_value(branch)
    assert len(value) <= 63 and LABEL.match(value)


identities = st.tuples(
    st.from_regex(r"[A-Za-z0-9_.-]{1,40}/[A-Za-z0-9_.-]{1,60}", fullmatch=True),
    st.integers(min_value=1, max_value=10**7),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(first=identities, second=identities)
def test_preview_names_are_length_safe_and_never_collide(first, second):
    name = preview_name(*first)
    assert len(name) <= 48 and LABEL.match(name)
    if first != second:
        assert name != preview_name(*second)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    from goldenpath.stacks.app import new_app
    from goldenpath.previews.stacks import PreviewAwsStack, PreviewStack

    dev = environment()
    wanted = request(branch="Feature/ÜBER-" + "x" * 200, bucket=True)
    outdir = tmp_path_factory.mktemp("preview")
    app = new_app(outdir)
    PreviewStack(app, dev, wanted, wanted.expires_at(dev, NOW), catalog())
    PreviewAwsStack(app, dev, wanted, wanted.expires_at(dev, NOW), catalog())
    app.synth()
    stacks = outdir / "stacks"
    return wanted, {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in stacks.iterdir()}, stacks


def only(document, rtype, contains=""):
    (match,) = [r for r in document["resource"][rtype].values() if contains in json.dumps(r)]
    return match


def test_each_preview_has_its_own_stacks_and_state(synthesized):
    wanted, documents, _ = synthesized
    cluster, aws = documents[f"previews-{wanted.name}"], documents[f"previews-{wanted.name}-aws"]
    assert cluster["terraform"]["backend"]["s3"]["key"] == f"previews/{wanted.name}.tfstate"
    assert aws["terraform"]["backend"]["s3"]["key"] == f"previews/{wanted.name}-aws.tfstate"
    assert cluster["data"]["aws_eks_cluster"]["cluster"]["name"] == "dev-cluster"
    assert "terraform_remote_state" not in cluster.get("data", {})


def test_namespace_is_labelled_and_restricted(synthesized):
    wanted, documents, _ = synthesized
    labels = only(documents[f"previews-{wanted.name}"], "kubernetes_namespace_v1")["metadata"][0]["labels"]
    assert labels["goldenpath.dev/pr"] == "12" and labels["goldenpath.dev/owner"] == "alice"
    assert labels["goldenpath.dev/expires-at"] == "2026-11-26T20-00-00Z"
    assert labels["goldenpath.dev/branch"].startswith("feature-uber-xxx") and len(labels["goldenpath.dev/branch"]) <= 63
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_quota_limits_and_network_isolation(synthesized):
    wanted, documents, _ = synthesized
    document = documents[f"previews-{wanted.name}"]
    hard = only(document, "kubernetes_resource_quota_v1")["spec"]["hard"]
    assert hard["requests.cpu"] == "2" and hard["pods"] == "20" and hard["services.loadbalancers"] == "0"
    limit = only(document, "kubernetes_limit_range_v1")["spec"]["limit"][0]
    assert limit["default"] == {"cpu": "500m", "memory": "512Mi", "ephemeral-storage": "1Gi"}
    assert hard["requests.storage"] == "50Gi" and hard["count/secrets"] == "200"
    (policy,) = document["resource"]["kubernetes_network_policy_v1"].values()
    spec = policy["spec"]
    assert spec["policy_types"] == ["Ingress", "Egress"] and spec["pod_selector"] == {}  # everything else is denied
    assert {"from": [{"namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]} in spec["ingress"]
    dns = spec["egress"][0]
    assert dns["ports"] == [{"port": "53", "protocol": "UDP"}, {"port": "53", "protocol": "TCP"}]
    assert not any("ip_block" in json.dumps(rule) for rule in spec["egress"])  # no cloud access, no way out
    # The preview namespace is a tenant: its owner group (from the catalog) may edit it, NetworkPolicies aside.
    # The preview's own session reaches the namespace through one more binding, of its user alone.
    bindings = document["resource"]["kubernetes_role_binding_v1"].values()
    assert {(b["subject"][0]["kind"], b["subject"][0]["name"], b["role_ref"]["name"]) for b in bindings} == {
        ("Group", "storefront-engineers", "goldenpath-tenant-edit"), ("Group", "storefront-engineers", "view"),
        ("User", f"goldenpath-preview:{wanted.name}", "goldenpath-preview-session")}
    assert only(document, "kubernetes_service_account_v1")["automount_service_account_token"] is False


def test_service_is_deployed_with_its_chart_image_and_host(synthesized):
    wanted, documents, _ = synthesized
    document = documents[f"previews-{wanted.name}"]
    release = only(document, "helm_release")
    assert (release["chart"], release["version"], release["namespace"]) == ("web-service", "1.4.2", wanted.name)
    assert "tag: sha-1234" in release["values"][0]
    assert document["output"]["url"]["value"] == f"https://{wanted.name}.preview.dev.example.com"
    # exactly the host the preview roles' admission policy admits: <namespace>.<previews.domain>, no TLS entry of its own
    ingress = yaml.safe_load(release["values"][0])["ingress"]
    assert [h["host"] for h in ingress["hosts"]] == [f"{release['namespace']}.preview.dev.example.com"] and "tls" not in ingress


def test_aws_resources_carry_expiry_tags(synthesized):
    wanted, documents, _ = synthesized
    bucket = only(documents[f"previews-{wanted.name}-aws"], "aws_s3_bucket")
    assert bucket["tags"]["expires-at"] == "2026-11-26T20-00-00Z" and bucket["tags"]["goldenpath:pr"] == "12"
    assert bucket["force_destroy"] is True  # previews are ephemeral by design


def test_preview_snapshot(synthesized):
    wanted, _, stacks = synthesized
    produced = (stacks / f"previews-{wanted.name}" / "cdk.tf.json").read_text()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(produced)
    assert produced == SNAPSHOT.read_text(), "preview stack changed; review, then UPDATE_SNAPSHOTS=1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pr", "0", "--branch", "b", "--service", "web", "--image", "t"], "--pr: got 0"),
        (["--pr", "-1", "--branch", "b", "--service", "web", "--image", "t"], "--pr: got -1"),
        (["--pr", "3", "--branch", "", "--service", "web", "--image", "t"], "--branch: got an empty branch name"),
        (["--pr", "3", "--branch", "b", "--service", "db", "--image", "t"], "--service: got 'db'"),
        (["--pr", "3", "--branch", "b", "--service", "web", "--image", "v 1"], "--image: got 'v 1'"),
        (["--pr", "3", "--branch", "b", "--service", "web", "--image", "t", "--ttl-hours", "999"], "--ttl-hours: got 999"),
    ],
)
def test_preview_up_refuses_bad_input_before_any_cloud_call(argv, message, capsys, monkeypatch):
    from goldenpath.cli.main import main

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # any AWS call would fail loudly, not hang
    code = main(["--environments", str(ENVIRONMENTS), "preview", "up", "--repository", "acme/shop", *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_a_pull_request_previews_only_the_service_whose_repository_it_is():
    """The preview role trusts every previewing repository's pull requests: the repository is what tells one
    team's service from another's, so `preview up` checks it against the catalog before anything else."""
    from goldenpath.previews.lifecycle import check_repository

    env = environment()
    check_repository(catalog(), env, request(repository="acme/storefront-web"))
    check_repository(catalog(), env, request(repository="ACME/Storefront-Web"))  # GitHub names ignore case
    with pytest.raises(PreviewError, match="service 'web' previews from 'acme/storefront-web', but this pull request "
                                           "is in 'acme/checkout'"):
        check_repository(catalog(), env, request(repository="acme/checkout"))


def test_a_preview_with_lines_not_priced_cannot_pass_its_cap():
    """A lower bound cannot hold a pull request to a cap: `preview up` refuses it before anything is created."""
    from types import SimpleNamespace

    from goldenpath.cost.estimate import StackEstimate
    from goldenpath.previews.lifecycle import check_preview_cap

    dev = environment("dev")
    assert dev.previews is not None and dev.previews.max_monthly_usd is not None
    estimate = StackEstimate("previews-x, previews-x-aws")
    estimate.not_priced = ["previews-x-aws: aws_s3_bucket.scratch: no price for s3:standard-gb-month in the eu-west-1 snapshot of 2026-12-04"]
    with pytest.raises(PreviewError, match=r"at least \$0.00/month, and 1 line\(s\) are not priced \(no price for "
                                           r"s3:standard-gb-month .*\(1\): previews-x-aws aws_s3_bucket.scratch\), so the cap of "
                                           r"\$60.00 .* cannot be checked"):
        check_preview_cap(SimpleNamespace(environment=dev), request(service="web"), estimate)
    priced = StackEstimate("previews-x")
    check_preview_cap(SimpleNamespace(environment=dev), request(service="web"), priced)  # $0 and complete: within the cap


def test_the_session_binding_is_applied_first_and_everything_waits_for_it(synthesized):
    """A preview session reaches its namespace only through its RoleBinding: `up` and `down` apply the namespace and
    that binding on their own first (the authorizer's cache may lag within one apply), and every other object of the
    namespace depends on the binding. The AWS-only stack has nothing to grant."""
    from goldenpath.previews.lifecycle import session_grant

    wanted, documents, stacks = synthesized
    document = documents[f"previews-{wanted.name}"]
    grant = session_grant(stacks / f"previews-{wanted.name}")
    (namespace,) = document["resource"]["kubernetes_namespace_v1"]
    (binding,) = [key for key, b in document["resource"]["kubernetes_role_binding_v1"].items()
                  if b["role_ref"]["name"] == "goldenpath-preview-session"]
    assert grant == (f"kubernetes_namespace_v1.{namespace}", f"kubernetes_role_binding_v1.{binding}")
    assert session_grant(stacks / f"previews-{wanted.name}-aws") == ()
    for rtype, resources in document["resource"].items():
        for key, body in resources.items():
            if f"{rtype}.{key}" not in grant:
                assert f"kubernetes_role_binding_v1.{binding}" in body.get("depends_on", []), (rtype, key)


def test_a_preview_session_works_only_on_the_preview_it_is_named_after():
    """The cluster lets a preview-role session into the namespace named after it only; `preview up` and `down` refuse a
    session named otherwise before touching anything (after the AWS side, the cluster's refusal would come late)."""
    from types import SimpleNamespace

    from goldenpath.previews.lifecycle import check_caller

    dev, name = environment("dev"), request().name
    session = f"arn:aws:sts::{dev.account_id}:assumed-role/goldenpath-dev-ci-preview/"
    check_caller(SimpleNamespace(environment=dev, caller=session + name), name)
    with pytest.raises(PreviewError, match=f"the preview role's session 'GitHubActions', expected a session named "
                                           f"after the preview, '{name}'"):
        check_caller(SimpleNamespace(environment=dev, caller=session + "GitHubActions"), name)
    with pytest.raises(PreviewError, match="session 'pr-13-web"):
        check_caller(SimpleNamespace(environment=dev, caller=session + request(pr=13).name), name)
    # not the preview role (a platform engineer, the reap role): the cluster's own rules apply, nothing to check here
    check_caller(SimpleNamespace(environment=dev, caller=f"arn:aws:sts::{dev.account_id}:assumed-role/admin/alice"), name)
    check_caller(SimpleNamespace(environment=dev, caller=None), name)


def test_preview_name_prints_the_session_name(capsys):
    from goldenpath.cli.main import main

    assert main(["preview", "name", "--repository", "acme/shop", "--pr", "12", "--service", "web"]) == 0
    assert capsys.readouterr().out.strip() == request().name
    assert main(["preview", "name", "--repository", "acme/shop", "--pr", "0", "--service", "web"]) == 2
    err = capsys.readouterr().err
    assert "--pr: got 0, expected a pull-request number of 1 or more" in err and "Traceback" not in err
    # a repository that is not owner/name gets no name (up refused it already; name and down now agree)
    for action in ("name", "down"):
        assert main(["preview", action, "--repository", "shop", "--pr", "12", "--service", "web"]) == 2
        err = capsys.readouterr().err
        assert "--repository: got 'shop', expected owner/name" in err and "Traceback" not in err
