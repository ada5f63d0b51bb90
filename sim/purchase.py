"""Buying, and how each purchase moves satisfaction (S1, S21).

Satisfaction follows disconfirmation: a purchase is judged against what the
customer expected, and satisfaction is a running average of those judgements.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.config import CustomerConf, MarketConf
from sim.population import Population
from sim.special import ndtri


def decide_to_buy(pop: Population, active: np.ndarray, market: MarketConf, u: np.ndarray) -> np.ndarray:
    """The active customers (node indices) who buy this week; ``u`` is aligned with ``active``.

    Purchase probability rises with satisfaction (S1: satisfied customers come back).
    """
    rate, slope = market.purchase_rate, market.purchase_satisfaction_slope
    return active[_buying(active, u, pop.satisfaction, rate, slope)]


@numba.njit(cache=True)
def chance_to_buy(satisfaction, rate, slope):  # noqa: ANN001, ANN202
    """Weekly chance of buying at a satisfaction (above 1 means a purchase every week); scalars or arrays."""
    return rate * np.exp(slope * (satisfaction - 0.5))


@numba.njit(cache=True)
def _buying(active, u, satisfaction, rate, slope):  # noqa: ANN001, ANN202
    """Compiled loop of decide_to_buy: a mask aligned with ``active``."""
    buys = np.empty(active.size, dtype=np.bool_)
    for i in range(active.size):
        buys[i] = u[i] < chance_to_buy(satisfaction[active[i]], rate, slope)
    return buys


def basket_value(pop: Population, buyers: np.ndarray, market: MarketConf, u: np.ndarray) -> np.ndarray:
    """What each buyer spends; ``u`` is aligned with ``buyers``.

    The basket rises with satisfaction too (cross-selling). The purchase and
    basket slopes add to ln(2.4)/0.8, so a customer at satisfaction 0.9 spends
    about 2.4 times one at 0.1, as in Kriss 2014 (HBR: best vs poorest past
    experience, +140% spend).
    """
    return _baskets(
        buyers, u, pop.satisfaction, (market.basket_mean, market.basket_satisfaction_slope, market.basket_sd)
    )


@numba.njit(cache=True)
def _baskets(buyers, u, satisfaction, parameters):  # noqa: ANN001, ANN202
    """Compiled loop of basket_value: lognormal, its log mean tilted by satisfaction."""
    mean, slope, sd = parameters
    out = np.empty(buyers.size)
    for i in range(buyers.size):
        tilt = satisfaction[buyers[i]] - 0.5
        out[i] = mean * np.exp(slope * tilt + sd * ndtri(u[i]) - 0.5 * sd**2)
    return out


def experience_purchase(
    pop: Population,
    buyers: np.ndarray,
    drop: np.ndarray,
    market: MarketConf,
    customer: CustomerConf,
    u_quality: np.ndarray,
) -> None:
    """Update buyers' satisfaction and expectation; ``drop`` and ``u_quality`` are aligned with ``buyers``.

    Transaction satisfaction is 0.5 + gain * (quality - expectation) (Oliver's
    expectation-disconfirmation), folded into satisfaction with weight
    ``satisfaction_memory``; expectations drift slowly towards experience.
    """
    parameters = (
        market.service_quality,
        market.quality_noise,
        customer.disconfirmation_gain,
        customer.satisfaction_memory,
        customer.expectation_adaptation,
    )
    _experience(buyers, drop, u_quality, pop.satisfaction, pop.expectation, parameters)


@numba.njit(cache=True)
def _experience(buyers, drop, u, satisfaction, expectation, parameters):  # noqa: ANN001, ANN202
    """Compiled loop of experience_purchase (each buyer once)."""
    service_quality, noise, gain, memory, adaptation = parameters
    for i in range(buyers.size):
        node = buyers[i]
        quality = service_quality + noise * ndtri(u[i]) - drop[i]
        expected = expectation[node]
        judged = min(max(0.5 + gain * (quality - expected), 0.0), 1.0)
        satisfaction[node] += memory * (judged - satisfaction[node])
        expectation[node] = expected + adaptation * (min(max(quality, 0.0), 1.0) - expected)
