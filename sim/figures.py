"""A study's figures, each titled and labelled to be pasted into a slide (PNG, 150 dpi).

weekly.png: customers and cumulative profit per week, a line per cell with its 95% band.
forest.png: each cell minus its baseline in profit and churn, with paired 95% intervals.
frontier.png: recovery cost against customers kept; the cells no other beats on both.
heatmap.png (two swept keys) or curve.png (one): mean profit across the swept values.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

DPI = 150


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _style(ax) -> None:
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def weekly_bands(weekly: pd.DataFrame, cells: list[str], name: str, path: Path) -> Path:
    """Mean and 95% band per week of active customers and cumulative profit, per cell."""
    frame = weekly.sort_values(["run_id", "week"]).assign(
        cumulative_profit=lambda d: d.groupby("run_id")["profit"].cumsum() / 1e6
    )
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    colours = plt.colormaps["tab20"](np.linspace(0, 1, max(len(cells), 2)))
    for ax, column, title in zip(
        axes,
        ("active_customers", "cumulative_profit"),
        ("Active customers (people)", "Cumulative profit (millions)"),
        strict=True,
    ):
        for colour, cell in zip(colours, cells, strict=False):
            g = frame[frame["cell"] == cell].groupby("week")[column]
            mean, sem, n = g.mean(), g.sem(), g.count()
            half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sem.fillna(0)
            ax.plot(mean.index, mean, color=colour, lw=1.5, label=cell)
            ax.fill_between(mean.index, mean - half, mean + half, color=colour, alpha=0.2, lw=0)
        ax.set(title=title, xlabel="week")
        _style(ax)
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    fig.suptitle(f"{name}: weekly trajectories, mean and 95% interval over replications")
    return _save(fig, path)


def forest(paired: pd.DataFrame, name: str, path: Path) -> Path:
    """Paired differences against the baseline, profit and churn rate, with 95% intervals."""
    metrics = [("profit", "Profit difference (currency)"), ("churn_rate", "Churn rate difference (points)")]
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.45 * paired["cell"].nunique() + 2), layout="constrained")
    for ax, (metric, label) in zip(axes, metrics, strict=True):
        rows = paired[paired["metric"] == metric].reset_index(drop=True)
        scale = 100.0 if metric == "churn_rate" else 1.0
        y = np.arange(len(rows))[::-1]
        mean, low, high = (rows[c].to_numpy(float) * scale for c in ("mean_difference", "ci_low", "ci_high"))
        good = (low > 0) if metric == "profit" else (high < 0)
        bad = (high < 0) if metric == "profit" else (low > 0)
        colour = np.where(good, "#1b9e77", np.where(bad, "#d95f02", "#7f7f7f"))
        ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="none", ecolor=colour, elinewidth=2)
        ax.scatter(mean, y, color=colour, zorder=3)
        ax.axvline(0, color="black", lw=1)
        ax.set_yticks(y, rows["cell"] + "  vs  " + rows["baseline"], fontsize=8)
        ax.set(title=label, xlabel="cell minus baseline (paired, 95% interval)")
        _style(ax)
    fig.suptitle(
        f"{name}: what each cell changes against its baseline (green better, orange worse, grey unclear)"
    )
    return _save(fig, path)


def frontier(summary: pd.DataFrame, name: str, path: Path) -> Path:
    """Recovery cost against retention; cells on the frontier keep more customers for their spending."""
    cost = summary["recovery_cost_mean"].to_numpy(float) / 1e3
    kept = 100 * (1 - summary["churn_rate_mean"].to_numpy(float))
    on = np.array(
        [
            not np.any((cost <= c) & (kept >= k) & ((cost < c) | (kept > k)))
            for c, k in zip(cost, kept, strict=True)
        ]
    )
    fig, ax = plt.subplots(figsize=(10, 6.5), layout="constrained")
    ax.scatter(cost[~on], kept[~on], color="#7f7f7f", label="beaten on both by another cell")
    ax.scatter(cost[on], kept[on], color="#1b9e77", s=60, label="frontier: no cell keeps more for less")
    order = np.argsort(cost[on])
    ax.plot(cost[on][order], kept[on][order], color="#1b9e77", lw=1)
    for c, k, label in zip(cost, kept, summary["cell"], strict=True):
        ax.annotate(label, (c, k), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set(
        title=f"{name}: recovery cost vs customers kept",
        xlabel="recovery cost over the run (thousands)",
        ylabel="customers kept (% of all who were customers)",
    )
    ax.legend(frameon=False)
    _style(ax)
    return _save(fig, path)


def profit_map(summary: pd.DataFrame, keys: list[str], name: str, path: Path) -> Path:
    """Mean profit over two swept keys as a heatmap, or over one as a curve with its interval."""
    if len(keys) >= 2:
        rows, cols = keys[0], keys[1]
        table = summary.pivot_table(
            index=f"cell.{rows}", columns=f"cell.{cols}", values="profit_mean", sort=False
        )
        fig, ax = plt.subplots(
            figsize=(1.6 * table.shape[1] + 3, 0.7 * table.shape[0] + 2), layout="constrained"
        )
        image = ax.imshow(table.to_numpy(float) / 1e6, cmap="viridis", aspect="auto")
        for (i, j), value in np.ndenumerate(table.to_numpy(float) / 1e6):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white", fontsize=9)
        ax.set_xticks(range(table.shape[1]), table.columns)
        ax.set_yticks(range(table.shape[0]), table.index)
        ax.set(xlabel=cols, ylabel=rows, title=f"{name}: mean profit (millions) by {rows} and {cols}")
        fig.colorbar(image, ax=ax, label="mean profit (millions)")
    else:
        key = keys[0]
        x = pd.to_numeric(summary[f"cell.{key}"], errors="coerce")
        labels = summary[f"cell.{key}"].astype(str)
        positions = x.to_numpy(float) if x.notna().all() else np.arange(len(x))
        fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
        mean, low, high = (summary[f"profit_{s}"].to_numpy(float) / 1e6 for s in ("mean", "low", "high"))
        ax.plot(positions, mean, marker="o", color="#1f78b4")
        ax.fill_between(positions, low, high, color="#1f78b4", alpha=0.2, lw=0, label="95% interval")
        if not x.notna().all():
            ax.set_xticks(positions, labels)
        ax.set(title=f"{name}: mean profit by {key}", xlabel=key, ylabel="profit over the run (millions)")
        ax.legend(frameon=False)
        _style(ax)
    return _save(fig, path)


def draw_study_figures(
    sweep_dir: Path,
    study: dict,
    summary: pd.DataFrame,
    paired: pd.DataFrame,
    weekly: pd.DataFrame,
    cells: list[str],
) -> list[Path]:
    """Draw every figure the study's data supports; return their paths."""
    name = study.get("name", sweep_dir.parent.name)
    figures = [weekly_bands(weekly, cells, name, sweep_dir / "weekly.png")]
    if not paired.empty and {"profit", "churn_rate"} <= set(paired["metric"]):
        figures.append(forest(paired, name, sweep_dir / "forest.png"))
    if {"recovery_cost_mean", "churn_rate_mean"} <= set(summary.columns):
        figures.append(frontier(summary, name, sweep_dir / "frontier.png"))
    keys = [c.removeprefix("cell.") for c in summary.columns if c.startswith("cell.")]
    if keys and "profit_mean" in summary.columns:
        figure = "heatmap.png" if len(keys) >= 2 else "curve.png"
        figures.append(profit_map(summary, keys, name, sweep_dir / figure))
    return figures
