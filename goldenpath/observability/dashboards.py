"""Vendored Grafana dashboards generated from the SLO objects (no dashboard is fetched)."""

from __future__ import annotations

from goldenpath.observability.slo import SLO

_PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}


def slo_dashboard(slos: list[SLO], uid: str = "goldenpath-slos", title: str = "goldenpath / SLOs") -> dict:
    panels = []
    for row, slo in enumerate(slos):
        y = row * 7
        selector = f'{{slo="{slo.name}"}}'
        budget = slo.budget
        panels += [
            {"id": 3 * row + 1, "type": "stat", "title": f"{slo.name}: error budget left ({slo.window})",
             "description": slo.description, "datasource": _PROMETHEUS, "gridPos": {"h": 7, "w": 6, "x": 0, "y": y},
             "fieldConfig": {"defaults": {"unit": "percentunit", "min": 0, "max": 1}, "overrides": []},
             "targets": [{"refId": "A", "expr": f"1 - (avg_over_time(slo:sli_error:ratio_rate5m{selector}[{slo.window}]) / {budget:g})"}]},
            {"id": 3 * row + 2, "type": "timeseries", "title": f"{slo.name}: burn rate by window",
             "datasource": _PROMETHEUS, "gridPos": {"h": 7, "w": 12, "x": 6, "y": y},
             "targets": [{"refId": w, "expr": f"slo:sli_error:ratio_rate{w}{selector} / {budget:g}", "legendFormat": w}
                         for w in ("5m", "1h", "6h", "1d")]},
            {"id": 3 * row + 3, "type": "stat", "title": f"{slo.name}: objective",
             "datasource": _PROMETHEUS, "gridPos": {"h": 7, "w": 6, "x": 18, "y": y},
             "fieldConfig": {"defaults": {"unit": "percentunit", "decimals": 3}, "overrides": []},
             "targets": [{"refId": "A", "expr": f"vector({slo.objective:g})"}]},
        ]
    return {
        "uid": uid, "title": title, "tags": ["goldenpath", "slo"],
        "schemaVersion": 39, "version": 1, "editable": False, "time": {"from": "now-7d", "to": "now"},
        "panels": panels,
    }
