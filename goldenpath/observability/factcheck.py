"""Check a synthesized in-cluster stack against the facts of the pinned charts and images.

Every function takes what the stack hands to Helm (``releases``, parsed from the synthesized
``helm_release`` resources, Terraform escapes undone) and returns problems as sentences; an
empty list means the stack holds that fact. ``check_platform_stack`` runs them all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlparse

import yaml

from goldenpath.observability import facts, network
from goldenpath.observability.collector import (AGENT_SET_ATTRIBUTES, SCOPE_STATEMENTS, SPAN_ID_CONDITIONS, UNNAMEABLE_KEY_PATTERN,
                                                is_batch, pipeline_order_problems)
from goldenpath.observability.chart_render import chart_fullname, enabled_collector_ports, helm_merge, rendered_collector_config
from goldenpath.observability.charts import version_key
from goldenpath.observability.grafana_text import grafana_expand, terraform_unescape
from goldenpath.observability.values import NAMESPACE as OBSERVABILITY_NAMESPACE, datasources, loki_size
from goldenpath.terraform_json import single_block



@dataclass(frozen=True)
class HelmRelease:
    name: str
    namespace: str
    chart: str
    version: str
    values: dict


def helm_releases(stack: dict) -> dict[str, HelmRelease]:
    """Release name -> what Helm receives, read from a synthesized stack."""
    found = {}
    for resource in stack.get("resource", {}).get("helm_release", {}).values():
        merged: dict = {}
        for document in resource.get("values", []):
            merged.update(yaml.safe_load(terraform_unescape(document)) or {})
        found[resource["name"]] = HelmRelease(resource["name"], resource["namespace"], resource["chart"], resource["version"], merged)
    return found


def _dig(document: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def _of_chart(releases: dict[str, HelmRelease], chart: str) -> list[HelmRelease]:
    return [r for r in releases.values() if r.chart == chart]


# -- versions ------------------------------------------------------------------------------------
def check_chart_versions(releases: dict[str, HelmRelease]) -> list[str]:
    """Each release of a chart goldenpath pins is at a version with a row of facts (other charts
    a team adds are its own business)."""
    known_charts = {chart for chart, _ in facts.CHART_FACTS}
    problems = []
    for release in releases.values():
        if release.chart not in known_charts:
            continue
        try:
            facts.facts_for(release.chart, release.version)
        except LookupError as error:
            problems.append(f"release {release.name}: {error}")
    return problems


# -- Services and ports ----------------------------------------------------------------------------
def _services(releases: dict[str, HelmRelease]) -> dict[tuple[str, str], set[int]]:
    """(namespace, service) -> ports, for every Service the releases create."""
    services: dict[tuple[str, str], set[int]] = {}
    for release in releases.values():
        try:
            row = facts.facts_for(release.chart, release.version)
        except LookupError:
            continue
        fullname = chart_fullname(release.name, release.chart, release.values)
        for service in row.services:
            ports = dict(service.ports)
            if release.chart == "opentelemetry-collector":
                enabled = enabled_collector_ports(release.values)
                ports = {name: port for name, port in ports.items() if name in enabled}
            services.setdefault((release.namespace, fullname + service.suffix), set()).update(ports.values())
    return services


def _endpoints(releases: dict[str, HelmRelease]) -> list[tuple[str, str]]:
    """(where, address) of every in-cluster address the values point at."""
    found: list[tuple[str, str]] = []
    for release in _of_chart(releases, "kube-prometheus-stack"):
        for source in _dig(release.values, "grafana", "additionalDataSources") or []:
            found.append((f"Grafana datasource {source.get('name')}", grafana_expand(source.get("url", ""))))
    for release in _of_chart(releases, "opentelemetry-collector"):
        for name, exporter in (rendered_collector_config(release.values).get("exporters") or {}).items():
            if "endpoint" in exporter:
                found.append((f"{release.name} exporter {name}", exporter["endpoint"]))
            dns = _dig(exporter, "resolver", "dns")
            if dns:
                found.append((f"{release.name} exporter {name} resolver", f"{dns['hostname']}:{dns.get('port', 4317)}"))
    for release in _of_chart(releases, "kube-prometheus-stack"):
        for receiver in _dig(release.values, "alertmanager", "config", "receivers") or []:
            for webhook in receiver.get("webhook_configs") or []:
                if "url" in webhook:  # url_file: the URL is in a Secret, outside the cluster's names
                    found.append((f"Alertmanager receiver {receiver['name']}", webhook["url"]))
    for release in _of_chart(releases, "tempo"):
        url = _dig(release.values, "tempo", "metricsGenerator", "remoteWriteUrl")
        if url:
            found.append((f"{release.name} metrics generator", url))
    return found


def _host_port(address: str) -> tuple[str, int] | None:
    """(``service.namespace``, port) of an in-cluster address (``.svc`` or ``.svc.cluster.local``); None otherwise."""
    parsed = urlparse(address if "://" in address else f"grpc://{address}")
    host = (parsed.hostname or "").removesuffix(".cluster.local")
    if not host.endswith(".svc") or host.count(".") != 2:
        return None
    default = {"http": 80, "https": 443}.get(parsed.scheme, 0)
    return host.removesuffix(".svc"), parsed.port or default


def check_endpoints(releases: dict[str, HelmRelease], declared: Iterable[str] = ()) -> list[str]:
    """Every in-cluster address (collector exporters, datasources, remote write, Alertmanager webhooks) names a
    Service and port that a pinned chart creates, or one the environment declares (observability.declared_services)."""
    services = _services(releases)
    declared_at = {_host_port(f"tcp://{address}") for address in declared}
    problems = []
    for where, address in _endpoints(releases):
        host_port = _host_port(address)
        if host_port is None or host_port in declared_at:
            continue
        host, port = host_port
        service, namespace = host.split(".", 1)
        ports = services.get((namespace, service))
        if ports is None:
            known = ", ".join(f"{s}.{n}" for n, s in sorted(services))
            problems.append(f"{where}: {address} names Service {service}.{namespace}, which no release creates and "
                            f"observability.declared_services does not declare (created: {known})")
        elif port not in ports:
            problems.append(f"{where}: {address} uses port {port}, but Service {service} serves {sorted(ports)}")
    return problems


# -- the collector -------------------------------------------------------------------------------------
def _collector_image(release: HelmRelease) -> facts.CollectorImage | None:
    image = release.values.get("image", {})
    return facts.COLLECTOR_IMAGES.get(f"{image.get('repository')}:{image.get('tag')}")


def check_collector_components(releases: dict[str, HelmRelease]) -> list[str]:
    """Every receiver, processor, exporter, connector and extension is built into the image."""
    problems = []
    for release in _of_chart(releases, "opentelemetry-collector"):
        image = _collector_image(release)
        if image is None:
            problems.append(f"release {release.name}: image {release.values.get('image')} has no component facts; "
                            f"expected one of {', '.join(sorted(facts.COLLECTOR_IMAGES))}")
            continue
        config = rendered_collector_config(release.values)
        for kind, shipped in image.components.items():
            for component in sorted(config.get(kind) or {}):
                if component.split("/")[0] not in shipped:
                    problems.append(f"release {release.name}: {kind[:-1]} {component!r} is not built into "
                                    f"{image.repository}:{image.tag} ({image.source})")
    return problems


def check_pipelines(releases: dict[str, HelmRelease]) -> list[str]:
    """As the chart renders it (defaults merged, presets applied): memory_limiter first, batch in
    every pipeline, and no pipeline left over from the chart's defaults (debug exporter)."""
    problems = []
    for release in _of_chart(releases, "opentelemetry-collector"):
        config = rendered_collector_config(release.values)
        problems += [f"release {release.name}: {problem}" for problem in pipeline_order_problems(config)]
        for name, pipeline in (config["service"].get("pipelines") or {}).items():
            if "debug" in pipeline.get("exporters", []):
                problems.append(f"release {release.name}: pipeline {name} exports to debug (a chart default left in place)")
    return problems


def _processor(config: dict, name: str) -> dict:
    return (config.get("processors") or {}).get(name) or {}


def _before_batch(processors: list[str]) -> list[str]:
    batches = [i for i, name in enumerate(processors) if is_batch(name)]
    return processors[:batches[0]] if batches else processors


def _pod_pipelines(releases: dict[str, HelmRelease], signals: Iterable[str]):
    """(release, rendered config, pipeline name, processors) of every pipeline of these signals that takes data from
    pods: it sets their identity (k8sattributes)."""
    for release in _of_chart(releases, "opentelemetry-collector"):
        config = rendered_collector_config(release.values)
        for name, pipeline in (_dig(config, "service", "pipelines") or {}).items():
            processors = (pipeline or {}).get("processors", [])
            if name.split("/")[0] in signals and "k8sattributes" in processors:
                yield release, config, name, processors


_BOUNDS = {  # condition pattern -> the most it may admit (None: any number the environment chose)
    ("metric", r"Len\(name\) > (\d+)"): facts.OTEL_INSTRUMENT_NAME_MAX,
    ("metric", r"Len\(unit\) > (\d+)"): facts.OTEL_INSTRUMENT_UNIT_MAX,
    ("metric", r"Len\(String\(resource\.attributes\)\) > (\d+)"): None,
    ("datapoint", r"Len\(String\(attributes\)\) > (\d+)"): None,
}


def check_series_bound(releases: dict[str, HelmRelease]) -> list[str]:
    """Every collector that takes metrics from pods drops oversized ones before they reach Prometheus, whose OTLP
    receiver has no label limits (goldenpath.observability.series_budget), and refuses what it cannot measure."""
    problems = []
    for release in _of_chart(releases, "opentelemetry-collector"):
        config = rendered_collector_config(release.values)
        metrics = (_dig(config, "service", "pipelines") or {}).get("metrics")
        if not metrics:
            continue
        processors = metrics.get("processors", [])
        bounding = [name for name in processors if name.split("/")[0] == "filter"
                    and _bounds_every_measure(_processor(config, name))]
        if not bounding or bounding[0] not in _before_batch(processors):
            problems.append(f"release {release.name}: the metrics pipeline {processors} has no filter processor that "
                            f"drops oversized metrics before they are batched (conditions {sorted(p for _, p in _BOUNDS)}, "
                            "error_mode propagate): one pod could strain Prometheus with a few enormous series")
    return problems


def check_span_ids(releases: dict[str, HelmRelease]) -> list[str]:
    """Every traces pipeline that takes spans from pods (it sets their identity: k8sattributes) drops spans without a
    trace or span id before batching: Tempo refuses a whole push for one of them (facts.TEMPO_SPAN_ID_SOURCES)."""
    problems = []
    for release, config, name, processors in _pod_pipelines(releases, ("traces",)):
        dropping = [p for p in _before_batch(processors) if p.split("/")[0] == "filter"
                    and _processor(config, p).get("error_mode", "propagate") == "propagate"
                    and set(SPAN_ID_CONDITIONS) <= set(_dig(_processor(config, p), "traces", "span") or [])]
        if not dropping:
            problems.append(f"release {release.name}: pipeline {name} {processors} batches spans from pods without "
                            f"first dropping those with no trace or span id ({SPAN_ID_CONDITIONS}, error_mode "
                            "propagate): Tempo refuses a whole push for one of them, every pod's spans in it")
    return problems


_SIGNAL_STATEMENTS = {"traces": "trace_statements", "metrics": "metric_statements", "logs": "log_statements"}


def _deletes_unnameable_keys(config: dict, processors: list[str], signal: str) -> dict[str, bool]:
    """Which levels ``processors`` clear of attribute keys without a letter or digit."""
    delete = {"action": "delete", "pattern": UNNAMEABLE_KEY_PATTERN}
    found = {name: _processor(config, name) for name in processors}
    kind = {name: name.split("/")[0] for name in processors}
    return {
        "resource": any(kind[n] == "resource" and delete in found[n].get("attributes", []) for n in processors),
        "scope": any(kind[n] == "transform" and any(entry.get("context") == "scope" and set(SCOPE_STATEMENTS) <= set(entry.get("statements", []))
                                                   for entry in found[n].get(_SIGNAL_STATEMENTS[signal], []))
                     for n in processors),
        "record": any(kind[n] == "attributes" and delete in found[n].get("actions", []) for n in processors),
    }


def check_unnameable_keys(releases: dict[str, HelmRelease]) -> list[str]:
    """Every pipeline that takes data from pods (it sets their identity: k8sattributes) deletes attribute keys without
    a letter or digit from resources, scopes and records before batching: Loki refuses a whole request for one, every
    pod's logs batched with it, and Prometheus' label namer refuses them too (goldenpath.observability.collector)."""
    problems = []
    for release, config, name, processors in _pod_pipelines(releases, _SIGNAL_STATEMENTS):
        levels = _deletes_unnameable_keys(config, _before_batch(processors), name.split("/")[0])
        missing = [level for level, ok in levels.items() if not ok]
        if missing:
            problems.append(f"release {release.name}: pipeline {name} {processors} does not delete attribute keys "
                            f"without a letter or digit ({UNNAMEABLE_KEY_PATTERN}) from {', '.join(missing)} before "
                            "batching: Loki refuses a whole request for one, every pod's data in it")
    return problems


def _bounds_every_measure(filter_config: dict) -> bool:
    if filter_config.get("error_mode", "propagate") != "propagate":
        return False
    for (context, pattern), most in _BOUNDS.items():
        limits = [int(m.group(1)) for c in _dig(filter_config, "metrics", context) or [] if (m := re.fullmatch(pattern, c))]
        if not limits or (most is not None and min(limits) > most):
            return False
    return True


def check_collector_observed_and_writable(releases: dict[str, HelmRelease]) -> list[str]:
    """Prometheus can scrape the collector's own metrics, and its queue volume is writable."""
    problems = []
    for release in _of_chart(releases, "opentelemetry-collector"):
        values = release.values
        if not _dig(values, "serviceMonitor", "enabled") or "metrics" not in enabled_collector_ports(values):
            problems.append(f"release {release.name}: serviceMonitor.enabled and ports.metrics.enabled must both be true "
                            f"(chart defaults: {facts.OTEL_CHART_DEFAULT_SERVICE_MONITOR}, "
                            f"{facts.OTEL_CHART_DEFAULT_PORTS_ENABLED['metrics']}); otherwise nothing scrapes the collector")
        readers = _dig(rendered_collector_config(values), "service", "telemetry", "metrics", "readers") or []
        if not any(_dig(r, "pull", "exporter", "prometheus", "port") == 8888 for r in readers):
            problems.append(f"release {release.name}: the collector's own metrics are not served on port 8888")
        image = _collector_image(release)
        if image and values.get("statefulset", {}).get("volumeClaimTemplates"):
            fs_group = _dig(values, "podSecurityContext", "fsGroup")
            if fs_group != image.user_id:
                problems.append(f"release {release.name}: podSecurityContext.fsGroup is {fs_group}, expected {image.user_id} "
                                f"(the image runs as that user; without it the queue volume is not writable)")
    return problems


# -- Secrets ---------------------------------------------------------------------------------------------
def _created_secrets(stack: dict) -> dict[tuple[str, str], set[str]]:
    created = {}
    for resource in stack.get("resource", {}).get("kubernetes_secret_v1", {}).values():
        meta = single_block(resource["metadata"])
        # Keys in the stored data and in the write-only data (secret values never reach the state).
        created[(meta.get("namespace", "default"), meta["name"])] = {*resource.get("data", {}), *resource.get("data_wo", {})}
    return created


def check_secrets(stack: dict, releases: dict[str, HelmRelease]) -> list[str]:
    """Every Secret the values name is created by the stack, with the keys the chart reads."""
    created = _created_secrets(stack)
    problems = []
    for release in _of_chart(releases, "kube-prometheus-stack"):
        wanted: list[tuple[str, set[str], str]] = []
        admin = _dig(release.values, "grafana", "admin") or {}
        if admin.get("existingSecret"):
            wanted.append((admin["existingSecret"], {admin.get("userKey", "admin-user"), admin.get("passwordKey", "admin-password")},
                           "grafana.admin.existingSecret"))
        for name in _dig(release.values, "alertmanager", "alertmanagerSpec", "secrets") or []:
            wanted.append((name, set(), "alertmanager.alertmanagerSpec.secrets"))
        for name, keys, field in wanted:
            have = created.get((release.namespace, name))
            if have is None:
                problems.append(f"release {release.name}: {field} names Secret {release.namespace}/{name}, which the stack does not create")
            elif not keys <= have:
                problems.append(f"release {release.name}: Secret {name} lacks keys {sorted(keys - have)} that {field} reads")
    return problems


# -- Pod Security ------------------------------------------------------------------------------------------
def _namespace_labels(stack: dict) -> dict[str, dict[str, str]]:
    found = {}
    for resource in stack.get("resource", {}).get("kubernetes_namespace_v1", {}).values():
        meta = single_block(resource["metadata"])
        found[meta["name"]] = dict(meta.get("labels") or {})
    return found


def check_pod_security(stack: dict, releases: dict[str, HelmRelease]) -> list[str]:
    """node-exporter (host network, PID and filesystem: facts.NODE_EXPORTER_NAMESPACE_SOURCES) runs in a
    namespace of its own that the stack creates and that admits privileged pods; the release's own
    namespace then enforces at least baseline."""
    labels = _namespace_labels(stack)
    problems = []
    enforce = "pod-security.kubernetes.io/enforce"
    for release in _of_chart(releases, "kube-prometheus-stack"):
        node = _dig(release.values, "prometheus-node-exporter", "namespaceOverride") or release.namespace
        if node == release.namespace:
            problems.append(f"release {release.name}: prometheus-node-exporter.namespaceOverride is unset, so node-exporter "
                            f"(host network, PID and filesystem) shares namespace {release.namespace}")
        elif labels.get(node, {}).get(enforce) != "privileged":
            problems.append(f"release {release.name}: node-exporter's namespace {node} is not created by the stack with "
                            f"{enforce}: privileged (got {labels.get(node)})")
        if labels.get(release.namespace, {}).get(enforce) not in ("baseline", "restricted"):
            problems.append(f"release {release.name}: namespace {release.namespace} enforces "
                            f"{labels.get(release.namespace, {}).get(enforce)!r}, expected baseline or restricted")
    return problems


# -- Grafana's RBAC --------------------------------------------------------------------------------------------
def _roles(stack: dict, kind: str) -> dict[tuple[str, str], list[dict]]:
    """(namespace, name) -> rules of the stack's ``kubernetes_<kind>_v1`` resources (namespace "" for a ClusterRole)."""
    found = {}
    for resource in stack.get("resource", {}).get(f"kubernetes_{kind}_v1", {}).values():
        meta = single_block(resource["metadata"])
        found[(meta.get("namespace", ""), meta["name"])] = list(resource.get("rule", []))
    return found


def _reads_secrets(rules: list[dict]) -> bool:
    return any("secrets" in rule.get("resources", []) or "*" in rule.get("resources", []) for rule in rules)


def check_grafana_rbac(stack: dict, releases: dict[str, HelmRelease]) -> list[str]:
    """Grafana binds a Role the stack creates in its own namespace that reads no Secrets, with no ClusterRole
    (rbac.namespaced), every enabled sidecar watches ConfigMaps only, and the dashboards and datasources sidecars search
    Grafana's namespace only (facts.GRAFANA_RBAC_SOURCES: the chart's own ClusterRole reads all Secrets;
    facts.GRAFANA_DASHBOARD_SOURCES: a sidecar searching other namespaces loads their ConfigMaps as dashboards)."""
    roles = _roles(stack, "role")
    problems = []
    for release in _of_chart(releases, "kube-prometheus-stack"):
        grafana = release.values.get("grafana") or {}
        rbac = grafana.get("rbac") or {}
        role = rbac.get("useExistingRole")
        if rbac.get("namespaced") is not True or rbac.get("useExistingClusterRole") or rbac.get("extraClusterRoleRules"):
            problems.append(f"release {release.name}: grafana.rbac binds a ClusterRole (namespaced: "
                            f"{rbac.get('namespaced', 'false (the chart default)')}), so Grafana reads ConfigMaps or Secrets "
                            "in every namespace; expected namespaced: true with useExistingRole")
        if not role:
            problems.append(f"release {release.name}: grafana.rbac.useExistingRole is unset, so the chart's Role "
                            "lets Grafana read the namespace's Secrets")
        elif (release.namespace, role) not in roles:
            problems.append(f"release {release.name}: grafana.rbac.useExistingRole names Role {role}, which the stack "
                            f"does not create in {release.namespace}")
        elif _reads_secrets(roles[(release.namespace, role)]):
            problems.append(f"release {release.name}: Role {role} lets Grafana read Secrets")
        sidecars = grafana.get("sidecar") or {}
        for sidecar in facts.GRAFANA_SIDECARS:
            settings = sidecars.get(sidecar) or {}
            if settings.get("enabled") and settings.get("resource") != "configmap":
                problems.append(f"release {release.name}: grafana.sidecar.{sidecar}.resource is "
                                f"{settings.get('resource', 'both (the chart default)')!r}, expected 'configmap'")
        for sidecar in ("dashboards", "datasources"):
            searched = (sidecars.get(sidecar) or {}).get("searchNamespace")
            if searched not in (None, [release.namespace], release.namespace):
                problems.append(f"release {release.name}: grafana.sidecar.{sidecar}.searchNamespace is {searched!r}, "
                                f"expected [{release.namespace!r}]: a tenant's ConfigMap elsewhere would become a "
                                f"{sidecar[:-1]} (it could replace another team's, or stop Grafana provisioning)")
    return problems


# -- Grafana correlation ------------------------------------------------------------------------------------
def _provisioned_datasources(releases: dict[str, HelmRelease]) -> list[dict]:
    sources: list[dict] = []
    for release in _of_chart(releases, "kube-prometheus-stack"):
        sources += _dig(release.values, "grafana", "additionalDataSources") or []
    return sources


def _expanded(value: Any) -> Any:
    if isinstance(value, str):
        return grafana_expand(value)
    if isinstance(value, list):
        return [_expanded(v) for v in value]
    if isinstance(value, dict):
        return {k: _expanded(v) for k, v in value.items()}
    return value


def check_grafana_expansion(releases: dict[str, HelmRelease], intended: list[dict] | None = None) -> list[str]:
    """After Terraform and Grafana's environment expansion, each datasource is exactly as intended."""
    wanted = {d["uid"]: d for d in (intended if intended is not None else datasources())}
    problems = []
    for source in _provisioned_datasources(releases):
        effective = _expanded(source)
        if effective != wanted.get(source.get("uid")):
            problems.append(f"Grafana datasource {source.get('name')}: after Grafana's $VAR expansion it reads "
                            f"{effective!r}, expected {wanted.get(source.get('uid'))!r} (escape $ as $$ in provisioning files)")
    return problems


def _loki_resource_attributes(loki_values: dict) -> dict:
    return _dig(loki_values, "loki", "limits_config", "otlp_config", "resource_attributes") or {}


def loki_index_attributes(loki_values: dict) -> tuple[str, ...]:
    """The OTLP resource attributes Loki indexes as these values configure it: its defaults unless ignore_defaults, then
    every index_label rule's attributes (facts.LOKI_STREAM_SOURCES: ApplyGlobalOTLPConfig)."""
    resource = _loki_resource_attributes(loki_values)
    listed = [attribute for rule in resource.get("attributes_config", []) if rule.get("action") == "index_label"
              for attribute in rule.get("attributes", [])]
    return tuple(([] if resource.get("ignore_defaults") else list(facts.LOKI_DEFAULT_OTLP_INDEX_ATTRIBUTES)) + listed)


def _loki_index_labels(releases: dict[str, HelmRelease]) -> frozenset[str]:
    return frozenset(facts.loki_label(a) for release in _of_chart(releases, "loki") for a in loki_index_attributes(release.values))


def check_loki_index_labels(releases: dict[str, HelmRelease]) -> list[str]:
    """Loki indexes only what the collector agent sets from the sending pod: an attribute the pod chooses, varied per
    line, would open streams without bound in the one tenant every namespace shares (facts.LOKI_STREAM_SOURCES)."""
    problems = []
    for release in _of_chart(releases, "loki"):
        if any(rule.get("regex") for rule in _loki_resource_attributes(release.values).get("attributes_config", [])):
            problems.append(f"release {release.name}: an otlp_config rule selects attributes by regex; name them instead")
        for attribute in loki_index_attributes(release.values):
            if attribute not in AGENT_SET_ATTRIBUTES:
                problems.append(f"release {release.name}: Loki indexes the resource attribute {attribute}, which a pod sets "
                                f"itself: varied per line it opens streams without bound, and every namespace shares "
                                f"Loki's one tenant and its {facts.LOKI_STREAM_LIMIT}-stream cap")
    return problems


def check_trace_log_links(releases: dict[str, HelmRelease]) -> list[str]:
    """trace -> logs queries Loki labels that Loki derives from OTLP; log -> trace reads the
    trace id where Loki's OTLP ingestion keeps it (structured metadata)."""
    problems = []
    indexed = _loki_index_labels(releases)
    for source in _provisioned_datasources(releases):
        for tag in _dig(source, "jsonData", "tracesToLogsV2", "tags") or []:
            label = tag.get("value") or tag["key"]
            if label not in indexed or label != facts.loki_label(tag["key"]):
                problems.append(f"Grafana datasource {source['name']}: tracesToLogsV2 maps {tag['key']} to Loki label {label!r}; "
                                f"Loki indexes it as {facts.loki_label(tag['key'])!r} ({facts.LOKI_OTLP_SOURCE})")
        fields = _dig(source, "jsonData", "derivedFields")
        if fields is not None and not any(f.get("matcherType") == "label" and f.get("matcherRegex") in facts.LOKI_OTLP_STRUCTURED_METADATA
                                          for f in fields):
            problems.append(f"Grafana datasource {source['name']}: no derived field reads trace_id from structured metadata "
                            "(matcherType: label); OTLP logs do not carry it in the line")
    return problems


# -- phone-home, rules, receivers ---------------------------------------------------------------------------
_CHART_OF_COMPONENT = {"grafana": "kube-prometheus-stack", "loki": "loki", "tempo": "tempo"}


def check_phone_home(releases: dict[str, HelmRelease]) -> list[str]:
    problems = []
    for component, path, required, source in facts.PHONE_HOME_SETTINGS:
        for release in _of_chart(releases, _CHART_OF_COMPONENT[component]):
            value = _dig(release.values, *path)
            if value != required:
                problems.append(f"release {release.name}: {'.'.join(path)} is {value!r}, expected {required!r} ({source})")
    return problems


def check_default_rules(releases: dict[str, HelmRelease]) -> list[str]:
    problems = []
    for release in _of_chart(releases, "kube-prometheus-stack"):
        rules = _dig(release.values, "defaultRules", "rules") or {}
        for key in sorted(facts.KPS_ALERTING_RULE_KEYS):
            if rules.get(key, True) is not False:
                problems.append(f"release {release.name}: defaultRules.rules.{key} holds alerts that are unowned and unrouted; expected false")
        for key in sorted(facts.KPS_RECORDING_RULE_KEYS):
            if rules.get(key, True) is False:
                problems.append(f"release {release.name}: defaultRules.rules.{key} holds only recording rules the dashboards use; keep it on")
        for key in sorted(set(rules) - facts.KPS_ALERTING_RULE_KEYS - facts.KPS_RECORDING_RULE_KEYS):
            problems.append(f"release {release.name}: defaultRules.rules.{key} is not a rule group of the chart ({facts.KPS_RULES_SOURCE})")
    return problems


def check_metric_receivers(releases: dict[str, HelmRelease]) -> list[str]:
    """Prometheus accepts what is sent to it: OTLP from the collectors, remote write from Tempo."""
    spec: dict = {}
    for release in _of_chart(releases, "kube-prometheus-stack"):
        spec = _dig(release.values, "prometheus", "prometheusSpec") or {}
    problems = []
    for where, address in _endpoints(releases):
        if facts.PROMETHEUS_OTLP_PATH in address and not spec.get("enableOTLPReceiver"):
            problems.append(f"{where}: sends OTLP to {address} but prometheusSpec.enableOTLPReceiver is not true")
        if address.endswith("/api/v1/write") and not spec.get("enableRemoteWriteReceiver"):
            problems.append(f"{where}: remote-writes to {address} but prometheusSpec.enableRemoteWriteReceiver is not true")
    return problems


def check_tempo_receivers(releases: dict[str, HelmRelease]) -> list[str]:
    """The receivers Tempo gets (the chart's defaults merged with goldenpath's values) are ones the image it runs still
    has: Tempo 2.10.6 dropped OpenCensus, which the chart enables by default (facts.TEMPO_DROPPED_RECEIVERS)."""
    problems = []
    for release in _of_chart(releases, "tempo"):
        try:
            app_version = facts.facts_for(release.chart, release.version).app_version
        except LookupError:
            continue
        running = _dig(release.values, "tempo", "tag") or app_version
        defaults: dict[str, dict] = {name: {} for name in facts.TEMPO_CHART_DEFAULT_RECEIVERS}
        receivers = helm_merge(defaults, _dig(release.values, "tempo", "receivers") or {})
        for name, dropped_in in facts.TEMPO_DROPPED_RECEIVERS.items():
            if name in receivers and version_key(running) >= version_key(dropped_in):
                problems.append(f"release {release.name}: Tempo {running} has no {name} receiver (dropped in {dropped_in}; "
                                f"{facts.TEMPO_IMAGE_SOURCE}), but the chart enables it by default "
                                f"({facts.TEMPO_RECEIVERS_SOURCE}): set tempo.receivers.{name} to null")
    return problems


def check_tempo_generator_limit(releases: dict[str, HelmRelease]) -> list[str]:
    """Tempo's metrics generator writes span metrics keyed on span names, which the application chooses: its active
    series must be capped (facts.TEMPO_GENERATOR_LIMIT_SOURCE: unset or 0 is no limit)."""
    problems = []
    for release in _of_chart(releases, "tempo"):
        if not _dig(release.values, "tempo", "metricsGenerator", "enabled"):
            continue
        limit = _dig(release.values, "tempo", "overrides", "defaults", "metrics_generator", "max_active_series")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
            problems.append(f"release {release.name}: tempo.overrides.defaults.metrics_generator.max_active_series is "
                            f"{limit!r}: the generator's series are not capped, and one pod naming each span anew adds "
                            "Prometheus series without bound")
    return problems


def check_tempo_receive_limit(releases: dict[str, HelmRelease]) -> list[str]:
    """Tempo's OTLP gRPC receiver takes a full batch of the agent's spans: without max_recv_msg_size_mib it takes
    grpc-go's 4 MiB, and a larger push is refused whole and dropped (facts.TEMPO_PUSH_LIMIT_SOURCES)."""
    problems = []
    for release in _of_chart(releases, "tempo"):
        grpc = _dig(release.values, "tempo", "receivers", "otlp", "protocols", "grpc")
        limit = (grpc or {}).get("max_recv_msg_size_mib") if isinstance(grpc, dict) else None
        if grpc is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < facts.TEMPO_OTLP_GRPC_MAX_MIB):
            problems.append(f"release {release.name}: tempo.receivers.otlp.protocols.grpc.max_recv_msg_size_mib is "
                            f"{limit!r}, expected at least {facts.TEMPO_OTLP_GRPC_MAX_MIB}: at grpc-go's 4 MiB default "
                            "Tempo refuses a full batch of spans, every pod's spans in it")
    return problems


def _nginx_size(text: object) -> int | None:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", str(text))
    return int(match.group(1)) * 1024 ** " kmg".index((match.group(2) or " ").lower()) if match else None


def _log_batch_size(releases: dict[str, HelmRelease]) -> int | None:
    """The largest batch any logs pipeline from pods sends (None: one is not bounded)."""
    sizes: list[int] = []
    for _, config, _, processors in _pod_pipelines(releases, ("logs",)):
        batches = [_processor(config, p).get("send_batch_max_size") for p in processors if is_batch(p)]
        bounded = [size for size in batches if isinstance(size, int) and size > 0]
        if not batches or len(bounded) < len(batches):
            return None
        sizes += bounded
    return max(sizes, default=0)


def check_loki_push_limits(releases: dict[str, HelmRelease]) -> list[str]:
    """Loki takes a full batch of the agent's log records whole: above its ingestion burst it answers 429, which the
    collector retries for ever; above the ingester's gRPC limit 500, above the gateway's body limit 413, and the
    collector drops the batch, every pod's lines in it (facts.LOKI_PUSH_LIMIT_SOURCES)."""
    batch = _log_batch_size(releases)
    problems = []
    for release in _of_chart(releases, "loki"):
        loki = _dig(release.values, "loki") or {}
        limits = loki.get("limits_config") or {}
        try:
            entry = (loki_size(limits.get("max_line_size", facts.LOKI_MAX_LINE_SIZE))
                     + loki_size(limits.get("max_structured_metadata_size", facts.LOKI_MAX_STRUCTURED_METADATA_SIZE)))
        except ValueError as error:
            problems.append(f"release {release.name}: loki.limits_config: {error}")
            continue
        if not entry or batch is None:
            problems.append(f"release {release.name}: a logs batch of the agent is not bounded (send_batch_max_size "
                            f"{batch!r}, max_line_size and max_structured_metadata_size {entry!r} bytes an entry), so "
                            "no Loki limit holds it")
            continue
        needed = batch * entry
        message = needed + batch * facts.LOKI_ENTRY_OVERHEAD_BYTES  # the push as one gRPC message, decompressed
        burst = limits.get("ingestion_burst_size_mb", facts.LOKI_DEFAULT_INGESTION_BURST_MB)
        grpc = _dig(loki, "server", "grpc_server_max_recv_msg_size") or facts.LOKI_DEFAULT_GRPC_SERVER_MAX_RECV
        body = _nginx_size(_dig(release.values, "gateway", "nginxConfig", "clientMaxBodySize") or facts.LOKI_DEFAULT_GATEWAY_BODY)
        if not isinstance(burst, (int, float)) or burst * 2**20 < needed:
            problems.append(f"release {release.name}: loki.limits_config.ingestion_burst_size_mb is {burst!r}, expected "
                            f"at least {needed / 2**20:g} ({batch} entries of {entry} bytes): Loki answers a larger push "
                            "429, and the collector retries it for ever")
        if not isinstance(grpc, int) or grpc < message:
            problems.append(f"release {release.name}: loki.server.grpc_server_max_recv_msg_size is {grpc!r}, expected at "
                            f"least {message}: the ingester refuses a larger "
                            "push, and the collector drops the batch with every pod's lines")
        try:
            stream_burst = loki_size(limits.get("per_stream_rate_limit_burst", facts.LOKI_DEFAULT_PER_STREAM_BURST))
        except ValueError as error:
            stream_burst = None
            problems.append(f"release {release.name}: loki.limits_config.per_stream_rate_limit_burst: {error}")
        if stream_burst is not None and stream_burst < needed:
            problems.append(f"release {release.name}: loki.limits_config.per_stream_rate_limit_burst is "
                            f"{limits.get('per_stream_rate_limit_burst', facts.LOKI_DEFAULT_PER_STREAM_BURST)!r}, expected "
                            f"at least {math.ceil(needed / 2**20)}MB: one pod's lines are one stream, which the ingester "
                            "refuses whole above its burst (429), and the collector retries it for ever")
        decompressed = _dig(loki, "distributor", "max_decompressed_size") or facts.LOKI_DEFAULT_MAX_DECOMPRESSED_SIZE
        if not isinstance(decompressed, int) or decompressed < message:
            problems.append(f"release {release.name}: loki.distributor.max_decompressed_size is {decompressed!r}, "
                            f"expected at least {message}: Loki refuses a "
                            "larger push, and the collector drops the batch with every pod's lines")
        if body is None or body < facts.LOKI_DISTRIBUTOR_MAX_RECV_MSG_SIZE:
            problems.append(f"release {release.name}: gateway.nginxConfig.clientMaxBodySize refuses bodies Loki takes "
                            f"(expected at least {facts.LOKI_DISTRIBUTOR_MAX_RECV_MSG_SIZE >> 20}M, Loki's own limit): "
                            "the collector drops a batch the gateway refuses, with every pod's lines")
    return problems


def check_sampler_receive_limit(releases: dict[str, HelmRelease]) -> list[str]:
    """A collector that takes the agent's load-balanced traces (a tier without k8sattributes that receives OTLP
    traces) takes a full batch in one gRPC message, as Tempo does: at grpc-go's 4 MiB default it refuses the batch
    whole, and the agent's exporter drops it (facts.TEMPO_PUSH_LIMIT_SOURCES)."""
    problems = []
    for release in _of_chart(releases, "opentelemetry-collector"):
        config = rendered_collector_config(release.values)
        pipelines = [p or {} for p in (_dig(config, "service", "pipelines") or {}).values()]
        if any("k8sattributes" in p.get("processors", []) for p in pipelines):
            continue  # the agent: pods send to it, each export on its own
        if not any(name.split("/")[0] == "traces" and "otlp" in (p or {}).get("receivers", [])
                   for name, p in (_dig(config, "service", "pipelines") or {}).items()):
            continue
        limit = _dig(config, "receivers", "otlp", "protocols", "grpc", "max_recv_msg_size_mib")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < facts.TEMPO_OTLP_GRPC_MAX_MIB:
            problems.append(f"release {release.name}: receivers.otlp.protocols.grpc.max_recv_msg_size_mib is {limit!r}, "
                            f"expected at least {facts.TEMPO_OTLP_GRPC_MAX_MIB}: the agent's load-balancing exporter sends "
                            "a batch's traces in one request, which grpc-go's 4 MiB default refuses whole")
    return problems


# Where each chart's values name its image tag, the tag the facts were read at, and where that is recorded.
_IMAGE_TAGS: dict[str, tuple[tuple[str, ...], str, facts.Source]] = {
    "tempo": (("tempo", "tag"), facts.TEMPO_IMAGE_TAG, facts.TEMPO_IMAGE_SOURCE),
    "loki": (("loki", "image", "tag"), facts.LOKI_IMAGE_TAG, facts.LOKI_IMAGE_SOURCE),
    "kube-prometheus-stack": (("grafana", "image", "tag"), facts.GRAFANA_IMAGE_TAG, facts.GRAFANA_IMAGE_SOURCE),
}


def check_image_tags(releases: dict[str, HelmRelease]) -> list[str]:
    """Loki, Tempo and Grafana run the image tag their facts were read at, set explicitly: without it the chart picks
    its own (Loki's chart 6.51.0 would run 3.6.3, older than its appVersion; Grafana's 11.1.5 would run 12.3.3)."""
    problems = []
    for chart, (path, wanted, source) in _IMAGE_TAGS.items():
        for release in _of_chart(releases, chart):
            tag = _dig(release.values, *path)
            if tag != wanted:
                problems.append(f"release {release.name}: {'.'.join(path)} is {tag!r}, expected {wanted!r}, the tag "
                                f"goldenpath's facts were read at ({source})")
    return problems


def check_loki_storage(releases: dict[str, HelmRelease]) -> list[str]:
    problems = []
    for release in _of_chart(releases, "loki"):
        if _dig(release.values, "loki", "storage", "s3", "disable_dualstack") is not True:
            problems.append(f"release {release.name}: loki.storage.s3.disable_dualstack must be true so chunks use the "
                            f"regional IPv4 endpoint behind the VPC's S3 gateway endpoint ({facts.LOKI_S3_DUALSTACK_SOURCE})")
    return problems


RELEASE_CHECKS: tuple[Callable[[dict[str, HelmRelease]], list[str]], ...] = (
    check_chart_versions, check_collector_components, check_pipelines, check_series_bound, check_span_ids,
    check_unnameable_keys,
    check_collector_observed_and_writable, check_grafana_expansion, check_trace_log_links, check_loki_index_labels,
    check_phone_home,
    check_default_rules, check_metric_receivers, check_loki_storage, check_tempo_receivers, check_tempo_generator_limit,
    check_tempo_receive_limit, check_sampler_receive_limit, check_loki_push_limits,
    check_image_tags,
)


# -- Who may reach the observability namespace ----------------------------------------------------------------
def _policies(stack: dict, namespace: str) -> list[dict]:
    found = []
    for resource in stack.get("resource", {}).get("kubernetes_network_policy_v1", {}).values():
        meta, spec = single_block(resource["metadata"]), single_block(resource.get("spec"))
        if meta.get("namespace") == namespace:
            found.append({"name": meta["name"], **spec})
    return found


def check_observability_isolation(stack: dict, releases: dict[str, HelmRelease]) -> list[str]:
    """The namespace isolates every pod; only the collector (OTLP) and the operator's webhook admit other
    namespaces or addresses, and those policies select the pods the charts really label
    (facts.OTEL_POD_LABEL_SOURCE, OPERATOR_POD_LABEL_SOURCE) on the ports they really listen on; Grafana's pods
    (facts.GRAFANA_POD_LABEL_SOURCES) reach only the namespace, the cluster DNS and the API server."""
    releases = {name: r for name, r in releases.items() if r.namespace == OBSERVABILITY_NAMESPACE}
    if not releases:  # a preview's or tenant's stack: its own policies are checked elsewhere
        return []
    namespace = OBSERVABILITY_NAMESPACE
    policies = _policies(stack, namespace)
    problems = []
    if not any(network.selects_every_pod(p) and "Ingress" in p.get("policy_types", []) for p in policies):
        problems.append(f"namespace {namespace}: no NetworkPolicy isolates every pod's ingress, so Loki (no auth), "
                        "Prometheus (remote write) and Alertmanager are reachable from every namespace")
    for policy in policies:
        problems += network.outsider_problems(f"{namespace}/{policy['name']}", policy)
    problems += [f"namespace {namespace}: {p}" for p in network.grafana_egress_problems(policies)]
    problems += _grafana_outbound_problems(releases, policies)
    problems += _selector_facts(releases)
    return problems


def grafana_outbound_settings(values: dict) -> list[str]:
    """The kube-prometheus-stack values that make Grafana connect outside the cluster (facts.GRAFANA_OUTBOUND_AUTH_SECTIONS,
    GRAFANA_PLUGINS_SOURCE)."""
    grafana = _dig(values, "grafana") or {}
    ini = grafana.get("grafana.ini") or {}
    found = [f"grafana.ini [{section}]" for section in facts.GRAFANA_OUTBOUND_AUTH_SECTIONS
             if str((ini.get(section) or {}).get("enabled", "")).lower() == "true"]
    return found + (["grafana.plugins"] if grafana.get("plugins") else [])


def _grafana_outbound_problems(releases: dict[str, HelmRelease], policies: list[dict]) -> list[str]:
    stack = releases.get(network.PROMETHEUS_RELEASE)
    outbound = grafana_outbound_settings(stack.values) if stack else []
    if not outbound or any(p["name"] == network.GRAFANA_HTTPS_POLICY for p in policies):
        return []
    return [f"release {network.PROMETHEUS_RELEASE}: {', '.join(outbound)} make Grafana connect outside the cluster, "
            "which its NetworkPolicies refuse; set observability.grafana_https_out_reason (why Grafana needs HTTPS out) "
            "or remove them"]


def _selector_facts(releases: dict[str, HelmRelease]) -> list[str]:
    problems = []
    collector = releases.get(network.COLLECTOR_RELEASE)
    if collector is None or collector.chart != facts.OTEL_CHART_NAME or collector.values.get("nameOverride"):
        problems.append(f"release {network.COLLECTOR_RELEASE}: expected chart {facts.OTEL_CHART_NAME} without nameOverride, "
                        f"so its pods carry {network.COLLECTOR_POD_LABELS} ({facts.OTEL_POD_LABEL_SOURCE})")
    stack = releases.get(network.PROMETHEUS_RELEASE)
    grafana = _dig(stack.values, "grafana") if stack else None
    if stack is None or any((grafana or {}).get(key) for key in ("nameOverride", "podLabels")):
        problems.append(f"release {network.PROMETHEUS_RELEASE}: expected Grafana without nameOverride or podLabels, so its "
                        f"pods carry {network.GRAFANA_POD_LABELS} ({facts.GRAFANA_POD_LABEL_SOURCES[0]})")
    tls = _dig(stack.values, "prometheusOperator", "tls") if stack else None
    if stack is None or (tls or {}).get("enabled") is False or (tls or {}).get("internalPort", facts.OPERATOR_WEBHOOK_PORT) != facts.OPERATOR_WEBHOOK_PORT:
        problems.append(f"release {network.PROMETHEUS_RELEASE}: expected the operator's webhook on TLS port "
                        f"{facts.OPERATOR_WEBHOOK_PORT} ({facts.OPERATOR_WEBHOOK_SOURCE}), got tls {tls}")
    return problems


def check_platform_stack(stack: dict, declared_services: Iterable[str] = ()) -> list[str]:
    """Every fact check over one synthesized in-cluster stack (``declared_services``: in-cluster Services the
    environment says something else installs)."""
    releases = helm_releases(stack)
    problems = check_secrets(stack, releases) + check_pod_security(stack, releases) + check_grafana_rbac(stack, releases)
    problems += check_endpoints(releases, declared_services)
    problems += check_observability_isolation(stack, releases)
    for check in RELEASE_CHECKS:
        problems += check(releases)
    return problems


# -- Kubernetes versions ---------------------------------------------------------------------------
def _kube_version_admits(constraint: str, version: str) -> bool:
    """Helm's kubeVersion check for the two forms the pinned charts use (``>=1.25.0-0``, ``^1.25.0-0``; ""
    admits every version); anything else is refused, so a new form gets read rather than guessed."""
    if not constraint:
        return True
    match = re.fullmatch(r"(>=|\^)\s*(\d+)\.(\d+)(?:\.\d+)?(?:-0)?", constraint.strip())
    if not match:
        raise ValueError(f"kubeVersion {constraint!r}: expected >=X.Y.Z-0, ^X.Y.Z-0 or none")
    return _bound_admits(match.group(1), (int(match.group(2)), int(match.group(3))), version)


def _bound_admits(operator: str, bound: tuple[int, int], version: str) -> bool:
    """One semver bound (``^``, ``>=``, ``>``, ``<`` on major.minor) against a Kubernetes minor version."""
    wanted = version_key(version)
    if operator == "^":
        return wanted[0] == bound[0] and wanted >= bound
    if operator == ">=":
        return wanted >= bound
    if operator == ">":
        return wanted > bound
    if operator == "<":
        return wanted < bound
    raise ValueError(f"semver operator {operator!r}: expected ^, >=, > or <")


def check_kubernetes_range(pins: dict, versions: tuple[str, ...]) -> list[str]:
    """Every Kubernetes version goldenpath accepts lies in each pin's range, and each pin's range inside its chart's
    own kubeVersion (facts.ChartFacts.kube_version), so Helm never refuses a release on a cluster validate passed."""
    problems = []
    for pin in pins.values():
        row = facts.facts_for(pin.name, pin.version)
        for version in versions:
            if not pin.supports(version):
                problems.append(f"chart {pin.name} {pin.version}: range {pin.min_kubernetes}-{pin.max_kubernetes} leaves out "
                                f"Kubernetes {version}, which goldenpath accepts")
            try:
                admitted = _kube_version_admits(row.kube_version, version)
            except ValueError as error:
                problems.append(f"chart {pin.name} {pin.version}: {error} ({row.kube_version_source})")
                break
            if pin.supports(version) and not admitted:
                problems.append(f"chart {pin.name} {pin.version}: kubeVersion {row.kube_version!r} refuses Kubernetes {version} "
                                f"({row.kube_version_source})")
    return problems


def check_version_gates(gates: dict, versions: tuple[str, ...]) -> list[str]:
    """Every ``semverCompare`` on the cluster's version in the pinned charts' templates (facts.CHART_VERSION_GATES)
    answers the same for every version goldenpath accepts, so each renders the same objects."""
    problems = []
    for chart, (constraints, source) in gates.items():
        for constraint in constraints:
            match = re.fullmatch(r"(>=|>|<)\s*(\d+)\.(\d+)(?:\.\d+)?-\d+", constraint)
            if not match:
                problems.append(f"{chart}: {constraint!r} is not a bound this check reads ({source})")
                continue
            bound = (int(match.group(2)), int(match.group(3)))
            if len({_bound_admits(match.group(1), bound, version) for version in versions}) > 1:
                problems.append(f"{chart}: {constraint} splits Kubernetes {', '.join(versions)} ({source})")
    return problems


def _keys_anywhere(document: Any) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {key for value in document.values() for key in _keys_anywhere(value)}
    if isinstance(document, list):
        return {key for value in document for key in _keys_anywhere(value)}
    return set()


def check_version_gates_behind_values(releases: dict[str, HelmRelease]) -> list[str]:
    """The gates that render only where a value is set (facts.CHART_VERSION_GATES_BEHIND_VALUES) stay unset."""
    return [f"{release.name} sets {key}, which {gate} renders only on some Kubernetes versions ({source})"
            for chart, gate, key, source in facts.CHART_VERSION_GATES_BEHIND_VALUES
            for release in _of_chart(releases, chart) if key in _keys_anywhere(release.values)]
