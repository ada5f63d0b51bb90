"""Buying, and how each purchase moves satisfaction (S1, S21).

Satisfaction follows disconfirmation: a purchase is judged against what the
customer expected, and satisfaction is a running average of those judgements.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from sim.config import CustomerConf, MarketConf
from sim.population import Population


def decide_to_buy(pop: Population, active: np.ndarray, market: MarketConf, u: np.ndarray) -> np.ndarray:
    """The active customers (node indices) who buy this week; ``u`` is aligned with ``active``.

    Purchase probability rises with satisfaction (S1: satisfied customers come back).
    """
    return active[u < purchase_probability(pop.satisfaction[active], market)]


def purchase_probability(satisfaction: np.ndarray, market: MarketConf) -> np.ndarray:
    """Weekly chance of buying at each satisfaction (above 1 means a purchase every week)."""
    return market.purchase_rate * np.exp(market.purchase_satisfaction_slope * (satisfaction - 0.5))


def basket_value(pop: Population, buyers: np.ndarray, market: MarketConf, u: np.ndarray) -> np.ndarray:
    """What each buyer spends; ``u`` is aligned with ``buyers``.

    The basket rises with satisfaction too (cross-selling). The purchase and
    basket slopes add to ln(2.4)/0.8, so a customer at satisfaction 0.9 spends
    about 2.4 times one at 0.1, as in Kriss 2014 (HBR: best vs poorest past
    experience, +140% spend).
    """
    sd = market.basket_sd
    tilt = pop.satisfaction[buyers] - 0.5
    return market.basket_mean * np.exp(market.basket_satisfaction_slope * tilt + sd * ndtri(u) - 0.5 * sd**2)


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
    quality = market.service_quality + market.quality_noise * ndtri(u_quality) - drop
    expected = pop.expectation[buyers]
    judged = np.clip(0.5 + customer.disconfirmation_gain * (quality - expected), 0.0, 1.0)
    s = pop.satisfaction[buyers]
    pop.satisfaction[buyers] = s + customer.satisfaction_memory * (judged - s)
    pop.expectation[buyers] = expected + customer.expectation_adaptation * (np.clip(quality, 0, 1) - expected)
