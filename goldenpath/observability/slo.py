"""SLOs: SLI queries, objective and window in; recording rules, multi-window multi-burn-rate
alerts and promtool unit tests out (SRE workbook, chapter "Alerting on SLOs")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from goldenpath.observability.alerts import Alert, AlertContractError, RunbookText

_METRIC = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_SLO_NAME = re.compile(r"^[a-z][a-z0-9-]{1,60}[a-z0-9]$")


@dataclass(frozen=True)
class BurnTier:
    number: int
    name: str
    severity: str
    factor: float
    long_window: str
    short_window: str
    for_: str


# Budget consumed: 2% in 1h, 5% in 6h, 10% in 1d, 10% in 3d of a 30-day window.
BURN_RATE_TABLE: dict[str, tuple[BurnTier, ...]] = {
    "30d": (
        BurnTier(1, "Fast", "page", 14.4, "1h", "5m", "2m"),
        BurnTier(2, "Medium", "page", 6.0, "6h", "30m", "15m"),
        BurnTier(3, "Slow", "ticket", 3.0, "1d", "2h", "1h"),
        BurnTier(4, "Drift", "ticket", 1.0, "3d", "6h", "3h"),
    ),
}
RATIO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


@dataclass(frozen=True)
class Selector:
    """A counter selection: ``metric{labels..., regex...}``."""

    metric: str
    labels: dict[str, str] = field(default_factory=dict)
    """Equality matchers."""
    regex: dict[str, str] = field(default_factory=dict)
    """Regex matchers (``label=~"5.."``)."""
    example: dict[str, str] = field(default_factory=dict)
    """Concrete values that satisfy ``regex``, used to build the generated promtool tests."""

    def promql(self) -> str:
        matchers = [f'{k}="{v}"' for k, v in sorted(self.labels.items())]
        matchers += [f'{k}=~"{v}"' for k, v in sorted(self.regex.items())]
        return f"{self.metric}{{{','.join(matchers)}}}" if matchers else self.metric

    def example_series(self) -> str:
        labels = {**self.labels, **self.example}
        inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        return f"{self.metric}{{{inner}}}"


@dataclass(frozen=True)
class RatioSLI:
    """Error ratio = rate(bad) / rate(sum of total). ``good_example`` is a series counted by
    ``total`` but not by ``bad`` (for the generated tests)."""

    bad: Selector
    total: tuple[Selector, ...]
    good_example: Selector

    def error_ratio(self, window: str) -> str:
        total = " + ".join(f"sum(rate({s.promql()}[{window}]))" for s in self.total)
        return f"sum(rate({self.bad.promql()}[{window}])) / ({total})"

    def selectors(self) -> tuple[Selector, ...]:
        return (self.bad, *self.total, self.good_example)

    def test_series(self, bad: int, good: int, minutes: int) -> list[dict]:
        """promtool input series giving ``bad`` bad and ``good`` good events per minute."""
        return [
            {"series": self.bad.example_series(), "values": f"0+{bad}x{minutes}"},
            {"series": self.good_example.example_series(), "values": f"0+{good}x{minutes}"},
        ]


@dataclass(frozen=True)
class LatencySLI:
    """Slow ratio = 1 - rate(requests within the threshold bucket) / rate(all requests), from a
    histogram: ``<histogram>_bucket{le=threshold}`` and ``<histogram>_count``."""

    histogram: str
    """The histogram's base name, e.g. ``http_server_request_duration_seconds``."""
    labels: dict[str, str]
    """Equality matchers selecting the service's series."""
    threshold: str
    """The ``le`` label value of the bucket that counts fast requests, e.g. ``0.25``."""

    def _bucket(self) -> Selector:
        # A whole-number bound is "1" from OTLP ingestion but "1.0" from a scraped classic
        # histogram (Prometheus 3 normalises le); match both spellings.
        spellings = [self.threshold] if "." in self.threshold else [self.threshold, f"{self.threshold}.0"]
        return Selector(f"{self.histogram}_bucket", dict(self.labels), {"le": "|".join(spellings)}, {"le": self.threshold})

    def _count(self) -> Selector:
        return Selector(f"{self.histogram}_count", dict(self.labels))

    def error_ratio(self, window: str) -> str:
        return f"1 - (sum(rate({self._bucket().promql()}[{window}])) / sum(rate({self._count().promql()}[{window}])))"

    def selectors(self) -> tuple[Selector, ...]:
        return (self._bucket(), self._count())

    def test_series(self, bad: int, good: int, minutes: int) -> list[dict]:
        return [
            {"series": self._bucket().example_series(), "values": f"0+{good}x{minutes}"},
            {"series": self._count().example_series(), "values": f"0+{good + bad}x{minutes}"},
        ]


@dataclass(frozen=True)
class SLO:
    name: str
    """Lowercase name, e.g. ``apiserver-availability``."""
    service: str
    team: str
    objective: float
    """Target share of good events, e.g. 0.999. Strictly between 0 and 1."""
    sli: RatioSLI | LatencySLI
    runbook: str
    runbook_text: RunbookText
    window: str = "30d"
    """Compliance window; one the burn-rate table covers. Default: 30d."""
    description: str = ""
    burn_in: bool = False
    """Route this SLO's page alerts to the team's non-paging receiver until promoted. Default: false."""

    def __post_init__(self) -> None:
        where = f"SLO {self.name!r}"
        if not _SLO_NAME.match(self.name):
            raise AlertContractError(f"{where}: name must be lowercase letters, digits and hyphens (3-62 characters)")
        if not (isinstance(self.objective, float) and 0.0 < self.objective < 1.0):
            raise AlertContractError(
                f"{where}: objective {self.objective!r}, expected a fraction strictly between 0 and 1 "
                "(1.0 = 100% leaves no error budget; 0 promises nothing)"
            )
        if self.window not in BURN_RATE_TABLE:
            raise AlertContractError(
                f"{where}: window {self.window!r} is not in the burn-rate table, expected one of {', '.join(BURN_RATE_TABLE)}"
            )
        fastest = BURN_RATE_TABLE[self.window][0]
        if fastest.factor * self.budget >= 1:
            raise AlertContractError(
                f"{where}: objective {self.objective} is too low to page on burn rate: {fastest.factor}x the budget "
                f"({fastest.factor * self.budget:.3f}) would need more than 100% errors; expected an objective above "
                f"{1 - 1 / fastest.factor:.4f}"
            )
        for selector in self.sli.selectors():
            if not _METRIC.match(selector.metric):
                raise AlertContractError(f"{where}: metric {selector.metric!r} is not a valid Prometheus metric name")
        if isinstance(self.sli, RatioSLI) and not self.sli.total:
            raise AlertContractError(f"{where}: the SLI needs at least one total selector")

    @property
    def budget(self) -> float:
        return round(1.0 - self.objective, 10)

    @property
    def camel(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("-"))

    @property
    def tiers(self) -> tuple[BurnTier, ...]:
        return BURN_RATE_TABLE[self.window]

    def _labels(self) -> dict[str, str]:
        return {"slo": self.name, "service": self.service, "team": self.team}

    def ratio_metric(self, window: str) -> str:
        return f"slo:sli_error:ratio_rate{window}"

    def recording_rules(self) -> list[dict]:
        return [
            {"record": self.ratio_metric(w), "expr": self.sli.error_ratio(w), "labels": self._labels()}
            for w in RATIO_WINDOWS
        ]

    def threshold(self, tier: BurnTier) -> float:
        return round(tier.factor * self.budget, 10)

    def alerts(self) -> list[Alert]:
        selector = f'{{slo="{self.name}"}}'
        alerts = []
        for tier in self.tiers:
            threshold = self.threshold(tier)
            alerts.append(
                Alert(
                    name=f"{self.camel}BudgetBurn{tier.name}",
                    expr=(
                        f"{self.ratio_metric(tier.long_window)}{selector} > {threshold:g}\n"
                        f"and\n{self.ratio_metric(tier.short_window)}{selector} > {threshold:g}"
                    ),
                    severity=tier.severity,  # type: ignore[arg-type]
                    team=self.team,
                    summary=(
                        f"{self.service}: error budget of SLO {self.name} burning {tier.factor:g}x "
                        f"over {tier.long_window} and {tier.short_window}"
                    ),
                    runbook=self.runbook,
                    runbook_text=self.runbook_text,
                    for_=tier.for_,
                    labels={"slo": self.name, "service": self.service, "burn_tier": str(tier.number)},
                    burn_in=self.burn_in,
                )
            )
        return alerts

    def promtool_tests(self, runbook_base_url: str) -> list[dict]:
        """For each page tier: the alert fires at 1.5x its threshold and stays silent at 0.5x."""
        tests = []
        rules = {a.name: a.rule(runbook_base_url) for a in self.alerts()}
        for tier in (t for t in self.tiers if t.severity == "page"):
            threshold = self.threshold(tier)
            minutes = _minutes(tier.long_window) + _minutes(tier.for_) + 5
            alert = f"{self.camel}BudgetBurn{tier.name}"
            for ratio, fires in ((min(threshold * 1.5, 0.99), True), (threshold * 0.5, False)):
                bad, good = _rates(ratio)
                expected = []
                if fires:
                    labels = {
                        "alertname": alert, "slo": self.name, "service": self.service, "team": self.team,
                        "severity": tier.severity, "burn_tier": str(tier.number),
                    }
                    if self.burn_in:
                        labels["burn_in"] = "true"
                    expected = [{"exp_labels": labels, "exp_annotations": rules[alert]["annotations"]}]
                tests.append({
                    "name": f"{alert} {'fires' if fires else 'stays silent'} at error ratio {ratio:.5f} (threshold {threshold:g})",
                    "interval": "1m",
                    "input_series": self.sli.test_series(bad, good, minutes),
                    "alert_rule_test": [{"eval_time": f"{minutes}m", "alertname": alert, "exp_alerts": expected}],
                })
        return tests


def _minutes(duration: str) -> int:
    from goldenpath.observability.durations import seconds

    return seconds(duration) // 60


def _rates(ratio: float, per_minute: int = 100000) -> tuple[int, int]:
    """Integer increments per minute giving ``ratio`` bad events out of all events."""
    bad = max(1, round(ratio * per_minute))
    return bad, per_minute - bad
