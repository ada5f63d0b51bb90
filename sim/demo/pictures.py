"""What the trainers' page draws: the two markets, four running plots and the headline numbers.

Each function takes the DemoModel and returns a Solara element; SolaraViz
calls it again after every step. Firm A is always drawn solid in one colour
and firm B dashed in another, and states keep one colour everywhere.
"""

from __future__ import annotations

import math

import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.demo.pair import SIDES, DemoModel
from sim.world.population import State

#: Okabe-Ito colours, readable with any colour vision.
STATE_COLOURS = {
    State.PROSPECT: "#CCCCCC",
    State.SATISFIED: "#009E73",
    State.UNHAPPY: "#E69F00",
    State.COMPLAINED: "#0072B2",
    State.CHURNED: "#D55E00",
}
STATE_LABELS = {
    State.PROSPECT: "prospect",
    State.SATISFIED: "active, satisfied",
    State.UNHAPPY: "active, unhappy",
    State.COMPLAINED: "complained (last 4 weeks)",
    State.CHURNED: "churned",
}
SIDE_STYLE = {"A": {"color": "#332288", "linestyle": "-"}, "B": {"color": "#CC6677", "linestyle": "--"}}


def show(fig: Figure) -> solara.Element:
    """Send a Matplotlib figure to the page."""
    return solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


def network_view(model: DemoModel) -> solara.Element:
    """The market twice, side by side, with every person coloured by state at each firm."""
    fig = Figure(figsize=(9, 5.2))
    axes = fig.subplots(1, 2, gridspec_kw={"wspace": 0.02})
    pos = model.positions
    edges = model.firms["A"].adjacency.tocoo()
    upper = edges.row < edges.col
    segments = np.stack([pos[edges.row[upper]], pos[edges.col[upper]]], axis=1)
    for ax, side in zip(axes, SIDES, strict=True):
        ax.add_collection(LineCollection(segments, colors="#DDDDDD", linewidths=0.3, zorder=0))
        colours = np.array([STATE_COLOURS[State(s)] for s in range(len(State))])
        ax.scatter(pos[:, 0], pos[:, 1], s=16, c=colours[model.states(side)], linewidths=0, zorder=1)
        ax.set_title(f"Firm {side}\n{model.labels[side]}", fontsize=10)
        ax.set_axis_off()
        ax.set_aspect("equal")
    handles = [
        Line2D([], [], marker="o", ls="", color=STATE_COLOURS[s], label=STATE_LABELS[s]) for s in State
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=8, frameon=False)
    fig.suptitle(f"Week {model.week}: the same people at two firms", fontsize=11)
    return show(fig)


def _history(model: DemoModel):
    return model.datacollector.get_model_vars_dataframe()


def _weeks_axis(ax, model: DemoModel) -> None:
    """The whole run on the x axis from week 0, so the room sees how far it has come."""
    ax.set_xlim(0, model.firms["A"].config.weeks)
    ax.set_xlabel("week")


def _lines(title: str, ylabel: str, series: dict[str, str], model: DemoModel, percent: bool = False):
    """One plot of named readings over the weeks, firm A solid and firm B dashed."""
    frame = _history(model)
    fig = Figure(figsize=(6, 3.6))
    ax = fig.subplots()
    scale = 100.0 if percent else 1.0
    for reading, label in series.items():
        for side in SIDES:
            style = dict(SIDE_STYLE[side])
            if len(series) > 1:
                style["alpha"] = 1.0 if reading == next(iter(series)) else 0.55
            ax.plot(frame.index, frame[f"{reading} {side}"] * scale, label=f"{label}, firm {side}", **style)
    ax.set_title(title, fontsize=11)
    _weeks_axis(ax, model)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return show(fig)


def customers_by_state(model: DemoModel) -> solara.Element:
    """Stacked counts of active customers by how they feel, and the churned, at each firm."""
    frame = _history(model)
    fig = Figure(figsize=(6, 3.6))
    axes = fig.subplots(1, 2, sharey=True)
    shown = [State.SATISFIED, State.UNHAPPY, State.COMPLAINED, State.CHURNED]
    for ax, side in zip(axes, SIDES, strict=True):
        ax.stackplot(
            frame.index,
            [frame[f"{s.name.lower()} {side}"] for s in shown],
            colors=[STATE_COLOURS[s] for s in shown],
            labels=[STATE_LABELS[s] for s in shown],
        )
        ax.set_title(f"Firm {side}", fontsize=10)
        _weeks_axis(ax, model)
    axes[0].set_ylabel("people")
    axes[1].legend(fontsize=7, frameon=False, loc="lower left")
    fig.suptitle("Customers by state", fontsize=11)
    return show(fig)


def cumulative_profit(model: DemoModel) -> solara.Element:
    """Profit to date at each firm."""
    return _lines("Cumulative profit", "profit to date", {"profit": "profit"}, model)


def complaints_and_silent_churn(model: DemoModel) -> solara.Element:
    """Complaints the firm heard against customers who left without a word."""
    series = {"complaints": "complaints", "churned_silent": "left in silence"}
    return _lines("Complaints vs silent churn", "people to date", series, model)


def satisfaction(model: DemoModel) -> solara.Element:
    """Mean satisfaction of active customers, and the share of complainants satisfied by recovery."""
    series = {
        "mean_satisfaction": "customers' satisfaction",
        "recovery_satisfaction": "satisfied by recovery",
    }
    return _lines("Satisfaction", "% (0-100)", series, model, percent=True)


def _number(value: float, percent: bool = False, signed: bool = False) -> str:
    """A monitor's figure: whole units, or a percentage (points when it is a difference)."""
    if isinstance(value, float) and math.isnan(value):
        return "–"
    sign = "+" if signed else ""
    if percent:
        return f"{100 * value:{sign}.1f}" + (" pts" if signed else "%")
    return f"{value:{sign},.0f}"


#: Headline rows: label, reading, shown as a percentage.
HEADLINES = (
    ("Profit to date", "profit", False),
    ("Active customers", None, False),
    ("Complaints", "complaints", False),
    ("Left in silence", "churned_silent", False),
    ("Left after complaining", "churned_after_complaint", False),
    ("Complainants satisfied by recovery", "recovery_satisfaction", True),
    ("Customers' mean satisfaction", "mean_satisfaction", True),
    ("Bad stories told", "wom_negative", False),
    ("Public posts", "public_posts", False),
)


def headline_numbers(model: DemoModel) -> dict[str, dict[str, float]]:
    """The monitors' numbers per side, by row label."""
    rows = {}
    for label, name, _ in HEADLINES:
        rows[label] = {}
        for side in SIDES:
            read = model.readings[side]
            active = read["satisfied"] + read["unhappy"] + read["complained"]
            rows[label][side] = active if name is None else read[name]
    return rows


def monitors(model: DemoModel) -> solara.Element:
    """The headline numbers of both firms and the difference B − A, as a table."""
    numbers = headline_numbers(model)
    lines = [
        f"#### Week {model.week} of {model.firms['A'].config.weeks}",
        f"**A**: {model.labels['A']}  \n**B**: {model.labels['B']}",
        "",
        "| | Firm A | Firm B | B − A |",
        "|---|---:|---:|---:|",
    ]
    for label, _, percent in HEADLINES:
        a, b = numbers[label]["A"], numbers[label]["B"]
        diff = _number(b - a, percent, signed=True)
        lines.append(f"| {label} | {_number(a, percent)} | {_number(b, percent)} | {diff} |")
    lines += ["", f"<small>Both: {model.settings}.</small>"]
    return solara.Markdown("\n".join(lines))
