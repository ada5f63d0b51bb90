"""Which door a dissatisfied customer knocks on, and how open the doors make complaining (S4, S20, S22).

Each offered channel has a utility for a customer: its ease, less a misfit
between the customer's digital affinity and the channel's (``fit_weight`` per
unit of distance), less ``avoid_after_failure`` on the channel that failed the
customer last time, plus ``public_pull`` on a public channel for a customer
failed before (going public for leverage). The customer picks a channel by a
multinomial logit over these utilities (McFadden 1974), at ``choice_scale``.
How easy complaining is for the customer is the expected best utility, the
log-sum of the logit over the channels' suitability (the "inclusive value";
past failures move where a customer complains, not whether): it rises with
every channel opened and with a channel that fits, and it enters the
complaint logit as ``complaint_ease`` does. With the one neutral desk it is
the desk's ease, 0.5, for everyone, and the model is the calibrated one
exactly.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from sim.world.channel_schema import CHANNELS, ChannelsConf
from sim.world.market_schema import ComplaintConf
from sim.world.schema import FirmConf

#: Channel code where none applies (a customer never failed on any).
NO_CHANNEL = -1


class ChannelTerms(NamedTuple):
    """The channels as compiled code reads them: arrays in CHANNELS order, then the choice's terms."""

    offered: np.ndarray
    ease: np.ndarray
    digital: np.ndarray  # NaN: suits everyone alike
    public: np.ndarray
    authority: np.ndarray
    first_contact_days: np.ndarray  # the answer time, plus the mean wait of a contact made out of hours
    contact_cost: np.ndarray
    scale: float
    fit_weight: float
    avoid: float
    pull: float
    ease_slope: float  # the complaint logit's slope on ease (ComplaintConf.ease_slope)


def channel_terms(conf: ChannelsConf, firm: FirmConf, complaints: ComplaintConf) -> ChannelTerms:
    """The configured channels as ChannelTerms; unset speeds and costs are the firm's."""
    rows = [getattr(conf, name) for name in CHANNELS]

    def either(value: float | None, fallback: float) -> float:
        return fallback if value is None else value

    return ChannelTerms(
        offered=np.array([c.offered for c in rows]),
        ease=np.array([c.ease for c in rows]),
        digital=np.array([np.nan if c.digital is None else c.digital for c in rows]),
        public=np.array([c.public for c in rows]),
        authority=np.array([c.authority for c in rows]),
        first_contact_days=np.array(
            [
                either(c.response_days, firm.first_contact_days)
                + (1.0 - c.open_share) * conf.closed_wait_days
                for c in rows
            ]
        ),
        contact_cost=np.array([either(c.contact_cost, firm.first_contact_cost) for c in rows]),
        scale=conf.choice_scale,
        fit_weight=conf.fit_weight,
        avoid=conf.avoid_after_failure,
        pull=conf.public_pull,
        ease_slope=complaints.ease_slope,
    )


def upkeep(conf: ChannelsConf, customers: int) -> float:
    """The week's cost of keeping the offered channels open, for a market of ``customers`` at the start."""
    return sum(getattr(conf, name).upkeep_week for name in CHANNELS if getattr(conf, name).offered) * (
        customers / 10_000
    )


def capacity_rates(conf: ChannelsConf, customers: int) -> np.ndarray:
    """First contacts each channel takes a week (CHANNELS order) for ``customers``; inf: no limit."""
    per_10k = [getattr(conf, name).capacity_per_10k for name in CHANNELS]
    return np.array([np.inf if p is None else p * customers / 10_000 for p in per_10k])


def weekly_capacity(rates: np.ndarray, week: int) -> np.ndarray:
    """First contacts each channel takes in ``week`` at ``rates`` (capacity_rates); fractions carry over."""
    finite = np.where(np.isfinite(rates), rates, 0.0)
    return np.where(np.isfinite(rates), np.floor(finite * week) - np.floor(finite * (week - 1)), np.inf)


def draw_affinity(conf: ChannelsConf, nodes: int, rng: np.random.Generator) -> np.ndarray:
    """Each person's digital affinity: Beta with mean ``conf.digital_affinity`` and concentration 4."""
    m = conf.digital_affinity
    return rng.beta(4.0 * m, 4.0 * (1.0 - m), nodes)


@numba.njit(cache=True)
def suitability(terms, channel, affinity):  # noqa: ANN001, ANN202
    """How easy ``channel`` is for a customer of ``affinity``: its ease less the misfit."""
    u = terms.ease[channel]
    if not np.isnan(terms.digital[channel]):
        u -= terms.fit_weight * abs(affinity - terms.digital[channel])
    return u


@numba.njit(cache=True)
def utility(terms, channel, affinity, failed):  # noqa: ANN001, ANN202
    """How much a customer whose last failed answer came on ``failed`` wants ``channel`` (choice only)."""
    u = suitability(terms, channel, affinity)
    if channel == failed:
        u -= terms.avoid
    elif failed != NO_CHANNEL and terms.public[channel]:
        u += terms.pull
    return u


@numba.njit(cache=True)
def log_sum(values, scale):  # noqa: ANN001, ANN202
    """s·log Σ e^(v/s) over the finite ``values``, from the largest up: one value comes back exactly."""
    best = values.max()
    total = 0.0
    for v in values:
        if v > -np.inf:
            total += math.exp((v - best) / scale)
    return best + scale * math.log(total)


@numba.njit(cache=True)
def _logit_pick(wants, scale, u):  # noqa: ANN001, ANN202
    """The channel a logit over ``wants`` (-inf: not a choice) picks with uniform ``u``."""
    best, total = wants.max(), 0.0
    weights = np.zeros(wants.size)
    for c in range(wants.size):
        if wants[c] > -np.inf:
            weights[c] = math.exp((wants[c] - best) / scale)
            total += weights[c]
    last, cumulative = 0, 0.0
    for c in range(wants.size):
        if wants[c] > -np.inf:
            last = c
            cumulative += weights[c] / total
            if u < cumulative:
                return c
    return last  # rounding left u above the last sum


@numba.njit(cache=True)
def choose(terms, affinity, failed, u):  # noqa: ANN001, ANN202
    """(channel chosen with uniform ``u``, how easy complaining is for the customer).

    The channel follows the logit over ``utility``, past failures included;
    the ease is the log-sum over the channels' suitability alone, so that a
    past failure moves where a customer complains, not whether: with the one
    desk the ease is the desk's, whatever happened before.
    """
    n = terms.ease.size
    wants, suits = np.full(n, -np.inf), np.full(n, -np.inf)
    for c in range(n):
        if terms.offered[c]:
            wants[c] = utility(terms, c, affinity, failed)
            suits[c] = suitability(terms, c, affinity)
    return _logit_pick(wants, terms.scale, u), log_sum(suits, terms.scale)


@numba.njit(cache=True)
def move_on(terms, affinity, current, u):  # noqa: ANN001, ANN202
    """Where a customer kept waiting on ``current`` tries next, by the same logit over the other channels.

    The channel they leave counts as the one that failed them; with no other channel they stay.
    """
    wants = np.full(terms.ease.size, -np.inf)
    for c in range(terms.ease.size):
        if terms.offered[c] and c != current:
            wants[c] = utility(terms, c, affinity, current)
    if wants.max() == -np.inf:
        return current
    return _logit_pick(wants, terms.scale, u)
