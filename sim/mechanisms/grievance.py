"""What a failure leaves in the churn hazard: TARP's ladder, less what satisfaction already says (S2, S3).

TARP's figures (Goodman) are the whole effect of a failure, and of how it
ended, on coming back: after a minor failure 37% of the silent buy again, 46%
of those left unresolved, 70% of the resolved, 95% of those resolved quickly.
In the model a failure, and a failed answer, also lower satisfaction, and
lower satisfaction raises the base hazard (Kriss). Adding TARP's figure in full
on top would count that part twice, so the excess hazard a failure adds (the
grievance, fading with ``churn.grievance_half_life``) is TARP's cumulative
hazard less the hazard the satisfaction gap is expected to add while later
purchases mend it.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from sim.mechanisms.churn import hazard_from_satisfaction
from sim.mechanisms.purchase import chance_to_buy
from sim.world.market_schema import ChurnConf, CustomerConf, MarketConf
from sim.world.population import Population

#: Weeks over which a satisfaction gap's extra hazard is summed; purchases mend it well within a year.
HORIZON_WEEKS = 52


class GrievanceTerms(NamedTuple):
    """What compiled code reads of the rule: TARP's curve by experience, the fade, satisfaction's hazard."""

    tarp_scale: np.ndarray
    tarp_power: np.ndarray
    fade: float
    purchase_rate: float
    purchase_satisfaction_slope: float
    satisfaction_memory: float
    base_hazard: float
    satisfaction_slope: float


class GrievanceRule:
    """The grievance a failure adds, from its severity, how it ended, and the satisfaction gap it left."""

    def __init__(self, churn: ChurnConf, market: MarketConf, customer: CustomerConf) -> None:
        self.churn, self.market, self.customer = churn, market, customer
        self.a, self.g = tarp_curve(churn)
        self.fade = 0.5 ** (1.0 / churn.grievance_half_life)
        self.terms = GrievanceTerms(
            self.a,
            self.g,
            self.fade,
            market.purchase_rate,
            market.purchase_satisfaction_slope,
            customer.satisfaction_memory,
            churn.base_hazard,
            churn.satisfaction_slope,
        )

    def tarp_hazard(self, experience: int, severity: float) -> float:
        """Cumulative excess hazard whose survival exp(-H) is TARP's repurchase share."""
        return _tarp_hazard(int(experience), float(severity), self.a, self.g)

    def satisfaction_hazard(self, satisfaction: float, gap: float) -> float:
        """Extra hazard, summed over the coming year, from a satisfaction gap that purchases close.

        Each purchase moves satisfaction ``satisfaction_memory`` of the way back,
        so the gap shrinks by that share times the chance of buying each week.
        """
        return _satisfaction_hazard(float(satisfaction), float(gap), self.terms)

    def weekly(self, experience: int, severity: float, satisfaction: float, gap: float) -> float:
        """This week's grievance: fading by ``fade`` a week, it sums to TARP's hazard less satisfaction's."""
        return _weekly(int(experience), float(severity), float(satisfaction), float(gap), self.terms)

    def fade_week(self, pop: Population) -> None:
        """A week passes: every grievance fades by ``fade`` (halving every ``grievance_half_life`` weeks)."""
        pop.grievance *= self.fade


# The rule in compiled code: a year of weeks for each of the week's failures is too slow in NumPy.


@numba.njit(cache=True)
def _tarp_hazard(experience, severity, a, g):  # noqa: ANN001, ANN202
    return a[experience] * max(severity, 1e-6) ** g[experience]


@numba.njit(cache=True)
def _satisfaction_hazard(satisfaction, gap, terms):  # noqa: ANN001, ANN202
    gap = max(gap, 0.0)
    buying = chance_to_buy(satisfaction, terms.purchase_rate, terms.purchase_satisfaction_slope)
    mended = terms.satisfaction_memory * min(1.0, buying)  # of the gap, each week
    slope = terms.satisfaction_slope
    return hazard_from_satisfaction(satisfaction + gap, terms.base_hazard, slope) * _sum_expm1_closing(
        slope * gap, mended
    )


@numba.njit(cache=True)
def _sum_expm1_closing(c, mended):  # noqa: ANN001, ANN202
    """The sum over the horizon's weeks k of expm1(c (1 - mended)**k), for c >= 0 and 0 <= mended <= 1.

    Summed by powers of c instead of by week: expm1's series is c**j / j! over
    j >= 1, and each power's weeks are a geometric sum, (1 - r**H) / (1 - r)
    with r = (1 - mended)**j. Both 1 - r**H and 1 - r are built up by
    additions (1 - ab = (1 - a) + a(1 - b)), so a slow mend loses no digits.
    All terms are positive and the sum stops at the last digit; at the
    default churn slope it takes about a third of the time of 52 expm1.
    """
    gone_in_horizon = -np.expm1(HORIZON_WEEKS * np.log1p(-mended))  # 1 - (1 - mended)**H
    total, power, gone, gone_h = 0.0, 1.0, 0.0, 0.0  # gone: 1 - r; gone_h: 1 - r**H
    for j in range(1, 1000):
        power *= c / j
        gone += (1.0 - gone) * mended
        gone_h += (1.0 - gone_h) * gone_in_horizon
        term = power * (gone_h / gone if gone > 0.0 else HORIZON_WEEKS)
        total += term
        if j > 2.0 * c and term <= 1e-17 * total:
            break
    return total


@numba.njit(cache=True)
def _weekly(experience, severity, satisfaction, gap, terms):  # noqa: ANN001, ANN202
    tarp = _tarp_hazard(experience, severity, terms.tarp_scale, terms.tarp_power)
    return max(tarp - _satisfaction_hazard(satisfaction, gap, terms), 0.0) * (1.0 - terms.fade)


@numba.njit(cache=True)
def grieve(node, experience, severity, before, satisfaction, grievance, terms):  # noqa: ANN001, ANN202
    """Add one settled failure's grievance to ``node``, whose satisfaction was ``before`` the failure.

    For compiled loops (shopping's silent sufferers, the desk's answers);
    ``terms`` are GrievanceRule.terms, ``experience`` an Experience code.
    """
    now = satisfaction[node]
    grievance[node] += _weekly(experience, severity, now, before - now, terms)


def tarp_curve(conf: ChurnConf) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (a, g) of the excess cumulative churn hazard a * severity**g per Experience.

    Fitted through TARP's repurchase figures: after a minor and a major
    failure, P(repurchase) = exp(-cumulative excess hazard), for the silent,
    the unresolved, the resolved and the quickly resolved.
    """
    minor = -np.log(np.asarray(conf.repurchase_minor))
    major = -np.log(np.asarray(conf.repurchase_major))
    g = np.log(major / minor) / np.log(conf.major_severity / conf.minor_severity)
    return minor / conf.minor_severity**g, g
