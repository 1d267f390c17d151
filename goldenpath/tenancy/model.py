"""The typed catalog model: what a ``teams/<team>.yaml`` file may say.

The minimum is a team name, its owner group and a service with the environments it runs in;
everything else has a default stated in its description.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from goldenpath.config.model import (DnsLabel, DnsName, FieldProblem, GitHubIds, GitHubRepository, PreviewService,
                                     SourcedDocument, _Strict, unique_items)

# OpenTelemetry's advisory bucket boundaries for http.server.request.duration (seconds): the SDKs'
# default histogram, so a latency threshold must be one of them to be measurable exactly.
# Source: open-telemetry/semantic-conventions docs/http/http-metrics.md (metric http.server.request.duration).
HTTP_DURATION_BUCKETS: tuple[str, ...] = (
    "0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1", "2.5", "5", "7.5", "10",
)
DEFAULT_TEAM_PAGE_ALERTS = 8


def _objective(value: float, field: str) -> float:
    if not 0.9 <= value < 1.0:
        raise FieldProblem(field, value, "a fraction of good events from 0.9 up to (not including) 1, e.g. 0.999")
    return value


class AvailabilitySlo(_Strict):
    """Share of HTTP requests not answered with a 5xx, from the service's OpenTelemetry metrics."""

    objective: float = Field(description="Target share of good requests, e.g. 0.999 (0.9 <= x < 1).")

    @field_validator("objective")
    @classmethod
    def _check(cls, value: float) -> float:
        return _objective(value, "objective")


class LatencySlo(_Strict):
    """Share of HTTP requests served within ``threshold_seconds``."""

    objective: float = Field(description="Target share of fast requests, e.g. 0.99 (0.9 <= x < 1).")
    threshold_seconds: str = Field(
        json_schema_extra={"type": ["number", "string"]},
        description=f"A bucket boundary of the OpenTelemetry HTTP duration histogram: one of {', '.join(HTTP_DURATION_BUCKETS)}."
    )

    @field_validator("objective")
    @classmethod
    def _check(cls, value: float) -> float:
        return _objective(value, "objective")

    @field_validator("threshold_seconds", mode="before")
    @classmethod
    def _bucket(cls, value: object) -> str:
        text = str(value) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else ""
        try:
            normal = format(Decimal(text).normalize(), "f") if text else ""
        except ArithmeticError:
            normal = ""
        if normal not in HTTP_DURATION_BUCKETS:
            raise FieldProblem("threshold_seconds", value, f"one of the histogram's bucket boundaries ({', '.join(HTTP_DURATION_BUCKETS)})")
        return normal


class ServiceSlos(_Strict):
    """Burn-rate alerts to the owning team; each SLO needs its runbook (``goldenpath runbooks``)."""

    availability: AvailabilitySlo | None = Field(default=None, description="Default: none.")
    latency: LatencySlo | None = Field(default=None, description="Default: none.")


class CloudAccess(_Strict):
    """AWS access for the service's pods: a role bound to its service account by EKS Pod Identity."""

    bucket: Literal["read", "read_write"] = Field(
        description="Its own KMS-encrypted bucket in each environment, granted read or read_write to the role."
    )


class ServicePreviews(PreviewService):
    """Opt-in to preview environments: the chart previews deploy, and where."""

    environments: list[DnsLabel] | None = Field(
        default=None,
        description="Environments whose cluster hosts the previews; never a production one. Default: the service's "
        "environments that have a previews section and are not production.",
    )


class Service(_Strict):
    name: DnsLabel = Field(description="Service name (a DNS label); its namespace on every cluster is <team>-<name>.")
    environments: list[DnsLabel] = Field(min_length=1, description="Environments (clusters) it runs in.")
    tier: DnsLabel | None = Field(
        default=None, description="Size tier from the environment's tenancy.tiers. Default: the environment's default_tier."
    )
    slos: ServiceSlos | None = Field(default=None, description="Default: no SLOs (no burn-rate alerts).")
    previews: ServicePreviews | None = Field(
        default=None, description="Opt in to preview environments: the chart previews deploy. Default: no previews."
    )
    cloud: CloudAccess | None = Field(default=None, description="Default: no AWS access (no role, no bucket).")
    repository: GitHubRepository | None = Field(
        default=None, description="The service's GitHub repository (owner/name): its deploy and preview jobs get roles "
        "that trust it, and only through the platform repository's reusable workflows. Default: none (no CI roles).")
    repository_ids: GitHubIds | None = Field(
        default=None, description="The repository's numeric ids, for GitHub's immutable OIDC subject form. Default: none.")
    hosts: dict[DnsLabel, list[DnsName]] = Field(
        default_factory=dict,
        description="Per environment, the hosts the service's Ingresses may name on the shared ingress controller "
        "(each host belongs to one service per environment; no wildcards). Default: none, and an Ingress in its "
        "namespace is refused.")

    @field_validator("environments")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return unique_items("environments", value, "environment")


class Team(SourcedDocument):
    """One team of the catalog: who owns it and the services it runs."""

    @property
    def source_file(self) -> str:
        return self._source or f"teams/{self.name}.yaml"

    name: DnsLabel = Field(description="Team name (a DNS label); alerts route to observability.teams.<name>.")
    owners: Annotated[str, StringConstraints(pattern=r"^\S(.{0,254}\S)?$")] = Field(
        description="The identity-provider group that owns the team's namespaces (bound to the edit role)."
    )
    services: list[Service] = Field(default_factory=list, description="Default: none yet.")
    max_page_alerts: int = Field(
        default=DEFAULT_TEAM_PAGE_ALERTS, ge=0, le=200,
        description=f"Noise budget: most page-severity alert rules of the team's SLOs per environment. "
        f"Default: {DEFAULT_TEAM_PAGE_ALERTS}.",
    )

    @model_validator(mode="after")
    def _unique_services(self) -> Team:
        seen: set[str] = set()
        for index, service in enumerate(self.services):
            if service.name in seen:
                raise FieldProblem(f"services[{index}].name", service.name, "a name not used by another service of the team")
            seen.add(service.name)
        return self
