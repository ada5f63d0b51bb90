"""A study's figures, each titled and labelled to be pasted into a slide (PNG, 150 dpi).

weekly.png: customers and cumulative profit per week, a line per cell with its 95% band.
forest.png: each cell minus its baseline in profit and churn, with the adjusted intervals of the
study's one rule (``sim.studies.stats``), coloured by whether the difference is distinguishable.
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
from matplotlib.figure import Figure  # noqa: E402
from scipy import stats  # noqa: E402

DPI = 150

#: Distinguishably better, distinguishably worse, not distinguishable (forest.png).
BETTER, WORSE, UNCLEAR = "#1b9e77", "#d95f02", "#7f7f7f"

#: Metrics where a fall is the better direction.
LOWER_IS_BETTER = {"churn_rate", "complaint_rate", "recovery_cost"}


def parse(cell: str) -> dict[str, str]:
    """'policy=none delegation=full' -> {'policy': 'none', 'delegation': 'full'}."""
    return dict(item.split("=", 1) for item in cell.split())


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _style(ax) -> None:
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def verdict_colours(mean: np.ndarray, distinguishable: np.ndarray, metric: str) -> np.ndarray:
    """Green where a difference is distinguishable and better, orange where worse, grey where not."""
    better = (mean < 0) if metric in LOWER_IS_BETTER else (mean > 0)
    return np.where(distinguishable & better, BETTER, np.where(distinguishable, WORSE, UNCLEAR))


def weekly_bands(weekly: pd.DataFrame, cells: list[str], keys: list[str], name: str, path: Path) -> Path:
    """Mean and 95% band per week of active customers and cumulative profit.

    With two or more swept keys the last one makes the columns (one panel per
    value) and the others the lines, so no panel holds more than a few lines.
    """
    frame = weekly.sort_values(["run_id", "week"]).assign(
        cumulative_profit=lambda d: d.groupby("run_id")["profit"].cumsum() / 1e6
    )
    parts = {cell: parse(cell) for cell in cells}
    facet = keys[-1] if len(keys) >= 2 else None
    panels = list(dict.fromkeys(parts[c].get(facet) for c in cells)) if facet else [None]
    lines = list(
        dict.fromkeys(" ".join(f"{k}={v}" for k, v in parts[c].items() if k != facet) for c in cells)
    )
    colours = dict(zip(lines, plt.colormaps["tab10"](np.arange(len(lines)) % 10), strict=True))
    rows = (
        ("active_customers", "active customers (people)"),
        ("cumulative_profit", "cumulative profit (millions)"),
    )
    fig, axes = plt.subplots(
        2,
        len(panels),
        figsize=(4.2 * len(panels) + 3, 7.5),
        sharex=True,
        sharey="row",
        squeeze=False,
        layout="constrained",
    )
    for col, panel in enumerate(panels):
        for cell in cells:
            if facet and parts[cell].get(facet) != panel:
                continue
            label = " ".join(f"{k}={v}" for k, v in parts[cell].items() if k != facet)
            for row, (column, _) in enumerate(rows):
                g = frame[frame["cell"] == cell].groupby("week")[column]
                mean, sem, n = g.mean(), g.sem().fillna(0), g.count()
                half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sem
                ax = axes[row, col]
                ax.plot(mean.index, mean, color=colours[label], lw=1.6, label=label if row == 0 else None)
                ax.fill_between(mean.index, mean - half, mean + half, color=colours[label], alpha=0.15, lw=0)
        for row, (_, ylabel) in enumerate(rows):
            ax = axes[row, col]
            _style(ax)
            ax.xaxis.get_major_locator().set_params(integer=True)
            if col == 0:
                ax.set_ylabel(ylabel)
            if row == 1:
                ax.set_xlabel("week")
        if facet:
            axes[0, col].set_title(f"{facet}={panel}")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", fontsize=8, frameon=False)
    fig.suptitle(f"{name}: weekly trajectories, mean and 95% interval over replications")
    return _save(fig, path)


def forest_figure(paired: pd.DataFrame, name: str) -> Figure:
    """Paired differences against the baseline, profit and churn rate, with the rule's adjusted intervals."""
    metrics = [("profit", "profit difference (currency)"), ("churn_rate", "churn rate difference (points)")]
    rows = paired[paired["metric"] == "profit"].reset_index(drop=True)
    several = rows["baseline"].nunique() > 1
    labels = rows["cell"] + ("  vs  " + rows["baseline"] if several else "")
    y = np.arange(len(rows))[::-1]
    fig, axes = plt.subplots(
        1, 2, figsize=(13, 0.4 * len(rows) + 2.6), sharey=True, layout="constrained", dpi=DPI
    )
    for ax, (metric, label) in zip(axes, metrics, strict=True):
        block = paired[paired["metric"] == metric].set_index(["cell", "baseline"])
        block = block.loc[list(zip(rows["cell"], rows["baseline"], strict=True))]
        scale = 100.0 if metric == "churn_rate" else 1.0
        mean, low, high = (
            block[c].to_numpy(float) * scale
            for c in ("mean_difference", "ci_low_adjusted", "ci_high_adjusted")
        )
        colour = verdict_colours(mean, block["distinguishable"].to_numpy(bool), metric)
        ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="none", ecolor=colour, elinewidth=2)
        ax.scatter(mean, y, color=colour, zorder=3)
        ax.axvline(0, color="black", lw=1)
        ax.set(title=label, xlabel="cell minus baseline (paired, adjusted 95% interval)")
        _style(ax)
    axes[0].set_yticks(y, labels, fontsize=8)
    against = "its baseline" if several else f"baseline {rows['baseline'].iloc[0]}"
    ks = sorted(set(rows["comparisons"].astype(int)))
    fig.suptitle(
        f"{name}: each cell against {against}; 95% intervals adjusted for the "
        f"{' or '.join(map(str, ks))} cells compared (Bonferroni)\n"
        "green: distinguishably better, orange: distinguishably worse, grey: not distinguishable"
    )
    return fig


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
    values = pd.DataFrame([parse(cell) for cell in summary["cell"]], index=summary.index)
    if len(keys) >= 2:
        rows, cols = keys[0], keys[1]
        table = values.assign(profit_mean=summary["profit_mean"]).pivot_table(
            index=rows, columns=cols, values="profit_mean", sort=False
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
        x = pd.to_numeric(values[key], errors="coerce")
        labels = values[key].astype(str)
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
    keys = list(dict.fromkeys(key for cell in cells for key in parse(cell)))
    figures = [weekly_bands(weekly, cells, keys, name, sweep_dir / "weekly.png")]
    if not paired.empty and {"profit", "churn_rate"} <= set(paired["metric"]):
        figures.append(_save(forest_figure(paired, name), sweep_dir / "forest.png"))
    if {"recovery_cost_mean", "churn_rate_mean"} <= set(summary.columns):
        figures.append(frontier(summary, name, sweep_dir / "frontier.png"))
    if keys and "profit_mean" in summary.columns:
        figure = "heatmap.png" if len(keys) >= 2 else "curve.png"
        figures.append(profit_map(summary, keys, name, sweep_dir / figure))
    return figures
