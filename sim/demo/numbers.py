"""The numbers the page shows: both firms' totals this week, B − A, as HTML tables.

Plain HTML, not Markdown: Solara's Markdown loads KaTeX for mathematics,
which made the server try cdn.jsdelivr.net on every page load.
"""

from __future__ import annotations

import math
from html import escape

from sim.demo.controls import LINE, firm_details, firm_label
from sim.demo.pair import SIDES, DemoModel

#: Rows: label, reading, shown as a percentage. The first four are the headline, in large type.
ROWS = (
    ("Profit to date", "profit", False),
    ("Customers kept", "active", False),
    ("Complainants satisfied", "recovery_satisfaction", True),
    ("Bad stories told", "wom_negative", False),
    ("Complaints heard", "complaints", False),
    ("Left without complaining", "churned_silent", False),
    ("Left after complaining", "churned_after_complaint", False),
    ("Customers' mean satisfaction", "mean_satisfaction", True),
    ("Public posts", "public_posts", False),
)
HEADLINE = ROWS[:4]
#: A line of each firm's style, drawn as the plots draw it.
SWATCH = {
    "A": '<svg width="44" height="12" aria-hidden="true"><line x1="2" y1="6" x2="42" y2="6" '
    'stroke="#332288" stroke-width="4"/></svg>',
    "B": '<svg width="44" height="12" aria-hidden="true"><line x1="2" y1="6" x2="42" y2="6" '
    'stroke="#CC6677" stroke-width="4" stroke-dasharray="9 5"/></svg>',
}


def number(value: float, percent: bool = False, signed: bool = False) -> str:
    """A figure as shown: whole units, or a percentage (points when it is a difference); '–' if unknown."""
    if isinstance(value, float) and math.isnan(value):
        return "–"
    sign = "+" if signed else ""
    if percent:
        return f"{100 * value:{sign}.0f}" + (" pts" if signed else "%")
    return f"{value:{sign},.0f}".replace("-", "−")


def headline_numbers(model: DemoModel) -> dict[str, dict[str, float]]:
    """Every row's number per side, by row label."""
    return {label: {side: model.readings[side][name] for side in SIDES} for label, name, _ in ROWS}


def _table(model: DemoModel, rows: tuple, header: str) -> str:
    """Rows of label, firm A, firm B and B − A."""
    numbers = headline_numbers(model)
    body = []
    for label, _, percent in rows:
        a, b = numbers[label]["A"], numbers[label]["B"]
        cells = [number(a, percent), number(b, percent)]
        diff = number(b - a, percent, signed=True)
        body.append(
            f'<tr><td class="demo-what">{escape(label)}</td><td>{cells[0]}</td><td>{cells[1]}</td>'
            f'<td class="demo-diff">{diff}</td></tr>'
        )
    return f"<table>{header}<tbody>{''.join(body)}</tbody></table>"


def headline_table(model: DemoModel) -> str:
    """The four numbers a room watches, for both firms, in large type; each firm named and its line shown."""
    heads = []
    for side in SIDES:
        details = firm_details(model.settings, side)
        words = escape(firm_label(model.settings, side) + (f"; {details}" if details else ""))
        heads.append(
            f'<th>Firm {side} {SWATCH[side]} <span class="demo-line">{LINE[side]}</span>'
            f'<span class="demo-firm">{words}</span></th>'
        )
    header = (
        f'<thead><tr><th class="demo-what">Week {model.week}</th>{"".join(heads)}<th>B − A</th></tr></thead>'
    )
    return _table(model, HEADLINE, header)


def full_table(model: DemoModel) -> str:
    """Every number the page keeps, for both firms."""
    header = "<thead><tr><th>To date</th><th>Firm A</th><th>Firm B</th><th>B − A</th></tr></thead>"
    return _table(model, ROWS, header)
