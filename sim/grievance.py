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

import numba
import numpy as np

from sim.churn import base_hazard
from sim.config import ChurnConf, CustomerConf, MarketConf
from sim.population import Population
from sim.purchase import purchase_probability

#: Weeks over which a satisfaction gap's extra hazard is summed; purchases mend it well within a year.
HORIZON_WEEKS = 52


class GrievanceRule:
    """The grievance a failure adds, from its severity, how it ended, and the satisfaction gap it left."""

    def __init__(self, churn: ChurnConf, market: MarketConf, customer: CustomerConf) -> None:
        self.churn, self.market, self.customer = churn, market, customer
        self.a, self.g = tarp_curve(churn)
        self.fade = 0.5 ** (1.0 / churn.grievance_half_life)

    def tarp_hazard(self, experience: np.ndarray, severity: np.ndarray) -> np.ndarray:
        """Cumulative excess hazard whose survival exp(-H) is TARP's repurchase share."""
        return self.a[experience] * np.maximum(severity, 1e-6) ** self.g[experience]

    def satisfaction_hazard(self, satisfaction: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """Extra hazard, summed over the coming year, from a satisfaction gap that purchases close.

        Each purchase moves satisfaction ``satisfaction_memory`` of the way back,
        so the gap shrinks by that share times the chance of buying each week.
        """
        s, gap = np.broadcast_arrays(
            np.asarray(satisfaction, dtype=float), np.maximum(np.asarray(gap, dtype=float), 0.0)
        )
        buying = np.minimum(1.0, purchase_probability(s, self.market))
        mending = 1.0 - self.customer.satisfaction_memory * buying
        unharmed = base_hazard(s + gap, self.churn)
        excess = _excess_over_horizon(gap.ravel(), mending.ravel(), self.churn.satisfaction_slope)
        return unharmed * excess.reshape(gap.shape)

    def weekly(
        self, experience: np.ndarray, severity: np.ndarray, satisfaction: np.ndarray, gap: np.ndarray
    ) -> np.ndarray:
        """This week's grievance: fading by ``fade`` a week, it sums to TARP's hazard less satisfaction's."""
        excess = self.tarp_hazard(experience, severity) - self.satisfaction_hazard(satisfaction, gap)
        return np.maximum(excess, 0.0) * (1.0 - self.fade)

    def fade_week(self, pop: Population) -> None:
        """A week passes: every grievance fades by ``fade`` (halving every ``grievance_half_life`` weeks)."""
        pop.grievance *= self.fade

    def add(
        self,
        pop: Population,
        customers: np.ndarray,
        experience: np.ndarray,
        severity: np.ndarray,
        before: np.ndarray,
    ) -> None:
        """Add this week's grievance to ``customers``, whose satisfaction was ``before`` the failure."""
        now = pop.satisfaction[customers]
        np.add.at(pop.grievance, customers, self.weekly(experience, severity, now, before - now))


@numba.njit(cache=True)
def _excess_over_horizon(gap, mending, slope):  # noqa: ANN001, ANN202
    """Sum over HORIZON_WEEKS of exp(slope * remaining gap) - 1, the gap shrinking by ``mending`` a week.

    Compiled: it is a year of weeks for each of the week's failures.
    """
    total = np.zeros(gap.size)
    for i in range(gap.size):
        remaining = gap[i]
        for _ in range(HORIZON_WEEKS):
            total[i] += np.expm1(slope * remaining)
            remaining *= mending[i]
    return total


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
