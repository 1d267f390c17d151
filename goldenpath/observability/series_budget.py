"""Each namespace's share of Prometheus: counted, compared with a budget, and shed on demand.

No pinned component limits series per namespace: Prometheus' OTLP receiver has no limits, and the
collector distribution (otelcol-k8s) has neither a Prometheus exporter (whose scrapes could carry a
``sample_limit``) nor a cardinality limiter. So goldenpath makes one tenant's flood visible and
removable instead of impossible:

* every 2 minutes a recording rule counts the series each namespace holds. The namespace label is
  trustworthy: the collector agent deletes client-supplied ``k8s.*`` attributes and sets
  ``k8s.namespace.name`` from the sending pod's connection (``goldenpath.observability.collector``);
  Prometheus promotes it to the label ``k8s_namespace_name`` on every series
  (``facts.PROMETHEUS_PROMOTED_LABEL_SOURCES``);
* ``NamespaceSeriesOverBudget`` (a ticket for the platform team) fires when one holds more than
  ``observability.namespace_series_budget`` for 10 minutes; the budget is a recording rule, so the alert
  rule is the same in every environment;
* ``observability.collector.shed_metrics_namespaces`` makes the agent drop every metric of the namespaces
  it lists (the filter processor, after the identity processors: a pod cannot escape it by claiming
  another namespace, nor get another namespace shed). Logs and traces keep flowing.

The count weighs series by number; ``bound_processor`` keeps each one's weight bounded, so a namespace cannot strain
Prometheus with a few enormous series instead. OTLP carries none of a scrape's label limits, so the agent drops a
data point whose attributes, as JSON, exceed ``max_point_attribute_bytes``, every metric whose resource exceeds
``max_resource_attribute_bytes``, and instruments whose name or unit is longer than OpenTelemetry's API allows.
A point's labels take fewer bytes than its attributes' JSON: Prometheus writes each value as pdata's AsString (a
double as JSON writes it, a map or slice as its JSON, bytes as base64) and each name at most 4 bytes longer
(``key_`` before a leading digit), where JSON spends at least 4 bytes of quotes, colon and comma on every entry
(facts.OTTL_MEASURE_SOURCES, facts.PROMETHEUS_PROMOTED_LABEL_SOURCES).
"""

from __future__ import annotations

from goldenpath.config.model import CollectorSettings, Environment
from goldenpath.observability.facts import OTEL_INSTRUMENT_NAME_MAX, OTEL_INSTRUMENT_UNIT_MAX
from goldenpath.observability.facts import PROMETHEUS_NAMESPACE_LABEL as NAMESPACE_LABEL

SERIES_RECORD = "goldenpath:namespace_series:count"
BUDGET_RECORD = "goldenpath:namespace_series:budget"
ALERT = "NamespaceSeriesOverBudget"
GROUP = "goldenpath-namespace-series"
# The recording rules' own outputs, and the ALERTS / ALERTS_FOR_STATE series Prometheus writes for alerts about the
# namespace (this one included), carry the namespace label too; they are not the tenant's.
COUNTED = f'{{{NAMESPACE_LABEL}!="", __name__!~"goldenpath:.*|ALERTS|ALERTS_FOR_STATE"}}'
ALERT_EXPR = f"{SERIES_RECORD} > on() group_left() {BUDGET_RECORD}"
SHED_PROCESSOR = "filter/shed-namespaces"


def rule_group(budget: int) -> dict:
    """Count each namespace's series (every 2 minutes: the count reads every tenant series) and state the budget."""
    return {"name": GROUP, "interval": "2m", "rules": [
        {"record": SERIES_RECORD, "expr": f"count by ({NAMESPACE_LABEL}) ({COUNTED})"},
        {"record": BUDGET_RECORD, "expr": f"vector({budget})"},
    ]}


def shed_processor(settings: CollectorSettings) -> dict:
    """The agent's filter processor for ``shed_metrics_namespaces`` ({} when none is shed).
    Fact: the filter processor drops a metric when any ``metrics.metric`` OTTL condition is true, and the metric
    context reaches its resource (``resource.attributes``) (open-telemetry/opentelemetry-collector-contrib
    processor/filterprocessor/README.md @ ba96fac1, through the search index; the processor is in otelcol-k8s
    0.128.0: facts.COLLECTOR_IMAGES)."""
    if not settings.shed_metrics_namespaces:
        return {}
    return {SHED_PROCESSOR: {"error_mode": "ignore", "metrics": {"metric": [
        f'resource.attributes["k8s.namespace.name"] == "{namespace}"' for namespace in settings.shed_metrics_namespaces]}}}


BOUND_PROCESSOR = "filter/bound-series"


def bound_conditions(settings: CollectorSettings) -> dict[str, list[str]]:
    """The filter processor's drop conditions, by OTTL context (metric, datapoint)."""
    return {
        "metric": [f"Len(name) > {OTEL_INSTRUMENT_NAME_MAX}", f"Len(unit) > {OTEL_INSTRUMENT_UNIT_MAX}",
                   f"Len(String(resource.attributes)) > {settings.max_resource_attribute_bytes}"],
        "datapoint": [f"Len(String(attributes)) > {settings.max_point_attribute_bytes}"],
    }


def bound_processor(settings: CollectorSettings) -> dict:
    """The agent's filter processor that drops oversized metrics and data points. ``propagate``: an attribute set that
    cannot be measured (String fails on a NaN or infinite double) refuses the sender's request instead of passing
    unmeasured; the processor runs before batch, so only that request. Fact: the filter processor's metric and
    datapoint contexts, and a dropped metric when all its points are (processor/filterprocessor/README.md @ ba96fac1,
    through the search index; in otelcol-k8s 0.128.0: facts.COLLECTOR_IMAGES)."""
    return {BOUND_PROCESSOR: {"error_mode": "propagate", "metrics": bound_conditions(settings)}}


def series_line(environment: Environment) -> str:
    """What `validate` says about the environment's per-namespace series (a shed namespace is named)."""
    obs = environment.observability
    line = (f"telemetry: {environment.name} tickets the platform team when a namespace holds more than "
            f"{obs.namespace_series_budget} Prometheus series ({ALERT})")
    shed = obs.collector.shed_metrics_namespaces
    if shed:
        line += f"; the collector DROPS every metric of {', '.join(shed)} (observability.collector.shed_metrics_namespaces)"
    return line


def promtool_tests(runbook_base_url: str, budget: int) -> list[dict]:
    """One namespace over the budget, one at it. The input is what Prometheus stores: the namespace label was set by
    the collector from the sending pod (a pod claiming another namespace is tested in tests/test_isolation.py)."""
    over, under = "shop-web", "shop-cart"
    series = [{"series": f'http_requests_total{{{NAMESPACE_LABEL}="{over}",route="/r{i}"}}', "values": "1+1x30"}
              for i in range(budget + 1)]
    series += [{"series": f'http_requests_total{{{NAMESPACE_LABEL}="{under}",route="/r{i}"}}', "values": "1+1x30"}
               for i in range(budget)]
    return [{
        "name": "a namespace over its series budget opens a ticket naming it; one at the budget does not",
        "interval": "1m", "input_series": series,
        "promql_expr_test": [{"expr": SERIES_RECORD, "eval_time": "14m", "exp_samples": [
            {"labels": f'{SERIES_RECORD}{{{NAMESPACE_LABEL}="{under}"}}', "value": budget},
            {"labels": f'{SERIES_RECORD}{{{NAMESPACE_LABEL}="{over}"}}', "value": budget + 1}]}],
        "alert_rule_test": [
            {"eval_time": "5m", "alertname": ALERT, "exp_alerts": []},  # pending: the condition must hold 10 minutes
            {"eval_time": "14m", "alertname": ALERT, "exp_alerts": [{
                "exp_labels": {NAMESPACE_LABEL: over, "severity": "ticket", "team": "platform"},
                "exp_annotations": {"summary": f"Namespace {over} holds {budget + 1} Prometheus series, over the "
                                               "per-namespace budget",
                                    "runbook_url": f"{runbook_base_url}/namespace-series-over-budget.md"}}]},
        ],
    }]
