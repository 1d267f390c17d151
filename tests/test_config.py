"""The typed environment model and its errors: file, field, bad value, expectation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from goldenpath.config.loader import load_environment, load_environments, parse_environment
from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS
from goldenpath.config.schema import environment_schema
from goldenpath.errors import ConfigError
from tests.conftest import ENVIRONMENTS, REPO, copy_environments

DEV = (ENVIRONMENTS / "dev.yaml").read_text()
SOURCE = "environments/dev.yaml"


def error_for(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_environment(text, SOURCE)
    return str(caught.value)


def test_bundled_environments_load(bundled_environments):
    assert [e.name for e in bundled_environments] == ["dev", "prod", "staging"]
    prod = next(e for e in bundled_environments if e.name == "prod")
    assert prod.production and not prod.cluster.endpoint.public
    assert prod.mandatory_tags() == {
        "environment": "prod", "owner": "platform-team", "cost-center": "cc-1003", "managed-by": "goldenpath",
    }


def test_subnets_are_carved_from_the_vpc_in_order():
    env = parse_environment(DEV, SOURCE)
    public, private = env.network.subnet_cidrs()
    assert private == ["10.10.0.0/18", "10.10.64.0/18"]
    assert public == ["10.10.128.0/18", "10.10.192.0/18"]
    assert env.network.zone_letters == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("name: [dev\n", "environments/dev.yaml: line 2, column 1: malformed YAML", id="malformed-yaml"),
        pytest.param("", "the file is empty; expected a mapping", id="empty-file"),
        pytest.param("- a\n- b\n", "(top level): got [\"a\", \"b\"], expected a mapping", id="not-a-mapping"),
        pytest.param(DEV + "colour: blue\n", "colour: unknown key (value 'blue')", id="unknown-key"),
        pytest.param(DEV + "region: us-east-1\n", "duplicate key 'region'", id="duplicate-key"),
        pytest.param(DEV.replace('"111111111111"', "111111111111"), "account_id: got 111111111111, expected a valid string", id="wrong-type"),
        pytest.param(DEV.replace("10.10.0.0/16", "10.10.0.1/16"), "network.cidr: got '10.10.0.1/16', expected an IPv4 CIDR block with no host bits set", id="invalid-cidr"),
        pytest.param(DEV.replace("10.10.0.0/16", "8.8.0.0/16"), "network.cidr: got '8.8.0.0/16', expected a private (RFC 1918) range", id="public-cidr"),
        pytest.param(DEV.replace("  admin_role_arns", "  service_cidr: 10.10.16.0/20\n  admin_role_arns"), "cluster.service_cidr: got '10.10.16.0/20', expected a range that does not overlap network.cidr 10.10.0.0/16", id="overlapping-cidrs"),
        pytest.param(DEV.replace("nat: single", "nat: single\n  subnet_prefix_length: 17"), "network.subnet_prefix_length: got 17, expected /18 or longer: 4 subnets", id="subnets-do-not-fit"),
        pytest.param(DEV.replace("min_size: 1", "min_size: 9"), "cluster.node_groups[0].min_size: got 9, expected at most max_size (4)", id="min-above-max"),
        pytest.param(DEV.replace("desired_size: 2", "desired_size: 7"), "cluster.node_groups[0].desired_size: got 7, expected between min_size (1) and max_size (4)", id="desired-out-of-range"),
        pytest.param(DEV.replace('"1.36"', '"1.22"'), f"cluster.kubernetes_version: got '1.22', expected one of {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}", id="unsupported-kubernetes"),
        # Past the end of EKS extended support on 2026-11-26: EKS creates no such cluster.
        pytest.param(DEV.replace('"1.36"', '"1.31"'), "cluster.kubernetes_version: got '1.31', expected one of 1.32, 1.33, 1.34, 1.35, 1.36", id="kubernetes-out-of-extended-support"),
        pytest.param(DEV.replace("name: general", "name: " + "g" * 30), "cluster.node_groups[0].name: got '" + "g" * 30 + "', expected at most 24 characters", id="node-group-name-too-long"),
        pytest.param(DEV.replace("name: dev", "name: " + "d" * 21), "name: got '" + "d" * 21 + "', expected at most 20 characters", id="env-name-too-long"),
        pytest.param(DEV.replace("name: dev", "name: Dev_1"), "name: got 'Dev_1', expected string should match pattern", id="env-name-not-dns"),
        pytest.param(DEV.replace("public_access_cidrs: [203.0.113.0/24]", "public_access_cidrs: []"), "cluster.endpoint.public_access_cidrs: got [], expected at least one CIDR when public is true", id="public-without-allow-list"),
        pytest.param(DEV.replace("log_retention_days: 30", "log_retention_days: 31"), "log_retention_days: got 31, expected 1, 3, 5", id="retention-not-accepted"),
        pytest.param(DEV.replace("  cost-center: cc-1001\n", ""), "tags.cost-center: missing; this field is required", id="missing-tag"),
        pytest.param(DEV.replace("az_count: 2", "az_count: 2\n  zones: [a, a]"), "network.zones: got [\"a\", \"a\"], expected distinct zone letters", id="duplicate-zones"),
        pytest.param(DEV.replace('["arn:aws:iam::111111111111:role/platform-admin"]', "[]"), "cluster.admin_role_arns: got [], expected list should have at least 1 item", id="no-admins"),
        pytest.param(DEV.replace("kms_key: arn:aws:kms:eu-west-1:111111111111:alias/goldenpath-state", "kms_key: alias/state"), "state.kms_key: got 'alias/state', expected string should match pattern", id="state-key-not-an-arn"),
        pytest.param(DEV.replace("  kms_key: arn:aws:kms:eu-west-1:111111111111:alias/goldenpath-state\n", "  region: eu-west-1\n"), "state.kms_key: got null, expected a KMS key for the state bucket: previews and sandboxes keep their states in it", id="shared-state-without-key"),
        pytest.param(DEV + "kms:\n  administrators: [platform-admin]\n", "kms.administrators[0]: got 'platform-admin', expected string should match pattern", id="key-admin-not-an-arn"),
        pytest.param(DEV.replace("nat: single", "nat: single\n  s3_endpoint_read_buckets: [My_Bucket]"), "network.s3_endpoint_read_buckets[0]: got 'My_Bucket', expected string should match pattern", id="bad-endpoint-bucket"),
        pytest.param(DEV.replace("instance_types: [t3.large, t3a.large]", "instance_types: [t3.large, m7g.large]"), "cluster.node_groups[0].instance_types: got [\"t3.large\", \"m7g.large\"], expected types of one architecture", id="mixed-architectures"),
        # EKS refuses an access entry user name <prefix>{{SessionName}} without a colon, or starting with a reserved prefix.
        pytest.param(DEV.replace('  account_id: "444444444444"', '  kubernetes_user_prefix: sso-\n  account_id: "444444444444"'), "sandboxes.kubernetes_user_prefix: got 'sso-', expected a prefix holding a colon (EKS refuses", id="user-prefix-without-colon"),
        pytest.param(DEV.replace('  account_id: "444444444444"', '  kubernetes_user_prefix: "aws:"\n  account_id: "444444444444"'), "sandboxes.kubernetes_user_prefix: got 'aws:', expected a prefix not starting with aws: (EKS reserves", id="user-prefix-reserved"),
        pytest.param(DEV + "kms:\n  administrators: []\n", "kms.administrators: got [], expected list should have at least 1 item", id="no-key-admins"),
        pytest.param(DEV.replace("  admin_role_arns", "  node_updates_wait_for_disruption_budgets_reason: why\n  admin_role_arns"), "cluster.node_updates_wait_for_disruption_budgets_reason: got 'why', expected string should have at least 10 characters", id="node-update-opt-out-without-a-reason"),
        pytest.param(DEV.replace("observability:\n", "observability:\n  trace_metrics_series_limit: 10\n", 1), "observability.trace_metrics_series_limit: got 10, expected greater than or equal to 1000", id="trace-series-limit-too-low"),
        pytest.param(DEV.replace("observability:\n", "observability:\n  collector: {outage_tolerance_minutes: 120}\n", 1), "observability.collector.queue_volume_gib: got 20, expected at least 77 (GiB) to hold 120 minutes of 2000 spans, 2000 log records and 20 metric exports a second; or a shorter outage_tolerance_minutes", id="queue-volume-too-small-for-the-outage"),
        pytest.param(DEV.replace("observability:\n", "observability:\n  collector: {max_resource_attribute_bytes: 1024}\n", 1), "observability.collector.max_resource_attribute_bytes: got 1024, expected greater than or equal to 4096", id="resource-bound-below-the-agents-own-attributes"),
        pytest.param(DEV + "tenancy:\n  max_pod_priority: 2000001000\n", "tenancy.max_pod_priority: got 2000001000, expected at most 1000000000, the highest value a PriorityClass you create may have: above it are Kubernetes' own classes (system-cluster-critical 2000000000, system-node-critical 2000001000)", id="tenants-at-system-priority"),
        pytest.param(DEV + "tenancy:\n  max_pod_priority: -1\n", "tenancy.max_pod_priority: got -1, expected at least 0, the priority of a pod that names no PriorityClass", id="tenants-below-every-pod"),
        pytest.param(DEV + "tenancy:\n  max_pod_priority: high\n", "tenancy.max_pod_priority: got 'high'", id="priority-not-a-number"),
        pytest.param(DEV + "tenancy:\n  ingress_annotations_accepted:\n    configuration-snippet: rewrite responses for a legacy app\n", "tenancy.ingress_annotations_accepted: got 'configuration-snippet', expected an annotation below Critical risk", id="critical-ingress-annotation"),
        pytest.param(DEV + "tenancy:\n  ingress_annotations_accepted:\n    auth-ur1: external authentication\n", "tenancy.ingress_annotations_accepted: got 'auth-ur1', expected an annotation ingress-nginx controller-v1.15.1 defines", id="unknown-ingress-annotation"),
        pytest.param(DEV + "tenancy:\n  ingress_annotations_accepted:\n    rewrite-target: paths under a prefix\n", "tenancy.ingress_annotations_accepted: got 'rewrite-target', expected a High-risk annotation (rewrite-target is Medium", id="accepted-ingress-annotation"),
        pytest.param(DEV + "tenancy:\n  ingress_annotations_accepted:\n    auth-url: sso\n", "tenancy.ingress_annotations_accepted.auth-url: got 'sso', expected string should have at least 10 characters", id="ingress-annotation-without-a-reason"),
        pytest.param(DEV + "tenancy:\n  tiers:\n    small: {default_request_ephemeral_storage: 2Gi}\n", "tenancy.tiers.small.default_request_ephemeral_storage: got '2Gi', expected at most default_limit_ephemeral_storage (1Gi)", id="ephemeral-request-over-limit"),
        pytest.param(DEV + "tenancy:\n  tiers:\n    small: {limits_memory: 256Mi}\n", "tenancy.tiers.small.default_limit_memory: got '512Mi', expected at most limits_memory (256Mi), the namespace's total", id="default-limit-over-the-total"),
        pytest.param(DEV + "tenancy:\n  tiers:\n    small: {requests_storage: lots}\n", "tenancy.tiers.small.requests_storage: got 'lots'", id="storage-not-a-quantity"),
        pytest.param(DEV + "tenancy:\n  tiers:\n    small: {objects_per_kind: 5}\n", "tenancy.tiers.small.objects_per_kind: got 5, expected greater than or equal to 10", id="too-few-objects"),
    ],
)
def test_bad_input_gets_one_clear_error(text, expected):
    message = error_for(text)
    assert message.startswith(f"{SOURCE}: ")
    assert expected in message


def test_production_refuses_an_open_public_endpoint():
    prod = (ENVIRONMENTS / "prod.yaml").read_text().replace(
        "  admin_role_arns", "  endpoint:\n    public: true\n    public_access_cidrs: [0.0.0.0/0]\n  admin_role_arns"
    )
    message = error_for(prod)
    assert "cluster.endpoint.public_access_cidrs[0]: got '0.0.0.0/0', expected a narrow allow-list: never 0.0.0.0/0 in production" in message


def test_file_name_must_match_environment_name(tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text(DEV)
    with pytest.raises(ConfigError, match=r"qa.yaml: name: got 'dev', expected 'qa' \(the file's name\)"):
        load_environment(path)


def test_overlapping_vpcs_in_one_account_are_refused(tmp_path):
    directory = copy_environments(tmp_path)
    (directory / "qa.yaml").write_text(DEV.replace("name: dev", "name: qa").replace("10.10.0.0/16", "10.10.128.0/17"))
    with pytest.raises(ConfigError, match=r"qa.yaml: network.cidr: got '10.10.128.0/17', expected a range that does not overlap 10.10.0.0/16 of environment 'dev'"):
        load_environments(directory)


def test_one_default_ebs_key_per_account_and_region(tmp_path):
    directory = copy_environments(tmp_path)
    qa = DEV.replace("name: dev", "name: qa").replace("10.10.0.0/16", "10.99.0.0/16")
    (directory / "qa.yaml").write_text(qa)
    with pytest.raises(ConfigError, match=r"qa.yaml: network.ebs_default_key: got 'environment', expected 'aws-managed': "
                                          r"environment 'dev' already sets the default EBS key of account 111111111111 in eu-west-1"):
        load_environments(directory)
    (directory / "qa.yaml").write_text(qa.replace("  nat: single", "  nat: single\n  ebs_default_key: aws-managed"))
    assert [e.network.ebs_default_key for e in load_environments(directory)] == ["environment", "environment", "aws-managed", "environment"]


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match=r"--env: got 'qa', expected one of dev, prod, staging"):
        load_environments(ENVIRONMENTS, ["qa"])


def test_schema_describes_and_accepts_the_bundled_files(bundled_environments):
    import jsonschema
    import yaml

    schema = environment_schema()
    assert schema["additionalProperties"] is False
    assert "cost-center" in schema["$defs"]["Tags"]["properties"]
    for path in sorted(ENVIRONMENTS.glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**yaml.safe_load(DEV), "colour": "blue"}, schema)


def test_schema_file_in_docs_is_current():
    from goldenpath.config.schema import environment_schema_json

    assert (REPO / "docs" / "environment.schema.json").read_text() == environment_schema_json(), (
        "docs/environment.schema.json is stale: run `goldenpath schema > docs/environment.schema.json`"
    )


def test_cli_reports_bad_config_without_traceback_and_writes_nothing(tmp_path):
    directory = copy_environments(tmp_path)
    (directory / "dev.yaml").write_text(DEV.replace("min_size: 1", "min_size: 9"))
    outdir = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "goldenpath.cli.main", "--environments", str(directory), "synth", "--outdir", str(outdir)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"error: {directory / 'dev.yaml'}: cluster.node_groups[0].min_size: got 9, expected at most max_size (4)"
    )
    assert not outdir.exists()
