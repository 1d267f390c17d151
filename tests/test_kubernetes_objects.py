"""Every Kubernetes object the in-cluster stacks create, validated strictly against the
OpenAPI schema of the cluster's Kubernetes version (kubernetes-validate, offline), plus the
names and quantities that schema check cannot judge."""

from __future__ import annotations

import copy
import json

import pytest

from goldenpath.policies.kubernetes_objects import KubernetesObject, kubernetes_objects, validate_objects
from tests.conftest import stack_json
from tests.test_previews import SNAPSHOT as PREVIEW_SNAPSHOT


@pytest.fixture(scope="module")
def platform_objects(bundled_synth, bundled_environments):
    return {env.name: (env.cluster.kubernetes_version, kubernetes_objects(stack_json(bundled_synth, f"{env.name}-platform")))
            for env in bundled_environments}


def preview_objects() -> list[KubernetesObject]:
    # The snapshot is byte-compared with the synthesized preview stack in test_previews.
    return kubernetes_objects(json.loads(PREVIEW_SNAPSHOT.read_text()))


def test_platform_objects_are_valid_for_the_clusters_version(platform_objects):
    for name, (version, objects) in platform_objects.items():
        kinds = sorted({o.manifest["kind"] for o in objects})
        # every cluster gets the tenant role, the admission policies and Grafana's Role; an environment hosting previews
        # also gets the preview role's RBAC
        previews = ["ClusterRoleBinding"] if name.startswith("dev") else []
        assert kinds == sorted(["ClusterRole", "ConfigMap", "Namespace", "NetworkPolicy", "Role", "Secret", "StorageClass",
                                "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", *previews]), name
        assert validate_objects(objects, version) == [], name


def test_preview_objects_are_valid():
    objects = preview_objects()
    kinds = sorted(o.manifest["kind"] for o in objects)
    assert kinds == ["LimitRange", "Namespace", "NetworkPolicy", "ResourceQuota", "RoleBinding", "RoleBinding", "RoleBinding",
                     "ServiceAccount"]
    assert validate_objects(objects, "1.33") == []


def test_unknown_fields_and_wrong_types_are_schema_errors():
    objects = copy.deepcopy(preview_objects())
    account = next(o for o in objects if o.manifest["kind"] == "ServiceAccount")
    account.manifest["automountServiceAcountToken"] = False  # misspelt
    policy = next(o for o in objects if o.manifest["kind"] == "NetworkPolicy")
    policy.manifest["spec"]["policyTypes"] = "Ingress"
    problems = validate_objects([account, policy], "1.33")
    assert any("ServiceAccount" in p and "automountServiceAcountToken" in p for p in problems)
    assert any("NetworkPolicy spec.policyTypes" in p for p in problems)


def test_bad_quantities_and_names_are_found_beyond_the_schema():
    objects = copy.deepcopy(preview_objects())
    quota = next(o for o in objects if o.manifest["kind"] == "ResourceQuota")
    quota.manifest["spec"]["hard"]["limits.memory"] = "8 GB"
    limits = next(o for o in objects if o.manifest["kind"] == "LimitRange")
    limits.manifest["spec"]["limits"][0]["default"]["cpu"] = "half"
    namespace = next(o for o in objects if o.manifest["kind"] == "Namespace")
    namespace.manifest["metadata"]["name"] = "PR_12"
    namespace.manifest["metadata"]["labels"]["goldenpath.dev/branch"] = "x" * 64
    problems = validate_objects([quota, limits, namespace], "1.33")
    assert any("spec.hard[limits.memory] '8 GB' is not a Kubernetes quantity" in p for p in problems)
    assert any("spec.limits[0].default[cpu] 'half' is not a Kubernetes quantity" in p for p in problems)
    assert any("metadata.name 'PR_12' is not a valid Kubernetes name" in p for p in problems)
    assert any("is not a valid label value" in p for p in problems)


def test_values_known_only_at_apply_time_pass(platform_objects):
    _, objects = platform_objects["prod"]
    secret = next(o for o in objects if o.manifest["metadata"]["name"] == "grafana-admin")
    assert secret.manifest["stringData"]["password"].startswith("${ephemeral.random_password.")


def test_a_kubernetes_resource_without_a_converter_is_an_error():
    with pytest.raises(ValueError, match="kubernetes_deployment_v1: no manifest converter"):
        kubernetes_objects({"resource": {"kubernetes_deployment_v1": {"x": {}}}})
