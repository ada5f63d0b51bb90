"""A week of shopping, one customer at a time: buy, fail, be warned, judge, complain or keep quiet.

Steps 1-3 of MODEL_BRIEF §3 as one compiled pass over the active customers.
The rules are the scalar functions of purchase.py, failures.py and
complaints.py; this loop applies them in the brief's order, as the per-agent
reference (reference.py) does in Python, and computes each customer's
uniforms where they are used, but for the buyers' two normal deviates
(basket and quality), which special.normal_quantiles computes for all
buyers at once, several to an instruction. At 10,000 customers the pass
is about 0.2 ms of a week, most of it the arithmetic of each purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from sim.mechanisms.channels import ChannelTerms, choose
from sim.mechanisms.complaints import complaint_chance, complaint_terms
from sim.mechanisms.failures import Catalogue, failure_severity, failure_type
from sim.mechanisms.grievance import GrievanceRule, grieve
from sim.mechanisms.purchase import basket, judge, quality_met
from sim.world.population import Experience, Population
from sim.world.schema import SimConfig
from sim.world.special import below_scaled_exp, normal_quantiles
from sim.world.streams import Draws, uniform

SILENT = int(Experience.SILENT)

#: The week's uniforms the pass uses, in the order of ``_shop``'s ``origins``.
UNIFORMS = ("buy", "basket", "fail", "type", "severity", "notify", "quality", "complain", "channel")


@dataclass
class Shopping:
    """What the week's shopping did: the buyers, and the failures some of them met (``failed`` rows)."""

    buyers: np.ndarray
    basket: np.ndarray
    hit: np.ndarray  # aligned with buyers: met a failure
    failed: np.ndarray  # the buyers who met one, in the same order as the columns below
    kind: np.ndarray
    severity: np.ndarray
    loss: np.ndarray
    notified: np.ndarray  # the firm warned them first (S17)
    felt: np.ndarray  # severity, eased if warned
    before: np.ndarray  # satisfaction before this purchase
    complained: np.ndarray
    channel: np.ndarray  # the channel a complaint takes (or would have taken), CHANNELS order


class ShoppingTerms(NamedTuple):
    """The market's, customers' and firm's terms a week of shopping reads, by name."""

    purchase_rate: float
    purchase_satisfaction_slope: float
    basket_mean: float
    basket_satisfaction_slope: float
    basket_sd: float
    severity_spread: float
    proactive_notification: float
    notification_relief: float
    service_quality: float
    quality_noise: float
    disconfirmation_gain: float
    satisfaction_memory: float
    expectation_adaptation: float


def shop(
    pop: Population,
    active: np.ndarray,
    week: int,
    rates: np.ndarray,
    catalogue: Catalogue,
    cfg: SimConfig,
    draws: Draws,
    grievance: GrievanceRule,
    channels: ChannelTerms,
) -> Shopping:
    """Each of ``active`` (node indices) buys or not, and so on; updates their satisfaction, spend and memory.

    Those who meet a failure and keep quiet take their grievance at once.

    ``rates`` are the failure types' per-purchase rates this week (failures.failure_rates).
    A customer who meets a failure first picks the channel they would complain through
    (channels.choose); how easy it is moves their chance to complain.
    """
    market, customer, firm = cfg.market, cfg.customer, cfg.firm
    parameters = ShoppingTerms(
        market.purchase_rate,
        market.purchase_satisfaction_slope,
        market.basket_mean,
        market.basket_satisfaction_slope,
        market.basket_sd,
        cfg.failures.severity_spread,
        firm.proactive_notification,
        firm.notification_relief,
        market.service_quality,
        market.quality_noise,
        customer.disconfirmation_gain,
        customer.satisfaction_memory,
        customer.expectation_adaptation,
    )
    columns = _shop(
        np.asarray(active, dtype=np.int64),
        week,
        draws.origins(UNIFORMS, week),
        (pop.satisfaction, pop.expectation, pop.complaint_propensity, pop.spend, pop.grievance),
        (pop.failures_seen, pop.last_failure_week, pop.last_failure_kind, pop.last_failure_complained),
        (pop.digital_affinity, pop.failed_channel, channels),
        (rates, catalogue.severity_logit, catalogue.loss_share, catalogue.detectable),
        parameters,
        complaint_terms(cfg.complaints, firm.complaint_ease),
        grievance.terms,
    )
    return Shopping(*columns)


@numba.njit(cache=True)
def _shop(active, week, origins, customers, memory, doors, catalogue, parameters, terms, grievance_terms):  # noqa: ANN001, ANN202, PLR0913
    """Compiled loop of shop; a customer's numbers are the week's uniforms at their node."""
    satisfaction, expectation, propensity, spend, grievance = customers
    failures_seen, last_week, last_kind, last_complained = memory
    affinity, failed_channel, channels = doors
    rates, severity_logit, loss_share, detectable = catalogue
    rate, slope = parameters.purchase_rate, parameters.purchase_satisfaction_slope
    cumulative = np.cumsum(rates)
    fail_chance = cumulative[-1]
    shares = cumulative / fail_chance if fail_chance > 0 else cumulative  # no failures: unused
    n = active.size
    buyers, spent, hit = np.empty(n, np.int64), np.empty(n), np.zeros(n, np.bool_)
    failed, kind, severity, loss = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n), np.empty(n)
    notified, felt, before, complained = (
        np.zeros(n, np.bool_),
        np.empty(n),
        np.empty(n),
        np.zeros(n, np.bool_),
    )
    channel = np.empty(n, np.int8)
    # Who buys: decided for all first, then listed. Half buy, at random: a branch on it is
    # mispredicted half the time, and listing as they are decided makes each wait for the last.
    buying = np.empty(n, np.bool_)
    for i in range(n):  # chance_to_buy is rate x exp(slope x (satisfaction - 0.5))
        x = slope * (satisfaction[active[i]] - 0.5)
        buying[i] = below_scaled_exp(uniform(origins[0], active[i]), rate, x)
    bought = 0
    for i in range(n):
        buyers[bought] = active[i]
        bought += buying[i]
    uniforms = np.empty((2, bought))
    for b in range(bought):
        uniforms[0, b], uniforms[1, b] = uniform(origins[1], buyers[b]), uniform(origins[6], buyers[b])
    spread_basket, spread_quality = normal_quantiles(uniforms[0]), normal_quantiles(uniforms[1])
    f = 0
    for b in range(bought):
        node = buyers[b]
        now = satisfaction[node]
        spent[b] = basket(
            now,
            spread_basket[b],
            parameters.basket_mean,
            parameters.basket_satisfaction_slope,
            parameters.basket_sd,
        )
        spend[node] += spent[b]
        drop = 0.0
        if uniform(origins[2], node) < fail_chance:
            hit[b] = True
            failed[f] = node
            kind[f] = failure_type(shares, uniform(origins[3], node))
            severity[f] = failure_severity(
                severity_logit[kind[f]], parameters.severity_spread, uniform(origins[4], node)
            )
            loss[f] = loss_share[kind[f]] * spent[b]
            notified[f] = (
                detectable[kind[f]] and uniform(origins[5], node) < parameters.proactive_notification
            )
            felt[f] = severity[f] * (1.0 - parameters.notification_relief * notified[f])
            before[f] = now
            drop = felt[f]
        quality = quality_met(spread_quality[b], parameters.service_quality, parameters.quality_noise, drop)
        satisfaction[node], expectation[node] = judge(
            now,
            expectation[node],
            quality,
            parameters.disconfirmation_gain,
            parameters.satisfaction_memory,
            parameters.expectation_adaptation,
        )
        if hit[b]:
            u_channel = uniform(origins[8], node)
            channel[f], ease = choose(channels, affinity[node], failed_channel[node], u_channel)
            urge = propensity[node] + channels.ease_slope * (ease - 0.5)  # the desk alone adds exactly 0
            chance = complaint_chance(severity[f], urge, notified[f], terms)
            complained[f] = uniform(origins[7], node) < chance
            failures_seen[node] += 1
            last_week[node] = week
            last_kind[node] = kind[f]
            last_complained[node] = complained[f]
            if not complained[f]:
                grieve(node, SILENT, felt[f], now, satisfaction, grievance, grievance_terms)
            f += 1
    return (
        buyers[:bought],
        spent[:bought],
        hit[:bought],
        failed[:f],
        kind[:f],
        severity[:f],
        loss[:f],
        notified[:f],
        felt[:f],
        before[:f],
        complained[:f],
        channel[:f],
    )
