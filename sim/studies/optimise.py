"""The optimise_policy study: search for the most profitable policy, then confirm it on fresh seeds.

Optuna's TPE sampler proposes a compensation share (0-200% of the loss), an
apology mode and a delegation level; each trial is scored as mean profit over
the same few seeds (common random numbers make trials comparable). A search's
best score is biased upwards (it is the maximum of noisy estimates), so the
answer comes from fresh replications: the best few trials and the baseline
(no recovery, no delegation) are run again on seeds the search never saw, and
compared pair by pair.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402

from sim.files import write_json, write_markdown_report, write_table  # noqa: E402
from sim.studies.parallel import run_many  # noqa: E402
from sim.studies.stats import mean_ci, paired_difference  # noqa: E402
from sim.world.config import with_values  # noqa: E402
from sim.world.schema import SimConfig

APOLOGY = ("never", "severe_only", "always")
DELEGATION = ("none", "partial", "full")
FRESH_SEEDS = 100_000  # confirmation seeds start this far from the search's


def candidate(cfg: SimConfig, params: dict) -> SimConfig:
    """The world with a trial's policy."""
    return with_values(
        cfg,
        {"delegation": params["delegation"]},
        **{
            "policy.name": "searched",
            "policy.apology": params["apology"],
            "policy.compensation": params["compensation"],
        },
    )


def describe(params: dict) -> str:
    """'compensation 115%, apology always, delegation full'."""
    p = params
    return f"compensation {p['compensation']:.0%}, apology {p['apology']}, delegation {p['delegation']}"


def search(cfg: SimConfig, n_jobs: int = 2) -> optuna.Study:
    """Run the Optuna search, a batch of trials at a time on every core."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=cfg.seed))
    seeds = [cfg.seed + r for r in range(cfg.study.trial_replications)]
    while len(study.trials) < cfg.study.trials:
        batch = [study.ask() for _ in range(min(n_jobs, cfg.study.trials - len(study.trials)))]
        for trial in batch:
            trial.suggest_float("compensation", 0.0, 2.0)
            trial.suggest_categorical("apology", APOLOGY)
            trial.suggest_categorical("delegation", DELEGATION)
        configs = [with_values(candidate(cfg, t.params), **{"seed": s}) for t in batch for s in seeds]
        profits = np.array([r["profit"] for r in run_many(configs)]).reshape(len(batch), len(seeds))
        for trial, profit in zip(batch, profits, strict=True):
            study.tell(trial, float(profit.mean()))
        best = study.best_trial
        print(
            f"optimise_policy: {len(study.trials)}/{cfg.study.trials} trials, best so far "
            f"{best.value:,.0f} ({describe(best.params)})",
            flush=True,
        )
    return study


def confirm(cfg: SimConfig, study: optuna.Study) -> tuple[pd.DataFrame, list[dict]]:
    """Fresh replications of the best distinct trials and of the baseline; one row per run."""
    ranked = sorted((t for t in study.trials if t.value is not None), key=lambda t: -t.value)
    chosen, seen = [], set()
    for trial in ranked:
        key = (round(trial.params["compensation"], 2), trial.params["apology"], trial.params["delegation"])
        if key not in seen:
            seen.add(key)
            chosen.append(trial.params)
        if len(chosen) == cfg.study.confirm_top:
            break
    baseline = {"compensation": 0.0, "apology": "never", "delegation": "none"}
    candidates = [baseline, *chosen]
    seeds = [cfg.seed + FRESH_SEEDS + r for r in range(cfg.study.confirm_replications)]
    configs = [with_values(candidate(cfg, p), **{"seed": s}) for p in candidates for s in seeds]
    summaries = run_many(configs, label="optimise_policy: confirming")
    rows = [
        {
            "candidate": i,
            "policy": describe(p),
            **p,
            "seed": s,
            "profit": summaries[i * len(seeds) + j]["profit"],
            "churn_rate": summaries[i * len(seeds) + j]["churn_rate"],
            "recovery_cost": summaries[i * len(seeds) + j]["recovery_cost"],
        }
        for i, p in enumerate(candidates)
        for j, s in enumerate(seeds)
    ]
    return pd.DataFrame(rows), candidates


def verdicts(runs: pd.DataFrame, candidates: list[dict]) -> list[dict]:
    """Each confirmed candidate's mean profit with its interval and its paired gain over the baseline."""
    base = runs[runs["candidate"] == 0].set_index("seed")["profit"]
    out = []
    for i, params in enumerate(candidates):
        mine = runs[runs["candidate"] == i].set_index("seed")["profit"]
        level = mean_ci(mine.to_numpy())
        gain = paired_difference(
            mine.loc[base.index].to_numpy(), base.to_numpy(), comparisons=max(len(candidates) - 1, 1)
        )
        out.append(
            {
                "candidate": i,
                "policy": describe(params),
                **params,
                "profit_mean": level.mean,
                "profit_low": level.low,
                "profit_high": level.high,
                "gain_mean": gain.estimate.mean,
                "gain_low": gain.adjusted.low,
                "gain_high": gain.adjusted.high,
                "gain_p": gain.p_adjusted,
                "gain_distinguishable": gain.distinguishable,
            }
        )
    return out


def draw(trials: pd.DataFrame, path: Path) -> Path:
    """The search: profit of each trial by compensation, coloured by apology, shaped by delegation."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    ax = axes[0]
    ax.plot(trials["number"], trials["value"] / 1e6, ".", color="#7f7f7f", label="trial")
    ax.plot(trials["number"], trials["value"].cummax() / 1e6, color="#1b9e77", label="best so far")
    ax.set(title="Search history", xlabel="trial", ylabel="mean profit over the search seeds (millions)")
    ax.legend(frameon=False)
    ax = axes[1]
    markers = dict(zip(DELEGATION, ("o", "s", "^"), strict=True))
    colours = dict(zip(APOLOGY, ("#d95f02", "#7570b3", "#1b9e77"), strict=True))
    for (apology, delegation), group in trials.groupby(["params_apology", "params_delegation"]):
        ax.scatter(
            group["params_compensation"] * 100,
            group["value"] / 1e6,
            color=colours[apology],
            marker=markers[delegation],
            label=f"apology {apology}, delegation {delegation}",
        )
    ax.set(
        title="Where the search looked",
        xlabel="compensation (% of the loss)",
        ylabel="mean profit (millions)",
    )
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("optimise_policy: the search (scores are optimistic; see the confirmation in report.md)")
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def write_report(out: Path, cfg: SimConfig, found: list[dict]) -> Path:
    """report.md: the confirmed best policy, its gain over no recovery, and the runners-up."""
    ranked = sorted(found[1:], key=lambda r: -r["profit_mean"])
    best, base = ranked[0], found[0]
    lines = [
        "# Study `optimise_policy`",
        "",
        f"{cfg.study.trials} policies searched with Optuna (TPE), each scored on the same "
        f"{cfg.study.trial_replications} seeds; the best {len(ranked)} distinct policies and the baseline "
        f"then ran again on {cfg.study.confirm_replications} fresh seeds. "
        f"{cfg.market.customers:,} customers, {cfg.weeks} weeks.",
        "",
        "## Answer",
        "",
        f"**Most profitable: {best['policy']}**, mean profit {best['profit_mean']:,.0f} "
        f"(95% interval [{best['profit_low']:,.0f}, {best['profit_high']:,.0f}]) on fresh seeds.",
        f"- Against no recovery and no delegation ({base['profit_mean']:,.0f}) it earns "
        f"{best['gain_mean']:+,.0f} (adjusted 95% interval "
        f"[{best['gain_low']:+,.0f}, {best['gain_high']:+,.0f}], adjusted p = {best['gain_p']:.2g}): "
        + ("distinguishable." if best["gain_distinguishable"] else "not distinguishable from no gain."),
    ]
    if len(ranked) > 1:
        runs = pd.read_csv(out / "confirm.csv")
        a = runs[runs["candidate"] == best["candidate"]].set_index("seed")["profit"]
        for other in ranked[1:]:
            b = runs[runs["candidate"] == other["candidate"]].set_index("seed")["profit"]
            gap = paired_difference(a.to_numpy(), b.loc[a.index].to_numpy(), comparisons=len(ranked) - 1)
            d = gap.adjusted
            sure = "distinguishable" if gap.distinguishable else "not distinguishable: a tie"
            lines.append(
                f"- Against {other['policy']}: {d.mean:+,.0f} (adjusted 95% interval "
                f"[{d.low:+,.0f}, {d.high:+,.0f}]; {sure})."
            )
    lines += [
        "",
        "| policy | mean profit | 95% interval | gain over baseline | adjusted 95% interval |",
        "|---|---|---|---|---|",
        *[
            f"| {r['policy']} | {r['profit_mean']:,.0f} | "
            f"[{r['profit_low']:,.0f}, {r['profit_high']:,.0f}] | "
            f"{r['gain_mean']:+,.0f} | [{r['gain_low']:+,.0f}, {r['gain_high']:+,.0f}] |"
            for r in found
        ],
    ]
    files = "trials.csv (every search trial), confirm.csv (every confirmation run), best.json."
    return write_markdown_report(out, lines, "search.png", files)


def optimise(cfg: SimConfig, out: Path) -> list[Path]:
    """Run the whole study into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    study = search(cfg)
    trials = study.trials_dataframe()
    runs, candidates = confirm(cfg, study)
    found = verdicts(runs, candidates)
    best = max(found[1:], key=lambda r: r["profit_mean"])
    finite = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in best.items()}
    return [
        write_table(out / "trials.csv", trials),
        write_table(out / "confirm.csv", runs),
        write_json(out / "best.json", finite),
        draw(trials, out / "search.png"),
        write_report(out, cfg, found),
    ]
