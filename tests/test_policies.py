"""Policies: goldenpath's checkov checks (a failing and a passing case each), suppressions,
reports, and the bundled environments validating with zero unsuppressed failures."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, time, timezone
from pathlib import Path

import pytest

from goldenpath.errors import GoldenpathError
from goldenpath.policies.checkov_runner import apply_suppressions, run_checkov
from goldenpath.policies.reports import junit, sarif, text_summary
from goldenpath.policies.suppressions import Suppression, environment_suppressions
from goldenpath.config.loader import load_environments
from goldenpath.previews.samples import sample_request
from goldenpath.sandboxes.samples import sample_record
from tests.conftest import REPO

TAGS = {"environment": "t", "owner": "o", "cost-center": "c", "managed-by": "goldenpath"}


def resource(path: str, **body) -> dict:
    return {"//": {"metadata": {"path": path, "uniqueId": path.rsplit("/", 1)[-1]}}, **body}


def eks(path: str, mode: str, creator_admin: bool) -> dict:
    return resource(
        path, name="c", role_arn="arn:aws:iam::111111111111:role/r", tags=TAGS,
        vpc_config={"subnet_ids": ["s-1"], "endpoint_private_access": True, "endpoint_public_access": True,
                    "public_access_cidrs": ["203.0.113.0/24"]},
        access_config={"authentication_mode": mode, "bootstrap_cluster_creator_admin_permissions": creator_admin},
    )


def template(path: str, hop_limit: int, encrypted: str) -> dict:
    return resource(
        path, name="lt", tags=TAGS,
        metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": hop_limit},
        block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": encrypted, "volume_size": 20}}],
    )


def pod_role(path: str, conditions: dict | None) -> dict:
    statement = {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                 "Principal": {"Service": ["pods.eks.amazonaws.com"]}}
    if conditions:
        statement["Condition"] = {"StringEquals": conditions}
    return resource(path, name=path.rsplit("/", 1)[-1], tags=TAGS,
                    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def flow_log_role(path: str, conditions: dict | None) -> dict:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}
    if conditions:
        statement["Condition"] = conditions
    return resource(path, name=path.rsplit("/", 1)[-1], tags=TAGS,
                    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


GITHUB = "token.actions.githubusercontent.com"


def github_role(path: str, conditions: dict, kind: str = "plan") -> dict:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Condition": conditions,
                 "Principal": {"Federated": f"arn:aws:iam::111111111111:oidc-provider/{GITHUB}"}}
    return resource(path, name=path.rsplit("/", 1)[-1], tags={**TAGS, "goldenpath:ci-role": kind},
                    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def github_subjects(*subjects: str) -> dict:
    return {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": list(subjects)}}


def kms_key(path: str, *statements: dict) -> dict:
    return resource(path, description="k", enable_key_rotation=True, tags=TAGS,
                    policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


ROOT = {"AWS": "arn:aws:iam::111111111111:root"}
NAMED_ADMIN = {"Sid": "KeyAdministration", "Effect": "Allow", "Action": ["kms:Create*", "kms:Put*", "kms:ScheduleKeyDeletion"],
               "Resource": "*", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/platform-admin"]}}
ROOT_USE = {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*", "Principal": ROOT}
ROOT_GRANTS = {"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
               "Principal": ROOT, "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}


def network_policy(path: str, types: list[str]) -> dict:
    return resource(path, metadata={"name": "p", "namespace": "n"},
                    spec={"pod_selector": {}, "policy_types": types})


FIXTURE = {
    "terraform": {"required_version": ">= 1.10", "required_providers": {"aws": {"source": "hashicorp/aws"}}},
    "resource": {
        "aws_vpc": {
            "tagged": resource("fixture/tagged", cidr_block="10.0.0.0/16", tags=TAGS),
            "untagged": resource("fixture/untagged", cidr_block="10.1.0.0/16", tags={"owner": "o"}),
        },
        "aws_eks_cluster": {
            "good_cluster": eks("fixture/good-cluster", "API", False),
            "bad_cluster": eks("fixture/bad-cluster", "API_AND_CONFIG_MAP", True),
        },
        "aws_launch_template": {
            "good_template": template("fixture/good-template", 1, "true"),
            "bad_template": template("fixture/bad-template", 2, "false"),
        },
        "aws_eks_node_group": {
            "released_nodes": resource("fixture/released-nodes", cluster_name="c", node_role_arn="r", subnet_ids=["s"], tags=TAGS,
                                       ami_type="AL2023_x86_64_STANDARD", release_version="1.33.5-20251023",
                                       scaling_config={"min_size": 1, "desired_size": 1, "max_size": 1}),
            "floating_nodes": resource("fixture/floating-nodes", cluster_name="c", node_role_arn="r", subnet_ids=["s"], tags=TAGS,
                                       scaling_config={"min_size": 1, "desired_size": 1, "max_size": 1}),
        },
        "aws_eks_addon": {
            "pinned_proxy": resource("fixture/pinned-proxy", cluster_name="c", addon_name="kube-proxy", addon_version="v1.33.3-eksbuild.4"),
            "floating_proxy": resource("fixture/floating-proxy", cluster_name="c", addon_name="kube-proxy"),
            "good_cni": resource("fixture/good-cni", cluster_name="c", addon_name="vpc-cni", configuration_values=json.dumps(
                {"enableNetworkPolicy": "true", "env": {"NETWORK_POLICY_ENFORCING_MODE": "strict"}})),
            "standard_cni": resource("fixture/standard-cni", cluster_name="c", addon_name="vpc-cni",
                                     configuration_values=json.dumps({"enableNetworkPolicy": "true"})),
            "bad_cni": resource("fixture/bad-cni", cluster_name="c", addon_name="vpc-cni"),
            "boolean_cni": resource("fixture/boolean-cni", cluster_name="c", addon_name="vpc-cni",
                                    configuration_values=json.dumps({"enableNetworkPolicy": True})),
        },
        "aws_kms_key": {
            "named_key": kms_key("fixture/named-key", NAMED_ADMIN, ROOT_USE, ROOT_GRANTS),
            "root_key": kms_key("fixture/root-key", {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Principal": ROOT}),
            "root_put_key": kms_key("fixture/root-put-key", NAMED_ADMIN, ROOT_USE,
                                    {"Effect": "Allow", "Action": "kms:PutKeyPolicy", "Resource": "*", "Principal": {"AWS": "111111111111"}}),
            "unadministered_key": kms_key("fixture/unadministered-key", ROOT_USE),
            "default_policy_key": resource("fixture/default-policy-key", description="k", enable_key_rotation=True, tags=TAGS),
        },
        "aws_vpc_endpoint": {
            "narrow_endpoint": resource("fixture/narrow-endpoint", vpc_id="v", service_name="com.amazonaws.eu-west-1.s3",
                                        vpc_endpoint_type="Gateway", tags=TAGS, policy=json.dumps({"Statement": [
                                            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*",
                                             "Condition": {"StringEquals": {"s3:ResourceAccount": "111111111111"}}},
                                            {"Effect": "Allow", "Action": "s3:GetObject", "Principal": "*",
                                             "Resource": "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"}]})),
            "open_endpoint": resource("fixture/open-endpoint", vpc_id="v", service_name="com.amazonaws.eu-west-1.s3",
                                      vpc_endpoint_type="Gateway", tags=TAGS, policy=json.dumps({"Statement": [
                                          {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]})),
            "unpolicied_endpoint": resource("fixture/unpolicied-endpoint", vpc_id="v", service_name="com.amazonaws.eu-west-1.s3",
                                            tags=TAGS),
        },
        "kubernetes_network_policy_v1": {
            "both_ways": network_policy("fixture/both-ways", ["Ingress", "Egress"]),
            "ingress_only": network_policy("fixture/ingress-only", ["Ingress"]),
            "otlp_only": resource("fixture/otlp-only", metadata={"name": "a", "namespace": "observability"}, spec={
                "pod_selector": {"match_labels": {"app.kubernetes.io/name": "opentelemetry-collector",
                                                  "app.kubernetes.io/instance": "otel-collector"}},
                "policy_types": ["Ingress", "Egress"], "egress": [{}],
                "ingress": [{"from": [{"namespace_selector": {}}], "ports": [{"port": "4317", "protocol": "TCP"}]}]}),
            "loki_open": resource("fixture/loki-open", metadata={"name": "b", "namespace": "observability"}, spec={
                "pod_selector": {"match_labels": {"app.kubernetes.io/name": "loki"}},
                "policy_types": ["Ingress", "Egress"], "egress": [{}],
                "ingress": [{"from": [{"namespace_selector": {}}], "ports": [{"port": "3100", "protocol": "TCP"}]}]}),
            "namespace_open": resource("fixture/namespace-open", metadata={"name": "c", "namespace": "observability"}, spec={
                "pod_selector": {}, "policy_types": ["Ingress", "Egress"], "egress": [{}], "ingress": [{}]}),
        },
        "kubernetes_role_binding_v1": {
            "tenant_binding": resource("fixture/tenant-binding", metadata={"name": "owners-edit", "namespace": "a"},
                                       role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                 "name": "goldenpath-tenant-edit"},
                                       subject=[{"api_group": "rbac.authorization.k8s.io", "kind": "Group", "name": "g"}]),
            "edit_binding": resource("fixture/edit-binding", metadata={"name": "owners-edit", "namespace": "a"},
                                     role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                                     subject=[{"api_group": "rbac.authorization.k8s.io", "kind": "Group", "name": "g"}]),
        },
        "kubernetes_cluster_role_v1": {
            "tenant_role": resource("fixture/tenant-role", metadata={"name": "goldenpath-tenant-edit"}, rule=[
                {"api_groups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ["create", "update"]},
                {"api_groups": [""], "resources": ["pods"], "verbs": ["create"]}]),
            "loosened_role": resource("fixture/loosened-role", metadata={"name": "goldenpath-tenant-edit"}, rule=[
                {"api_groups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": ["create", "update"]}]),
            "wildcard_tenant_role": resource("fixture/wildcard-tenant-role", metadata={"name": "goldenpath-tenant-edit"}, rule=[
                {"api_groups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
        },
        "kubernetes_storage_class_v1": {
            "encrypted_class": resource("fixture/encrypted-class", metadata={"name": "a"}, storage_provisioner="ebs.csi.aws.com",
                                        parameters={"type": "gp3", "encrypted": "true"}),
            "plain_class": resource("fixture/plain-class", metadata={"name": "b"}, storage_provisioner="ebs.csi.aws.com",
                                    parameters={"type": "gp3"}),
        },
        "aws_iam_role": {
            "good_pod_role": pod_role("fixture/good-pod-role", {
                "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:111111111111:cluster/c",
                "aws:RequestTag/kubernetes-namespace": "apps",
                "aws:RequestTag/kubernetes-service-account": "app"}),
            "namespace_only_role": pod_role("fixture/namespace-only-role", {"aws:RequestTag/kubernetes-namespace": "apps"}),
            "cluster_name_role": pod_role("fixture/cluster-name-role", {
                "aws:RequestTag/eks-cluster-name": "c", "aws:RequestTag/kubernetes-namespace": "apps",
                "aws:RequestTag/kubernetes-service-account": "app"}),
            "bad_pod_role": pod_role("fixture/bad-pod-role", None),
            "good_flow_role": flow_log_role("fixture/good-flow-role", {
                "StringEquals": {"aws:SourceAccount": "111111111111"},
                "ArnLike": {"aws:SourceArn": "arn:aws:ec2:eu-west-1:111111111111:vpc-flow-log/*"}}),
            "account_only_flow_role": flow_log_role("fixture/account-only-flow-role", {
                "StringEquals": {"aws:SourceAccount": "111111111111"}}),
            "bad_flow_role": flow_log_role("fixture/bad-flow-role", None),
            "pinned_plan_role": github_role("fixture/pinned-plan-role", github_subjects("repo:acme/platform:pull_request")),
            "wildcard_role": github_role("fixture/wildcard-role", github_subjects("repo:acme/*:pull_request")),
            "like_role": github_role("fixture/like-role", {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                                                           "StringLike": {f"{GITHUB}:sub": "repo:acme/platform:*"}}),
            "unpinned_audience_role": github_role("fixture/unpinned-audience-role",
                                                  {"StringEquals": {f"{GITHUB}:sub": "repo:acme/platform:pull_request"}}),
            "mixed_role": github_role("fixture/mixed-role", github_subjects("repo:acme/platform:pull_request",
                                                                            "repo:acme/platform:environment:prod")),
            "apply_role": github_role("fixture/apply-role", github_subjects("repo:acme/platform:environment:prod"), "apply"),
            "branch_apply_role": github_role("fixture/branch-apply-role", github_subjects("repo:acme/platform:ref:refs/heads/main"),
                                             "apply"),
        },
    },
}


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    stack = tmp_path_factory.mktemp("policies") / "fixture"
    stack.mkdir()
    (stack / "cdk.tf.json").write_text(json.dumps(FIXTURE))
    return run_checkov({"fixture": stack})


def status(findings, check_id: str, path: str) -> bool:
    (match,) = [f for f in findings if f.check_id == check_id and f.construct_path == path]
    return match.passed


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        ("GP_AWS_001", "fixture/tagged", "fixture/untagged"),
        ("GP_AWS_002", "fixture/good-cluster", "fixture/bad-cluster"),
        ("GP_AWS_003", "fixture/good-template", "fixture/bad-template"),
        ("GP_AWS_004", "fixture/good-pod-role", "fixture/bad-pod-role"),
        ("GP_AWS_004", "fixture/good-pod-role", "fixture/namespace-only-role"),
        ("GP_AWS_004", "fixture/good-pod-role", "fixture/cluster-name-role"),  # a name repeats across regions
        ("GP_AWS_005", "fixture/good-cni", "fixture/bad-cni"),
        ("GP_AWS_005", "fixture/good-cni", "fixture/boolean-cni"),  # the add-on's schema wants the string "true"
        ("GP_AWS_005", "fixture/good-cni", "fixture/standard-cni"),  # a new pod would start allowed
        ("GP_AWS_006", "fixture/good-flow-role", "fixture/bad-flow-role"),
        ("GP_AWS_006", "fixture/good-flow-role", "fixture/account-only-flow-role"),
        ("GP_AWS_008", "fixture/narrow-endpoint", "fixture/open-endpoint"),
        ("GP_AWS_009", "fixture/pinned-proxy", "fixture/floating-proxy"),
        ("GP_K8S_003", "fixture/otlp-only", "fixture/loki-open"),
        ("GP_K8S_003", "fixture/otlp-only", "fixture/namespace-open"),
        ("GP_AWS_009", "fixture/released-nodes", "fixture/floating-nodes"),
        ("GP_AWS_008", "fixture/narrow-endpoint", "fixture/unpolicied-endpoint"),
        ("GP_AWS_007", "fixture/named-key", "fixture/root-key"),
        ("GP_AWS_007", "fixture/named-key", "fixture/root-put-key"),
        ("GP_AWS_007", "fixture/named-key", "fixture/unadministered-key"),
        ("GP_AWS_007", "fixture/named-key", "fixture/default-policy-key"),
        ("GP_K8S_001", "fixture/both-ways", "fixture/ingress-only"),
        ("GP_K8S_002", "fixture/encrypted-class", "fixture/plain-class"),
        ("GP_K8S_004", "fixture/tenant-binding", "fixture/edit-binding"),
        ("GP_K8S_004", "fixture/tenant-role", "fixture/loosened-role"),
        ("GP_K8S_004", "fixture/tenant-role", "fixture/wildcard-tenant-role"),
        ("GP_AWS_010", "fixture/pinned-plan-role", "fixture/wildcard-role"),
        ("GP_AWS_010", "fixture/pinned-plan-role", "fixture/like-role"),
        ("GP_AWS_010", "fixture/pinned-plan-role", "fixture/unpinned-audience-role"),
        ("GP_AWS_011", "fixture/pinned-plan-role", "fixture/mixed-role"),
        ("GP_AWS_012", "fixture/apply-role", "fixture/branch-apply-role"),
    ],
)
def test_goldenpath_checks_pass_and_fail(findings, check_id, passing, failing):
    assert status(findings, check_id, passing) is True
    assert status(findings, check_id, failing) is False


def test_checkov_builtin_checks_run_too(findings):
    # CKV_AWS_39: the fixture clusters expose a public endpoint.
    assert status(findings, "CKV_AWS_39", "fixture/good-cluster") is False
    assert status(findings, "CKV_AWS_38", "fixture/good-cluster") is True  # allow-list, not 0.0.0.0/0


def test_suppressions_apply_by_check_stack_and_path(findings):
    accepted = Suppression("CKV_AWS_39", "public endpoint for the VPN range", "team-a", stack="fixture", construct_path="*/good-cluster")
    unused = Suppression("CKV_AWS_18", "no buckets here, so this is stale", "team-a")
    report = apply_suppressions(findings, [accepted, unused])
    suppressed = [(f.check_id, f.construct_path) for f, _ in report.suppressed]
    assert suppressed == [("CKV_AWS_39", "fixture/good-cluster")]
    assert ("CKV_AWS_39", "fixture/bad-cluster") in [(f.check_id, f.construct_path) for f in report.failures]
    assert report.unused_suppressions == [unused]
    summary = text_summary(report)
    assert "FAILED checks:" in summary and "Suppressed (accepted, with owner and reason):" in summary
    assert "public endpoint for the VPN range" in summary and "Unused suppressions" in summary


def test_sarif_and_junit_carry_failures_and_suppressions(findings):
    accepted = Suppression("CKV_AWS_39", "public endpoint for the VPN range", "team-a", construct_path="*/good-cluster")
    report = apply_suppressions(findings, [accepted])
    document = sarif(report, Path("cdktf.out"))
    results = document["runs"][0]["results"]
    assert document["version"] == "2.1.0" and len(results) == len([f for f in findings if not f.passed])
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == 1 and "team-a" in suppressed[0]["suppressions"][0]["justification"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cdktf.out/stacks/fixture/cdk.tf.json"
    suite = junit(report).getroot().find("testsuite")
    assert int(suite.get("failures")) == len(report.failures) and suite.get("skipped") == "1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(check_id="CKV_AWS_39", reason="because", owner="team"), "too short, expected at least 10 characters"),
        (dict(check_id="CKV_AWS_39", reason="a long enough reason", owner=" "), "owner is empty"),
        (dict(check_id="not-a-check", reason="a long enough reason", owner="team"), "expected a check id like CKV_AWS_39"),
    ],
)
def test_suppressions_need_an_id_a_reason_and_an_owner(kwargs, message):
    with pytest.raises(GoldenpathError, match=message):
        Suppression(**kwargs)


def test_environment_opt_outs_become_named_suppressions(bundled_environments):
    by_env = {e.name: environment_suppressions(e) for e in bundled_environments}
    assert [s.check_id for s in by_env["dev"]] == ["CKV_AWS_39", "CKV_AWS_338"]
    # The reason names the file as it was loaded (--environments is honoured).
    assert by_env["dev"][0].reason.endswith("environments/dev.yaml sets cluster.endpoint.public: true, restricted to 203.0.113.0/24")
    assert by_env["prod"] == []  # production opts out of nothing


def test_a_version_checkov_predates_is_checked_by_gp_eks_001(bundled_environments):
    from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS
    from goldenpath.policies.suppressions import checkov_eks_versions, version_list_suppressions

    dev = next(e for e in bundled_environments if e.name == "dev")
    known = checkov_eks_versions()
    assert "1.35" in known and "1.36" not in known  # checkov 3.3.30: the day a newer checkov knows 1.36, this says so
    (suppression,) = version_list_suppressions(dev, known)
    assert (suppression.check_id, suppression.stack, suppression.construct_path) == (
        "CKV_AWS_339", "dev-cluster", "dev-cluster/cluster/cluster")
    assert "environments/dev.yaml sets cluster.kubernetes_version: 1.36" in suppression.reason and "GP_EKS_001" in suppression.reason
    # Failing side: a version checkov knows gets no suppression, so its CKV_AWS_339 result stands.
    older = dev.model_copy(update={"cluster": dev.cluster.model_copy(update={"kubernetes_version": "1.35"})})
    assert version_list_suppressions(older, known) == []
    assert version_list_suppressions(dev, (*known, "1.36")) == []  # a newer checkov: nothing left to suppress
    # Where it applies, the suppression matches the cluster checkov reports (an unmatched one would leave the finding
    # failed and the suppression unused: test_bundled_environments_validate_with_zero_unsuppressed_failures).
    assert [v for v in SUPPORTED_KUBERNETES_VERSIONS if v not in known] == ["1.36"]


def test_checkov_failure_to_parse_is_loud(tmp_path):
    stack = tmp_path / "broken"
    stack.mkdir()
    (stack / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_vpc": {"x": "not-a-mapping"}}}))
    with pytest.raises(GoldenpathError):
        run_checkov({"broken": stack})


def test_bundled_environments_validate_with_zero_unsuppressed_failures(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "goldenpath.cli.main", "--environments", str(REPO / "environments"), "validate",
         "--outdir", str(tmp_path / "cdktf.out"), "--reports", str(tmp_path / "reports")],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED" not in result.stdout
    assert result.stdout.splitlines()[-1] == \
        "PASSED: dev, prod, staging: checkov, in-cluster checks, cost, sandbox tiers and Kubernetes support"
    # 9 from the catalog (three bucket findings of payments-checkout per environment, owned by the team) and
    # 3 of the sample preview's bucket: the gate scans a preview of every previewable service (storefront's web
    # on dev) through the same checks.
    # Plus 20 of the two sample aws sandboxes (10 each: their boundary allows whole services and denies by guardrail,
    # their role is trusted from Identity Center sessions, their spend stop is a function reached by a topic; see
    # SANDBOX_FINDINGS): the gate scans a sandbox of every tier (dev has three).
    preview = f"previews-{sample_request('web').name}"
    dev = next(e for e in load_environments(REPO / "environments") if e.name == "dev")
    today = datetime.combine(datetime.now(timezone.utc).date(), time(), tzinfo=timezone.utc)
    sandbox = {tier: f"sandboxes-{sample_record(dev, tier, today).id}" for tier in dev.sandboxes.tiers}
    # Plus 3 of CKV_AWS_339, one per cluster: the bundled clusters run 1.36, newer than checkov 3.3.30's version list
    # (GP_EKS_001 checks it against EKS's calendar; test_a_version_checkov_predates_is_checked_by_gp_eks_001).
    assert ", 0 failed, 65 suppressed across 29 stacks" in result.stdout
    assert "ingress controller: prod (Kubernetes 1.36): goldenpath's Ingress policies are written for ingress-nginx, retired" in result.stdout
    assert "pod priority: prod tenants', previews' and sandboxes' pods run at priority 0 at most (tenancy.max_pod_priority)" in result.stdout
    assert "kubernetes calendar: EKS versions up to 1.36, read 2026-12-07 (" in result.stdout
    assert (f"in-cluster checks: 11 stack(s) (dev-platform, dev-tenants-payments, dev-tenants-storefront, {preview}, "
            f"{sandbox['scratch']}, prod-platform, prod-tenants-payments, prod-tenants-storefront, staging-platform, "
            "staging-tenants-payments, staging-tenants-storefront), 159 Kubernetes objects, 0 problems") in result.stdout
    assert "sandbox tier dev/load-test (aws): worst case 0.4089/h x 72 h = 29.44" in result.stdout
    assert ("ingress annotations: dev tenants and previews may set ingress-nginx's Low and Medium risk annotations "
            "(controller-v1.15.1) only") in result.stdout
    junit_root = ET.parse(tmp_path / "reports" / "checkov.junit.xml").getroot()
    components = ("ci", "network", "cluster", "observability", "platform", "tenants", "tenants-payments", "tenants-storefront")
    assert {s.get("name") for s in junit_root} == {f"{e}-{c}" for e in ("dev", "prod", "staging") for c in components} | {
        preview, f"{preview}-aws", sandbox["scratch"], f"{sandbox['experiments']}-aws", f"{sandbox['load-test']}-aws"}
    assert sum(int(s.get("failures")) for s in junit_root) == 0
    assert json.loads((tmp_path / "reports" / "checkov.sarif").read_text())["version"] == "2.1.0"


def test_the_gate_scans_sample_previews(tmp_path, bundled_environments):
    from goldenpath.policies.suppressions import PREVIEW_SUPPRESSIONS, all_suppressions
    from goldenpath.previews.samples import synthesize_sample_previews
    from goldenpath.tenancy.catalog import catalog_for

    samples = synthesize_sample_previews(bundled_environments, catalog_for(REPO, bundled_environments), tmp_path / "s")
    preview = f"previews-{sample_request('web').name}"
    assert set(samples.stacks) == {preview, f"{preview}-aws"}  # only dev hosts previews; only web opted in
    assert samples.hosted[preview].name == "dev"
    findings = run_checkov(samples.stacks)
    without = apply_suppressions(findings, [s for s in all_suppressions(bundled_environments) if s not in PREVIEW_SUPPRESSIONS])
    assert sorted(f.check_id for f in without.failures) == ["CKV2_AWS_62", "CKV_AWS_144", "CKV_AWS_18"]  # the gate sees them
    assert apply_suppressions(findings, all_suppressions(bundled_environments)).failures == []


def test_in_cluster_problems_fail_validate(tmp_path, bundled_synth, bundled_environments):
    from goldenpath.policies.in_cluster import check_in_cluster_stacks

    platform = tmp_path / "dev-platform"
    platform.mkdir()
    document = json.loads((bundled_synth.stacks["dev-platform"] / "cdk.tf.json").read_text())
    del document["resource"]["kubernetes_secret_v1"]  # Grafana's admin Secret no longer created
    (platform / "cdk.tf.json").write_text(json.dumps(document))
    dev = [e for e in bundled_environments if e.name == "dev"]
    passing = check_in_cluster_stacks({"dev-platform": bundled_synth.stacks["dev-platform"]}, dev)
    failing = check_in_cluster_stacks({"dev-platform": platform}, dev)
    # 2 Namespaces, 2 ConfigMaps, 3 Secrets (Grafana's admin, the Slack and heartbeat receivers'), StorageClass,
    # 3 ClusterRoles (Grafana, tenants, previews), 5 NetworkPolicies (4 in observability, kube-system's), the preview role's
    # ClusterRoleBinding, 7 ValidatingAdmissionPolicies and their 7 bindings
    assert passing.problems == [] and passing.objects == 38
    assert failing.problems[0] == ("dev-platform: release kube-prometheus-stack: grafana.admin.existingSecret names Secret "
                                   "observability/grafana-admin, which the stack does not create")
    assert [p.split(" names Secret ")[1].split(",")[0] for p in failing.problems[1:]] == [
        "observability/alertmanager-heartbeat", "observability/alertmanager-slack"]
    assert "FAILED dev-platform: release kube-prometheus-stack" in failing.summary()
    from goldenpath.policies.checkov_runner import CheckovReport
    from goldenpath.policies.reports import sarif

    runs = sarif(CheckovReport([]), tmp_path, failing)["runs"]
    result = runs[1]["results"][0]
    assert len(runs[1]["results"]) == len(failing.problems)
    assert result["ruleId"] == "GP_IN_CLUSTER" and "grafana.admin.existingSecret" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("stacks/dev-platform/cdk.tf.json")


def test_the_gate_scans_sample_sandboxes_and_accepts_only_the_reasoned_findings(tmp_path, bundled_environments):
    from goldenpath.policies.suppressions import SANDBOX_FINDINGS, SANDBOX_SUPPRESSIONS, all_suppressions
    from goldenpath.sandboxes.samples import synthesize_sample_sandboxes

    samples = synthesize_sample_sandboxes(bundled_environments, tmp_path / "samples")
    findings = run_checkov(samples.stacks)
    failed = sorted({(f.check_id, f.construct_path.split("/", 2)[2]) for f in findings if not f.passed})
    assert failed == sorted(SANDBOX_FINDINGS)  # each with its reason; the permissions policy itself passes
    report = apply_suppressions(findings, list(SANDBOX_SUPPRESSIONS))
    assert not report.failures and len(report.suppressed) == 2 * len(SANDBOX_FINDINGS)  # two aws tiers
    assert set(SANDBOX_SUPPRESSIONS) <= set(all_suppressions(bundled_environments))
    prod = [e for e in bundled_environments if e.name == "prod"]
    assert not set(SANDBOX_SUPPRESSIONS) & set(all_suppressions(prod))  # only where an aws tier exists


def test_a_secret_routed_into_the_state_fails_validate(tmp_path, bundled_synth, bundled_environments):
    from goldenpath.policies.in_cluster import check_in_cluster_stacks

    platform = tmp_path / "dev-platform"
    platform.mkdir()
    document = json.loads((bundled_synth.stacks["dev-platform"] / "cdk.tf.json").read_text())
    (secret,) = [s for s in document["resource"]["kubernetes_secret_v1"].values() if s["metadata"]["name"] == "grafana-admin"]
    secret["data"] = secret.pop("data_wo")  # the password would be stored in the state
    (platform / "cdk.tf.json").write_text(json.dumps(document))
    dev = [e for e in bundled_environments if e.name == "dev"]
    (problem,) = check_in_cluster_stacks({"dev-platform": platform}, dev).problems
    assert problem.startswith("dev-platform: GP_SECRETS_IN_STATE: kubernetes_secret_v1.observability_grafana-admin-secret_")
    assert problem.endswith(".data.password stores an ephemeral value in the state; expected it only in a "
                            "write-only argument (*_wo)")
