"""Winning customers: prospects by marketing and word of mouth (S1, S21), leavers by win-back (S6)."""

from __future__ import annotations

import numba
import numpy as np

from sim.world.market_schema import MarketConf, WomConf
from sim.world.population import Population, Status
from sim.world.schema import FirmConf
from sim.world.special import below_scaled_exp
from sim.world.streams import uniform


def acquire(
    pop: Population,
    prospects: np.ndarray,
    market: MarketConf,
    firm: FirmConf,
    wom: WomConf,
    origin: np.uint64,
) -> tuple[np.ndarray, float]:
    """The prospects (node indices) who become customers this week, and how many marketing paid for.

    The weekly hazard is the marketing rate, raised by a bolder promise (S21)
    and by what the prospect has heard (attitude > 0) or lowered by bad news.
    A prospect joins if their uniform (number ``node`` of the sequence at
    ``origin``, streams.uniform) is below 1 - exp(-hazard). Newcomers arrive
    with expectations set by the same promise.
    """
    rate = market.marketing_rate * np.exp(firm.promise_acquisition_effect * (firm.promise_level - 0.5))
    joined = _joining(prospects, np.uint64(origin), pop.attitude, rate, wom.attitude_slope)
    paid_for = float(marketing_share(pop.attitude[joined], wom.attitude_slope).sum())
    welcome(pop, joined)
    return joined, paid_for


def marketing_share(attitude: np.ndarray, slope: float) -> np.ndarray:
    """The share of a joiner's hazard that marketing brought: 1 / exp(slope x attitude), at most 1.

    A prospect who heard good news joins at rate x exp(slope x attitude); the
    part above the marketing rate is word of mouth's, won without the
    marketing spend. The acquisition cost is charged on the marketing share
    only (S1: satisfied customers attract new ones). Bad news lowers the
    hazard below the marketing rate: such a joiner cost the full spend.
    """
    return np.minimum(1.0, np.exp(-slope * attitude))


@numba.njit(cache=True)
def _joining(prospects, origin, attitude, rate, slope):  # noqa: ANN001, ANN202
    """Compiled loop of acquire: hazard rate x exp(slope x attitude).

    1 - exp(-h) <= h: a prospect who draws above their hazard does not join
    (most weeks, nearly everyone), and special.below_scaled_exp tells them
    apart mostly without exp.
    """
    joined = np.empty(prospects.size, dtype=np.int64)
    n = 0
    for node in prospects:
        u = uniform(origin, node)
        if not below_scaled_exp(u, rate, slope * attitude[node]):
            continue
        hazard = rate * np.exp(slope * attitude[node])
        if u < -np.expm1(-hazard):
            joined[n] = node
            n += 1
    return joined[:n]


def due_for_winback(pop: Population, firm: FirmConf, week: int) -> np.ndarray:
    """Leavers (node indices) who get the win-back offer this week: none if there is no offer."""
    if firm.winback_offer <= 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(
        (pop.status == Status.CHURNED) & (pop.churn_week == week - firm.winback_delay_weeks)
    )


def win_back(
    pop: Population, offered: np.ndarray, market: MarketConf, firm: FirmConf, u: np.ndarray
) -> np.ndarray:
    """The offered leavers who accept and come back (S6); ``u`` is aligned with ``offered``."""
    if not offered.size:  # most weeks, and always without an offer
        return offered
    accept = firm.winback_response * min(1.0, firm.winback_offer / max(market.basket_mean, 1e-9))
    back = offered[u < accept]
    welcome(pop, back)
    return back


def welcome(pop: Population, joined: np.ndarray) -> None:
    """Make ``joined`` active customers with a fresh start."""
    pop.status[joined] = Status.ACTIVE
    pop.satisfaction[joined] = pop.start_satisfaction[joined]
    pop.grievance[joined] = 0.0
    pop.attitude[joined] = 0.0
