"""Satisfaction with recovery: how likely a complainant is pleased with what the firm did, and how.

Additive on the logit scale in the three sides of justice (Tax, Brown &
Chandrashekaran 1998; Smith, Bolton & Wagner 1999): distributive (the
compensation curve), interactional (an apology) and procedural (days from
the complaint to its resolution, felt from the first day, and every contact
beyond the first: a hand-off to the back office or a chase). The Customer
Rage Study's figures (S10: 37% for compensation alone, 74% with an apology)
hold at its complainants' own conditions (``reference_days``,
``reference_contacts``); a case settled faster, or at the first contact, does
better, a slow one worse. Investigating blame costs too (S5). Compiled code
reads the terms by name (:class:`OutcomeTerms`), so a term added later
cannot shift the others.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from sim.world.market_schema import OutcomeConf
from sim.world.special import expit


class OutcomeTerms(NamedTuple):
    """The logit's coefficients, the response target, and the compensation curve."""

    intercept: float
    apology_effect: float
    days_penalty: float
    contact_penalty: float
    reference_days: float
    reference_contacts: float
    blame_penalty: float
    target_days: float
    compensation_effect: float
    compensation_curvature: float
    backfire_strength: float
    backfire_threshold: float


def outcome_terms(conf: OutcomeConf, target_days: float) -> OutcomeTerms:
    """The terms of recovery_chance, from the outcome model and the firm's response target."""
    return OutcomeTerms(
        conf.intercept,
        conf.apology_effect,
        conf.days_penalty,
        conf.contact_penalty,
        conf.reference_days,
        conf.reference_contacts,
        conf.blame_penalty,
        target_days,
        conf.compensation_effect,
        conf.compensation_curvature,
        conf.backfire_strength,
        conf.backfire_threshold,
    )


@numba.njit(cache=True)
def compensation_gain(share, terms):  # noqa: ANN001, ANN202
    """Logit gain from compensation as a share of the loss: concave to 100%, flat, then backfiring.

    Reaches ``compensation_effect`` at 100% of the loss, adds ~4% more by 150%,
    and loses ground beyond ``backfire_threshold`` (Gelbrich, Gäthke & Grégoire
    2015; Haesevoets et al. 2017: over-compensation adds nothing or backfires).
    Scalars or arrays.
    """
    effect, k = terms.compensation_effect, terms.compensation_curvature
    gain = effect * (1.0 - np.exp(-k * share)) / (1.0 - np.exp(-k))
    return gain - terms.backfire_strength * np.maximum(0.0, share - terms.backfire_threshold) ** 2


@numba.njit(cache=True)
def recovery_chance(apology, share, price_sensitivity, response_days, contacts, investigated, terms):  # noqa: ANN001, ANN202, PLR0913
    """Chance a complainant is satisfied with the recovery (scalars or arrays).

    At the Rage Study's conditions (``reference_days`` to resolution,
    ``reference_contacts`` contacts) the logit is additive in the remedies:
    nothing 10%, apology alone 35% (Abeler et al. 2009, indirect),
    compensation of the full loss alone 37%, both 74% (Customer Rage Study 2013
    and 2015); the four figures fit exactly: logit(.74) = logit(.10) +
    [logit(.35) - logit(.10)] + [logit(.37) - logit(.10)]. Each week sooner or
    later than the reference moves the logit by ``days_penalty``, each contact
    fewer or more by ``contact_penalty`` (SQM: about 15% of satisfaction per
    additional contact).
    """
    procedure = terms.days_penalty * (response_days - terms.reference_days) / 7.0 + terms.contact_penalty * (
        contacts - terms.reference_contacts
    )
    return expit(
        terms.intercept
        + terms.apology_effect * apology
        + price_sensitivity * compensation_gain(share, terms)
        - procedure
        - terms.blame_penalty * investigated
    )


def compensation_value(share: np.ndarray | float, conf: OutcomeConf) -> np.ndarray | float:
    """compensation_gain under the configured outcome model, outside compiled code."""
    return compensation_gain(share, outcome_terms(conf, 0.0))


def recovery_probability(
    apology: np.ndarray,
    share: np.ndarray,
    price_sensitivity: np.ndarray,
    response_days: np.ndarray,
    contacts: np.ndarray,
    investigated: np.ndarray,
    conf: OutcomeConf,
    target_days: float,
) -> np.ndarray:
    """recovery_chance under the configured outcome model, outside compiled code (same-shape arrays)."""
    terms = outcome_terms(conf, target_days)
    return recovery_chance(apology, share, price_sensitivity, response_days, contacts, investigated, terms)
