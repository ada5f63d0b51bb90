"""Leaving: a weekly hazard from satisfaction, grievance and churning neighbours (S2, S14).

The hazard has three parts: a base that rises as satisfaction falls (Kriss
2014: one-year retention 74% after the best experiences, 43% after the
poorest) and the excess hazard left by recent failures (set in recovery.py from
TARP's repurchase ladder, so silent sufferers leave most: the iceberg), both
multiplied by about 1.8 for each recently churned neighbour, fading within
months (Nitzan & Libai 2011). The multiplier acts on the whole hazard, as
Nitzan & Libai's estimate does: most leavers leave after a failure, so a
multiplier on the base alone would barely show.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np
import scipy.sparse as sp

from sim.world.market_schema import ChurnConf
from sim.world.population import Population, Status
from sim.world.special import exp_cubic
from sim.world.streams import uniform


def base_hazard(satisfaction: np.ndarray, conf: ChurnConf) -> np.ndarray:
    """Weekly hazard from satisfaction alone (Kriss: the poorest experiences leave most)."""
    return hazard_from_satisfaction(satisfaction, conf.base_hazard, conf.satisfaction_slope)


def churn_hazard(pop: Population, who: np.ndarray, conf: ChurnConf) -> np.ndarray:
    """Weekly hazard of the customers ``who`` (node indices)."""
    return _hazards(who, pop.satisfaction, pop.grievance, pop.contagion, _parameters(conf))


def decide_to_churn(pop: Population, active: np.ndarray, conf: ChurnConf, origin: np.uint64) -> np.ndarray:
    """The active customers (node indices) who leave this week.

    A customer leaves if their uniform (number ``node`` of the sequence at
    ``origin``, streams.uniform) is below 1 - exp(-hazard).
    """
    return _leaving(
        active, np.uint64(origin), pop.satisfaction, pop.grievance, pop.contagion, _parameters(conf)
    )


class ChurnTerms(NamedTuple):
    """The hazard's terms, by name, for compiled code."""

    base_hazard: float
    satisfaction_slope: float
    log_contagion_ratio: float


def _parameters(conf: ChurnConf) -> ChurnTerms:
    return ChurnTerms(conf.base_hazard, conf.satisfaction_slope, float(np.log(conf.contagion_hazard_ratio)))


@numba.njit(cache=True)
def hazard_from_satisfaction(satisfaction, base, slope):  # noqa: ANN001, ANN202
    """base_hazard for compiled code: base x exp(slope x (0.5 - satisfaction))."""
    return base * np.exp(slope * (0.5 - satisfaction))


@numba.njit(cache=True)
def _hazard(node, satisfaction, grievance, contagion, parameters):  # noqa: ANN001, ANN202
    """One customer's hazard: (base + grievance) x hazard ratio ** recent churned neighbours."""
    base, slope = parameters.base_hazard, parameters.satisfaction_slope
    hazard = hazard_from_satisfaction(satisfaction[node], base, slope) + grievance[node]
    if contagion[node] != 0.0:  # most have no recent leaver nearby, and exp(0) is 1
        hazard *= np.exp(parameters.log_contagion_ratio * contagion[node])
    return hazard


@numba.njit(cache=True)
def _surely_stays(u, node, satisfaction, grievance, contagion, parameters):  # noqa: ANN001, ANN202
    """Whether ``u`` is above a bound of _hazard found without exp or division (special.exp_cubic).

    The hazard is (base e**a + g) e**b, and e**x <= 1 / exp_cubic(-x) where
    that is positive: with p = exp_cubic(-a) and q = exp_cubic(-b) it is at
    most (base + g p) / (p q). The millionth's margin keeps roundings from
    ever putting the bound below the hazard computed with exp.
    """
    p = exp_cubic(-parameters.satisfaction_slope * (0.5 - satisfaction[node]))
    q = exp_cubic(-parameters.log_contagion_ratio * contagion[node])
    bound = (parameters.base_hazard + grievance[node] * p) * (1.0 + 1e-6)
    return (p > 0.0) & (q > 0.0) & (u * p * q >= bound)


@numba.njit(cache=True)
def _hazards(who, satisfaction, grievance, contagion, parameters):  # noqa: ANN001, ANN202
    """Compiled loop of churn_hazard."""
    out = np.empty(who.size)
    for i in range(who.size):
        out[i] = _hazard(who[i], satisfaction, grievance, contagion, parameters)
    return out


@numba.njit(cache=True)
def _leaving(active, origin, satisfaction, grievance, contagion, parameters):  # noqa: ANN001, ANN202
    """Compiled loop of decide_to_churn.

    1 - exp(-h) <= h, and most weeks most customers draw above their hazard h,
    even above a bound of it that needs no exp: for them neither h nor
    1 - exp(-h) is computed; the decisions are the same.
    """
    leavers = np.empty(active.size, dtype=np.int64)
    n = 0
    for node in active:
        u = uniform(origin, node)
        if _surely_stays(u, node, satisfaction, grievance, contagion, parameters):
            continue
        hazard = _hazard(node, satisfaction, grievance, contagion, parameters)
        if u < hazard and u < -np.expm1(-hazard):
            leavers[n] = node
            n += 1
    return leavers[:n]


def why_they_left(
    pop: Population, churned: np.ndarray, week: int, conf: ChurnConf, types: int
) -> tuple[dict[str, int], np.ndarray]:
    """Count leavers as after-complaint, silent (after a failure they kept to themselves), or unprovoked.

    A leaver's failure is the last one they met, if within ``attribution_weeks``;
    also returns how many leavers each failure type (of ``types``) is blamed for.
    """
    by_type = np.zeros(types, dtype=np.int64)
    after_complaint, silent, unprovoked = _why_they_left(
        np.asarray(churned, dtype=np.int64),
        week,
        conf.attribution_weeks,
        (pop.last_failure_week, pop.last_failure_kind, pop.last_failure_complained),
        by_type,
    )
    counts = {
        "churned_after_complaint": after_complaint,
        "churned_silent": silent,
        "churned_unprovoked": unprovoked,
    }
    return counts, by_type


@numba.njit(cache=True)
def _why_they_left(churned, week, window, last_failure, by_type):  # noqa: ANN001, ANN202
    """Compiled why_they_left: (after complaint, silent, unprovoked); adds to ``by_type``."""
    last_week, last_kind, complained = last_failure
    after_complaint = silent = unprovoked = 0
    for node in churned:
        if last_week[node] >= 0 and week - last_week[node] <= window:
            by_type[last_kind[node]] += 1
            after_complaint += complained[node]
            silent += not complained[node]
        else:
            unprovoked += 1
    return after_complaint, silent, unprovoked


def leave(pop: Population, churned: np.ndarray, week: int) -> None:
    """Mark leavers as churned; their grievance no longer matters."""
    pop.status[churned] = Status.CHURNED
    pop.churn_week[churned] = week
    pop.grievance[churned] = 0.0


def expose_neighbours(
    pop: Population, adjacency: sp.csr_matrix, churned: np.ndarray, conf: ChurnConf
) -> None:
    """Fade old exposure and add one unit per neighbour who churned this week."""
    fade = 0.5 ** (1.0 / conf.contagion_half_life)
    _expose(adjacency.indptr, adjacency.indices, np.asarray(churned, dtype=np.int64), pop.contagion, fade)


@numba.njit(cache=True)
def _expose(indptr, indices, churned, contagion, fade):  # noqa: ANN001, ANN202
    """Compiled expose_neighbours: one call where NumPy took four passes."""
    contagion *= fade
    for node in churned:
        for link in range(indptr[node], indptr[node + 1]):
            contagion[indices[link]] += 1.0
