"""Stack dependency graphs as inline SVG, drawn from the synthesized manifest's dependencies."""

from __future__ import annotations

from html import escape

from goldenpath.stacks.layout import StackLayout

BOX_W, BOX_H, GAP, TOP = 150, 44, 36, 40


def dependency_svg(environment: str, layouts: list[StackLayout], dependencies: dict[str, list[str]]) -> str:
    """The environment's stacks in deploy order, an arrow from each stack to every stack that depends on it
    (neighbours: a straight arrow; farther apart: an arc above the row)."""
    marker = f"arrow-{escape(environment)}"
    index = {layout.name: i for i, layout in enumerate(layouts)}
    width = len(layouts) * (BOX_W + GAP) - GAP + 20
    height = TOP + BOX_H + 10
    middle = TOP + BOX_H / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="graph" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="stack dependencies of {escape(environment)}">',
             f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    left = lambda i: 10 + i * (BOX_W + GAP)  # noqa: E731
    for i, layout in enumerate(layouts):
        fill = "#e8f0fe" if layout.in_cluster else "#fef7e0"
        parts.append(f'<g class="node" data-stack="{escape(layout.name)}"><rect x="{left(i)}" y="{TOP}" width="{BOX_W}" '
                     f'height="{BOX_H}" rx="6" fill="{fill}" stroke="#555"/><text x="{left(i) + BOX_W / 2}" '
                     f'y="{middle + 5}" text-anchor="middle" font-size="13">{escape(layout.name)}</text></g>')
    for name in sorted(dependencies):
        for needed in sorted(dependencies[name]):
            if name not in index or needed not in index:
                continue
            start, end = index[needed], index[name]
            edge = f'data-from="{escape(needed)}" data-to="{escape(name)}" stroke="#555" fill="none" marker-end="url(#{marker})"'
            if abs(end - start) == 1:
                x1, x2 = (left(start) + BOX_W, left(end) - 2) if end > start else (left(start), left(end) + BOX_W + 2)
                parts.append(f'<line class="edge" x1="{x1}" y1="{middle}" x2="{x2}" y2="{middle}" {edge}/>')
            else:
                x1, x2 = left(start) + BOX_W / 2, left(end) + BOX_W / 2
                parts.append(f'<path class="edge" d="M{x1},{TOP} Q{(x1 + x2) / 2},{TOP - 38} {x2},{TOP - 2}" {edge}/>')
    parts.append("</svg>")
    return "".join(parts)
