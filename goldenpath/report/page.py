"""`goldenpath report`: what runs where, the policy gate, cost against budget, egress, alert routing
and tenants on one static page. Inline CSS and SVG only: it works offline and from a CI artifact."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path

from goldenpath import __version__
from goldenpath.config.model import Environment, Receiver
from goldenpath.cost.environments import EnvironmentEstimate
from goldenpath.cost.render import assumptions, at_least, grouped_unpriced, money
from goldenpath.files import write_text_atomically
from goldenpath.observability.egress import egress_endpoints
from goldenpath.gate import GateResult
from goldenpath.report.graph import dependency_svg
from goldenpath.stacks.layout import synthesized_layouts

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#202124}
h1{margin-bottom:4px} h2{border-bottom:2px solid #dadce0;padding-bottom:4px;margin-top:36px}
table{border-collapse:collapse;margin:8px 0 16px;width:100%} th,td{border:1px solid #dadce0;padding:4px 8px;text-align:left;
font-size:14px;vertical-align:top} th{background:#f1f3f4} td.num{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:16px;flex-wrap:wrap} .card{border:1px solid #dadce0;border-radius:8px;padding:12px 16px;min-width:200px}
.card b{display:block;font-size:22px} .ok{color:#137333} .bad{color:#c5221f} .muted{color:#5f6368;font-size:13px}
.bar{background:#f1f3f4;border-radius:4px;height:14px;width:320px;position:relative;display:inline-block;vertical-align:middle}
.bar span{display:block;height:14px;border-radius:4px} svg.graph{max-width:100%;height:auto}
"""


def _table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{cell}</td>' for i, cell in enumerate(row))
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _budget_bar(estimate: EnvironmentEstimate) -> str:
    budget = estimate.environment.budget
    expected = estimate.total("expected")
    if budget is None:
        return (f'<p class="budget" data-env="{escape(estimate.environment.name)}">Expected '
                f'{at_least(expected, bool(estimate.not_priced))}/month; no budget set.</p>')
    share = min(expected / budget.monthly_usd, Decimal(1))
    over = expected > budget.monthly_usd
    colour = "#c5221f" if over else "#1e8e3e"
    return (f'<p class="budget" data-env="{escape(estimate.environment.name)}">Expected <b>{at_least(expected, bool(estimate.not_priced))}</b>/month of a '
            f'{money(budget.monthly_usd)} budget <span class="bar"><span style="width:{share * 100:.0f}%;background:{colour}">'
            f'</span></span> <b class="{"bad" if over else "ok"}">{"over budget" if over else "within budget"}</b>'
            f'{f" (at least: {len(estimate.not_priced)} line(s) not priced)" if estimate.not_priced else ""}</p>')


def _stacks(gate: GateResult, estimate: EnvironmentEstimate) -> str:
    by_name = {s.name: s for s in estimate.stacks}
    rows = []
    for layout in synthesized_layouts(estimate.environment, gate.synth.stacks, gate.environments):
        s = by_name.get(layout.name)
        figures = [money(s.total(f)) for f in ("low", "expected", "high")] if s else ["-"] * 3
        rows.append([f'<span class="stack">{escape(layout.name)}</span>', escape(f"s3://{layout.bucket}/{layout.state_key}"),
                     "in-cluster" if layout.in_cluster else "AWS", *figures])
    return _table(["stack", "state", "kind", "low", "expected", "high"], rows, frozenset({3, 4, 5}))


def _receiver(receiver: Receiver) -> str:
    where = receiver.channel or receiver.url or (f"secret {receiver.secret.name}/{receiver.secret.key}" if receiver.secret else "")
    return escape(f"{receiver.type}: {where}")


def _routing(environment: Environment) -> str:
    rows = [[escape(team), _receiver(r.page), _receiver(r.ticket), _receiver(r.info or r.ticket)]
            for team, r in sorted(environment.observability.teams.items())]
    return _table(["team", "page", "ticket", "info"], rows)


def _egress(environment: Environment) -> str:
    rows = [[escape(e.component), escape(e.name), escape(e.destination), escape(e.data)] for e in egress_endpoints(environment)]
    return _table(["component", "endpoint", "destination", "data"], rows) if rows else "<p>No endpoint outside the cluster.</p>"


def _tenants(gate: GateResult, environment: Environment) -> str:
    rows = [[escape(p.team.name), escape(p.service.name), escape(p.namespace), escape(p.tier_name),
             "yes" if p.previews else "no"] for p in gate.catalog.placements(environment.name)]
    return _table(["team", "service", "namespace", "tier", "previews"], rows) if rows else "<p>No tenants.</p>"


def _environment(gate: GateResult, estimate: EnvironmentEstimate) -> str:
    environment = estimate.environment
    name = escape(environment.name)
    return "".join([
        f'<section class="environment" id="env-{name}"><h2>{name} <span class="muted">({escape(environment.region)}, '
        f'account {escape(environment.account_id)}, {"production" if environment.production else "non-production"})</span></h2>',
        _budget_bar(estimate),
        "<h3>Stacks, state and deploy order</h3>", _stacks(gate, estimate),
        dependency_svg(environment.name, synthesized_layouts(environment, gate.synth.stacks, gate.environments),
                       gate.synth.dependencies),
        '<p class="muted">Arrows point from a stack to the stacks that depend on it (from the synthesized manifest); '
        'deploy follows them, destroy runs backwards. Amber: AWS stacks; blue: in-cluster stacks.</p>',
        "<h3>Alert routing per team</h3>", _routing(environment),
        "<h3>Egress: endpoints outside the cluster</h3>", _egress(environment),
        "<h3>Tenants</h3>", _tenants(gate, environment),
        f'<p class="muted">{escape(assumptions(estimate))}</p></section>',
    ])


def _gate_section(gate: GateResult) -> str:
    checkov = gate.checkov
    failures = [[escape(f.check_id), escape(f.stack), escape(f.construct_path), escape(f.check_name)] for f in checkov.failures]
    suppressed = [[escape(f.check_id), escape(f.stack), escape(f.construct_path), escape(s.owner), escape(s.reason)]
                  for f, s in checkov.suppressed]
    parts = ['<section id="gate"><h2>Policy gate</h2>',
             f'<p id="gate-totals">checkov: {len(checkov.passed)} passed, {len(checkov.failures)} failed, '
             f'{len(checkov.suppressed)} suppressed; in-cluster: {gate.in_cluster.objects} objects in '
             f'{len(gate.in_cluster.stacks)} stacks, {len(gate.in_cluster.problems)} problem(s)</p>']
    parts += ['<h3>Cost checks</h3><ul id="cost-checks">', *(f"<li>{escape(line.removeprefix('cost: '))}</li>"
                                                            for line in gate.cost_lines), "</ul>"]
    parts += ['<h3>Kubernetes support</h3><ul id="kubernetes-support">',
              *(f"<li>{escape(line.removeprefix('kubernetes: '))}</li>" for line in gate.support.lines),
              *(f'<li class="bad">{escape(problem)}</li>' for problem in gate.support.problems), "</ul>"]
    if gate.sandbox_lines:
        parts += ['<h3>Sandbox tiers: worst case per lease</h3><ul id="sandbox-tiers">',
                  *(f"<li>{escape(line.removeprefix('sandbox tier '))}</li>" for line in gate.sandbox_lines), "</ul>"]
    if failures:
        parts += ["<h3>Failed</h3>", _table(["check", "stack", "resource", "what"], failures)]
    if gate.in_cluster.problems:
        parts += ["<h3>In-cluster problems</h3><ul>", *(f"<li>{escape(p)}</li>" for p in gate.in_cluster.problems), "</ul>"]
    parts += ["<h3>Suppressions (accepted, with owner and reason)</h3>",
              _table(["check", "stack", "resource", "owner", "reason"], suppressed) if suppressed else "<p>None.</p>", "</section>"]
    return "".join(parts)


def _not_priced(gate: GateResult) -> str:
    lines = gate.cost.not_priced
    if not lines:
        return ""
    return (f'<section id="not-priced"><h2>Not priced ({len(lines)})</h2><p class="muted">Never counted as $0, so totals are lower '
            "bounds: add prices with <code>goldenpath cost refresh</code>. By missing price:</p><ul>"
            + "".join(f"<li>{escape(n)}</li>" for n in grouped_unpriced(lines)) + "</ul></section>")


def render_page(gate: GateResult) -> str:
    cost = gate.cost
    status = '<b class="ok">passed</b>' if gate.passed else '<b class="bad">FAILED</b>'
    cards = "".join([
        f'<div class="card">Policy gate {status}</div>',
        f'<div class="card" id="total-expected">Expected per month<b>{at_least(cost.total("expected"), bool(cost.not_priced))}</b>'
        f'<span class="muted">low {money(cost.total("low"))}, high {money(cost.total("high"))}</span></div>',
        f'<div class="card">Stacks<b id="stack-count">{len(cost.stacks)}</b></div>',
    ])
    title = f"goldenpath platform report: {', '.join(e.name for e in gate.environments)}"
    return "".join([
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>',
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1><p class=muted>goldenpath {escape(__version__)}, estimated on {cost.today.isoformat()}; "
        "figures are monthly USD from dated prices and each environment's usage profile.</p>",
        f'<div class="cards">{cards}</div>',
        *(_environment(gate, e) for e in cost.environments),
        _gate_section(gate), _not_priced(gate),
        "</body></html>\n",
    ])


def write_page(gate: GateResult, out: Path) -> Path:
    """Write ``<out>/index.html`` atomically and return its path."""
    path = out / "index.html"
    write_text_atomically(path, render_page(gate), mode=0o644)  # the page is meant to be served and shared
    return path.resolve()
