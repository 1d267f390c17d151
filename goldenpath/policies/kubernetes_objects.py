"""The Kubernetes objects a synthesized stack creates, as manifests, validated strictly offline.

Each ``kubernetes_*`` resource of the kubernetes provider is turned into the object the
provider would send to the API server, then checked against the OpenAPI schema of the
cluster's Kubernetes version with ``kubernetes-validate`` (strict: unknown fields are errors).
That schema check misses bad quantities and invalid names, so those are checked here too.
Terraform expressions (``${...}``) stand in for values known only at apply time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from goldenpath.observability.facts import CUSTOM_RESOURCE_SCHEMAS
from goldenpath.observability.grafana_text import map_strings, terraform_unescape
from goldenpath.terraform_json import single_block

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUANTITY = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class KubernetesObject:
    address: str
    """``<terraform type>.<name>`` in the synthesized stack."""
    manifest: dict


def _metadata(resource: dict, namespaced: bool = True) -> dict:
    meta = single_block(resource.get("metadata"))
    out = {"name": meta["name"]}
    if namespaced and "namespace" in meta:
        out["namespace"] = meta["namespace"]
    for key in ("labels", "annotations"):
        if meta.get(key):
            out[key] = dict(meta[key])
    return out


def _selector(block: Any) -> dict:
    block = single_block(block)
    out: dict = {}
    if "match_labels" in block:
        out["matchLabels"] = dict(block["match_labels"])
    if "match_expressions" in block:
        out["matchExpressions"] = [dict(e) for e in block["match_expressions"]]
    return out


def _peer(peer: dict) -> dict:
    out: dict = {}
    if "namespace_selector" in peer:
        out["namespaceSelector"] = _selector(peer["namespace_selector"])
    if "pod_selector" in peer:
        out["podSelector"] = _selector(peer["pod_selector"])
    if "ip_block" in peer:
        out["ipBlock"] = dict(single_block(peer["ip_block"]))
    return out


def _rule(rule: dict, direction: str) -> dict:
    peers_key, k8s_key = ("from", "from") if direction == "ingress" else ("to", "to")
    out: dict = {}
    if rule.get(peers_key):
        out[k8s_key] = [_peer(p) for p in rule[peers_key]]
    if rule.get("ports"):
        names = {"port": "port", "protocol": "protocol", "end_port": "endPort"}
        # The provider's port is a string; like intstr.Parse, a numeric one is a port number.
        out["ports"] = [{names[k]: (int(v) if k == "port" and str(v).isdigit() else v) for k, v in p.items() if k in names}
                        for p in rule["ports"]]
    return out


def _namespace(r: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": _metadata(r, namespaced=False)}


def _config_map(r: dict) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _metadata(r), "data": dict(r.get("data", {}))}


def _secret(r: dict) -> dict:
    # The provider base64-encodes ``data`` (and the write-only ``data_wo``): the plain strings are the object's stringData.
    return {"apiVersion": "v1", "kind": "Secret", "metadata": _metadata(r), "type": r.get("type", "Opaque"),
            "stringData": {**r.get("data", {}), **r.get("data_wo", {})}}


def _service_account(r: dict) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _metadata(r),
            "automountServiceAccountToken": r.get("automount_service_account_token", True)}


def _resource_quota(r: dict) -> dict:
    spec = single_block(r.get("spec"))
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _metadata(r), "spec": {"hard": dict(spec.get("hard", {}))}}


def _limit_range(r: dict) -> dict:
    spec = single_block(r.get("spec"))
    names = {"default": "default", "default_request": "defaultRequest", "max": "max", "min": "min",
             "max_limit_request_ratio": "maxLimitRequestRatio", "type": "type"}
    limits = [{names[k]: v for k, v in limit.items()} for limit in spec.get("limit", [])]
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": _metadata(r), "spec": {"limits": limits}}


def _network_policy(r: dict) -> dict:
    spec = single_block(r.get("spec"))
    out: dict = {"podSelector": _selector(spec.get("pod_selector")), "policyTypes": list(spec.get("policy_types", []))}
    for direction in ("ingress", "egress"):
        if spec.get(direction):
            out[direction] = [_rule(rule, direction) for rule in spec[direction]]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _metadata(r), "spec": out}


def _role_binding(r: dict) -> dict:
    ref = single_block(r.get("role_ref"))
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _metadata(r),
            "roleRef": {"apiGroup": ref["api_group"], "kind": ref["kind"], "name": ref["name"]},
            "subjects": [{"apiGroup": s["api_group"], "kind": s["kind"], "name": s["name"],
                          **({"namespace": s["namespace"]} if s.get("namespace") else {})} for s in r.get("subject", [])]}


def _rules(r: dict) -> list[dict]:
    names = {"api_groups": "apiGroups", "resources": "resources", "verbs": "verbs", "resource_names": "resourceNames",
             "non_resource_urls": "nonResourceURLs"}
    return [{names[k]: list(v) for k, v in rule.items() if k in names} for rule in r.get("rule", [])]


def _cluster_role(r: dict) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": _metadata(r, namespaced=False), "rules": _rules(r)}


def _role(r: dict) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _metadata(r), "rules": _rules(r)}


def _storage_class(r: dict) -> dict:
    out = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": _metadata(r, namespaced=False),
           "provisioner": r["storage_provisioner"], "parameters": dict(r.get("parameters", {}))}
    for key, field in (("reclaim_policy", "reclaimPolicy"), ("volume_binding_mode", "volumeBindingMode"),
                       ("allow_volume_expansion", "allowVolumeExpansion")):
        if key in r:
            out[field] = r[key]
    return out


def _cluster_role_binding(r: dict) -> dict:
    ref = single_block(r.get("role_ref"))
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": _metadata(r, namespaced=False),
            "roleRef": {"apiGroup": ref["api_group"], "kind": ref["kind"], "name": ref["name"]},
            "subjects": [{"kind": s["kind"], "name": s["name"], **({"apiGroup": s["api_group"]} if s.get("api_group") else {})}
                         for s in r.get("subject", [])]}


def _manifest(r: dict) -> dict:
    """``kubernetes_manifest`` holds the object itself (custom resources such as PrometheusRule)."""
    return map_strings(r["manifest"], terraform_unescape)


CONVERTERS: dict[str, Callable[[dict], dict]] = {
    "kubernetes_role_binding_v1": _role_binding,
    "kubernetes_manifest": _manifest,
    "kubernetes_namespace_v1": _namespace,
    "kubernetes_config_map_v1": _config_map,
    "kubernetes_secret_v1": _secret,
    "kubernetes_service_account_v1": _service_account,
    "kubernetes_resource_quota_v1": _resource_quota,
    "kubernetes_limit_range_v1": _limit_range,
    "kubernetes_network_policy_v1": _network_policy,
    "kubernetes_storage_class_v1": _storage_class,
    "kubernetes_cluster_role_v1": _cluster_role,
    "kubernetes_role_v1": _role,
    "kubernetes_cluster_role_binding_v1": _cluster_role_binding,
}


def kubernetes_objects(stack: dict) -> list[KubernetesObject]:
    """Every Kubernetes object of a synthesized stack (``cdk.tf.json`` as a dict).

    A ``kubernetes_*`` type without a converter is an error, so a new object kind cannot
    slip past validation unnoticed.
    """
    found = []
    for resource_type, resources in sorted(stack.get("resource", {}).items()):
        if not resource_type.startswith("kubernetes_"):
            continue
        if resource_type not in CONVERTERS:
            raise ValueError(f"{resource_type}: no manifest converter; expected one of {', '.join(sorted(CONVERTERS))} "
                             "(add one in goldenpath/policies/kubernetes_objects.py)")
        for name, resource in sorted(resources.items()):
            found.append(KubernetesObject(f"{resource_type}.{name}", CONVERTERS[resource_type](resource)))
    return found


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def _name_problems(obj: KubernetesObject) -> list[str]:
    meta = obj.manifest["metadata"]
    problems = []
    # Namespaces (and the names of namespaced objects goldenpath creates) must be DNS labels
    # or subdomains; names are checked unless they are computed at apply time.
    pattern = _DNS_LABEL if obj.manifest["kind"] == "Namespace" else _DNS_SUBDOMAIN
    for field, value, rule in (("metadata.name", meta["name"], pattern), ("metadata.namespace", meta.get("namespace"), _DNS_LABEL)):
        if value is not None and not _is_expression(value) and not rule.match(value):
            problems.append(f"{obj.address}: {field} {value!r} is not a valid Kubernetes name")
    for key, value in meta.get("labels", {}).items():
        if not _LABEL_NAME.match(key):
            problems.append(f"{obj.address}: label key {key!r} is not a valid label name")
        if not _is_expression(value) and not _LABEL_VALUE.match(str(value)):
            problems.append(f"{obj.address}: label {key}={value!r} is not a valid label value (63 characters, alphanumeric ends)")
    return problems


def _quantity_problems(obj: KubernetesObject) -> list[str]:
    quantities: list[tuple[str, str]] = []
    spec = obj.manifest.get("spec", {})
    if obj.manifest["kind"] == "ResourceQuota":
        quantities += [(f"spec.hard[{k}]", v) for k, v in spec.get("hard", {}).items()]
    if obj.manifest["kind"] == "LimitRange":
        for i, limit in enumerate(spec.get("limits", [])):
            for field in ("default", "defaultRequest", "max", "min", "maxLimitRequestRatio"):
                quantities += [(f"spec.limits[{i}].{field}[{k}]", v) for k, v in limit.get(field, {}).items()]
    problems = []
    for where, value in quantities:
        if _is_expression(value) or _QUANTITY.match(str(value)):
            continue
        problems.append(f"{obj.address}: {where} {value!r} is not a Kubernetes quantity (for example 500m, 2, 4Gi)")
    return problems


def _custom_resource_problems(obj: KubernetesObject, schema: dict) -> list[str]:
    import jsonschema  # a dependency of kubernetes-validate

    validator = jsonschema.Draft7Validator(schema)
    return [f"{obj.address}: {obj.manifest['kind']} {'.'.join(str(p) for p in e.path) or '(object)'}: {e.message}"
            for e in sorted(validator.iter_errors(obj.manifest), key=lambda e: list(map(str, e.path)))]


def validate_objects(objects: list[KubernetesObject], kubernetes_version: str) -> list[str]:
    """Problems found (empty when all is well): strict schema errors, bad names, bad quantities."""
    import kubernetes_validate  # imported here: only `validate` needs its schemas, not synth

    problems = []
    for obj in objects:
        custom = CUSTOM_RESOURCE_SCHEMAS.get((obj.manifest.get("apiVersion", ""), obj.manifest.get("kind", "")))
        if custom is not None:
            problems += _custom_resource_problems(obj, custom)
            problems += _name_problems(obj)
            continue
        try:
            kubernetes_validate.validate(obj.manifest, kubernetes_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path) or "(object)"
            problems.append(f"{obj.address}: {obj.manifest['kind']} {path}: {error.message}")
        problems += _name_problems(obj) + _quantity_problems(obj)
    return problems
