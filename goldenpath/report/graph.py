"""Stack dependency graphs as inline SVG: each stack depends on the ones deployed before it."""

from __future__ import annotations

from html import escape

from goldenpath.stacks.layout import StackLayout

BOX_W, BOX_H, GAP = 150, 44, 36


def dependency_svg(environment: str, layouts: list[StackLayout]) -> str:
    """One row of boxes in deploy order with an arrow to each stack from the one it builds on."""
    width = len(layouts) * (BOX_W + GAP) - GAP + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="graph" width="{width}" height="{BOX_H + 20}" '
             f'viewBox="0 0 {width} {BOX_H + 20}" aria-label="deploy order of {escape(environment)}">',
             '<defs><marker id="arrow-{0}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'.format(escape(environment))]
    for index, layout in enumerate(layouts):
        x = 10 + index * (BOX_W + GAP)
        fill = "#e8f0fe" if layout.in_cluster else "#fef7e0"
        parts.append(f'<g class="node" data-stack="{escape(layout.name)}"><rect x="{x}" y="10" width="{BOX_W}" '
                     f'height="{BOX_H}" rx="6" fill="{fill}" stroke="#555"/>'
                     f'<text x="{x + BOX_W / 2}" y="{10 + BOX_H / 2 + 5}" text-anchor="middle" font-size="13">'
                     f'{escape(layout.name)}</text></g>')
        if index:
            parts.append(f'<line x1="{x - GAP}" y1="{10 + BOX_H / 2}" x2="{x - 2}" y2="{10 + BOX_H / 2}" stroke="#555" '
                         f'marker-end="url(#arrow-{escape(environment)})"/>')
    parts.append("</svg>")
    return "".join(parts)
