"""DORA events from a deploy pipeline, as OTLP metrics with delta temporality.

The path: the service's deploy workflow (``goldenpath service scaffold``, ``goldenpath.scaffold.service``) runs
``goldenpath dora record`` after each deploy; it sends one OTLP/HTTP JSON request to the
platform collector's otlp-http port (reached through ``kubectl port-forward``, the
workflow already has cluster access); the collector's metrics pipeline exports it to
Prometheus over OTLP; Prometheus, with the ``otlp-deltatocumulative`` feature
(``facts.PROMETHEUS_DELTA_SOURCE``), adds each delta to a counter, named by Prometheus' default
OTLP translation: ``goldenpath.dora.deployments`` (monotonic sum) ->
``goldenpath_dora_deployments_total``, ``goldenpath.dora.change_failures`` ->
``goldenpath_dora_change_failures_total``, ``goldenpath.dora.lead_time`` (histogram, unit s) ->
``goldenpath_dora_lead_time_seconds_sum`` / ``_count``; the DORA recording rules
(``dora.py``) read exactly these, by the ``service`` label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from goldenpath.errors import GoldenpathError

DELTA = 1  # AGGREGATION_TEMPORALITY_DELTA in the OTLP protobuf
DEFAULT_ENDPOINT = "http://127.0.0.1:4318"
# Lead-time buckets (seconds): 5 min to 4 weeks.
LEAD_TIME_BOUNDS = (300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 28 * 86400)


@dataclass(frozen=True)
class DeploymentEvent:
    service: str
    team: str
    environment: str
    lead_time_seconds: float | None = None
    """Seconds from the change's first commit to this deploy. Default: not recorded."""
    failed: bool = False
    """The deploy failed or was rolled back: counts as a change failure."""

    def check(self) -> None:
        for field in ("service", "team", "environment"):
            if not getattr(self, field).strip():
                raise GoldenpathError(f"--{field}: missing, expected the {field} name")
        if self.lead_time_seconds is not None and self.lead_time_seconds < 0:
            raise GoldenpathError(f"--lead-time-seconds: got {self.lead_time_seconds}, expected 0 or more "
                                  "(seconds from the first commit to the deploy)")


def _attributes(values: dict[str, str]) -> list[dict]:
    return [{"key": k, "value": {"stringValue": v}} for k, v in sorted(values.items())]


def _sum(name: str, labels: list[dict], now_ns: int, start_ns: int) -> dict:
    return {"name": name, "unit": "{event}", "sum": {"aggregationTemporality": DELTA, "isMonotonic": True, "dataPoints": [
        {"attributes": labels, "startTimeUnixNano": str(start_ns), "timeUnixNano": str(now_ns), "asInt": "1"}]}}


def otlp_payload(event: DeploymentEvent, now: datetime) -> dict:
    """The OTLP/HTTP JSON body (ExportMetricsServiceRequest) for one deploy."""
    event.check()
    now_ns = int(now.astimezone(timezone.utc).timestamp() * 1e9)
    start_ns = now_ns - 1_000_000_000  # a delta covers the second before the event
    labels = _attributes({"service": event.service, "team": event.team, "environment": event.environment})
    metrics = [_sum("goldenpath.dora.deployments", labels, now_ns, start_ns)]
    if event.failed:
        metrics.append(_sum("goldenpath.dora.change_failures", labels, now_ns, start_ns))
    if event.lead_time_seconds is not None:
        lead = event.lead_time_seconds
        counts = [0] * (len(LEAD_TIME_BOUNDS) + 1)
        counts[sum(1 for bound in LEAD_TIME_BOUNDS if lead > bound)] = 1
        metrics.append({"name": "goldenpath.dora.lead_time", "unit": "s", "histogram": {
            "aggregationTemporality": DELTA, "dataPoints": [{
                "attributes": labels, "startTimeUnixNano": str(start_ns), "timeUnixNano": str(now_ns),
                "count": "1", "sum": lead, "bucketCounts": [str(c) for c in counts],
                "explicitBounds": [float(b) for b in LEAD_TIME_BOUNDS]}]}})
    return {"resourceMetrics": [{
        "resource": {"attributes": _attributes({"service.name": "goldenpath-dora"})},
        "scopeMetrics": [{"scope": {"name": "goldenpath.dora"}, "metrics": metrics}],
    }]}


def send(payload: dict, endpoint: str = DEFAULT_ENDPOINT, timeout: float = 10.0) -> None:
    """POST to ``<endpoint>/v1/metrics``; a refused or failed request is one clear error."""
    import urllib.error  # only sending needs it, not every CLI start (the CLI reads DEFAULT_ENDPOINT)
    import urllib.request

    if not endpoint.startswith(("http://", "https://")):
        raise GoldenpathError(f"--endpoint: got {endpoint!r}, expected an http(s) URL such as {DEFAULT_ENDPOINT}")
    url = endpoint.rstrip("/") + "/v1/metrics"
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - an http(s) URL we build
            if response.status >= 300:
                raise GoldenpathError(f"--endpoint: {url} answered HTTP {response.status}, expected 2xx")
    except urllib.error.HTTPError as exc:
        raise GoldenpathError(f"--endpoint: {url} answered HTTP {exc.code}, expected 2xx: {exc.read()[:200]!r}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise GoldenpathError(f"--endpoint: cannot reach {url} ({getattr(exc, 'reason', exc)}); expected the collector's "
                              "otlp-http port, e.g. through `kubectl -n observability port-forward svc/otel-collector 4318`") from None
