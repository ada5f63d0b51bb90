"""dashboard.png: four panels a strategist reads without hunting for a legend.

Lines are labelled at their right end, in their own colour; each panel's
title says what it shows and in which unit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim.world.channel_schema import beyond_the_desk  # noqa: E402

if TYPE_CHECKING:
    import pandas as pd

COLOURS = {
    "satisfied": "#1b9e77",
    "unhappy": "#d95f02",
    "churned": "#7f7f7f",
    "prospects": "#7570b3",
    "revenue": "#1f78b4",
    "profit": "#33a02c",
    "recovery cost": "#e31a1c",
    "complaints": "#1f78b4",
    "silent failures": "#d95f02",
    "silent churn": "#7f7f7f",
    "mean satisfaction": "#1b9e77",
    "recovery satisfaction": "#e7298a",
}


def _labelled(ax, x, y, label: str) -> None:
    ax.plot(x, y, color=COLOURS[label], lw=1.8)
    ax.annotate(
        label,
        (x.iloc[-1], y.iloc[-1]),
        xytext=(4, 0),
        textcoords="offset points",
        color=COLOURS[label],
        va="center",
        fontsize=9,
    )


def channel_lines(s: dict) -> list[str]:
    """One line per offered channel, for a firm with more than the one desk; none otherwise."""
    by = s.get("by_channel", {})
    if not beyond_the_desk(list(by)):
        return []
    lines = [f"by channel ({s['config']['channels']['name']}): share of complaints, satisfied, public posts"]
    for name, c in by.items():
        satisfied = c["recovery_satisfaction"]
        lines.append(
            f"{name}: {c['share_of_complaints'] or 0:.0%}, "
            f"{'n/a' if satisfied is None else f'{satisfied:.0%}'}, {c['public_posts']:,}"
        )
    return lines


def _channel_note(ax, s: dict) -> None:
    """Where complaints came in and how each channel did, in the complaints panel's top left corner."""
    lines = channel_lines(s)
    if lines:
        box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "#cccccc"}
        text = "\n".join(lines)
        ax.text(0.98, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize=8, bbox=box)


def draw_dashboard(ts: pd.DataFrame, s: dict, path: str | Path) -> None:
    """Draw the four panels of one run, from its weekly series and summary, into ``path`` (PNG, 150 dpi)."""
    week = ts["week"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    # Fixed margins that fit these titles and labels, as the constrained layout placed them: it
    # measured every text twice per drawing, about half of the picture's time in a fresh process.
    fig.subplots_adjust(left=0.045, right=0.945, top=0.915, bottom=0.065, hspace=0.28, wspace=0.13)
    policy, delegation = s["config"]["policy"]["name"], s["config"]["delegation"]["name"]
    fig.suptitle(
        f"Policy '{policy}', delegation '{delegation}': {s['weeks']} weeks, seed {s['seed']} — "
        f"profit {s['profit']:,.0f}, churn {s['churn_rate']:.1%}, recovery satisfaction "
        f"{(s['recovery_satisfaction'] or 0):.0%}",
        fontsize=12,
    )
    ax = axes[0, 0]
    for label, column in [
        ("satisfied", "satisfied_customers"),
        ("unhappy", "unhappy_customers"),
        ("churned", "churned_customers"),
        ("prospects", "prospects"),
    ]:
        _labelled(ax, week, ts[column], label)
    ax.set_title("Customers by state (people)")
    ax = axes[0, 1]
    for label, column in [("revenue", "revenue"), ("profit", "profit"), ("recovery cost", "recovery_cost")]:
        _labelled(ax, week, ts[column].cumsum() / 1e6, label)
    ax.set_title("Cumulative revenue, profit and recovery cost (millions)")
    ax = axes[1, 0]
    weekly = ts[["complaints", "silent_failures", "churned_silent"]].rolling(4, min_periods=1).mean()
    for label, column in [
        ("complaints", "complaints"),
        ("silent failures", "silent_failures"),
        ("silent churn", "churned_silent"),
    ]:
        _labelled(ax, week, weekly[column], label)
    ax.set_title("Complaints vs silent failures and silent churn (per week, 4-week mean)")
    _channel_note(ax, s)
    ax = axes[1, 1]
    _labelled(ax, week, ts["mean_satisfaction"], "mean satisfaction")
    answered = (ts["recovery_satisfied"] + ts["recovery_dissatisfied"] + ts["abandoned"]).rolling(8, 1).sum()
    share = ts["recovery_satisfied"].rolling(8, 1).sum() / answered.where(answered > 0)
    _labelled(ax, week, share, "recovery satisfaction")
    ax.set_ylim(0, 1)
    ax.set_title("Satisfaction (0-1) and share of complainants satisfied (8-week)")
    for ax in axes.flat:
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.02)
        ax.set_xlim(0, week.iloc[-1] * 1.18)
    fig.savefig(path, dpi=150, format="png")
    plt.close(fig)
