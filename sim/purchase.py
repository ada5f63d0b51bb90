"""Buying, and how each purchase moves satisfaction (S1, S21).

Satisfaction follows disconfirmation: a purchase is judged against what the
customer expected, and satisfaction is a running average of those judgements.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from sim.config import CustomerConf, MarketConf
from sim.population import Population


def buy(
    pop: Population, active: np.ndarray, market: MarketConf, u: np.ndarray, u_basket: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Who buys this week (node indices) and each buyer's basket value.

    Purchase probability and basket both rise with satisfaction (S1: satisfied
    customers come back and cross-buy). The two slopes add to ln(2.4)/0.8, so a
    customer at satisfaction 0.9 spends about 2.4 times one at 0.1, as in
    Kriss 2014 (HBR: best vs poorest past experience, +140% spend).
    """
    tilt = pop.satisfaction[active] - 0.5
    rate = market.purchase_rate * np.exp(market.purchase_satisfaction_slope * tilt)
    chosen = u[active] < rate
    buyers, tilt = active[chosen], tilt[chosen]
    sd = market.basket_sd
    log_basket = market.basket_satisfaction_slope * tilt + sd * ndtri(u_basket[buyers]) - 0.5 * sd**2
    return buyers, market.basket_mean * np.exp(log_basket)


def experience_purchase(
    pop: Population,
    buyers: np.ndarray,
    drop: np.ndarray,
    market: MarketConf,
    customer: CustomerConf,
    u_quality: np.ndarray,
) -> None:
    """Update buyers' satisfaction and expectation; ``drop`` is each buyer's failure severity felt.

    Transaction satisfaction is 0.5 + gain * (quality - expectation) (Oliver's
    expectation-disconfirmation), folded into satisfaction with weight
    ``satisfaction_memory``; expectations drift slowly towards experience.
    """
    quality = market.service_quality + market.quality_noise * ndtri(u_quality[buyers]) - drop
    expected = pop.expectation[buyers]
    judged = np.clip(0.5 + customer.disconfirmation_gain * (quality - expected), 0.0, 1.0)
    s = pop.satisfaction[buyers]
    pop.satisfaction[buyers] = s + customer.satisfaction_memory * (judged - s)
    pop.expectation[buyers] = expected + customer.expectation_adaptation * (np.clip(quality, 0, 1) - expected)
