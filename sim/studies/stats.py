"""Paired comparisons between cells of a study, with honest uncertainty.

Replication r of every cell ran on the same seed, so cells are compared
replication by replication: the difference of two cells is estimated from the
paired differences, whose spread is far smaller than that of either cell.
Intervals are Student-t 95%; p-values are paired t-tests (SciPy).

One rule says which differences are distinguishable, everywhere a study reports
one: when k cells are compared with the same baseline, each comparison's 95%
interval is widened for the k of them (Bonferroni: the Student-t quantile at
1 - 0.05 / (2k)), and a difference is distinguishable exactly when that
adjusted interval excludes zero. Its adjusted p-value is min(1, k p), below
0.05 exactly when the adjusted interval excludes zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean with its interval (95%, or the adjusted level where said) and the number of values behind it."""

    mean: float
    low: float
    high: float
    n: int


def adjusted_level(comparisons: int) -> float:
    """The confidence level of each of ``comparisons`` intervals that together hold at 95% (Bonferroni)."""
    return 1.0 - (1.0 - LEVEL) / max(int(comparisons), 1)


def excludes_zero(low: float, high: float) -> bool:
    """Whether an interval lies wholly on one side of zero (False when it is NaN)."""
    return bool(low > 0 or high < 0)


def mean_ci(values: np.ndarray, level: float = LEVEL) -> Estimate:
    """Mean and Student-t interval (95% unless told); the interval is NaN with fewer than two values."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = values.size
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    mean = float(values.mean())
    if n < 2:
        return Estimate(mean, np.nan, np.nan, n)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


@dataclass(frozen=True)
class PairedDifference:
    """Cell minus baseline over paired replications, one of ``comparisons`` made against that baseline.

    ``estimate`` and ``p_value`` are the comparison on its own (95%, unadjusted), for researchers;
    ``adjusted`` and ``p_adjusted`` hold for all the comparisons together, and are what a report
    calls distinguishable or not.
    """

    estimate: Estimate
    p_value: float
    adjusted: Estimate
    p_adjusted: float
    comparisons: int

    @property
    def distinguishable(self) -> bool:
        """The one rule: the adjusted interval excludes zero."""
        return excludes_zero(self.adjusted.low, self.adjusted.high)


def paired_difference(cell: np.ndarray, baseline: np.ndarray, comparisons: int = 1) -> PairedDifference:
    """Mean of cell - baseline over pairs where both are finite, its intervals and paired t-test.

    ``comparisons``: how many cells are compared with this baseline (k); the adjusted interval is
    at level 1 - 0.05 / k and the adjusted p-value min(1, k p).
    """
    cell, baseline = np.asarray(cell, dtype=float), np.asarray(baseline, dtype=float)
    keep = np.isfinite(cell) & np.isfinite(baseline)
    diff = cell[keep] - baseline[keep]
    k = max(int(comparisons), 1)
    if diff.size >= 2 and np.allclose(diff, diff[0], rtol=1e-12, atol=1e-9):
        # no spread: the t-test is undefined; a difference that is zero up to rounding is zero
        zero = bool(np.isclose(diff[0], 0.0, atol=1e-9))
        d = 0.0 if zero else float(diff.mean())
        exact = Estimate(d, d, d, diff.size)
        return PairedDifference(exact, float(zero), exact, float(zero), k)
    p = float(stats.ttest_rel(cell[keep], baseline[keep]).pvalue) if diff.size >= 2 else np.nan
    return PairedDifference(
        mean_ci(diff), p, mean_ci(diff, adjusted_level(k)), float(np.minimum(1.0, k * p)), k
    )


def recovery_roi(
    d_profit: np.ndarray, d_recovery_cost: np.ndarray, seed: int = 0, level: float = LEVEL
) -> Estimate:
    """Profit gained per unit of extra recovery spending against the baseline, with a bootstrap interval.

    ROI = mean(Δprofit) / mean(Δrecovery cost). Undefined (NaN) when the cell
    spends no more on recovery than the baseline. The interval is unbounded (an
    end at ±inf) when some resamples spend no more than the baseline: with few
    runs that differ in cost, the ratio has no finite bound to give. ``level``: the
    interval's confidence level (a report passes the adjusted one, see ``adjusted_level``).
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
            confidence_level=level,
            n_resamples=10_000,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    return Estimate(roi, float(boot.confidence_interval.low), float(boot.confidence_interval.high), n)
