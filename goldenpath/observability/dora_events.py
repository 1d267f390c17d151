"""DORA events from a deploy pipeline, as OTLP gauge points: one sample per event.

The path: the platform's deploy workflow (``goldenpath ci deploy``, ``goldenpath.delivery.deploy``) or
``goldenpath dora record`` sends one OTLP/HTTP JSON request per deploy to the platform collector's
otlp-http port; the collector's metrics pipeline exports it to Prometheus over OTLP, which stores each
gauge point as one sample at the event's time. Names follow Prometheus' default OTLP translation
(``facts.PROMETHEUS_OTLP_NAMING``): ``goldenpath.dora.deployment`` -> ``goldenpath_dora_deployment``
(value 1), ``goldenpath.dora.change_failure`` -> ``goldenpath_dora_change_failure`` (value 1, only for a
failed deploy), ``goldenpath.dora.lead_time`` (unit s) -> ``goldenpath_dora_lead_time_seconds`` (value: the
lead time). The DORA recording rules (``dora.py``) count and sum these samples over their windows.

Why samples, not counters: deploys are hours apart, and a delta counter (+1 per deploy) only adds up
while something keeps its running total. Prometheus' ``otlp-deltatocumulative`` forgets a series after
5 minutes without a point (the converter's default ``max_stale``; ``facts.PROMETHEUS_DELTA_SOURCE``), so
every deploy would restart the counter at 1 and ``increase()`` would read about zero. A sample per event
needs no running total, survives restarts of Prometheus and the collector, and ``count_over_time`` and
``sum_over_time`` read it exactly (tested with promtool on series that have hours between deploys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from goldenpath.errors import GoldenpathError

DEFAULT_ENDPOINT = "http://127.0.0.1:4318"


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


def _gauge(name: str, unit: str, value: float, labels: list[dict], now_ns: int) -> dict:
    point: dict = {"attributes": labels, "timeUnixNano": str(now_ns)}
    point.update({"asInt": str(value)} if isinstance(value, int) else {"asDouble": value})
    return {"name": name, "unit": unit, "gauge": {"dataPoints": [point]}}


def otlp_payload(event: DeploymentEvent, now: datetime) -> dict:
    """The OTLP/HTTP JSON body (ExportMetricsServiceRequest) for one deploy."""
    event.check()
    now_ns = int(now.astimezone(timezone.utc).timestamp()) * 1_000_000_000 + now.microsecond * 1000
    labels = _attributes({"service": event.service, "team": event.team, "environment": event.environment})
    metrics = [_gauge("goldenpath.dora.deployment", "", 1, labels, now_ns)]
    if event.failed:
        metrics.append(_gauge("goldenpath.dora.change_failure", "", 1, labels, now_ns))
    if event.lead_time_seconds is not None:
        metrics.append(_gauge("goldenpath.dora.lead_time", "s", float(event.lead_time_seconds), labels, now_ns))
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
