"""A catalog service's SLOs as SLO objects: burn-rate alerts to its team, runbooks, dashboard rows.

The SLIs read the service's own OpenTelemetry HTTP server metrics as Prometheus stores them
after OTLP ingestion (see ``SERVICE_METRICS_SOURCE``): ``http.server.request.duration`` (unit s)
becomes the histogram ``http_server_request_duration_seconds``, the attribute
``http.response.status_code`` the label ``http_response_status_code``, the resource attribute
``service.name`` the label ``job`` (when no ``service.namespace`` is set), and the promoted
``k8s.namespace.name`` the label ``k8s_namespace_name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from goldenpath.constructs.naming import NameKind, safe_name
from goldenpath.errors import ConfigError
from goldenpath.observability.alerts import RunbookText
from goldenpath.observability.facts import PROMETHEUS_NAMESPACE_LABEL as NAMESPACE_LABEL, Source
from goldenpath.observability.slo import SLO, LatencySLI, RatioSLI, Selector
from goldenpath.tenancy.model import Service, Team

if TYPE_CHECKING:
    from goldenpath.tenancy.catalog import Catalog

SERVICE_METRICS_SOURCE = (
    Source("open-telemetry/semantic-conventions", "docs/http/http-metrics.md (http.server.request.duration, unit s; "
           "attribute http.response.status_code)", "v1.26.0"),
    Source("prometheus/otlptranslator", "README (UnderscoreEscapingWithSuffixes: dots to underscores, unit suffix "
           "_seconds; Prometheus 3's default OTLP translation)", "v1.0.0"),
    Source("open-telemetry/opentelemetry-specification", "specification/compatibility/prometheus_and_openmetrics.md "
           "(service.name -> job; service.namespace/service.name when a namespace is set)", "main"),
)
HTTP_DURATION_HISTOGRAM = "http_server_request_duration_seconds"
STATUS_LABEL = "http_response_status_code"


def slo_name(namespace: str, kind: str) -> str:
    return safe_name(f"{namespace}-{kind}", _SLO_NAME_KIND)

_SLO_NAME_KIND = NameKind.SLO


def _runbook_text(team: Team, service: Service, kind: str, namespace: str) -> RunbookText:
    what = "answers too many requests with a 5xx" if kind == "availability" else "serves too many requests slower than its threshold"
    return RunbookText(
        meaning=f"{service.name} (team {team.name}) {what}, fast enough to spend its 30-day error budget early.",
        impact=f"Users of {service.name} see errors or slow responses.",
        diagnosis=(
            f"Open the SLO dashboard, row {slo_name(namespace, kind)}: which burn window fired, and is it still rising?",
            f"Check what changed: the DORA dashboard's deployments of {service.name}, and `kubectl -n {namespace} rollout history deploy`.",
            f"Look at the pods: `kubectl -n {namespace} get pods` (restarts, pending pods: is the namespace at its quota?).",
            f"Find failing routes in traces (Grafana Explore, Tempo, service.name={service.name}) and their logs in Loki.",
        ),
        mitigation=(
            "Roll back the last deploy if the burn started with it.",
            f"If pods are pending at the quota, scale down something else or ask the platform team for a larger tier ({team.owners} owns the namespace).",
            "If a dependency fails, follow its runbook and keep this alert open until the budget stops burning.",
        ),
    )


def service_slos(team: Team, service: Service, namespace: str) -> list[SLO]:
    """The SLO objects of one service (none when it declares no SLOs)."""
    if service.slos is None:
        return []
    labels = {"job": service.name, NAMESPACE_LABEL: namespace}
    found = []
    availability, latency = service.slos.availability, service.slos.latency
    if availability is not None:
        name = slo_name(namespace, "availability")
        found.append(SLO(
            name=name, service=service.name, team=team.name, objective=availability.objective,
            description=f"Share of {service.name}'s HTTP requests not answered with a 5xx.",
            sli=RatioSLI(
                bad=Selector(f"{HTTP_DURATION_HISTOGRAM}_count", labels, {STATUS_LABEL: "5.."}, {STATUS_LABEL: "503"}),
                total=(Selector(f"{HTTP_DURATION_HISTOGRAM}_count", labels),),
                good_example=Selector(f"{HTTP_DURATION_HISTOGRAM}_count", {**labels, STATUS_LABEL: "200"}),
            ),
            runbook=name, runbook_text=_runbook_text(team, service, "availability", namespace),
        ))
    if latency is not None:
        name = slo_name(namespace, "latency")
        found.append(SLO(
            name=name, service=service.name, team=team.name, objective=latency.objective,
            description=f"Share of {service.name}'s HTTP requests served within {latency.threshold_seconds}s.",
            sli=LatencySLI(HTTP_DURATION_HISTOGRAM, labels, latency.threshold_seconds),
            runbook=name, runbook_text=_runbook_text(team, service, "latency", namespace),
        ))
    return found


def catalog_slos(catalog: Catalog, environment: str | None = None) -> list[SLO]:
    """Every SLO of the catalog's services (on ``environment`` only, when given), each once."""
    seen: dict[str, SLO] = {}
    for env in catalog.environments:
        if environment is not None and env.name != environment:
            continue
        for placement in catalog.placements(env.name):
            for slo in service_slos(placement.team, placement.service, placement.namespace):
                seen.setdefault(slo.name, slo)
    return [seen[name] for name in sorted(seen)]


def check_team_noise_budgets(catalog: Catalog) -> None:
    """Per team and environment: page-severity SLO alert rules within the team's max_page_alerts."""
    for env in catalog.environments:
        pages: dict[str, int] = {}
        for placement in catalog.placements(env.name):
            slos = service_slos(placement.team, placement.service, placement.namespace)
            pages[placement.team.name] = pages.get(placement.team.name, 0) + sum(
                1 for slo in slos for alert in slo.alerts() if alert.pages)
        for team in catalog.teams:
            count = pages.get(team.name, 0)
            if count > team.max_page_alerts:
                raise ConfigError(team.source_file, [
                    f"max_page_alerts: the team's SLOs add {count} page alert rules in {env.name!r}, expected at most "
                    f"{team.max_page_alerts} (the team's noise budget): raise it deliberately or drop SLOs"])
