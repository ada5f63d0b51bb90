"""Buying, and how each purchase moves satisfaction (S1, S21).

Satisfaction follows disconfirmation: a purchase is judged against what the
customer expected, and satisfaction is a running average of those judgements.
The rules are scalar functions for compiled loops (shopping.py applies them
to each customer in turn; grievance.py needs the chance of buying).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def chance_to_buy(satisfaction, rate, slope):  # noqa: ANN001, ANN202
    """Weekly chance of buying at a satisfaction (above 1 means a purchase every week).

    It rises with satisfaction (S1: satisfied customers come back).
    """
    return rate * np.exp(slope * (satisfaction - 0.5))


@numba.njit(cache=True)
def basket(satisfaction, z, mean, slope, sd):  # noqa: ANN001, ANN202
    """What a buyer spends: lognormal with mean ``mean`` at satisfaction 0.5, its log tilted by satisfaction.

    ``z`` is the purchase's standard normal deviate. The basket rises with
    satisfaction (cross-selling). The purchase and basket slopes add to
    ln(2.4)/0.8, so a customer at satisfaction 0.9 spends about 2.4 times one
    at 0.1, as in Kriss 2014 (HBR: best vs poorest past experience, +140%
    spend).
    """
    return mean * np.exp(slope * (satisfaction - 0.5) + sd * z - 0.5 * sd**2)


@numba.njit(cache=True)
def quality_met(z, service_quality, noise, drop):  # noqa: ANN001, ANN202
    """The quality a purchase delivers: the firm's level, noise ``z`` (standard normal), less a failure."""
    return service_quality + noise * z - drop


@numba.njit(cache=True)
def judge(satisfaction, expectation, quality, gain, memory, adaptation):  # noqa: ANN001, ANN202
    """Satisfaction and expectation after a purchase of ``quality``.

    Transaction satisfaction is 0.5 + gain * (quality - expectation) (Oliver's
    expectation-disconfirmation), folded into satisfaction with weight
    ``memory``; expectations drift slowly towards experience.
    """
    judged = min(max(0.5 + gain * (quality - expectation), 0.0), 1.0)
    return (
        satisfaction + memory * (judged - satisfaction),
        expectation + adaptation * (min(max(quality, 0.0), 1.0) - expectation),
    )
