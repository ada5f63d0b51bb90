"""report.md: a study's answer in plain words, with its table and figures, to forward as it is.

Every number in it comes from summary.csv, paired.csv or runs.parquet in the
same folder; ``recovery-sim-report <folder>`` rewrites it from those files.
Its first paragraph is one sentence: which cell to use, and why. Whether a
difference is there is said by one rule only (``sim.studies.stats``: the
Bonferroni-adjusted interval excludes zero), the one paired.csv, summary.csv
and the figures use, and a difference is described by what moved in it:
customers (churn rate), revenue, recovery cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.files import write_text
from sim.studies.stats import PairedDifference, paired_difference
from sim.world.channel_schema import CHANNELS, beyond_the_desk

LABELS = {
    "profit": "profit",
    "revenue": "revenue",
    "churn_rate": "churn rate",
    "recovery_satisfaction": "recovery satisfaction",
    "complaint_rate": "complaint rate",
    "recovery_cost": "recovery cost",
}


#: Shares shown as percentages (besides every ``*_rate`` and ``*_share``), and ratios shown with decimals.
SHARES = frozenset(("recovery_satisfaction", "first_contact_resolution"))
RATIOS = frozenset(
    (
        "mean_response_days",
        "silent_defectors_per_complainant",
        "wom_reach_negative",
        "wom_reach_positive",
        "mean_satisfaction_final",
    )
)


def money(x: float) -> str:
    """12,345 style, with a sign when asked by the caller's format."""
    return "n/a" if not np.isfinite(x) else f"{x:,.0f}"


def show(metric: str, x: float, signed: bool = False) -> str:
    """A metric value as a reader expects it: money, or a percentage for rates."""
    if not np.isfinite(x):
        return "n/a"
    if metric.endswith(("_rate", "_share")) or metric in SHARES:
        if not signed:
            return f"{x:.1%}"
        points = x * 100
        return f"{points:+.2f} points" if abs(points) < 0.1 else f"{points:+.1f} points"  # never '+0.0'
    if metric in RATIOS:
        return f"{x:+.2f}" if signed else f"{x:.2f}"
    return f"{x:+,.0f}" if signed else f"{x:,.0f}"


def interval(metric: str, low: float, high: float, signed: bool = False) -> str:
    """'[a, b]' in the metric's units."""
    return f"[{show(metric, low, signed)}, {show(metric, high, signed)}]"


def roi_interval(low: float, high: float) -> str:
    """ROI's adjusted 95% interval in words; resamples that spend nothing extra leave it unbounded."""
    if np.isfinite(low) and np.isfinite(high):
        return f"adjusted 95% interval [{low:.2f}, {high:.2f}]"
    if np.isfinite(low) and np.isposinf(high):
        return f"adjusted 95% interval from {low:.2f}, with no upper bound at this number of replications"
    if np.isneginf(low) and np.isfinite(high):
        return f"adjusted 95% interval up to {high:.2f}, with no lower bound at this number of replications"
    return "no finite adjusted 95% interval at this number of replications"


@dataclass(frozen=True)
class Difference:
    """One comparison as the report states it: the mean difference, its adjusted interval and verdict."""

    metric: str
    mean: float
    low: float
    high: float
    p: float
    distinguishable: bool

    @classmethod
    def of(cls, metric: str, d: PairedDifference) -> Difference:
        """From a paired difference computed here (the winner against the runner-up, a lever)."""
        a = d.adjusted
        return cls(metric, a.mean, a.low, a.high, d.p_adjusted, d.distinguishable)

    @classmethod
    def row(cls, r: pd.Series) -> Difference:
        """From a row of paired.csv."""
        return cls(
            r["metric"],
            r["mean_difference"],
            r["ci_low_adjusted"],
            r["ci_high_adjusted"],
            r["p_adjusted"],
            bool(r["distinguishable"]),
        )

    def signed(self) -> str:
        """'+12,345' or '-1.2 points'."""
        return show(self.metric, self.mean, True)

    def full(self) -> str:
        """'churn rate -3.0 points [-3.6 points, -2.4 points], distinguishable'."""
        word = "distinguishable" if self.distinguishable else "not distinguishable"
        return (
            f"{LABELS.get(self.metric, self.metric)} {self.signed()} "
            f"{interval(self.metric, self.low, self.high, True)}, {word}"
        )


def verdict(d: Difference) -> str:
    """Words for whether a difference is distinguishable, with the adjusted interval and p behind them."""
    if not np.isfinite(d.low):
        return "too few replications to tell"
    word = "distinguishable" if d.distinguishable else "not distinguishable"
    where = "excludes" if d.distinguishable else "includes"
    return (
        f"{word} (adjusted 95% interval {interval(d.metric, d.low, d.high, True)} {where} zero; "
        f"adjusted p = {d.p:.2g})"
    )


def swept_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's swept keys and values as its cell label writes them ('policy=none firm.staff=2')."""
    return pd.DataFrame(
        [dict(item.split("=", 1) for item in cell.split()) for cell in frame["cell"]], index=frame.index
    )


def from_paired(paired: pd.DataFrame, cell: str) -> dict[str, Difference]:
    """A cell's differences from its baseline, metric by metric, as paired.csv states them."""
    return {r["metric"]: Difference.row(r) for _, r in paired[paired["cell"] == cell].iterrows()}


def compare(a: pd.DataFrame, b: pd.DataFrame, metrics: tuple[str, ...], k: int) -> dict[str, Difference]:
    """``a`` minus ``b`` (two frames indexed alike, pairs in rows) per metric, one of ``k`` comparisons."""
    common = a.index.intersection(b.index)
    return {
        m: Difference.of(
            m, paired_difference(a.loc[common, m].to_numpy(float), b.loc[common, m].to_numpy(float), k)
        )
        for m in metrics
        if m in a.columns and m in b.columns and len(common) >= 1
    }


def moved(d: dict[str, Difference], worth: bool = False) -> str:
    """What moved, distinguishably, among customers (churn rate), revenue and recovery cost.

    'it keeps more customers (churn rate -2.4 points) and brings in more revenue (+80,000), at a higher
    recovery cost (+14,000)'; when only the cost moved, 'it spends 5,000 less on recovery, a pure
    cost saving: customers and revenue did not change distinguishably'. ``worth``: the profit
    gain is distinguishable, so an extra cost is said to be outweighed.
    """
    churn, revenue, cost = (d.get(m) for m in MOVERS)
    gains, still = [], []
    if churn is not None:
        if churn.distinguishable:
            gains.append(
                f"{'keeps' if churn.mean < 0 else 'loses'} more customers (churn rate {churn.signed()})"
            )
        else:
            still.append("customers")
    if revenue is not None:
        if revenue.distinguishable:
            gains.append(f"brings in {'more' if revenue.mean > 0 else 'less'} revenue ({revenue.signed()})")
        else:
            still.append("revenue")
    costs = cost is not None and cost.distinguishable
    if cost is not None and not costs:
        still.append("recovery cost")
    unchanged = f"{', '.join(still[:-1])} and {still[-1]}" if len(still) > 1 else "".join(still)
    if not gains and costs:
        amount = money(abs(cost.mean))
        if cost.mean < 0:
            saving = f"it spends {amount} less on recovery, a pure cost saving"
            return f"{saving}: {unchanged} did not change distinguishably" if still else saving
        extra = f"it spends {amount} more on recovery"
        return f"{extra}, while {unchanged} did not change distinguishably" if still else extra
    if not gains:
        return f"{unchanged} did not change distinguishably" if still else "nothing measured changed"
    text = "it " + " and ".join(gains)
    if costs and worth and cost.mean > 0:
        text += f", worth more than its extra recovery cost ({cost.signed()})"
    elif costs:
        text += f", at a {'higher' if cost.mean > 0 else 'lower'} recovery cost ({cost.signed()})"
    return text + (f", while {unchanged} did not change distinguishably" if still else "")


def because(d: dict[str, Difference]) -> str:
    """Why a cell earns distinguishably more than its baseline, for the answer's first sentence."""
    said = moved(d, worth=True)
    return f"because {said}" if said.startswith("it ") else f"although {said} on their own"


def differ(a: str, b: str) -> str:
    """How two cell labels differ: 'delegation (full against partial)'."""
    x, y = dict(i.split("=", 1) for i in a.split()), dict(i.split("=", 1) for i in b.split())
    keys = [k for k in x if x.get(k) != y.get(k)]
    return " and ".join(f"{k} ({x[k]} against {y.get(k)})" for k in keys) or "nothing in their labels"


def headline(
    pick: str,
    best: str,
    base: str | None,
    runner: str | None,
    vs_base: dict[str, dict[str, Difference]],
    vs_runner: dict[str, Difference],
) -> str:
    """The answer's first sentence: which cell to use and why, to forward as it is."""
    if base is None:
        return f"`{best}` earns most on average; the study has no baseline to compare it with."
    if pick == base:
        if best == base:
            return (
                f"Keep the baseline `{base}`: it has the highest mean profit, and no cell earns "
                f"distinguishably more than it at this number of replications."
            )
        b = vs_base.get(best, {}).get("profit")
        if b is None:
            return f"Keep the baseline `{base}`: no cell earns distinguishably more than it."
        return (
            f"Keep the baseline `{base}` for now: no cell earns distinguishably more than it at this number "
            f"of replications; the highest mean, `{best}`, earns {money(b.mean)} more "
            f"(adjusted 95% interval {interval('profit', b.low, b.high, True)}), which may be nothing, "
            f"so more replications are needed to tell."
        )
    d = vs_base[pick]
    gain = d["profit"]
    text = (
        f"Use `{pick}`: it earns {money(gain.mean)} more profit than the baseline `{base}` "
        f"(adjusted 95% interval {interval('profit', gain.low, gain.high, True)}) {because(d)}"
    )
    if best != pick and "profit" in vs_base.get(best, {}):
        b = vs_base[best]["profit"]
        text += (
            f"; `{best}` has a higher mean ({money(b.mean)} more than the baseline) but that gain is not "
            f"distinguishable at this number of replications"
        )
    if runner is not None and runner != base and "profit" in vs_runner:
        r = vs_runner["profit"]
        span = f"adjusted 95% interval {interval('profit', r.low, r.high, True)}"
        if r.distinguishable:
            text += (
                f"; it also earns distinguishably more than the runner-up `{runner}` ({r.signed()}, {span})"
            )
        else:
            apart = moved({m: x for m, x in vs_runner.items() if m != "profit"})
            apart = (
                f"what tells them apart is {differ(pick, runner)}, with which {apart}"
                if apart.startswith("it ")
                else f"they differ in {differ(pick, runner)}, and {apart} between them"
            )
            text += (
                f"; the runner-up `{runner}` is not distinguishable from it in profit "
                f"({r.signed()}, {span}), so either will do: {apart}"
            )
    return text + "."


def answer(study: dict, summary: pd.DataFrame, paired: pd.DataFrame, runs: pd.DataFrame) -> list[str]:
    """The plain-words findings: first which cell to use and why, then the numbers behind it."""
    heads, details = [], []
    ok = runs[runs["status"] == "ok"]
    within = study.get("within") or []
    values = swept_values(summary)
    groups = summary.groupby([values[k] for k in within], sort=False) if within else [((), summary)]
    for key, group in groups:
        group = group.dropna(subset=["profit_mean"]).sort_values("profit_mean", ascending=False)
        if group.empty:
            continue
        where = ", ".join(f"{k}={v}" for k, v in zip(within, np.atleast_1d(key), strict=False))
        best = group.iloc[0]
        bases = group["baseline"].dropna()
        base = bases.iloc[0] if not bases.empty else None
        compared = [c for c in group["cell"] if c != base and c in set(paired["cell"])]
        k = max(len(compared), 1)
        vs_base = {c: from_paired(paired, c) for c in compared}
        better = [c for c in group["cell"] if c in vs_base and "profit" in vs_base[c]]
        better = [c for c in better if vs_base[c]["profit"].distinguishable and vs_base[c]["profit"].mean > 0]
        pick = better[0] if better else (base if base is not None else best["cell"])
        others = [c for c in group["cell"] if c != pick]
        runner = others[0] if others else None
        vs_runner = {}
        if runner is not None:
            mine = ok[ok["cell"] == pick].set_index("replication")
            theirs = ok[ok["cell"] == runner].set_index("replication")
            vs_runner = compare(mine, theirs, ("profit", *MOVERS), k)
        heads.append(headline(pick, best["cell"], base, runner, vs_base, vs_runner))
        if where:
            details += [f"**Within {where}:**", ""]
        spread = interval("profit", best["profit_low"], best["profit_high"])
        details.append(
            f"- Highest mean profit: `{best['cell']}`, {money(best['profit_mean'])} over {best['runs']} runs "
            f"(95% interval {spread})."
        )
        for cell in dict.fromkeys(c for c in (pick, best["cell"]) if c in vs_base):
            d = vs_base[cell]
            if "profit" in d:
                details.append(
                    f"- `{cell}` against the baseline `{base}`: profit {d['profit'].signed()}, "
                    f"{verdict(d['profit'])}."
                )
            details.append(f"  - What moved: {moved(d)}.")
            details.append(f"  - In full: {'; '.join(x.full() for m, x in d.items() if m != 'profit')}.")
            roi = return_on_spending(summary[summary["cell"] == cell].iloc[0], d)
            details += [f"  - {roi}"] if roi else []
        if runner is not None and "profit" in vs_runner:
            r = vs_runner["profit"]
            details.append(
                f"- `{pick}` against the runner-up `{runner}`: profit {r.signed()}, {verdict(r)}; "
                f"what moved: {moved(vs_runner)}."
            )
        details.append("")
    if not heads:
        return []
    first = heads if len(heads) == 1 else [f"- {h}" for h in heads]
    ks = sorted(set(paired["comparisons"])) if not paired.empty else []
    rule = (
        "How sure: every difference above is stated with its 95% interval adjusted for the "
        f"{' or '.join(str(int(x)) for x in ks) or 'k'} cells compared with the same baseline "
        "(Bonferroni: each interval is widened so that all of them hold together at 95%), and is called "
        "distinguishable only when that interval excludes zero (its adjusted p, k times the unadjusted "
        "one, is then below 0.05). The winner against the runner-up is read with the same k, and each "
        "lever below with its own. summary.csv, paired.csv (`ci_low_adjusted`, `ci_high_adjusted`, "
        "`p_adjusted`, `distinguishable`) and the figures use the same rule; paired.csv's `ci_low`, "
        "`ci_high` and `p_value` are each comparison on its own, unadjusted, for researchers."
    )
    return [*first, "", *details, rule, ""]


def return_on_spending(row: pd.Series, d: dict[str, Difference]) -> str:
    """Recovery ROI, only where the extra recovery cost is distinguishable from nothing."""
    cost = d.get("recovery_cost")
    if cost is None:
        return ""
    if not cost.distinguishable:
        return (
            "Return on the extra recovery spending: not measurable at this number of replications "
            f"(the extra recovery cost, {cost.signed()}, is not distinguishable from nothing)."
        )
    if cost.mean < 0:
        return "Return on the extra recovery spending: none to measure, it spends less than the baseline."
    roi = row.get("recovery_roi_mean", np.nan)
    if not np.isfinite(roi):
        return "Return on the extra recovery spending: not measurable at this number of replications."
    return (
        f"Each extra unit spent on recovery returns {roi:.2f} in profit "
        f"({roi_interval(row['recovery_roi_low'], row['recovery_roi_high'])})."
    )


#: What a lever's effect is read in: money earned, then what moved (customers, revenue, recovery cost).
LEVER_METRICS = ("profit", "revenue", "churn_rate", "recovery_cost")

#: The parts of a profit difference the report names: customers, revenue, recovery cost.
MOVERS = ("churn_rate", "revenue", "recovery_cost")


def levers(runs: pd.DataFrame, order: dict[str, list[str]]) -> list[str]:
    """Each swept key's values against its first, every other setting equal, paired by replication.

    A strategist reads here what one lever does on its own (delegation full instead of none,
    whatever the policy): the pairs are the cells that differ in that key only, pooled over
    the other keys' values and the replications. A key with v values makes k = v - 1
    comparisons against its first, and each is read under the study's one rule for those k.
    """
    ok = runs[runs["status"] == "ok"]
    cells = swept_values(ok)
    keys = [k for k in order if k in cells and cells[k].nunique() > 1]
    if not keys:
        return []
    metrics = tuple(m for m in LEVER_METRICS if m in ok.columns)
    ok = pd.concat([cells[keys], ok[["replication", *metrics]]], axis=1)
    lines = []
    for key in keys:
        others = [k for k in keys if k != key]
        values = [v for v in order[key] if v in set(ok[key])]
        first = ok[ok[key] == values[0]].set_index([*others, "replication"])
        for value in values[1:]:
            this = ok[ok[key] == value].set_index([*others, "replication"])
            if len(this.index.intersection(first.index)) < 2:
                continue
            d = compare(this, first, metrics, len(values) - 1)
            head = f"- `{key}={value}` instead of `{values[0]}`, all else equal:"
            if "profit" not in d:
                lines.append(f"{head} {moved(d)}.")
                continue
            rest = "; ".join(x.full() for m, x in d.items() if m != "profit")
            lines.append(f"{head} {d['profit'].full()}: {moved(d)}. In full: {rest}.")
    if not lines:
        return []
    return [
        "## What each lever does",
        "",
        "Each swept value against the first, in the cells that differ in that key only, paired by "
        "replication and pooled over the other keys; adjusted 95% intervals (Bonferroni over the values "
        "compared with the same first value), read by the same rule as the answer.",
        "",
        *lines,
        "",
    ]


def table(summary: pd.DataFrame, paired: pd.DataFrame, metrics: list[str]) -> list[str]:
    """The per-cell table: mean and 95% interval of each metric, and profit against the baseline."""
    against = "profit" in metrics and not paired.empty
    head = ["cell", "runs", *[LABELS.get(m, m) for m in metrics]]
    if against:
        head.insert(head.index("profit") + 1, "profit against the baseline (adjusted 95%)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, row in summary.iterrows():
        cells = [f"`{row['cell']}`", str(row["runs"])]
        cells += [
            f"{show(m, row[f'{m}_mean'])} {interval(m, row[f'{m}_low'], row[f'{m}_high'])}" for m in metrics
        ]
        if against:
            d = from_paired(paired, row["cell"]).get("profit")
            said = "the baseline" if row["cell"] == row["baseline"] else "no baseline"
            if d is not None:
                word = "distinguishable" if d.distinguishable else "not distinguishable"
                said = f"{d.signed()} {interval('profit', d.low, d.high, True)}, {word}"
            cells.insert(head.index("profit") + 1, said)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def by_channel(summary: pd.DataFrame, runs: pd.DataFrame) -> list[str]:
    """Where each cell's complaints came in and how each channel did; nothing when no cell has a choice."""
    names = [c for c in CHANNELS if f"by_channel_{c}_complaints" in runs.columns]
    if not beyond_the_desk(names):
        return []
    lines = [
        "## By channel",
        "",
        "Per cell, the mean over its runs of each channel's share of complaints, the share of those "
        "answered who were satisfied, and the public posts of its complainants (summary.json's "
        "`by_channel`, by the channel a complaint came in on; runs.parquet has every column). "
        "A dash: the cell does not offer that channel.",
        "",
        "| cell | " + " | ".join(names) + " |",
        "|" + "---|" * (len(names) + 1),
    ]
    for cell in summary["cell"]:
        mine = runs[(runs["cell"] == cell) & (runs["status"] == "ok")]
        shown = []
        for c in names:
            share = mine[f"by_channel_{c}_share_of_complaints"].mean()
            if not np.isfinite(share):
                shown.append("–")
                continue
            satisfied = mine[f"by_channel_{c}_recovery_satisfaction"].mean()
            posts = mine[f"by_channel_{c}_public_posts"].mean()
            shown.append(f"{share:.0%} · {show('recovery_satisfaction', satisfied)} · {posts:,.0f}")
        lines.append(f"| `{cell}` | " + " | ".join(shown) + " |")
    return [*lines, ""]


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
        "Mean and 95% interval of each cell over its replications (summary.csv). These intervals describe "
        "each cell alone: whether two cells differ is read from their paired difference (paired.csv, "
        "forest.png), not from whether these intervals overlap. The profit against the baseline is that "
        "paired difference, with its adjusted interval.",
        "",
        *table(summary, paired, metrics),
        "",
        *by_channel(summary, runs),
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
