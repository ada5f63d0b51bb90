"""The held-out facts: published results the calibration never sees, each asked as its source asks it.

None of these figures is typed into the model or used by ``experiment=calibrate``
(which refuses them), so each is a test the model can fail. Where a source's
claim has no mechanism in the model, it is listed in UNMODELLED and shown as
such in the table, not left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.checks.fact import Fact, Kind, Unmodelled
from sim.model import RecoveryModel
from sim.result import Result
from sim.world.config import with_values
from sim.world.population import Status
from sim.world.schema import SimConfig

TARP_OCA = "TARP for the US Office of Consumer Affairs 1979, 1986; Goodman & Newman 2003"
#: Reichheld & Sasser's lever: five points more retention.
RETENTION_POINTS = 0.05
#: The variant that raises retention for the leverage fact: the weekly base hazard times this.
HAZARD_CUT = 0.7

ICEBERG = Fact(
    "complaint_iceberg",
    "Failures the firm never hears of (the complaint iceberg)",
    "about 96%, 1 complaint per 25 (90–98%)",
    TARP_OCA,
    0.90,
    0.98,
    aim=0.96,
    kind=Kind.HELD_OUT,
)
SECOND_RECOVERY = Fact(
    "second_recovery_outweighs_first",
    "Two complaints: weight of the second answer's outcome minus the first's, on satisfaction after it",
    "> 0: satisfactory after unsatisfactory beats the reverse",
    "Maxham & Netemeyer 2002",
    0.0,
    1.0,
    percent=False,
    kind=Kind.HELD_OUT,
)
FIRST_CONTACT = Fact(
    "first_contact_satisfaction_slope",
    "Points of complainants satisfied per point of first-contact resolution (authority none → full)",
    "about 1 (0.5–1.5)",
    "SQM Group benchmarks",
    0.5,
    1.5,
    percent=False,
    aim=1.0,
    kind=Kind.HELD_OUT,
)
LEVERAGE = Fact(
    "retention_profit_leverage",
    "Profit gained from 5 points more annual retention, over the run",
    "+25% to +85%",
    "Reichheld & Sasser 1990",
    0.25,
    0.85,
    kind=Kind.HELD_OUT,
)
BAD_NEWS = Fact(
    "bad_news_cost_ratio",
    "Profit lost through bad stories ÷ the margin the failed leavers' own purchases would have made",
    "far more than their own: > 1",
    "Goldenberg, Libai, Moldovan & Muller 2007",
    1.0,
    np.inf,
    percent=False,
    kind=Kind.HELD_OUT,
)
HELD_OUT = (ICEBERG, SECOND_RECOVERY, FIRST_CONTACT, LEVERAGE, BAD_NEWS)
UNMODELLED = (
    Unmodelled(
        "A recovery counts for less when the two failures are alike or close in time",
        "Maxham & Netemeyer 2002",
        "the model does not remember which failure a customer met before, nor when",
    ),
    Unmodelled(
        "Profit per customer grows with tenure (spend, cost to serve, price premium)",
        "Reichheld & Sasser 1990",
        "spend follows satisfaction, not tenure, and serving a customer costs the same every year",
    ),
)


def iceberg(summary: dict) -> float:
    """Share of failures never complained about: TARP counts problems, as the failure log does."""
    return summary["silent_failures"] / max(summary["failures"], 1)


def first_two_complaints(complaints: pd.DataFrame) -> pd.DataFrame:
    """Customers with two closed complaints: each outcome (1 satisfactory) and satisfaction after the second.

    A case given up on counts as unsatisfactory, as the model treats it; a
    case still open at the end, or whose customer left first, has no
    satisfaction after it and is left out.
    """
    closed = complaints.dropna(subset=["satisfaction_after"]).sort_values(["customer", "week"], kind="stable")
    closed = closed.assign(
        good=closed["outcome"].eq("satisfied").astype(float), order=closed.groupby("customer").cumcount()
    )
    first = closed[closed["order"] == 0].set_index("customer")
    second = closed[closed["order"] == 1].set_index("customer")
    return pd.DataFrame(
        {
            "first_good": first["good"].reindex(second.index),
            "second_good": second["good"],
            "satisfaction": second["satisfaction_after"],
        }
    )


def second_outcome_weight(complaint_logs: list[pd.DataFrame]) -> float:
    """Maxham & Netemeyer's comparison: the second outcome's coefficient minus the first's.

    Least squares of satisfaction after the second answer on both outcomes,
    with one intercept per log (the logs are runs under different policies
    on the same seed, pooled for numbers). Positive: the later recovery
    weighs more, so unsatisfactory-then-satisfactory ends above the reverse.
    """
    pairs = pd.concat(
        [first_two_complaints(log).assign(run=i) for i, log in enumerate(complaint_logs)], ignore_index=True
    )
    runs = (pairs["run"].to_numpy()[:, None] == np.arange(len(complaint_logs))[None, :]).astype(float)
    design = np.column_stack([runs, pairs["first_good"], pairs["second_good"]])
    if len(pairs) <= design.shape[1] or np.linalg.matrix_rank(design) < design.shape[1]:
        return np.nan
    coefficients = np.linalg.lstsq(design, pairs["satisfaction"].to_numpy(), rcond=None)[0]
    return float(coefficients[-1] - coefficients[-2])


def summary_of(config: SimConfig) -> dict:
    """One run's summary, without its per-complaint logs."""
    model = RecoveryModel(config, agents=False)
    model.run_model()
    return Result.from_model(model, complaints=False).summary


def first_contact_slope(config: SimConfig) -> float:
    """Points of satisfied complainants per point of first-contact resolution, authority none → full."""
    none, full = (summary_of(with_values(config, {"delegation": level})) for level in ("none", "full"))
    gained = full["first_contact_resolution"] - none["first_contact_resolution"]
    return (full["recovery_satisfaction"] - none["recovery_satisfaction"]) / gained if gained > 0 else np.nan


def annual_retention_and_profit(config: SimConfig) -> tuple[float, float]:
    """Share of the customers at mid-run still customers at the end (a year at 104 weeks), and profit."""
    model = RecoveryModel(config, agents=False)
    pop = model.population
    while model.running:
        if model.steps == config.weeks // 2:
            at_middle = pop.members(Status.ACTIVE)
        model.step()
    kept = float((pop.status[at_middle] == Status.ACTIVE).mean())
    return kept, Result.from_model(model, complaints=False).summary["profit"]


def retention_leverage(config: SimConfig, retention: float, profit: float) -> float:
    """Relative profit gain per RETENTION_POINTS of annual retention, from a run that keeps customers longer.

    The variant lowers the weekly base hazard (HAZARD_CUT) and nothing else;
    the gain is scaled linearly to five points. Reichheld & Sasser measure
    the customer's whole lifetime; the model's run is its horizon.
    """
    kept, earned = annual_retention_and_profit(
        with_values(config, **{"churn.base_hazard": config.churn.base_hazard * HAZARD_CUT})
    )
    if kept <= retention or profit <= 0:
        return np.nan
    return (earned / profit - 1.0) * RETENTION_POINTS / (kept - retention)


def failed_leavers_margin(model: RecoveryModel, result: Result) -> float:
    """The margin the customers who left after a failure would have made over the rest of the run.

    A leaver after a failure is one whose last failure came within
    ``churn.attribution_weeks`` before leaving, as summary.json counts them.
    Each is credited the average customer-week's revenue times the gross
    margin: more than a dissatisfied customer spends, so the ratio it divides
    is, if anything, understated.
    """
    config, pop = model.config, model.population
    left, failed = pop.churn_week, pop.last_failure_week
    after_failure = (left >= 0) & (failed >= 0) & (left - failed <= config.churn.attribution_weeks)
    weeks_lost = float((config.weeks - left[after_failure]).sum())
    series = result.timeseries
    per_customer_week = series["revenue"].sum() / max(series["active_customers"].sum(), 1)
    return config.market.gross_margin * per_customer_week * weeks_lost


def bad_news_ratio(model: RecoveryModel, result: Result) -> float:
    """Profit lost through bad stories ÷ what the failed leavers' own purchases were worth.

    The profit bad stories cost is the same world (same seed, same draws)
    with bad stories heard but carrying no weight, for customers and
    prospects alike, less the profit of the run itself.
    """
    deaf = with_values(model.config, **{"wom.negative_effect": 0.0, "wom.prospect_negative": 0.0})
    own = failed_leavers_margin(model, result)
    return (summary_of(deaf)["profit"] - result.summary["profit"]) / own if own > 0 else np.nan


def held_out_values(
    model: RecoveryModel, result: Result, retention: float, complaint_logs: list[pd.DataFrame]
) -> dict[str, float]:
    """Every held-out fact but the paradox's, from a run at the shipped defaults and the runs each adds."""
    config = model.config
    return {
        ICEBERG.key: iceberg(result.summary),
        SECOND_RECOVERY.key: second_outcome_weight(complaint_logs),
        FIRST_CONTACT.key: first_contact_slope(config),
        LEVERAGE.key: retention_leverage(config, retention, result.summary["profit"]),
        BAD_NEWS.key: bad_news_ratio(model, result),
    }
