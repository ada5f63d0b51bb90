"""Before a complaint: the firm may warn first (S17); the customer complains or stays silent (S4, S14)."""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from sim.world.market_schema import ComplaintConf
from sim.world.special import expit


class ComplaintTerms(NamedTuple):
    """The logit's terms for complaint_chance."""

    intercept: float
    severity_slope: float
    ease_shift: float
    notified_shift: float


def complaint_terms(conf: ComplaintConf, complaint_ease: float) -> ComplaintTerms:
    """complaint_chance's terms from the configured logit and how easy the firm makes complaining."""
    ease_shift = conf.ease_slope * (complaint_ease - 0.5)
    return ComplaintTerms(conf.intercept, conf.severity_slope, ease_shift, conf.notified_shift)


@numba.njit(cache=True)
def complaint_chance(severity, propensity, notified, terms):  # noqa: ANN001, ANN202
    """Chance that a failure is voiced, logistic in severity (scalars or arrays).

    Calibrated so that about 2-5% complain about a minor problem and 50-80%
    about a serious one where money was lost (Goodman & Newman 2003; TARP;
    Customer Rage Study 2015: 79%). Making complaining easy shifts the logit
    up (S4); customers already informed by the firm complain less (S17).
    """
    logit = terms.intercept + terms.severity_slope * severity + propensity + terms.ease_shift
    return expit(logit + terms.notified_shift * notified)


def complaint_probability(
    severity: np.ndarray | float,
    propensity: np.ndarray | float,
    notified: np.ndarray | bool,
    conf: ComplaintConf,
    complaint_ease: float,
) -> np.ndarray | float:
    """complaint_chance under the configured terms, outside compiled code (scalars or same-shape arrays)."""
    return complaint_chance(severity, propensity, notified, complaint_terms(conf, complaint_ease))
