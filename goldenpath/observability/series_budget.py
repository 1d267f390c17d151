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
"""

from __future__ import annotations

from goldenpath.config.model import CollectorSettings, Environment
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
