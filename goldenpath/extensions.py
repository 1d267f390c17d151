"""Extension points: what a platform team adds from its own repository, without forking goldenpath.

Put a ``platform_extensions.py`` next to ``environments/`` (``goldenpath init`` writes one) that
defines ``EXTENSIONS = Extensions(...)``. Every command (synth, validate, alerts, runbooks,
deploy, preview) and ``main.py`` load it, so the team's SLOs, alerts, runbooks, checkov
suppressions and Helm values reach every environment through the same checks as goldenpath's own:
the alert contract (runbook file, routed team, noise budget), the suppression rules (reason,
owner) and, for Helm values, the chart facts that ``validate`` checks.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from goldenpath.errors import GoldenpathError
from goldenpath.observability.alerts import Alert
from goldenpath.observability.catalog import CAUSE_ALERTS, PLATFORM_SLOS
from goldenpath.observability.charts import RELEASE_CHARTS
from goldenpath.observability.slo import SLO
from goldenpath.policies.suppressions import Suppression

EXTENSIONS_FILE = "platform_extensions.py"
EXTENSIONS_NAME = "EXTENSIONS"
RELEASES = tuple(RELEASE_CHARTS)


@dataclass(frozen=True)
class Extensions:
    """A platform team's additions. Every field defaults to nothing added."""

    slos: tuple[SLO, ...] = ()
    """SLOs added to the platform's own (each generates burn-rate alerts that need runbooks)."""
    alerts: tuple[Alert, ...] = ()
    """Cause alerts added to the platform's own."""
    suppressions: tuple[Suppression, ...] = ()
    """Accepted checkov findings, each with a reason and an owner (shown by ``validate``)."""
    helm_values: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    """Release name -> Helm values merged over goldenpath's (maps merge, lists replace, None deletes).
    Releases: kube-prometheus-stack, loki, tempo, otel-collector, otel-sampler."""
    dashboards: Mapping[str, dict] = field(default_factory=lambda: MappingProxyType({}))
    """Grafana dashboards by file name (``name.json``), provisioned next to goldenpath's."""
    checks_dirs: tuple[str, ...] = ()
    """Folders of the team's own checkov checks (Python ``BaseResourceCheck`` files), relative to
    platform_extensions.py; ``validate`` runs them next to goldenpath's."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.helm_values) - set(RELEASES))
        if unknown:
            raise GoldenpathError(f"Extensions.helm_values: got release(s) {', '.join(map(repr, unknown))}, "
                                  f"expected one of {', '.join(RELEASES)}")
        for name in self.dashboards:
            if not name.endswith(".json"):
                raise GoldenpathError(f"Extensions.dashboards: got {name!r}, expected a file name ending in .json")

    def all_slos(self) -> tuple[SLO, ...]:
        return (*PLATFORM_SLOS, *self.slos)

    def all_alerts(self) -> tuple[Alert, ...]:
        return (*CAUSE_ALERTS, *self.alerts)


NO_EXTENSIONS = Extensions()


def load_extensions(project_root: Path) -> Extensions:
    """``EXTENSIONS`` from ``<project_root>/platform_extensions.py``, or none when the file is absent."""
    path = Path(project_root) / EXTENSIONS_FILE
    if not path.is_file():
        return NO_EXTENSIONS
    spec = importlib.util.spec_from_file_location("platform_extensions", path)
    if spec is None or spec.loader is None:
        raise GoldenpathError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except GoldenpathError as exc:
        raise GoldenpathError(f"{path}: {exc}") from None
    except Exception as exc:  # the team's code: report it as one line, never a traceback
        raise GoldenpathError(f"{path}: failed to load: {type(exc).__name__}: {exc}") from None
    extensions = getattr(module, EXTENSIONS_NAME, None)
    if not isinstance(extensions, Extensions):
        raise GoldenpathError(f"{path}: {EXTENSIONS_NAME} is {type(extensions).__name__}, expected "
                              "goldenpath.extensions.Extensions(...)")
    checks_dirs = tuple(str((path.parent / d).resolve()) for d in extensions.checks_dirs)
    for directory in checks_dirs:
        if not Path(directory).is_dir():
            raise GoldenpathError(f"{path}: checks_dirs names {directory}, which is not a folder; expected a folder of checkov checks")
    return dataclasses.replace(extensions, checks_dirs=checks_dirs)
