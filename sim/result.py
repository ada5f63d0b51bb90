"""What a run leaves behind: the summary, the weekly series and the complaint log.

``run(config)`` works from a notebook without Hydra. A Result saves and loads
without rerunning anything; every file is written under a temporary name and
renamed, so a crash never leaves a half-written result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.files import write_atomically, write_json, write_table
from sim.mechanisms.cases import OUTCOME_ABANDONED, OUTCOME_NAMES, OUTCOME_OPEN, unanswered
from sim.metrics import CHURNED, FLOWS, METRICS, RATES
from sim.model import RecoveryModel
from sim.world.channel_schema import CHANNELS, offered_channels
from sim.world.config import config_dict, configure
from sim.world.parameter import ConfigError
from sim.world.schema import SimConfig

#: What Result.save writes.
RESULT_FILES = (
    "summary.json",
    "timeseries.parquet",
    "complaints.parquet",
    "failures.parquet",
    "dashboard.png",
)


def weekly_rates(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The RATES week by week (NaN where nothing was counted); churn as a share of last week's customers."""

    def total(names: tuple[str, ...]) -> np.ndarray:
        return sum((columns[name] for name in names[1:]), columns[names[0]])

    def share(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(bottom > 0, top / bottom, np.nan)

    rates = {name: share(total(top), total(bottom)) for name, (top, bottom) in RATES.items()}
    before = np.concatenate([[np.nan], columns["active_customers"].astype(float)[:-1]])
    rates["churn_rate"] = share(total(CHURNED), before)
    return rates


def ratio(numerator: float, denominator: float) -> float | None:
    """Numerator / denominator, or None (JSON null) when nothing was counted."""
    return float(numerator / denominator) if denominator else None


def summarise(
    columns: dict[str, np.ndarray],
    seed: int,
    weeks: int,
    customers_initial: int,
    config: dict,
    by_failure_type: dict[str, dict[str, int]] | None = None,
    by_channel: dict[str, dict[str, float]] | None = None,
) -> dict:
    """Headline figures of one run, from its weekly columns and the per-type counts (S3, S15).

    Over NumPy columns, not a DataFrame: pandas' indexing cost about 5 ms a run, a tenth of a
    study's run at the default market. A rate's parts are summed as floats, as pandas summed them.
    """
    t = {name: columns[name].sum().item() for name in FLOWS}
    churned = sum(t[c] for c in CHURNED)
    active_final = columns["active_customers"][-1].item()

    def summed(names: tuple[str, ...]) -> float:
        return sum(float(columns[name].sum()) for name in names)

    return {
        "seed": seed,
        "weeks": weeks,
        "customers_initial": customers_initial,
        **t,
        "churned": churned,
        "active_customers_final": int(active_final),
        "churn_rate": ratio(churned, customers_initial + t["acquired"] + t["won_back"]),
        **{name: ratio(summed(top), summed(bottom)) for name, (top, bottom) in RATES.items()},
        "mean_satisfaction_final": float(columns["mean_satisfaction"][-1]) if active_final else None,
        "by_failure_type": {
            name: {**counts, "complaint_rate": ratio(counts["complaints"], counts["failures"])}
            for name, counts in (by_failure_type or {}).items()
        },
        "by_channel": {
            name: channel_rates(counts, t["complaints"]) for name, counts in (by_channel or {}).items()
        },
        "config": config,
    }


def channel_rates(counts: dict[str, float], complaints: int) -> dict[str, float | None]:
    """One channel's counts over the run (by the channel each complaint came in on), with its rates.

    ``open`` is what is left: complaints neither answered nor abandoned by the end.
    """
    answered = counts["answered"]
    return {
        "complaints": int(counts["complaints"]),
        "share_of_complaints": ratio(counts["complaints"], complaints),
        "answered": int(answered),
        "abandoned": int(counts["abandoned"]),
        "open": int(counts["complaints"] - answered - counts["abandoned"]),
        "first_contact_resolution": ratio(counts["resolved_first_contact"], answered),
        "recovery_satisfaction": ratio(counts["satisfied"], answered),
        "mean_response_days": ratio(counts["response_days_total"], answered),
        "contact_cost": float(counts["contact_cost"]),
        "public_posts": int(counts["public_posts"]),
        "moved_away": int(counts["moved_away"]),
        "moved_in": int(counts["moved_in"]),
    }


def complaint_log(model: RecoveryModel) -> pd.DataFrame:
    """One row per complaint: closed, abandoned, or still open at the end."""
    records = [*model.closed_log, unanswered(model.firm.desk.queue, OUTCOME_OPEN)]

    def column(name: str) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in records])

    def case(name: str) -> np.ndarray:
        return np.concatenate([r.cases[name] for r in records])

    outcome = column("outcome")
    handled = np.where(column("first_contact"), "first_contact", "escalated")
    handled = np.where(
        outcome == OUTCOME_ABANDONED, "abandoned", np.where(outcome == OUTCOME_OPEN, "open", handled)
    )
    log = pd.DataFrame(
        {
            "week": case("week"),
            "customer": case("customer"),
            "failure_type": np.array(model.catalogue.names)[case("kind")],
            "channel": np.array(CHANNELS)[case("origin")],
            "answered_on": np.array(CHANNELS)[case("channel")],
            "severity": case("severity"),
            "loss": case("loss"),
            "handled": handled,
            "response_days": column("response_days"),
            "within_target": column("within_target"),
            "apology": column("apology"),
            "compensation": column("compensation"),
            "outcome": np.array(OUTCOME_NAMES)[outcome],
            "repeat_contacts": case("repeat_contacts"),
            "satisfaction_before": case("pre_satisfaction"),
            "satisfaction_answered": column("satisfaction_answered"),
            "satisfaction_after": column("satisfaction_after"),
            "investigated": column("investigated"),
            "budget_denied": column("budget_denied"),
        }
    )
    return log.sort_values(["week", "customer"], kind="stable", ignore_index=True)


def weekly_columns(model: RecoveryModel) -> dict[str, np.ndarray]:
    """A model's collected metrics week by week as NumPy columns, the week first (as pandas types them)."""
    collected = model.datacollector.model_vars
    weeks = len(collected[METRICS[0]])
    return {"week": np.arange(weeks), **{name: np.asarray(collected[name]) for name in METRICS}}


def weekly_file_columns(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A run's weekly file (timeseries.parquet, a study's runs/<id>.parquet): metrics, then rates."""
    return {**columns, **weekly_rates(columns)}


def model_summary(
    model: RecoveryModel, columns: dict[str, np.ndarray] | None = None, config: bool | dict = True
) -> dict:
    """A finished model's summary.json; ``config=False`` leaves the config out (an empty mapping).

    ``columns``: the model's ``weekly_columns``, when the caller has them. Turning the config into
    plain data costs little (``config_dict``), but a caller that has it already passes it as a
    mapping: a study's cell converts its config once, its replications differing only in the seed.
    """
    if not isinstance(config, dict):
        config = config_dict(replace(model.config, seed=model.seed)) if config else {}
    by_type = {
        name: {key: int(counts[i]) for key, counts in model.by_failure_type.items()}
        for i, name in enumerate(model.catalogue.names)
    }
    return summarise(
        weekly_columns(model) if columns is None else columns,
        model.seed,
        model.steps,
        model.customers_initial,
        config,
        by_type,
        {
            name: {key: counts[CHANNELS.index(name)] for key, counts in model.firm.desk.tally.items()}
            for name in offered_channels(model.config.channels)
        },
    )


@dataclass
class Result:
    """The summary, the weekly time series, the complaint log and the failure log of one run."""

    summary: dict
    timeseries: pd.DataFrame
    complaints: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_model(cls, model: RecoveryModel, complaints: bool = True, config: dict | None = None) -> Result:
        """Collect a finished model's outputs (the complaint and failure logs only if asked).

        ``config``: the model's config as plain data, when the caller has it (see model_summary).
        """
        columns = weekly_columns(model)
        summary = model_summary(model, columns, True if config is None else config)
        ts = pd.DataFrame(weekly_file_columns(columns))
        if not complaints:
            return cls(summary=summary, timeseries=ts, complaints=pd.DataFrame())
        failures = model.failure_log.frame(model.catalogue.names, model.config.churn.attribution_weeks)
        return cls(summary=summary, timeseries=ts, complaints=complaint_log(model), failures=failures)

    def save(self, directory: str | Path, dashboard: bool = True, complaints: bool = True) -> list[Path]:
        """Write summary.json, timeseries.parquet; optionally both logs and dashboard.png.

        Never over a result already there: a folder holding any of these files is refused
        (FileExistsError), so saving twice to one name cannot replace a run with another.
        """
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise NotADirectoryError(f"{directory} is a file: allowed a new folder, or one without a result")
        taken = [name for name in RESULT_FILES if (directory / name).exists()]
        if taken:
            raise FileExistsError(
                f"{directory} already holds {', '.join(taken)}: allowed a new folder, or one without a result"
            )
        directory.mkdir(parents=True, exist_ok=True)
        written = [
            write_json(directory / "summary.json", self.summary),
            write_table(directory / "timeseries.parquet", self.timeseries),
        ]
        if complaints:
            written.append(write_table(directory / "complaints.parquet", self.complaints))
            written.append(write_table(directory / "failures.parquet", self.failures))
        if dashboard:
            from sim.dashboard import draw_dashboard  # Matplotlib loads only for a picture

            write_atomically(
                directory / "dashboard.png", lambda p: draw_dashboard(self.timeseries, self.summary, p)
            )
            written.append(directory / "dashboard.png")
        return written

    @classmethod
    def load(cls, directory: str | Path) -> Result:
        """Read a saved run back."""
        directory = Path(directory)
        return cls(
            summary=json.loads((directory / "summary.json").read_text()),
            timeseries=pd.read_parquet(directory / "timeseries.parquet"),
            complaints=pd.read_parquet(directory / "complaints.parquet"),
            failures=pd.read_parquet(directory / "failures.parquet"),
        )


def run(
    config: SimConfig | dict | None = None,
    rng: int | None = None,
    agents: bool | None = None,
    complaints: bool = True,
    **overrides: Any,
) -> Result:
    """Run one simulation to its last week and return its Result.

    ``sim.run(policy="apology", delegation="full", seed=7, **{"market.customers": 5000})``
    takes what the command line takes (sim.world.config.configure).

    Args:
        config: ``SimConfig()``, a nested dict of overrides such as
            ``{"policy": {"compensation": 1.5}}``, or None for the default scenario.
        rng: seed; overrides ``config.seed`` when given.
        agents: build the Mesa agents (None: as ``config.agents`` says; results are the same without).
        complaints: assemble the complaint log (one row per complaint).
        **overrides: preset names (``policy="apology"``), sections as dicts and dotted keys.

    """
    if not isinstance(complaints, bool):
        raise ConfigError(f"complaints={complaints!r} is refused: allowed True or False")
    if overrides or isinstance(config, dict):
        config = configure(config, **overrides)
    model = RecoveryModel(config, rng=rng, agents=agents)
    model.run_model()
    return Result.from_model(model, complaints=complaints)
