"""The calibration study: fit the free parameters to the calibration targets with Optuna.

``recovery-sim experiment=calibrate`` searches the ranges in
``study.parameters`` with Optuna's multivariate TPE sampler. Each trial
measures the facts (:func:`sim.checks.facts.observe`, without the held-out
runs) on the same ``study.trial_replications`` seeds, so trials differ by
their parameters and not by luck, and is scored by :func:`loss` over the
calibration targets only: input checks are typed in, and held-out tests are
the validation, so the loss refuses them. The seeds are not the validation
study's, so that study checks the fit on runs the fit never saw.

The shipped values are the first trial: the fit can only improve on them.
The study writes fitted.yaml; copying it to data/calibration.yaml ships it,
and config.py takes those defaults from there (their source says so).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from functools import partial  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from sim.checks.fact import Fact, Kind  # noqa: E402
from sim.checks.facts import TARGETS, observe  # noqa: E402
from sim.checks.validation import shown  # noqa: E402
from sim.files import write_markdown_report, write_table, write_text  # noqa: E402
from sim.studies.parallel import run_many  # noqa: E402
from sim.studies.sensitivity import problem  # noqa: E402
from sim.world.config import config_dict, with_values  # noqa: E402
from sim.world.parameter import ConfigError
from sim.world.schema import SimConfig

#: The search's seeds start this far from ``seed``; the validation study uses seed, seed + 1, …
FIT_SEEDS = 1_000
#: Weight of the pull towards a published figure, against a miss of one tolerance outside the band.
AIM_WEIGHT = 0.05
#: What a fact that could not be measured (no case in a run) costs.
UNMEASURED = 100.0


def fact_loss(fact: Fact, value: float) -> float:
    """(distance outside the band / tolerance)², plus a small pull towards the published figure.

    Inside the band only the pull counts, so among settings that pass, the
    one closest to what the sources report wins.
    """
    if fact.kind is not Kind.TARGET:
        raise ValueError(
            f"{fact.key} is a {fact.kind.value}, not a calibration target: the fit may not use it"
        )
    if not np.isfinite(value):
        return UNMEASURED
    outside = max(fact.low - value, value - fact.high, 0.0) / fact.scale
    pull = 0.0 if fact.aim is None else AIM_WEIGHT * ((value - fact.aim) / fact.scale) ** 2
    return outside**2 + pull


def loss(means: dict[str, float], targets: tuple[Fact, ...] = TARGETS) -> float:
    """The score a trial minimises: the sum over the calibration targets."""
    return sum(fact_loss(fact, means[fact.key]) for fact in targets)


def current_values(cfg: SimConfig, keys: list[str]) -> dict[str, float]:
    """The values ``cfg`` has for the dotted ``keys``."""
    conf = OmegaConf.create(config_dict(cfg))
    values = {key: OmegaConf.select(conf, key) for key in keys}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(
                f"study.parameters.{key} is not a numeric parameter: allowed keys such as churn.base_hazard"
            )
    return {key: float(value) for key, value in values.items()}


def measure(cfg: SimConfig, trials: list[dict[str, float]]) -> list[dict[str, float]]:
    """Each trial's fact means over the search seeds, all runs on every core."""
    seeds = [cfg.seed + FIT_SEEDS + r for r in range(cfg.study.trial_replications)]
    configs = [with_values(cfg, seed=s, **params) for params in trials for s in seeds]
    rows = pd.DataFrame(run_many(configs, task=partial(observe, held_out=False))).drop(columns="seed")
    rows["trial"] = np.repeat(np.arange(len(trials)), len(seeds))
    means = rows.groupby("trial").mean(numeric_only=True)
    return [means.loc[i].to_dict() for i in range(len(trials))]


def search(
    cfg: SimConfig,
    n_jobs: int = 2,
    targets: tuple[Fact, ...] = TARGETS,
    label: str = "",
    from_shipped: bool = True,
) -> optuna.Study:
    """Optuna's TPE over ``study.parameters`` against ``targets``.

    The first trial is the shipped values, or with ``from_shipped=False`` the
    middle of each range: a refit that must not know what the shipped fit saw.
    """
    spec = problem(cfg)
    ranges = dict(zip(spec["names"], spec["bounds"], strict=True))
    start = current_values(cfg, spec["names"])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=cfg.seed, multivariate=True)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    for key, (lo, hi) in ranges.items():
        if not lo <= start[key] <= hi:
            raise ConfigError(
                f"study.parameters.{key}=[{lo}, {hi}] leaves out the shipped value {start[key]}: "
                "allowed a range that holds it (the search starts there)"
            )
    study.enqueue_trial(start if from_shipped else {k: (lo + hi) / 2 for k, (lo, hi) in ranges.items()})
    while len(study.trials) < cfg.study.trials:
        batch = [study.ask() for _ in range(min(n_jobs, cfg.study.trials - len(study.trials)))]
        params = [{k: t.suggest_float(k, lo, hi) for k, (lo, hi) in ranges.items()} for t in batch]
        for trial, means in zip(batch, measure(cfg, params), strict=True):
            for key, value in means.items():
                trial.set_user_attr(key, value)
            study.tell(trial, loss(means, targets))
        first = "the shipped values" if from_shipped else "the middle of the ranges"
        print(
            f"calibrate{label}: {len(study.trials)}/{cfg.study.trials} trials, best loss so far "
            f"{study.best_value:.3g} ({first}: {study.trials[0].value:.3g})",
            flush=True,
        )
    return study


def rounded(value: float, digits: int = 3) -> float:
    """``value`` to ``digits`` significant figures: the fit is not more precise than that."""
    return float(f"{value:.{digits}g}")


def fact_table(start: optuna.trial.FrozenTrial, best: optuna.trial.FrozenTrial) -> pd.DataFrame:
    """Each fact's band, its value and loss at the shipped values and at the fit (search seeds)."""
    rows = []
    for fact in TARGETS:
        before, after = start.user_attrs[fact.key], best.user_attrs[fact.key]
        rows.append(
            {
                "fact": fact.key,
                "claim": fact.claim,
                "target": fact.target,
                "band_low": fact.low,
                "band_high": fact.high,
                "tolerance": fact.scale,
                "shipped_value": before,
                "shipped_loss": fact_loss(fact, before),
                "shipped_passes": fact.passes(before),
                "fitted_value": after,
                "fitted_loss": fact_loss(fact, after),
                "fitted_passes": fact.passes(after),
            }
        )
    return pd.DataFrame(rows)


#: A fitted value this close to an end of its range (as a share of the range) is reported as at the edge.
EDGE = 0.02


def at_edge(values: dict[str, float], cfg: SimConfig) -> list[str]:
    """The parameters whose value sits at an end of the range searched: a finding, not a fit."""
    spec = problem(cfg)
    return [
        key
        for key, (lo, hi) in zip(spec["names"], spec["bounds"], strict=True)
        if min(values[key] - lo, hi - values[key]) <= EDGE * (hi - lo)
    ]


def fitted_file(cfg: SimConfig, study: optuna.Study, values: dict[str, float]) -> str:
    """fitted.yaml: the values and where they came from, ready to become data/calibration.yaml."""
    first = cfg.seed + FIT_SEEDS
    header = [
        "# The free parameters' shipped values, read by sim/world/parameter.py as the defaults.",
        f"# Fitted by `recovery-sim experiment=calibrate`: {len(study.trials)} Optuna (TPE) trials,",
        f"# each scored on seeds {first}-{first + cfg.study.trial_replications - 1}, "
        f"{cfg.market.customers:,} customers, {cfg.weeks} weeks;",
        f"# loss {study.trials[0].value:.3g} at the values before, {study.best_value:.3g} at these "
        "(docs/validation.md explains the loss).",
        "# Ship a new fit with: cp <run folder>/fitted.yaml data/calibration.yaml",
    ]
    body = OmegaConf.to_yaml(OmegaConf.create({"values": values}))
    return "\n".join(header) + "\n" + body


def draw(trials: pd.DataFrame, path: Path) -> Path:
    """The search: each trial's loss and the best so far."""
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    ax.plot(trials["number"], trials["value"], ".", color="#7f7f7f", label="trial")
    ax.plot(trials["number"], trials["value"].cummin(), color="#0072B2", label="best so far")
    ax.axhline(trials["value"].iloc[0], color="#D55E00", ls="--", lw=1, label="the shipped values")
    ax.set_yscale("log")
    ax.set(title="Calibration: loss over the facts", xlabel="trial", ylabel="loss (log scale)")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def write_report(cfg: SimConfig, study: optuna.Study, values: dict, facts: pd.DataFrame, out: Path) -> Path:
    """report.md: the loss before and after, the fitted values, and every fact at both."""
    spec = problem(cfg)
    start = study.trials[0].params
    lines = [
        "# Study `calibrate`",
        "",
        f"{len(study.trials)} Optuna (TPE) trials over {len(spec['names'])} free parameters, each trial "
        f"scored on {cfg.study.trial_replications} seeds (from {cfg.seed + FIT_SEEDS}) of "
        f"{cfg.market.customers:,} customers and {cfg.weeks} weeks.",
        "",
        "## Answer",
        "",
        f"Loss {study.trials[0].value:.3g} at the shipped values, {study.best_value:.3g} at the fit; "
        f"calibration targets inside their band on the search seeds: {int(facts['shipped_passes'].sum())} "
        f"before, {int(facts['fitted_passes'].sum())} after, of {len(facts)}. "
        f"{edge_sentence(at_edge(values, cfg))} "
        f"To ship: `cp {out}/fitted.yaml data/calibration.yaml`, "
        "then `recovery-sim experiment=validation` checks the fit on other seeds.",
        "",
        "| parameter | range | shipped | fitted |",
        "|---|---|---|---|",
        *[
            f"| `{k}` | {lo:g} – {hi:g} | {start[k]:.3g} | {values[k]:.3g} |"
            for k, (lo, hi) in zip(spec["names"], spec["bounds"], strict=True)
        ],
        "",
        "| fact | target | shipped: value | loss | fitted: value | loss |",
        "|---|---|---|---|---|---|",
        *[
            f"| {r.claim} | {r.target} | {shown(fact, r.shipped_value)} | {r.shipped_loss:.3g} | "
            f"{shown(fact, r.fitted_value)} | {r.fitted_loss:.3g} |"
            for fact, r in zip(TARGETS, facts.itertuples(), strict=True)
        ],
    ]
    files = "trials.csv (every trial: parameters, fact means), facts.csv (this table), fitted.yaml."
    return write_markdown_report(out, lines, "search.png", files)


def edge_sentence(keys: list[str]) -> str:
    """What the report says of parameters at the edge of their range."""
    if not keys:
        return f"No fitted parameter is at the edge of its range (within {EDGE:.0%} of it)."
    names = ", ".join(f"`{key}`" for key in keys)
    return f"At the edge of its range (a finding: the fit wants room, or the model lacks something): {names}."


def calibrate(cfg: SimConfig, out: Path) -> list[Path]:
    """Run the whole study into ``out``; return the files written."""
    if cfg.study.trials < 2:
        raise ConfigError(f"study.trials={cfg.study.trials} is too few to calibrate: allowed 2 or more")
    out.mkdir(parents=True, exist_ok=True)
    study = search(cfg)
    values = {k: rounded(v) for k, v in study.best_params.items()}
    facts = fact_table(study.trials[0], study.best_trial)
    trials = study.trials_dataframe()
    return [
        write_table(out / "trials.csv", trials),
        write_table(out / "facts.csv", facts),
        write_text(out / "fitted.yaml", fitted_file(cfg, study, values)),
        draw(trials, out / "search.png"),
        write_report(cfg, study, values, facts, out),
    ]


def groups() -> dict[str, tuple[Fact, ...]]:
    """The calibration targets by group: the facts a parameter block was fitted to together."""
    grouped: dict[str, tuple[Fact, ...]] = {}
    for fact in TARGETS:
        grouped[fact.group] = (*grouped.get(fact.group, ()), fact)
    return grouped


def group_row(
    name: str, facts: tuple[Fact, ...], shipped: dict[str, float], study: optuna.Study, cfg: SimConfig
) -> dict:
    """How well a fit without ``facts`` predicts them, against the shipped fit (``shipped``: its means)."""
    refit = study.best_trial
    values = {k: rounded(v) for k, v in refit.params.items()}
    return {
        "left_out": name,
        "facts": len(facts),
        "loss_shipped_fit": sum(fact_loss(f, shipped[f.key]) for f in facts),
        "loss_fit_without": sum(fact_loss(f, refit.user_attrs[f.key]) for f in facts),
        "in_band_shipped_fit": sum(f.passes(shipped[f.key]) for f in facts),
        "in_band_fit_without": sum(f.passes(refit.user_attrs[f.key]) for f in facts),
        "other_loss_fit_without": refit.value,
        "at_edge": " ".join(at_edge(values, cfg)),
        **{f"param.{k}": v for k, v in values.items()},
    }


def calibration_check(cfg: SimConfig, out: Path) -> list[Path]:
    """Leave one group of targets out, refit on the rest, and see how well the left-out group is predicted.

    A fit that only reproduces what it was shown predicts a left-out group
    badly; one whose mechanisms carry over predicts it about as well as the
    fit that saw it. Each refit starts from the middle of the ranges, not
    from the shipped values (which saw the group), on the calibration's own
    seeds.
    """
    if cfg.study.trials < 2:
        raise ConfigError(f"study.trials={cfg.study.trials} is too few to calibrate: allowed 2 or more")
    out.mkdir(parents=True, exist_ok=True)
    names = problem(cfg)["names"]
    shipped = measure(cfg, [current_values(cfg, names)])[0]
    rows = []
    for name, facts in groups().items():
        rest = tuple(f for f in TARGETS if f not in facts)
        refit = search(cfg, targets=rest, label=f" without {name}", from_shipped=False)
        rows.append(group_row(name, facts, shipped, refit, cfg))
    table = pd.DataFrame(rows)
    lines = [
        "# Study `calibration_check`",
        "",
        f"Leave one group of calibration targets out, refit the {len(problem(cfg)['names'])} free parameters "
        f"on the others ({cfg.study.trials} Optuna trials, {cfg.study.trial_replications} seeds from "
        f"{cfg.seed + FIT_SEEDS}, {cfg.market.customers:,} customers), and measure the left-out group. "
        "Loss as in the calibration (0: every fact in band).",
        "",
        "## Answer",
        "",
        carried_over(table),
        "",
        prediction_table(table),
    ]
    return [
        write_table(out / "groups.csv", table),
        write_text(out / "report.md", "\n".join(lines) + "\n"),
    ]


def carried_over(table: pd.DataFrame) -> str:
    """One sentence: how many left-out groups the others' fit predicts about as well as the full fit."""
    close = int((table["loss_fit_without"] <= table["loss_shipped_fit"] + 1.0).sum())
    return (
        f"{close} of {len(table)} left-out groups are predicted about as well by a fit that never saw them "
        "as by "
        "the shipped fit (loss within 1, a miss of one tolerance)."
    )


def prediction_table(table: pd.DataFrame) -> str:
    """The left-out groups in Markdown: their loss and facts in band, with and without them in the fit."""
    lines = [
        "| left out | facts | loss, shipped fit | loss, fit without them | in band, shipped fit | "
        "in band, fit without them | at the edge of its range |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.left_out} | {r.facts} | {r.loss_shipped_fit:.3g} | {r.loss_fit_without:.3g} | "
            f"{r.in_band_shipped_fit} of {r.facts} | {r.in_band_fit_without} of {r.facts} | "
            f"{r.at_edge or 'none'} |"
        )
    return "\n".join(lines)
