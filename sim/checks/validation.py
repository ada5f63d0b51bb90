"""The validation study: each published fact, its simulated value with a 95% interval, pass or miss.

``recovery-sim experiment=validation`` runs ``study.replications`` seeds of
the scenarios in facts.observe on every core and writes the values and a
figure per fact into the run folder. Run at the shipped setting (the
experiment as it stands), it also rewrites the facts section of
docs/validation.md and its figures, so the document always shows the last
study run at the shipped defaults; run at other settings, it leaves the
document alone.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.checks.fact import SEED_SHARE, Kind  # noqa: E402
from sim.checks.facts import FACTS, LADDER, RETENTION_WEEKS, TARP_MAJOR, TARP_MINOR, Fact, observe  # noqa: E402
from sim.checks.held_out import UNMODELLED  # noqa: E402
from sim.files import write_table, write_text  # noqa: E402
from sim.studies.parallel import run_many  # noqa: E402
from sim.studies.stats import mean_ci  # noqa: E402
from sim.world.config import with_values  # noqa: E402
from sim.world.parameter import PROJECT_ROOT, ConfigError
from sim.world.schema import SimConfig

DOC = PROJECT_ROOT / "docs" / "validation.md"
START, END = "<!-- facts:start -->", "<!-- facts:end -->"


def replicate(cfg: SimConfig) -> pd.DataFrame:
    """One row of fact values per seed: seed, seed + 1, … (the same seeds every time)."""
    if cfg.weeks < 2 * RETENTION_WEEKS:
        raise ConfigError(
            f"weeks={cfg.weeks} is too short for the validation study: allowed {2 * RETENTION_WEEKS} or more"
        )
    configs = [with_values(cfg, seed=cfg.seed + i) for i in range(cfg.study.replications)]
    return pd.DataFrame(run_many(configs, label="validation", task=observe))


def judge(observations: pd.DataFrame) -> pd.DataFrame:
    """Each fact: kind, target, source, mean and 95% interval, share of seeds in band, pass or miss."""
    rows = []
    for fact in FACTS:
        values = observations[fact.key].to_numpy(dtype=float)
        estimate = mean_ci(values)
        verdict, share = fact.verdict(values)
        rows.append(
            {
                "fact": fact.key,
                "kind": fact.kind.value,
                "claim": fact.claim,
                "target": fact.target,
                "source": fact.source,
                "band_low": fact.low,
                "band_high": fact.high,
                "mean": estimate.mean,
                "ci_low": estimate.low,
                "ci_high": estimate.high,
                "replications": estimate.n,
                "seeds_in_band": share,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def shown(fact: Fact, value: float) -> str:
    """A fact's value as the tables print it: a share in %, a difference of shares in points, or a ratio."""
    if not np.isfinite(value):
        return "–"
    if fact.points:
        return f"{100 * value:+.1f} pts"
    return f"{100 * value:.1f}%" if fact.percent else f"{value:.2f}"


def fact_figure(fact: Fact, row: pd.Series, values: np.ndarray, path: Path) -> Path:
    """The target band, each replication, and the mean with its interval."""
    scale = 100.0 if fact.percent else 1.0
    fig, ax = plt.subplots(figsize=(6, 1.9))
    finite = values[np.isfinite(values)] * scale
    high = fact.high if np.isfinite(fact.high) else max(finite.max(initial=0) / scale, fact.low) * 1.1
    if fact.percent and high >= 1.0:
        high = max(finite.max(initial=0) / scale, fact.low)
    ax.axvspan(fact.low * scale, high * scale, color="#009E73", alpha=0.18, label=f"target: {fact.target}")
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, finite.size)
    ax.scatter(finite, jitter, s=12, color="#777777", label="replications")
    colour = "#0072B2" if row["verdict"] == "pass" else "#D55E00"
    ax.errorbar(
        row["mean"] * scale,
        0,
        xerr=[[(row["mean"] - row["ci_low"]) * scale], [(row["ci_high"] - row["mean"]) * scale]],
        fmt="o",
        color=colour,
        capsize=4,
        label=f"mean, 95% CI ({row['verdict']})",
    )
    ax.set_yticks([])
    ax.set_ylim(-0.6, 0.6)
    ax.set_xlabel("percentage points" if fact.points else "%" if fact.percent else "value")
    ax.set_title(fact.claim, fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=3, frameon=False)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def ladder_figure(observations: pd.DataFrame, path: Path) -> Path:
    """Retention after a failure by how it ended, next to TARP's repurchase figures."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    x = np.arange(len(LADDER))
    for ax, size, tarp in zip(axes, ("minor", "major"), (TARP_MINOR, TARP_MAJOR), strict=True):
        columns = [f"retention_{size}_{rung}" for rung in LADDER]
        means = observations[columns].mean().to_numpy()
        ax.bar(x - 0.2, 100 * np.array(tarp), 0.4, color="#BBBBBB", label="TARP")
        label = f"model: retention {RETENTION_WEEKS} weeks on vs buyers with no failure, equal severity"
        ax.bar(x + 0.2, 100 * means, 0.4, color="#0072B2", label=label)
        ax.set_xticks(x, [rung.replace("_", "\n") for rung in LADDER], fontsize=8)
        ax.set_title(f"after a {size} failure", fontsize=10)
    axes[0].set_ylabel("% buying again")
    axes[0].legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0.0, -0.22), ncol=2)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def headline(verdicts: pd.DataFrame) -> str:
    """How many facts of each kind pass; the held-out count first, as it is the only validation."""
    counts = {}
    for kind in (Kind.HELD_OUT, Kind.TARGET, Kind.INPUT):
        rows = verdicts[verdicts["kind"] == kind.value]
        counts[kind] = (int((rows["verdict"] == "pass").sum()), len(rows))
    held, target, typed = counts[Kind.HELD_OUT], counts[Kind.TARGET], counts[Kind.INPUT]
    return (
        f"**{held[0]} of {held[1]} held-out facts reproduced**; {target[0]} of {target[1]} calibration "
        f"targets and {typed[0]} of {typed[1]} input checks pass"
    )


SECTIONS = {
    Kind.HELD_OUT: "Held-out tests: never seen by the calibration, from sources it does not use: "
    "the validation",
    Kind.TARGET: "Calibration targets: what `experiment=calibrate` fits; a pass shows the fit holds on "
    "other seeds",
    Kind.INPUT: "Input checks: figures typed into the model and measured back; they guard the code, "
    "they validate nothing",
}


def report(cfg: SimConfig, verdicts: pd.DataFrame, figures: str) -> str:
    """The facts section in Markdown; ``figures`` is the folder the links point to."""
    lines = [
        f"{headline(verdicts)} at the shipped defaults ({cfg.study.replications} replications, seeds "
        f"{cfg.seed}–{cfg.seed + cfg.study.replications - 1}, {cfg.market.customers:,} customers, "
        f"{cfg.weeks} weeks). A fact passes when its mean is in band and it holds in at least "
        f"{SEED_SHARE:.0%} of the seeds. Regenerate with `recovery-sim experiment=validation`.",
    ]
    rows = dict(zip((fact.key for fact in FACTS), verdicts.itertuples(), strict=True))
    for kind, title in SECTIONS.items():
        lines += [
            "",
            f"**{title}.**",
            "",
            "| fact | target | source | model: mean [95% CI] | seeds in band | verdict |",
            "|---|---|---|---|---|---|",
        ]
        for fact in (f for f in FACTS if f.kind is kind):
            row = rows[fact.key]
            value = f"{shown(fact, row.mean)} [{shown(fact, row.ci_low)}, {shown(fact, row.ci_high)}]"
            claim = f"[{fact.claim}]({figures}/{fact.key}.png)" + (
                f" (typed in: {fact.why})" if fact.why else ""
            )
            lines.append(
                f"| {claim} | {fact.target} | {fact.source} | {value} | {row.seeds_in_band:.0%} | "
                f"**{row.verdict}** |"
            )
        if kind is Kind.HELD_OUT:
            lines += [
                f"| {u.claim} | – | {u.source} | not modelled: {u.reason} | – | not modelled |"
                for u in UNMODELLED
            ]
    lines += ["", f"![Retention ladders against TARP]({figures}/ladder.png)"]
    return "\n".join(lines)


def update_doc(section: str, figure_dir: Path, doc: Path = DOC) -> None:
    """Replace the facts section of ``doc`` and, in the folder beside it named like it, the study's figures.

    Only the study's own figures are replaced: anything else in that folder stays.
    """
    text = doc.read_text()
    if START not in text or END not in text:
        raise RuntimeError(f"{doc} has lost its {START} … {END} markers")
    body = re.sub(f"{START}.*?{END}", lambda _: f"{START}\n{section}\n{END}", text, flags=re.S)
    figures = doc.with_suffix("")
    figures.mkdir(exist_ok=True)
    for figure in figure_dir.glob("*.png"):
        shutil.copyfile(figure, figures / figure.name)
    write_text(doc, body)


def validation(cfg: SimConfig, run_dir: Path, doc: Path | None = None) -> list[Path]:
    """The whole study; returns the files written in the run folder (and rewrites ``doc``, if given)."""
    observations = replicate(cfg)
    verdicts = judge(observations)
    figure_dir = run_dir / "figures"
    figure_dir.mkdir(parents=True, exist_ok=True)
    figures = [
        fact_figure(fact, row, observations[fact.key].to_numpy(dtype=float), figure_dir / f"{fact.key}.png")
        for fact, (_, row) in zip(FACTS, verdicts.iterrows(), strict=True)
    ]
    figures.append(ladder_figure(observations, figure_dir / "ladder.png"))
    written = [
        write_table(run_dir / "observations.parquet", observations),
        write_table(run_dir / "facts.csv", verdicts),
        write_text(run_dir / "report.md", "# Validation\n\n## Answer\n\n" + report(cfg, verdicts, "figures")),
        *figures,
    ]
    if doc is not None:
        update_doc(report(cfg, verdicts, doc.stem), figure_dir, doc)
    return written
