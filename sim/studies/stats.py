"""Paired comparisons between cells of a study, with honest uncertainty.

Replication r of every cell ran on the same seed, so cells are compared
replication by replication: the difference of two cells is estimated from the
paired differences, whose spread is far smaller than that of either cell.
Intervals are Student-t 95%; p-values are paired t-tests, Holm-corrected
across the cells compared with one baseline (SciPy, statsmodels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% interval and the number of values behind it."""

    mean: float
    low: float
    high: float
    n: int


def mean_ci(values: np.ndarray) -> Estimate:
    """Mean and Student-t 95% interval; the interval is NaN with fewer than two values."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = values.size
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    mean = float(values.mean())
    if n < 2:
        return Estimate(mean, np.nan, np.nan, n)
    half = stats.t.ppf(0.5 + LEVEL / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


@dataclass(frozen=True)
class PairedDifference:
    """Cell minus baseline over paired replications."""

    estimate: Estimate
    p_value: float


def paired_difference(cell: np.ndarray, baseline: np.ndarray) -> PairedDifference:
    """Mean of cell - baseline over pairs where both are finite, with its interval and paired t-test."""
    cell, baseline = np.asarray(cell, dtype=float), np.asarray(baseline, dtype=float)
    keep = np.isfinite(cell) & np.isfinite(baseline)
    diff = cell[keep] - baseline[keep]
    estimate = mean_ci(diff)
    if diff.size < 2:
        p = np.nan
    elif np.allclose(diff, diff[0], rtol=1e-12, atol=1e-9):  # no spread: the t-test is undefined
        p = 1.0 if np.isclose(diff[0], 0.0, atol=1e-9) else 0.0
    else:
        p = float(stats.ttest_rel(cell[keep], baseline[keep]).pvalue)
    return PairedDifference(estimate, p)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (NaN stays NaN)."""
    p_values = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p_values, np.nan)
    finite = np.isfinite(p_values)
    if finite.any():
        adjusted[finite] = multipletests(p_values[finite], method="holm")[1]
    return adjusted


def recovery_roi(d_profit: np.ndarray, d_recovery_cost: np.ndarray, seed: int = 0) -> Estimate:
    """Profit gained per unit of extra recovery spending against the baseline, with a bootstrap interval.

    ROI = mean(Δprofit) / mean(Δrecovery cost). Undefined (NaN) when the cell
    spends no more on recovery than the baseline. The interval is unbounded (an
    end at ±inf) when some resamples spend no more than the baseline: with few
    runs that differ in cost, the ratio has no finite bound to give.
    """
    d_profit, d_cost = np.asarray(d_profit, dtype=float), np.asarray(d_recovery_cost, dtype=float)
    keep = np.isfinite(d_profit) & np.isfinite(d_cost)
    d_profit, d_cost = d_profit[keep], d_cost[keep]
    n = d_profit.size
    if n == 0 or d_cost.mean() <= 0:
        return Estimate(np.nan, np.nan, np.nan, n)
    roi = float(d_profit.mean() / d_cost.mean())
    if n < 3:
        return Estimate(roi, np.nan, np.nan, n)
    with np.errstate(divide="ignore", invalid="ignore"):  # those resamples' ratios are the infinite ends
        boot = stats.bootstrap(
            (d_profit, d_cost),
            lambda p, c, axis: p.mean(axis=axis) / c.mean(axis=axis),
            paired=True,
            vectorized=True,
            confidence_level=LEVEL,
            n_resamples=2000,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    return Estimate(roi, float(boot.confidence_interval.low), float(boot.confidence_interval.high), n)
