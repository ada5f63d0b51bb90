"""The robustness study: which policy holds up across the futures a firm cannot choose, and where it does not.

A firm picks its recovery policy and its frontline's authority; it does not
pick how often things fail, how readily customers complain or how far bad
news travels. Every policy × delegation runs in every scenario of a Latin
hypercube over those uncertainties (``study.parameters``), all cells of a
scenario on the same seed (common random numbers), so within a scenario the
cells differ by policy alone. A cell's regret in a scenario is the profit it
gives up against the best cell there (Savage's minimax-regret reading, as
robust decision making uses it); the cell to recommend has the least mean
regret, and EMA Workbench's PRIM (scenario discovery) finds the box of
conditions where it is not the best.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import qmc  # noqa: E402

from sim.files import write_markdown_report, write_table  # noqa: E402
from sim.studies.parallel import run_many  # noqa: E402
from sim.studies.sensitivity import problem  # noqa: E402
from sim.world.config import with_values  # noqa: E402
from sim.world.schema import SimConfig  # noqa: E402

#: What each run keeps besides profit, to say what the recommended cell trades.
KEPT = ("profit", "revenue", "churn_rate", "recovery_cost", "recovery_satisfaction")
#: The PRIM box reported is the densest on the peeling trajectory that still covers this share of
#: the scenarios where the recommended cell is beaten.
MIN_COVERAGE = 0.5
#: A box's limit is named in words only where it cuts at least this share of the explored range.
NAMED_CUT = 0.1
#: A box describes where the recommended cell is beaten only if it loses at least this share of it.
CONCENTRATED = 0.5


def scenarios(cfg: SimConfig) -> pd.DataFrame:
    """``study.scenarios`` points of a Latin hypercube over the ranges, each with its own seed."""
    spec = problem(cfg)
    unit = qmc.LatinHypercube(d=spec["num_vars"], rng=np.random.default_rng(cfg.seed)).random(
        cfg.study.scenarios
    )
    low, high = np.array(spec["bounds"], dtype=float).T
    table = pd.DataFrame(qmc.scale(unit, low, high), columns=spec["names"])
    table.insert(0, "seed", cfg.seed + np.arange(len(table)))
    table.insert(0, "scenario", np.arange(len(table)))
    return table


def label(policy: str, delegation: str) -> str:
    """A cell's name as the grid studies print it."""
    return f"policy={policy} delegation={delegation}"


def run_scenarios(cfg: SimConfig, table: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario and cell: the cell, what the run kept, and the scenario's values."""
    names = [c for c in table.columns if c not in ("scenario", "seed")]
    configs, rows = [], []
    for _, point in table.iterrows():
        values = {name: float(point[name]) for name in names}
        for policy in cfg.study.policies:
            for delegation in cfg.study.delegations:
                presets = {"policy": policy, "delegation": delegation}
                configs.append(with_values(cfg, presets, seed=int(point["seed"]), **values))
                rows.append(
                    {"scenario": int(point["scenario"]), "cell": label(policy, delegation), **presets}
                )
    summaries = run_many(configs, label="robustness")
    kept = [{**row, **{k: summary[k] for k in KEPT}} for row, summary in zip(rows, summaries, strict=True)]
    return pd.DataFrame(kept).merge(table, on="scenario")


def with_regret(runs: pd.DataFrame) -> pd.DataFrame:
    """Each run's regret (the best profit in its scenario less its own) and whether it was the best."""
    best = runs.groupby("scenario")["profit"].transform("max")
    winner = runs.loc[runs.groupby("scenario")["profit"].idxmax(), ["scenario", "cell"]]
    runs = runs.assign(regret=best - runs["profit"])
    return runs.assign(best=runs["scenario"].map(winner.set_index("scenario")["cell"]) == runs["cell"])


def ranking(runs: pd.DataFrame) -> pd.DataFrame:
    """Per cell: mean and worst regret, share of scenarios won, mean profit; least mean regret first."""
    table = runs.groupby("cell", sort=False).agg(
        mean_regret=("regret", "mean"),
        worst_regret=("regret", "max"),
        share_won=("best", "mean"),
        mean_profit=("profit", "mean"),
    )
    return table.sort_values(["mean_regret", "worst_regret"]).reset_index()


def discover(runs: pd.DataFrame, names: list[str], chosen: str) -> dict | None:
    """PRIM's box of the scenarios where ``chosen`` is not the best: limits, coverage, density, who wins.

    None when it is the best everywhere (no box to find) or nowhere.
    """
    from ema_workbench.analysis import prim  # an optional extra: only this study needs it

    mine = runs[runs["cell"] == chosen].sort_values("scenario")
    beaten = ~mine["best"].to_numpy()
    if beaten.all() or not beaten.any():
        return None
    x = mine[names].reset_index(drop=True)
    logging.getLogger("EMA").setLevel(logging.WARNING)  # EMA's progress lines are not the report's
    found = prim.Prim(x, beaten.astype(int)).find_box()
    trajectory = found.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= MIN_COVERAGE]
    step = int(eligible["density"].idxmax()) if not eligible.empty else 0
    found.select(step)
    limits = found.box_lims[step]
    inside = np.ones(len(x), dtype=bool)
    for name in names:
        inside &= (x[name] >= limits[name].iloc[0]) & (x[name] <= limits[name].iloc[1])
    lost_inside = set(mine["scenario"].to_numpy()[inside & beaten])
    winners = runs[runs["best"] & runs["scenario"].isin(lost_inside)]["cell"].value_counts()
    return {
        "limits": {name: (float(limits[name].iloc[0]), float(limits[name].iloc[1])) for name in names},
        "coverage": float(trajectory.loc[step, "coverage"]),
        "density": float(trajectory.loc[step, "density"]),
        "scenarios": int(inside.sum()),
        "winner_inside": winners.index[0] if len(winners) else None,
    }


def conditions(box: dict, bounds: dict[str, tuple[float, float]]) -> str:
    """The box in words: only the limits that cut NAMED_CUT or more of the explored range."""
    parts = []
    for name, (low, high) in box["limits"].items():
        lo, hi = bounds[name]
        tight_low, tight_high = low >= lo + NAMED_CUT * (hi - lo), high <= hi - NAMED_CUT * (hi - lo)
        if tight_low and tight_high:
            parts.append(f"`{name}` is between {low:.3g} and {high:.3g}")
        elif tight_low:
            parts.append(f"`{name}` > {low:.3g}")
        elif tight_high:
            parts.append(f"`{name}` < {high:.3g}")
    return " and ".join(parts) if parts else "anywhere in the explored ranges"


def answer(ranked: pd.DataFrame, box: dict | None, bounds: dict[str, tuple[float, float]]) -> list[str]:
    """The report's answer in words a manager can forward."""
    top = ranked.iloc[0]
    lines = [
        f"**Use `{top['cell']}`.** Across {len(bounds)} uncertainties it gives up the least profit to "
        f"the best choice in each future (mean regret {top['mean_regret']:,.0f}, worst "
        f"{top['worst_regret']:,.0f}) and is the best outright in {top['share_won']:.0%} of the scenarios.",
        "",
    ]
    if box is None:
        where = "in every scenario explored" if top["share_won"] == 1 else "in none of the scenarios"
        lines.append(f"It is the best {where}, so there is no region to describe.")
        return lines
    if box["density"] >= CONCENTRATED:
        lines.append(
            f"It is beaten mostly where {conditions(box, bounds)}: there the best is most often "
            f"`{box['winner_inside']}` (PRIM's box holds {box['scenarios']} scenarios; it loses "
            f"{box['density']:.0%} of them, and they are {box['coverage']:.0%} of all it loses)."
        )
    else:
        lines.append(
            f"{box['coverage']:.0%} of the scenarios it loses fall where {conditions(box, bounds)} "
            f"(PRIM), but even there it wins {1 - box['density']:.0%} of the {box['scenarios']} scenarios: "
            "its losses are not concentrated in a region to watch for. When it loses, the best is most often "
            f"`{box['winner_inside']}`."
        )
    lines.append("Each scenario is one seed: where cells are close, who wins it is partly luck.")
    return lines


def regret_figure(runs: pd.DataFrame, ranked: pd.DataFrame, path: Path) -> Path:
    """Regret of each cell across the scenarios, least mean regret on top."""
    order = list(ranked["cell"])
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(order) + 1.2), layout="constrained")
    data = [runs.loc[runs["cell"] == cell, "regret"].to_numpy() / 1e3 for cell in order]
    ax.boxplot(data, vert=False, tick_labels=order, showmeans=True)
    ax.invert_yaxis()
    ax.set_xlabel("regret: profit given up against the best cell in the same scenario (thousands)")
    ax.set_title("Regret across the scenarios (least mean regret on top; triangle: mean)", fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def robustness(cfg: SimConfig, out: Path) -> list[Path]:
    """Run the whole study into ``out``; return the files written."""
    spec = problem(cfg)
    bounds = dict(zip(spec["names"], (tuple(b) for b in spec["bounds"]), strict=True))
    out.mkdir(parents=True, exist_ok=True)
    table = scenarios(cfg)
    runs = with_regret(run_scenarios(cfg, table))
    ranked = ranking(runs)
    box = discover(runs, spec["names"], ranked.iloc[0]["cell"])
    lines = [
        "# Study `robustness`",
        "",
        f"{len(ranked)} cells (policy × frontline authority) in each of {len(table)} scenarios, a Latin "
        f"hypercube over {', '.join(f'`{n}` {lo:g}–{hi:g}' for n, (lo, hi) in bounds.items())}; "
        f"{cfg.market.customers:,} customers, {cfg.weeks} weeks; the cells of a scenario share its seed.",
        "",
        "## Answer",
        "",
        *answer(ranked, box, bounds),
        "",
        "| cell | mean regret | worst regret | scenarios won | mean profit |",
        "|---|---|---|---|---|",
        *[
            f"| `{r.cell}` | {r.mean_regret:,.0f} | {r.worst_regret:,.0f} | {r.share_won:.0%} | "
            f"{r.mean_profit:,.0f} |"
            for r in ranked.itertuples()
        ],
    ]
    files = "scenarios.csv (the futures), runs.parquet (every run, its regret), ranking.csv (this table)."
    return [
        write_table(out / "scenarios.csv", table),
        write_table(out / "runs.parquet", runs),
        write_table(out / "ranking.csv", ranked),
        regret_figure(runs, ranked, out / "regret.png"),
        write_markdown_report(out, lines, "regret.png", files),
    ]
