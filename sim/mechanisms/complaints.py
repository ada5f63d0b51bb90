"""Before a complaint: the firm may warn first (S17); the customer complains or stays silent (S4, S14)."""

from __future__ import annotations

import numba
import numpy as np

from sim.world.market_schema import ComplaintConf
from sim.world.special import expit


def complaint_terms(conf: ComplaintConf, complaint_ease: float) -> tuple[float, float, float, float]:
    """The logit's terms for complaint_chance: intercept, severity slope, ease shift, notified shift."""
    return conf.intercept, conf.severity_slope, conf.ease_slope * (complaint_ease - 0.5), conf.notified_shift


@numba.njit(cache=True)
def complaint_chance(severity, propensity, notified, terms):  # noqa: ANN001, ANN202
    """Chance that a failure is voiced, logistic in severity (scalars or arrays).

    Calibrated so that about 2-5% complain about a minor problem and 50-80%
    about a serious one where money was lost (Goodman & Newman 2003; TARP;
    Customer Rage Study 2015: 79%). Making complaining easy shifts the logit
    up (S4); customers already informed by the firm complain less (S17).
    """
    intercept, slope, ease_shift, notified_shift = terms
    return expit(intercept + slope * severity + propensity + ease_shift + notified_shift * notified)


def complaint_probability(
    severity: np.ndarray | float,
    propensity: np.ndarray | float,
    notified: np.ndarray | bool,
    conf: ComplaintConf,
    complaint_ease: float,
) -> np.ndarray | float:
    """complaint_chance under the configured terms, outside compiled code (scalars or same-shape arrays)."""
    return complaint_chance(severity, propensity, notified, complaint_terms(conf, complaint_ease))
