"""The sensitivity study: which uncertain calibration parameters move profit, churn and the ranking.

Morris elementary effects (SALib) over the ranges in ``study.parameters``:
mu* ranks how much each parameter moves an output, sigma how much its effect
depends on the others. Every sampled point runs every policy in
``study.policies`` on the same seed, so the study also says whether the
winning policy changes anywhere in the explored range.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from SALib.analyze import morris as morris_analyze  # noqa: E402
from SALib.sample import morris as morris_sample  # noqa: E402

from sim.files import write_markdown_report, write_table  # noqa: E402
from sim.studies.parallel import run_many  # noqa: E402
from sim.studies.tidy import plain  # noqa: E402
from sim.world.config import with_values  # noqa: E402
from sim.world.parameter import ConfigError
from sim.world.schema import SimConfig

OUTPUTS = ("profit", "churn_rate")


def problem(cfg: SimConfig) -> dict:
    """SALib's description of the explored ranges."""
    ranges = cfg.study.parameters
    if not ranges:
        raise ConfigError("study.parameters is empty: allowed a mapping key -> [low, high]")
    for key, bounds in ranges.items():
        if len(bounds) != 2 or not bounds[0] < bounds[1]:
            raise ConfigError(
                f"study.parameters.{key}={list(bounds)} is malformed: allowed [low, high], low < high"
            )
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(b) for b in ranges.values()]}


def sample_runs(cfg: SimConfig, spec: dict) -> pd.DataFrame:
    """Every sampled point under every policy: one row per run with the parameters and the outputs."""
    points = morris_sample.sample(spec, N=cfg.study.trajectories, num_levels=4, seed=cfg.seed)
    configs, rows = [], []
    for i, point in enumerate(points):
        values = dict(zip(spec["names"], (float(v) for v in point), strict=True))
        for policy in cfg.study.policies:
            configs.append(with_values(cfg, {"policy": policy}, **values))
            rows.append({"point": i, "policy": policy, **values})
    summaries = run_many(configs, label="sensitivity")
    for row, summary in zip(rows, summaries, strict=True):
        row.update({name: summary[name] for name in OUTPUTS})
    return pd.DataFrame(rows)


def indices(spec: dict, runs: pd.DataFrame, policies: list[str]) -> pd.DataFrame:
    """Morris mu* and sigma per parameter, output and policy."""
    points = runs.drop_duplicates("point").sort_values("point")[spec["names"]].to_numpy()
    frames = []
    for policy in policies:
        mine = runs[runs["policy"] == policy].sort_values("point")
        for output in OUTPUTS:
            result = morris_analyze.analyze(spec, points, mine[output].to_numpy(), num_levels=4)
            frames.append(
                pd.DataFrame(
                    {
                        "policy": policy,
                        "output": output,
                        "parameter": spec["names"],
                        "mu_star": result["mu_star"],
                        "mu_star_conf": result["mu_star_conf"],
                        "sigma": result["sigma"],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def winners(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The most profitable policy at each sampled point."""
    best = runs.loc[runs.groupby("point")["profit"].idxmax()]
    return best[["point", *names, "policy", "profit"]].rename(columns={"policy": "winner"})


def draw(table: pd.DataFrame, policies: list[str], path: Path) -> Path:
    """Bar chart of mu* per parameter, one panel per output, one bar per policy."""
    fig, axes = plt.subplots(1, len(OUTPUTS), figsize=(13, 5), layout="constrained")
    names = list(dict.fromkeys(table["parameter"]))
    width = 0.8 / len(policies)
    for ax, output in zip(axes, OUTPUTS, strict=True):
        for j, policy in enumerate(policies):
            rows = (
                table[(table["output"] == output) & (table["policy"] == policy)]
                .set_index("parameter")
                .loc[names]
            )
            scale = 100.0 if output == "churn_rate" else 1e-3
            ax.barh(
                np.arange(len(names)) + j * width,
                rows["mu_star"] * scale,
                height=width,
                xerr=rows["mu_star_conf"] * scale,
                label=policy,
            )
        ax.set_yticks(np.arange(len(names)) + 0.4 - width / 2, names)
        unit = "points of churn" if output == "churn_rate" else "thousands of profit"
        ax.set(title=f"Effect on {output.replace('_', ' ')}", xlabel=f"Morris mu* ({unit})")
        ax.grid(alpha=0.3, axis="x")
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].legend(title="policy", frameon=False, fontsize=8)
    fig.suptitle("sensitivity: how much each uncertain parameter moves the outcome (longer bar: more)")
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def write_report(out: Path, cfg: SimConfig, spec: dict, table: pd.DataFrame, won: pd.DataFrame) -> Path:
    """report.md: the parameters that matter most, and whether the winning policy ever changes."""
    shares = won["winner"].value_counts(normalize=True)
    reference = cfg.study.policies[-1]
    top = table[(table["policy"] == reference)].sort_values("mu_star", ascending=False)
    lines = [
        "# Study `sensitivity`",
        "",
        f"Morris screening (SALib): {cfg.study.trajectories} trajectories over {spec['num_vars']} "
        "parameters, "
        f"{len(won)} points, each run under {len(cfg.study.policies)} policies on the same seed "
        f"({cfg.market.customers:,} customers, {cfg.weeks} weeks).",
        "",
        "## Answer",
        "",
    ]
    if len(shares) == 1:
        lines.append(
            f"**The winning policy never changes**: `{shares.index[0]}` earns most at every sampled point."
        )
    else:
        lines.append(
            "**The winning policy changes within the explored ranges**: "
            + ", ".join(f"`{p}` wins at {s:.0%} of points" for p, s in shares.items())
            + "."
        )
    for output in OUTPUTS:
        ranked = top[top["output"] == output]
        lines.append(
            f"- Under `{reference}`, {output.replace('_', ' ')} moves most with "
            + ", then ".join(f"`{r.parameter}`" for r in ranked.head(3).itertuples())
            + "."
        )
    lines += ["", "| parameter | low | high |", "|---|---|---|"]
    lines += [f"| `{n}` | {b[0]:g} | {b[1]:g} |" for n, b in zip(spec["names"], spec["bounds"], strict=True)]
    files = (
        "runs.csv (every run), indices.csv (mu*, its 95% half-width and sigma per parameter, output "
        "and policy), winners.csv (the winning policy at each point)."
    )
    return write_markdown_report(out, lines, "indices.png", files)


def sensitivity(cfg: SimConfig, out: Path) -> list[Path]:
    """Run the whole study into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    spec = problem(cfg)
    runs = sample_runs(cfg, spec)
    table = indices(spec, runs, cfg.study.policies)
    won = winners(runs, spec["names"])
    return [
        write_table(out / "runs.csv", runs.rename(columns=plain)),  # wom_negative_reach: no dots in names
        write_table(out / "indices.csv", table),
        write_table(out / "winners.csv", won.rename(columns=plain)),
        draw(table, cfg.study.policies, out / "indices.png"),
        write_report(out, cfg, spec, table, won),
    ]
