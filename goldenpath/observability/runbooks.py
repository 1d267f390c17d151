"""Runbooks generated from Jinja2 templates into docs/runbooks/, one per runbook slug."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from goldenpath.templating import package_templates, write_rendered

from goldenpath.observability.alerts import Alert, AlertContractError

DEFAULT_RUNBOOK_DIR = Path("docs/runbooks")
DORA_DASHBOARD = "goldenpath / DORA"
SLO_DASHBOARD = "goldenpath / SLOs"



@dataclass(frozen=True)
class RenderedRunbook:
    slug: str
    text: str


def render_runbooks(alerts: list[Alert]) -> list[RenderedRunbook]:
    by_slug: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_slug.setdefault(alert.runbook, []).append(alert)
    rendered = []
    for slug in sorted(by_slug):
        group = by_slug[slug]
        texts = {a.runbook_text for a in group}
        if len(texts) > 1:
            raise AlertContractError(
                f"runbook {slug!r}: alerts {', '.join(a.name for a in group)} share it but describe it differently"
            )
        slo = group[0].labels.get("slo")
        text = package_templates("goldenpath.observability").get_template("runbook.md.j2").render(
            title=slug.replace("-", " ").capitalize(), team=group[0].team, alerts=group, text=group[0].runbook_text,
            dora_dashboard=DORA_DASHBOARD, slo_dashboard=SLO_DASHBOARD, slo=slo,
        )
        rendered.append(RenderedRunbook(slug, text))
    return rendered


def write_runbooks(alerts: list[Alert], directory: Path = DEFAULT_RUNBOOK_DIR) -> list[Path]:
    return write_rendered({f"{runbook.slug}.md": runbook.text for runbook in render_runbooks(alerts)}, directory)


def check_runbooks_exist(alerts: list[Alert], directory: Path) -> None:
    """The alert contract's runbook clause: the file the runbook_url points at exists in the repo."""
    for alert in alerts:
        path = directory / f"{alert.runbook}.md"
        if not path.is_file():
            raise AlertContractError(
                f"alert {alert.name!r}: runbook {path} does not exist; run `goldenpath runbooks` to generate it"
            )
