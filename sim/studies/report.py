"""report.md: a study's answer in plain words, with its table and figures, to forward as it is.

Every number in it comes from summary.csv, paired.csv or runs.parquet in the
same folder; ``recovery-sim-report <folder>`` rewrites it from those files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.files import write_text
from sim.studies.stats import paired_difference

LABELS = {
    "profit": "profit",
    "revenue": "revenue",
    "churn_rate": "churn rate",
    "recovery_satisfaction": "recovery satisfaction",
    "complaint_rate": "complaint rate",
    "recovery_cost": "recovery cost",
}


def money(x: float) -> str:
    """12,345 style, with a sign when asked by the caller's format."""
    return "n/a" if not np.isfinite(x) else f"{x:,.0f}"


def show(metric: str, x: float, signed: bool = False) -> str:
    """A metric value as a reader expects it: money, or a percentage for rates."""
    if not np.isfinite(x):
        return "n/a"
    if metric.endswith("_rate") or metric == "recovery_satisfaction":
        return f"{x * 100:+.1f} points" if signed else f"{x:.1%}"
    return f"{x:+,.0f}" if signed else f"{x:,.0f}"


def interval(metric: str, low: float, high: float, signed: bool = False) -> str:
    """'[a, b]' in the metric's units."""
    return f"[{show(metric, low, signed)}, {show(metric, high, signed)}]"


def roi_interval(low: float, high: float) -> str:
    """ROI's 95% interval in words; a ratio whose resamples can spend nothing extra has no upper bound."""
    if np.isfinite(low) and np.isfinite(high):
        return f"95% interval [{low:.2f}, {high:.2f}]"
    if np.isfinite(low) and np.isposinf(high):
        return f"95% interval from {low:.2f}, with no upper bound at this number of replications"
    if np.isneginf(low) and np.isfinite(high):
        return f"95% interval up to {high:.2f}, with no lower bound at this number of replications"
    return "no finite 95% interval at this number of replications"


def verdict(p_holm: float, low: float, high: float) -> str:
    """Words for how sure we are that a difference is real."""
    if not np.isfinite(p_holm):
        return "too few replications to tell"
    if p_holm < 0.05 and (low > 0 or high < 0):
        return f"clear (Holm-adjusted p = {p_holm:.2g})"
    return f"not distinguishable from no difference (Holm-adjusted p = {p_holm:.2g})"


def swept_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's swept keys and values as its cell label writes them ('policy=none firm.staff=2')."""
    return pd.DataFrame(
        [dict(item.split("=", 1) for item in cell.split()) for cell in frame["cell"]], index=frame.index
    )


def answer(study: dict, summary: pd.DataFrame, paired: pd.DataFrame, runs: pd.DataFrame) -> list[str]:
    """The plain-words findings: the winner on profit, its margin, and what it trades away."""
    lines = []
    ok = runs[runs["status"] == "ok"]
    within = study.get("within") or []
    values = swept_values(summary)
    groups = summary.groupby([values[k] for k in within], sort=False) if within else [((), summary)]
    for key, group in groups:
        group = group.dropna(subset=["profit_mean"]).sort_values("profit_mean", ascending=False)
        if group.empty:
            continue
        where = (
            f" ({', '.join(f'{k}={v}' for k, v in zip(within, np.atleast_1d(key), strict=False))})"
            if within
            else ""
        )
        best = group.iloc[0]
        spread = interval("profit", best["profit_low"], best["profit_high"])
        lines.append(
            f"**Highest profit{where}: `{best['cell']}`**, mean {money(best['profit_mean'])} over "
            f"{best['runs']} runs (95% interval {spread})."
        )
        versus = paired[(paired["cell"] == best["cell"]) & (paired["metric"] == "profit")]
        if not versus.empty:
            v = versus.iloc[0]
            gain = show("profit", v["mean_difference"], True)
            lines.append(
                f"- Against the baseline `{v['baseline']}` it earns {gain} "
                f"(paired 95% interval {interval('profit', v['ci_low'], v['ci_high'], True)}): "
                f"{verdict(v['p_holm'], v['ci_low'], v['ci_high'])}."
            )
        if len(group) > 1:
            second = group.iloc[1]
            a = ok[ok["cell"] == best["cell"]].set_index("replication")["profit"]
            b = ok[ok["cell"] == second["cell"]].set_index("replication")["profit"]
            common = a.index.intersection(b.index)
            d = paired_difference(a.loc[common].to_numpy(), b.loc[common].to_numpy())
            sure = "clear" if d.estimate.low > 0 else "not clear at 95%: treat them as tied"
            e = d.estimate
            lines.append(
                f"- Runner-up `{second['cell']}`: the winner earns {show('profit', e.mean, True)} more "
                f"(paired 95% interval {interval('profit', e.low, e.high, True)}; {sure})."
            )
        trade = []
        for metric in ("churn_rate", "recovery_cost", "recovery_satisfaction"):
            row = paired[(paired["cell"] == best["cell"]) & (paired["metric"] == metric)]
            if not row.empty:
                r = row.iloc[0]
                trade.append(
                    f"{LABELS[metric]} {show(metric, r['mean_difference'], True)} "
                    f"{interval(metric, r['ci_low'], r['ci_high'], True)}"
                )
        if trade:
            lines.append(f"- What it changes against the baseline: {'; '.join(trade)}.")
        if np.isfinite(best.get("recovery_roi_mean", np.nan)):
            lines.append(
                f"- Each extra unit spent on recovery returns {best['recovery_roi_mean']:.2f} in profit "
                f"({roi_interval(best['recovery_roi_low'], best['recovery_roi_high'])})."
            )
        lines.append("")
    return lines


#: What a lever's effect is read in: money earned, money taken, customers kept.
LEVER_METRICS = ("profit", "revenue", "churn_rate")


def levers(runs: pd.DataFrame, order: dict[str, list[str]]) -> list[str]:
    """Each swept key's values against its first, every other setting equal, paired by replication.

    A strategist reads here what one lever does on its own (delegation full instead of none,
    whatever the policy): the pairs are the cells that differ in that key only, pooled over
    the other keys' values and the replications.
    """
    ok = runs[runs["status"] == "ok"]
    cells = swept_values(ok)
    keys = [k for k in order if k in cells and cells[k].nunique() > 1]
    if not keys:
        return []
    ok = pd.concat([cells[keys], ok[["replication", *LEVER_METRICS]]], axis=1)
    lines = []
    for key in keys:
        others = [k for k in keys if k != key]
        values = [v for v in order[key] if v in set(ok[key])]
        first = ok[ok[key] == values[0]].set_index([*others, "replication"])
        for value in values[1:]:
            this = ok[ok[key] == value].set_index([*others, "replication"])
            common = this.index.intersection(first.index)
            if len(common) < 2:
                continue
            parts = []
            for metric in LEVER_METRICS:
                e = paired_difference(
                    this.loc[common, metric].to_numpy(float), first.loc[common, metric].to_numpy(float)
                ).estimate
                parts.append(
                    f"{LABELS.get(metric, metric)} {show(metric, e.mean, True)} "
                    f"{interval(metric, e.low, e.high, True)}"
                )
            lines.append(f"- `{key}={value}` instead of `{values[0]}`, all else equal: {'; '.join(parts)}.")
    if not lines:
        return []
    return [
        "## What each lever does",
        "",
        "Each swept value against the first, in the cells that differ in that key only, paired by "
        "replication and pooled over the other keys (paired 95% intervals).",
        "",
        *lines,
        "",
    ]


def table(summary: pd.DataFrame, metrics: list[str]) -> list[str]:
    """The per-cell table: mean and 95% interval of each metric."""
    head = ["cell", "runs", *[LABELS.get(m, m) for m in metrics]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, row in summary.iterrows():
        cells = [f"`{row['cell']}`", str(row["runs"])]
        cells += [
            f"{show(m, row[f'{m}_mean'])} {interval(m, row[f'{m}_low'], row[f'{m}_high'])}" for m in metrics
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def span(runs: pd.DataFrame, column: str) -> str:
    """'10,000', or '17 to 10,000' when the cells differ (e.g. networks of different sizes)."""
    if runs.empty or column not in runs:
        return "?"
    low, high = runs[column].min(), runs[column].max()
    return f"{low:,.0f}" if low == high else f"{low:,.0f} to {high:,.0f}"


def write_report(
    sweep_dir: Path,
    study: dict,
    summary: pd.DataFrame,
    paired: pd.DataFrame,
    runs: pd.DataFrame,
    info: dict,
    figures: list[Path],
    order: dict[str, list[str]] | None = None,
) -> Path:
    """Write report.md into the sweep folder (``order``: the swept keys and values in the study's order)."""
    metrics = [m for m in study.get("metrics", []) if f"{m}_mean" in summary.columns]
    ok = runs[runs["status"] == "ok"]
    order = order or {}
    lines = [
        f"# Study `{study.get('name', sweep_dir.parent.name)}`",
        "",
        f"{len(summary)} cells × {study.get('replications', '?')} paired replications "
        f"({info['runs_done']} runs done, {info['runs_failed']} failed, {info['runs_expected']} planned); "
        f"{span(ok, 'customers_initial')} customers at the start, {span(ok, 'weeks')} weeks. "
        f"Every cell ran on the same seeds, so cells are compared replication by replication. "
        f"Baseline: `{' '.join(study.get('baseline', []))}`"
        + (f", compared within each {', '.join(study['within'])}." if study.get("within") else "."),
        "",
        "## Answer",
        "",
        *answer(study, summary, paired, runs),
        *levers(runs, order),
        "## Per cell",
        "",
        "Mean and 95% interval over replications (summary.csv; paired differences with Holm-adjusted "
        "p-values in paired.csv).",
        "",
        *table(summary, metrics),
        "",
        "## Figures",
        "",
        *[f"![{p.stem}]({p.name})\n" for p in figures],
    ]
    if info["failures"]:
        lines += [
            "## Failed runs",
            "",
            *[f"- `{f['cell']}` ({f['run_id']}): {f['error']}" for f in info["failures"]],
            "",
        ]
    lines += [
        "## Provenance",
        "",
        f"- command: `{info['command']}`",
        f"- code: {info['git_commit']}; Python {info['python']}; "
        + ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v),
        f"- ran {info['started']} to {info['ended']} (UTC)",
        f"- rebuild this report from the run files: `recovery-sim-report {sweep_dir}`",
        "",
    ]
    return write_text(sweep_dir / "report.md", "\n".join(lines))
