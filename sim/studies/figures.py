"""A study's figures, each titled and labelled to be pasted into a slide (PNG, 150 dpi).

weekly.png: customers and cumulative profit per week, a line per cell with its 95% band.
forest.png: each cell minus its baseline in profit and churn, with the adjusted intervals of the
study's one rule (``sim.studies.stats``), coloured by whether the difference is distinguishable.
frontier.png: recovery cost against customers kept, each cell a number listed beside the plot;
the cells no other beats on both.
heatmap.png (two swept keys) or curve.png (one): profit minus the baseline across the swept
values, on a scale symmetric around zero, coloured only where distinguishable.

Each figure is drawn by a function that returns the Matplotlib Figure (``*_figure``), so a test
can read what it shows; ``draw_study_figures`` saves them.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from scipy.special import stdtrit  # noqa: E402

from sim.files import write_atomically  # noqa: E402

DPI = 150

#: Distinguishably better, distinguishably worse, not distinguishable (forest.png, heatmap.png, curve.png).
BETTER, WORSE, UNCLEAR = "#1b9e77", "#d95f02", "#7f7f7f"

#: Profit minus the baseline: worse (orange) through no difference (near white) to better (green).
DIFFERENCE_MAP = LinearSegmentedColormap.from_list("worse_better", [WORSE, "#f7f7f7", BETTER])

#: Grey where a difference is not distinguishable (or there is none: the baseline itself).
NOT_DISTINGUISHABLE = "#d9d9d9"

#: Metrics where a fall is the better direction.
LOWER_IS_BETTER = {"churn_rate", "complaint_rate", "recovery_cost"}


def parse(cell: str) -> dict[str, str]:
    """'policy=none delegation=full' -> {'policy': 'none', 'delegation': 'full'}."""
    return dict(item.split("=", 1) for item in cell.split())


def _save(fig: Figure, path: Path) -> Path:
    write_atomically(path, lambda p: fig.savefig(p, dpi=DPI, format="png"))
    plt.close(fig)
    return path


def _style(ax) -> None:
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def verdict_colours(mean: np.ndarray, distinguishable: np.ndarray, metric: str) -> np.ndarray:
    """Green where a difference is distinguishable and better, orange where worse, grey where not."""
    better = (mean < 0) if metric in LOWER_IS_BETTER else (mean > 0)
    return np.where(distinguishable & better, BETTER, np.where(distinguishable, WORSE, UNCLEAR))


def weekly_figure(weekly: pd.DataFrame, cells: list[str], keys: list[str], name: str) -> Figure:
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
        dpi=DPI,
    )
    for col, panel in enumerate(panels):
        for cell in cells:
            if facet and parts[cell].get(facet) != panel:
                continue
            label = " ".join(f"{k}={v}" for k, v in parts[cell].items() if k != facet)
            for row, (column, _) in enumerate(rows):
                g = frame[frame["cell"] == cell].groupby("week")[column]
                mean, sem, n = g.mean(), g.sem().fillna(0), g.count()
                half = stdtrit(np.maximum(n - 1, 1), 0.975) * sem  # t quantile, as scipy.stats.t.ppf
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
    return fig


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


def frontier_figure(summary: pd.DataFrame, name: str) -> Figure:
    """Recovery cost against retention, each cell a number listed beside the plot.

    Cells on the frontier keep more customers for their spending. Numbers of cells that sit on
    the same spot share one label ('1, 2, 3'); each label is put where it overlaps no other label
    and no point (``place_labels``), so none hides another.
    """
    cost = summary["recovery_cost_mean"].to_numpy(float) / 1e3
    kept = 100 * (1 - summary["churn_rate_mean"].to_numpy(float))
    on = np.array(
        [
            not np.any((cost <= c) & (kept >= k) & ((cost < c) | (kept > k)))
            for c, k in zip(cost, kept, strict=True)
        ]
    )
    cells = list(summary["cell"])
    fig, (ax, key) = plt.subplots(
        1,
        2,
        figsize=(13, max(6.5, 0.22 * len(cells) + 2)),
        width_ratios=(2.2, 1),
        layout="constrained",
        dpi=DPI,
    )
    ax.scatter(cost[~on], kept[~on], color=UNCLEAR, label="beaten on both by another cell")
    ax.scatter(cost[on], kept[on], color=BETTER, s=60, label="frontier: no cell keeps more for less")
    order = np.argsort(cost[on])
    ax.plot(cost[on][order], kept[on][order], color=BETTER, lw=1)
    ax.set(
        title=f"{name}: recovery cost vs customers kept (means)",
        xlabel="recovery cost over the run (thousands)",
        ylabel="customers kept (% of all who were customers)",
    )
    ax.margins(0.12)
    ax.legend(frameon=False, loc="best", fontsize=8)
    _style(ax)
    key.axis("off")
    key.set_title("cells (green: on the frontier)", loc="left", fontsize=10)
    step = min(0.05, 0.95 / max(len(cells), 1))
    for i, cell in enumerate(cells):
        key.text(
            0, 0.97 - i * step, f"{i + 1:>2}  {cell}", transform=key.transAxes, fontsize=8, va="top",
            family="monospace", color=BETTER if on[i] else "black",
        )  # fmt: skip
    place_labels(ax, cost, kept, [str(i + 1) for i in range(len(cells))])
    return fig


#: Offsets (points) tried for a label around its point, nearest first.
OFFSETS = [
    (r * np.cos(a), r * np.sin(a))
    for r in (5, 10, 16, 24, 34, 46, 60)
    for a in np.deg2rad((45, 135, -45, -135, 90, -90, 0, 180))
]


def place_labels(ax, x: np.ndarray, y: np.ndarray, labels: list[str], fontsize: float = 8) -> list[Text]:
    """Label points without overlap: points on the same spot share a label, each put where it hides nothing.

    The layout is settled first and then frozen, so the labels stay where they were checked to fit.
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    at = ax.transData.transform(np.column_stack([x, y]))
    radius = 5 * fig.dpi / 72  # a marker's reach, in pixels
    taken = [Bbox.from_extents(px - radius, py - radius, px + radius, py + radius) for px, py in at]
    frame = ax.get_window_extent(renderer)
    groups: list[list[int]] = []
    for i, point in enumerate(at):
        near = [g for g in groups if np.hypot(*(at[g[0]] - point)) < radius]
        if near:
            near[0].append(i)
        else:
            groups.append([i])
    placed = []
    for group in groups:
        text, anchor = ", ".join(labels[i] for i in group), (x[group[0]], y[group[0]])
        for dx, dy in OFFSETS:
            label = ax.annotate(
                text, anchor, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                ha="left" if dx > 0.5 else "right" if dx < -0.5 else "center",
                va="bottom" if dy > 0.5 else "top" if dy < -0.5 else "center",
            )  # fmt: skip
            box = label.get_window_extent(renderer)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                break
            label.remove()
        else:  # nowhere free: the first place, so the number is still there
            dx, dy = OFFSETS[0]
            label = ax.annotate(text, anchor, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize)
            box = label.get_window_extent(renderer)
        taken.append(box)
        placed.append(label)
    fig.set_layout_engine("none")
    return placed


def differences(summary: pd.DataFrame, paired: pd.DataFrame) -> pd.DataFrame:
    """Per cell: profit minus its baseline, the adjusted interval, and whether it is distinguishable.

    The baseline cell itself is 0 and not distinguishable; a cell with no baseline is NaN.
    """
    rows = paired[paired["metric"] == "profit"].set_index("cell")
    frame = pd.DataFrame(index=summary["cell"])
    for column in ("mean_difference", "ci_low_adjusted", "ci_high_adjusted"):
        frame[column] = rows[column].reindex(frame.index).to_numpy(float)
    frame["distinguishable"] = (
        rows["distinguishable"].reindex(frame.index).fillna(False).astype(bool).to_numpy()
    )
    is_base = (summary["cell"] == summary["baseline"]).to_numpy()
    frame.loc[is_base, ["mean_difference", "ci_low_adjusted", "ci_high_adjusted"]] = 0.0
    frame["baseline"] = is_base
    return frame


def scale_of(values: np.ndarray) -> tuple[float, str, str]:
    """Millions, thousands or currency: the largest unit the largest difference is at least one of.

    Returns the unit, its name and the format of a value in it.
    """
    top = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
    if top >= 1e6:
        return 1e6, "millions", "{:+.2f}"
    if top >= 1e3:
        return 1e3, "thousands", "{:+.1f}"
    return 1.0, "currency", "{:+,.0f}"


def profit_map_figure(summary: pd.DataFrame, paired: pd.DataFrame, keys: list[str], name: str) -> Figure:
    """Profit minus the baseline over two swept keys as a heatmap, or over one as a curve.

    The colour scale is symmetric around zero, so a difference of a few per cent of the profit
    looks like one; cells are coloured only where the difference is distinguishable (the study's
    one rule), grey where it is not. Without a baseline, mean profit on a scale from zero.
    """
    values = pd.DataFrame([parse(cell) for cell in summary["cell"]], index=summary.index)
    if paired.empty or "profit" not in set(paired["metric"]):
        return profit_level_figure(summary, values, keys, name)
    diff = differences(summary, paired)
    unit, unit_name, written = scale_of(diff["mean_difference"].to_numpy(float))
    if len(keys) < 2:
        return profit_curve_figure(values, diff, keys[0], name, unit, unit_name)
    rows, cols = keys[0], keys[1]
    signs = np.sign(diff["mean_difference"].to_numpy(float)) * diff["distinguishable"].to_numpy()
    frame = values.assign(
        difference=diff["mean_difference"].to_numpy(float) / unit,
        low_sign=signs,
        high_sign=signs,
        baseline=diff["baseline"].to_numpy(),
    )
    table = frame.pivot_table(index=rows, columns=cols, values="difference", sort=False)
    low = frame.pivot_table(index=rows, columns=cols, values="low_sign", aggfunc="min", sort=False)
    high = frame.pivot_table(index=rows, columns=cols, values="high_sign", aggfunc="max", sort=False)
    base = frame.pivot_table(index=rows, columns=cols, values="baseline", aggfunc="all", sort=False)
    shown = table.to_numpy(float)
    clear = ((low == high) & (low != 0)).reindex_like(table).fillna(False).to_numpy(bool)
    top = np.nanmax(np.abs(shown)) if np.isfinite(shown).any() and np.nanmax(np.abs(shown)) > 0 else 1.0
    colours = DIFFERENCE_MAP.with_extremes(bad=NOT_DISTINGUISHABLE)
    fig, ax = plt.subplots(
        figsize=(max(9.0, 1.6 * table.shape[1] + 3.5), 0.7 * table.shape[0] + 2.8),
        layout="constrained",
        dpi=DPI,
    )
    image = ax.imshow(np.ma.masked_where(~clear, shown), cmap=colours, vmin=-top, vmax=top, aspect="auto")
    for (i, j), value in np.ndenumerate(shown):
        if base.to_numpy(bool)[i, j]:
            text = "baseline"
        else:
            text = written.format(value) if np.isfinite(value) else "n/a"
        face = colours(image.norm(value)) if clear[i, j] else mcolors.to_rgba(NOT_DISTINGUISHABLE)
        light = 0.299 * face[0] + 0.587 * face[1] + 0.114 * face[2] > 0.5
        ax.text(j, i, text, ha="center", va="center", color="black" if light else "white", fontsize=9)
    ax.set_xticks(range(table.shape[1]), table.columns)
    ax.set_yticks(range(table.shape[0]), table.index)
    others = [k for k in keys if k not in (rows, cols)]
    over = f", mean over {', '.join(others)}" if others else ""
    ax.set(
        xlabel=cols,
        ylabel=rows,
        title=f"{name}: profit minus the baseline ({unit_name})\nby {rows} and {cols}{over}\n"
        "coloured where distinguishable (adjusted 95%), grey where not",
    )
    fig.colorbar(image, ax=ax, label=f"profit minus the baseline ({unit_name}); 0: no difference")
    return fig


def profit_curve_figure(
    values: pd.DataFrame, diff: pd.DataFrame, key: str, name: str, unit: float, unit_name: str
) -> Figure:
    """Profit minus the baseline along one swept key, with adjusted intervals, coloured by the rule."""
    x = pd.to_numeric(values[key], errors="coerce")
    numeric = x.notna().all()
    positions = x.to_numpy(float) if numeric else np.arange(len(x))
    mean, low, high = (
        diff[c].to_numpy(float) / unit for c in ("mean_difference", "ci_low_adjusted", "ci_high_adjusted")
    )
    colour = verdict_colours(mean, diff["distinguishable"].to_numpy(bool), "profit")
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained", dpi=DPI)
    ax.plot(positions, mean, color="#1f78b4", lw=1, zorder=1)
    ax.errorbar(positions, mean, yerr=[mean - low, high - mean], fmt="none", ecolor=colour, elinewidth=2)
    ax.scatter(positions, mean, color=colour, zorder=3)
    ax.axhline(0, color="black", lw=1)
    for where, level in zip(
        positions[diff["baseline"].to_numpy(bool)], mean[diff["baseline"].to_numpy(bool)], strict=True
    ):
        ax.annotate(
            "baseline", (where, level), xytext=(0, 8), textcoords="offset points", ha="center", fontsize=8
        )
    if not numeric:
        ax.set_xticks(positions, values[key].astype(str))
    ax.set(
        title=f"{name}: profit minus the baseline by {key}, adjusted 95% intervals\n"
        "green: distinguishably better, orange: distinguishably worse, grey: not distinguishable",
        xlabel=key,
        ylabel=f"profit minus the baseline ({unit_name})",
    )
    _style(ax)
    return fig


def profit_level_figure(summary: pd.DataFrame, values: pd.DataFrame, keys: list[str], name: str) -> Figure:
    """Mean profit when there is no baseline to subtract, the colour scale starting at zero."""
    if len(keys) >= 2:
        rows, cols = keys[0], keys[1]
        table = values.assign(profit_mean=summary["profit_mean"]).pivot_table(
            index=rows, columns=cols, values="profit_mean", sort=False
        )
        shown = table.to_numpy(float) / 1e6
        fig, ax = plt.subplots(
            figsize=(1.6 * table.shape[1] + 3, 0.7 * table.shape[0] + 2), layout="constrained", dpi=DPI
        )
        low, high = min(0.0, np.nanmin(shown)), max(0.0, np.nanmax(shown))
        image = ax.imshow(shown, cmap="Greens", vmin=low, vmax=high if high > low else low + 1, aspect="auto")
        for (i, j), value in np.ndenumerate(shown):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9)
        ax.set_xticks(range(table.shape[1]), table.columns)
        ax.set_yticks(range(table.shape[0]), table.index)
        ax.set(xlabel=cols, ylabel=rows, title=f"{name}: mean profit (millions) by {rows} and {cols}")
        fig.colorbar(image, ax=ax, label="mean profit (millions), scale from zero")
        return fig
    key = keys[0]
    x = pd.to_numeric(values[key], errors="coerce")
    positions = x.to_numpy(float) if x.notna().all() else np.arange(len(x))
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained", dpi=DPI)
    mean, low, high = (summary[f"profit_{s}"].to_numpy(float) / 1e6 for s in ("mean", "low", "high"))
    ax.plot(positions, mean, marker="o", color="#1f78b4")
    ax.fill_between(positions, low, high, color="#1f78b4", alpha=0.2, lw=0, label="95% interval of each cell")
    if not x.notna().all():
        ax.set_xticks(positions, values[key].astype(str))
    ax.set(title=f"{name}: mean profit by {key}", xlabel=key, ylabel="profit over the run (millions)")
    ax.legend(frameon=False)
    _style(ax)
    return fig


def swept_keys_of(cells: list[str]) -> list[str]:
    """The keys the cells set, in order of first appearance."""
    return list(dict.fromkeys(key for cell in cells for key in parse(cell)))


def draw_weekly(sweep_dir: Path, name: str, weekly: pd.DataFrame, cells: list[str]) -> Path:
    """weekly.png, from every finished run's weeks (weekly.parquet's rows)."""
    return _save(weekly_figure(weekly, cells, swept_keys_of(cells), name), sweep_dir / "weekly.png")


def draw_study_figures(
    sweep_dir: Path, name: str, summary: pd.DataFrame, paired: pd.DataFrame, cells: list[str]
) -> list[Path]:
    """Draw every figure of the cells' summary the study's data supports; return their paths.

    weekly.png is drawn apart (``draw_weekly``), from the runs' weeks.
    """
    keys = swept_keys_of(cells)
    figures = []
    if not paired.empty and {"profit", "churn_rate"} <= set(paired["metric"]):
        figures.append(_save(forest_figure(paired, name), sweep_dir / "forest.png"))
    if {"recovery_cost_mean", "churn_rate_mean"} <= set(summary.columns):
        figures.append(_save(frontier_figure(summary, name), sweep_dir / "frontier.png"))
    if keys and "profit_mean" in summary.columns:
        figure = "heatmap.png" if len(keys) >= 2 else "curve.png"
        figures.append(_save(profit_map_figure(summary, paired, keys, name), sweep_dir / figure))
    return figures
