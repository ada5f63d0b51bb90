"""Each mechanism on its own, against the rule or published figure it encodes."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from sim.mechanisms.acquisition import acquire, marketing_share
from sim.mechanisms.books import COSTS, WeekActivity, weekly_books
from sim.mechanisms.channels import channel_terms
from sim.mechanisms.churn import base_hazard, churn_hazard, decide_to_churn, expose_neighbours
from sim.mechanisms.complaints import complaint_probability
from sim.mechanisms.failures import Catalogue, failure_rates
from sim.mechanisms.grievance import GrievanceRule, tarp_curve
from sim.mechanisms.outcome import compensation_value, recovery_probability
from sim.mechanisms.purchase import chance_to_buy, judge, quality_met
from sim.mechanisms.recovery import team_size, weekly_capacity
from sim.mechanisms.remedies import (
    apply_consistently,
    frontline_authority,
    frontline_resolves,
    policy_terms,
    remedy,
)
from sim.mechanisms.shopping import shop
from sim.mechanisms.wom import public_readers, spread_word_of_mouth, tell_neighbours
from sim.world.config import with_values
from sim.world.market_schema import OutcomeConf, WomConf
from sim.world.network import adjacency
from sim.world.parameter import Apology
from sim.world.population import Experience, Status, draw_population
from sim.world.schema import DelegationConf, FirmConf, PolicyConf, SimConfig
from sim.world.special import below_scaled_exp, exp_cubic, normal_quantile, normal_quantiles
from sim.world.streams import Draws

N = 200_000

# Compiled code calls the C library's exp and expm1 (numba maps np.exp and np.expm1 to libm). NumPy's
# np.exp and np.expm1 run their own SIMD kernels, picked for the CPU at run time, which differ from libm
# in the last bit for some inputs (7% of them on an AMD EPYC with AVX-512): a test that checks compiled
# decisions or bounds against a NumPy formula passes on one CPU and fails on another. Those formulas use
# these instead: Python's math.exp and math.expm1, element by element, are the same libm functions.
libm_exp = np.vectorize(math.exp, otypes=[float])
libm_expm1 = np.vectorize(math.expm1, otypes=[float])


def population(n=N, satisfaction=0.5, seed=0):
    cfg = SimConfig()
    pop = draw_population(n, n, cfg.customer, cfg.firm, np.random.default_rng(seed))
    pop.satisfaction[:] = satisfaction
    return pop


def shopping(cfg, satisfaction=0.5, rates=None, n=N, seed=1):
    """A week of shopping by ``n`` customers at one satisfaction, at the catalogue's rates unless given."""
    catalogue = Catalogue.from_config(cfg.failures)
    pop = draw_population(n, n, cfg.customer, cfg.firm, np.random.default_rng(seed))
    pop.satisfaction[:] = satisfaction
    rates = catalogue.frequency if rates is None else rates
    grievance = GrievanceRule(cfg.churn, cfg.market, cfg.customer)
    doors = channel_terms(cfg.channels, cfg.firm, cfg.complaints)
    return pop, shop(pop, np.arange(n), 0, rates, catalogue, cfg, Draws(seed), grievance, doors)


def test_spend_rises_with_satisfaction_by_both_slopes_together():
    """Buying more often and filling bigger baskets multiply; Kriss's 2.4x between the best and the
    poorest tenth in whole runs is the validation study's (tests/test_validation.py)."""
    cfg = SimConfig()
    spend = {s: shopping(cfg, satisfaction=s)[1].basket.sum() / N for s in (0.1, 0.9)}
    slopes = cfg.market.purchase_satisfaction_slope + cfg.market.basket_satisfaction_slope
    assert spend[0.9] / spend[0.1] == pytest.approx(np.exp(0.8 * slopes), rel=0.05)


def test_a_purchase_is_judged_against_what_the_customer_expected():
    """Oliver's disconfirmation: worse than expected lowers satisfaction; expectations drift to experience."""
    cfg = SimConfig()
    market, customer = cfg.market, cfg.customer
    terms = (customer.disconfirmation_gain, customer.satisfaction_memory, customer.expectation_adaptation)
    expectation, drop = np.array([0.5, 0.5, 0.9]), np.array([0.0, 0.3, 0.0])
    quality = np.array([quality_met(0.0, market.service_quality, market.quality_noise, d) for d in drop])
    np.testing.assert_allclose(quality, market.service_quality - drop)  # z = 0: the median purchase
    after = np.array([judge(0.6, e, q, *terms) for e, q in zip(expectation, quality, strict=True)])
    judged = np.clip(0.5 + customer.disconfirmation_gain * (quality - expectation), 0, 1)
    np.testing.assert_allclose(after[:, 0], 0.6 + customer.satisfaction_memory * (judged - 0.6))
    drift = customer.expectation_adaptation * (np.clip(quality, 0, 1) - expectation)
    np.testing.assert_allclose(after[:, 1], expectation + drift)
    assert after[1, 0] < after[0, 0]  # the failed purchase is judged worse


def test_a_failure_spoils_the_purchase_it_comes_with():
    """A week of shopping: those who met a failure end less satisfied than those who did not."""
    cfg = with_values(SimConfig(), **{"firm.proactive_notification": 0.0})
    pop, week = shopping(cfg, satisfaction=0.6, rates=Catalogue.from_config(cfg.failures).frequency * 10)
    fine = week.buyers[~week.hit]
    assert pop.satisfaction[week.failed].mean() < pop.satisfaction[fine].mean() - 0.05
    np.testing.assert_array_equal(week.felt, week.severity)  # nobody was warned
    np.testing.assert_array_equal(pop.failures_seen[week.failed], 1)
    np.testing.assert_array_equal(pop.last_failure_complained[week.failed], week.complained)
    np.testing.assert_allclose(pop.spend[week.buyers], week.basket)


def test_failures_arrive_by_type_in_proportion_to_their_rates():
    cfg = SimConfig()
    catalogue = Catalogue.from_config(cfg.failures)
    rates = catalogue.frequency * 10  # more failures, tighter estimate
    _, week = shopping(cfg, rates=rates)
    assert week.hit.mean() == pytest.approx(rates.sum(), rel=0.03)
    shares = np.bincount(week.kind, minlength=len(rates)) / week.failed.size
    np.testing.assert_allclose(shares, rates / rates.sum(), atol=0.01)
    np.testing.assert_allclose(week.loss, catalogue.loss_share[week.kind] * week.basket[week.hit])
    assert np.all((week.severity > 0) & (week.severity < 1))


def test_root_cause_learning_lowers_only_the_types_complained_about():
    cfg = SimConfig()
    catalogue = Catalogue.from_config(cfg.failures)
    logged = np.array([0.0, 500.0, 0.0, 0.0])
    rates = failure_rates(catalogue, logged, cfg.firm)
    assert rates[0] == catalogue.frequency[0]
    assert rates[1] < catalogue.frequency[1] * (1 - 0.5 * cfg.firm.learning_max_reduction * 0.9)
    off = FirmConf(root_cause_learning=0.0)
    np.testing.assert_array_equal(failure_rates(catalogue, logged, off), catalogue.frequency)


def test_complaint_shares_over_the_catalogue_match_published_figures():
    """Goodman & Newman 2003 / TARP: 2-5% complain about minor problems, 50-80% about serious ones.

    Shares are over the failures the default catalogue produces, split at
    ``severe_threshold``, as the summary reports them.
    """
    cfg = SimConfig()
    frequency = Catalogue.from_config(cfg.failures).frequency
    pop, week = shopping(cfg, rates=frequency / frequency.sum(), seed=3)  # every purchase fails, same mix
    propensity = pop.complaint_propensity[week.failed]
    p = complaint_probability(
        week.severity, propensity, np.zeros(week.failed.size, bool), cfg.complaints, 0.5
    )
    minor = week.severity < cfg.failures.severe_threshold
    assert 0.02 <= p[minor].mean() <= 0.05
    assert 0.50 <= p[~minor].mean() <= 0.80


def test_easier_complaining_and_notification_move_complaints_the_right_way():
    conf = SimConfig().complaints
    sev, prop = np.array([0.3]), np.zeros(1)
    easy = complaint_probability(sev, prop, np.zeros(1, bool), conf, 1.0)
    hard = complaint_probability(sev, prop, np.zeros(1, bool), conf, 0.0)
    told = complaint_probability(sev, prop, np.ones(1, bool), conf, 0.5)
    plain = complaint_probability(sev, prop, np.zeros(1, bool), conf, 0.5)
    assert easy > plain > hard and told < plain


@pytest.mark.parametrize(
    ("apology", "share", "target"),
    [(False, 0.0, 0.10), (True, 0.0, 0.35), (False, 1.0, 0.37), (True, 1.0, 0.74)],
)
def test_recovery_satisfaction_reproduces_the_rage_study(apology, share, target):
    """Customer Rage Study 2013/2015: 37% with money only, 74% with money and apology, at its conditions."""
    sd = SimConfig().customer.price_sensitivity_sd
    rng = np.random.default_rng(4)
    price = np.exp(rng.normal(-0.5 * sd**2, sd, N))
    conf = OutcomeConf()
    rage = (np.full(N, conf.reference_days), np.full(N, conf.reference_contacts))
    p = recovery_probability(
        np.full(N, apology), np.full(N, share), price, *rage, np.zeros(N, bool), conf, 3.0
    )
    assert p.mean() == pytest.approx(target, abs=0.015)


def test_compensation_flattens_after_the_loss_and_backfires_past_150_percent():
    """Gelbrich et al. 2015; Haesevoets et al. 2017."""
    value = compensation_value(np.array([0.5, 1.0, 1.25, 1.5, 2.0]), OutcomeConf())
    assert value[0] < value[1]
    assert value[2] - value[1] < 0.05 * value[1]  # little gained beyond the loss
    assert value[4] < value[3] and value[4] < value[1]  # over-compensation backfires


def test_slower_answers_more_contacts_and_blame_hunting_lower_satisfaction():
    """Procedural justice felt from the first day: sooner is better even inside the response target."""
    args = (np.ones(1, bool), np.ones(1), np.ones(1))
    conf = OutcomeConf()

    def chance(days: float, contacts: float, blamed: bool = False) -> float:
        return recovery_probability(
            *args, np.array([days]), np.array([contacts]), np.array([blamed]), conf, 3.0
        )[0]

    assert chance(0.5, 1) > chance(2.0, 1) > chance(2.0, 2) > chance(9.0, 2) > chance(9.0, 4)
    assert chance(2.0, 2, blamed=True) < chance(2.0, 2)
    # procedural justice is the weakest of the three (Orsingher et al. 2010)
    assert conf.days_penalty < conf.apology_effect and conf.contact_penalty < conf.compensation_effect


def test_policy_is_applied_by_one_function_with_per_type_procedures():
    cfg = SimConfig()
    cfg.failures.catalogue["billing_error"].compensation = 1.5
    catalogue = Catalogue.from_config(cfg.failures)
    terms = policy_terms(PolicyConf(apology=Apology.severe_only, compensation=0.5), catalogue, 0.5)
    given = [remedy(kind, severity, 10.0, *terms) for kind, severity in [(0, 0.2), (0, 0.8), (2, 0.2)]]
    apology, money = ([case[i] for case in given] for i in (0, 1))
    assert apology == [False, True, False]
    assert money == [5.0, 5.0, 15.0]  # billing errors follow their own procedure


def test_frontline_authority_follows_delegation():
    n = 20_000  # one call per case from Python; 0.75 +- 0.01 is 3.3 standard errors
    u = np.random.default_rng(5).random(n)
    money = np.where(np.arange(n) % 2 == 0, 10.0, 100.0)

    def resolved(delegation: DelegationConf) -> np.ndarray:
        authority = frontline_authority(delegation)
        return np.array([frontline_resolves(True, m, authority, v) for m, v in zip(money, u, strict=True)])

    none = resolved(DelegationConf(first_contact_resolution=0.0, may_apologise=False))
    full = resolved(DelegationConf(first_contact_resolution=0.75, compensation_cap=None))
    partial = resolved(DelegationConf(first_contact_resolution=0.75, compensation_cap=30.0))
    assert none.sum() == 0
    assert full.mean() == pytest.approx(0.75, abs=0.01)
    assert not partial[money > 30].any() and partial[money <= 30].mean() == pytest.approx(0.75, abs=0.01)


def test_inconsistent_staff_give_at_most_one_remedy():
    rng = np.random.default_rng(6)
    n = 20_000  # one call per case from Python; 0.5 +- 0.01 is 2.8 standard errors

    def given(consistency: float) -> np.ndarray:
        return np.array([apply_consistently(True, 10.0, consistency, *u) for u in rng.random((n, 2))])

    assert (given(1.0) == [1.0, 10.0]).all()
    improvised = given(0.0)
    assert not ((improvised[:, 0] == 1) & (improvised[:, 1] > 0)).any()
    assert improvised[:, 0].mean() == pytest.approx(0.5, abs=0.01)


def test_weekly_capacity_carries_fractions_over():
    firm = FirmConf(staff=3, cases_per_staff_week=2.5)
    assert sum(weekly_capacity(team_size(firm, 10_000), firm, w) for w in range(1, 101)) == 750


def test_the_team_follows_the_market_unless_its_size_is_set():
    assert team_size(FirmConf(staff=None, staff_per_10k=1.5), 40_000) == pytest.approx(6.0)
    assert team_size(FirmConf(staff=2, staff_per_10k=1.5), 40_000) == 2.0


def test_grievance_reproduces_tarp_repurchase_at_its_anchors():
    """TARP: minor 37/46/70/95%, major 9/19/54/82% repurchase."""
    conf = SimConfig().churn
    a, g = tarp_curve(conf)
    for severity, ladder in (
        (conf.minor_severity, conf.repurchase_minor),
        (conf.major_severity, conf.repurchase_major),
    ):
        np.testing.assert_allclose(np.exp(-a * severity**g), ladder)


def test_grievance_is_tarps_hazard_less_what_the_satisfaction_gap_adds():
    """Customers who buy every week close a gap by satisfaction_memory a purchase; walk that path by hand."""
    cfg = with_values(SimConfig(), **{"market.purchase_rate": 1.0, "market.purchase_satisfaction_slope": 0.0})
    rule = GrievanceRule(cfg.churn, cfg.market, cfg.customer)
    silent, now, gap = Experience.SILENT, 0.4, 0.2
    tarp = rule.tarp_hazard(silent, 0.3)
    by_hand, s = 0.0, now
    for _ in range(52):
        by_hand += base_hazard(s, cfg.churn) - base_hazard(now + gap, cfg.churn)
        s += cfg.customer.satisfaction_memory * (now + gap - s)
    assert rule.satisfaction_hazard(now, gap) == pytest.approx(by_hand)
    assert 0 < by_hand < tarp
    assert rule.weekly(silent, 0.3, now, gap) == pytest.approx((tarp - by_hand) * (1 - rule.fade))
    assert rule.weekly(silent, 0.3, now, 0.0) == pytest.approx(tarp * (1 - rule.fade))
    assert rule.weekly(silent, 0.01, 0.0, 1.0) == 0.0  # a gap that says more than TARP leaves none


@pytest.mark.parametrize("memory", [0.0, 1e-9, 0.25, 1.0])
def test_grievance_sums_its_year_by_powers_as_exactly_as_week_by_week(memory):
    """satisfaction_hazard sums expm1's series power by power; the 52 weeks one by one agree to 1e-12."""
    cfg = with_values(SimConfig(), **{"customer.satisfaction_memory": memory})
    rule, market = GrievanceRule(cfg.churn, cfg.market, cfg.customer), cfg.market
    slope = cfg.churn.satisfaction_slope
    for now in (0.0, 0.3, 0.9):
        buys = chance_to_buy(now, market.purchase_rate, market.purchase_satisfaction_slope)
        mended = memory * min(1.0, buys)
        for gap in (0.0, 1e-9, 0.05, 1.0 - now):
            by_week, left = 0.0, gap
            for _ in range(52):
                by_week += base_hazard(now + gap, cfg.churn) * np.expm1(slope * left)
                left *= 1.0 - mended
            assert rule.satisfaction_hazard(now, gap) == pytest.approx(by_week, rel=1e-12, abs=0.0)


def test_churn_hazard_falls_with_satisfaction_and_rises_80_percent_per_churned_neighbour():
    conf = SimConfig().churn
    pop = population(n=3)
    pop.satisfaction[:] = [0.2, 0.8, 0.8]
    pop.contagion[:] = [0.0, 0.0, 1.0]
    h = churn_hazard(pop, np.arange(3), conf)
    assert h[0] > h[1]
    assert h[2] / h[1] == pytest.approx(1.8)


def test_leavers_are_those_who_draw_below_one_minus_exp_of_their_hazard():
    """decide_to_churn skips computing that chance where the draw is above the hazard; same decisions."""
    conf = with_values(SimConfig(), **{"churn.base_hazard": 0.05}).churn  # many leavers
    rng = np.random.default_rng(4)
    pop = population(n=N)
    pop.satisfaction[:] = rng.random(N)
    pop.grievance[:] = rng.exponential(0.05, N) * (rng.random(N) < 0.2)
    pop.contagion[:] = rng.exponential(1.0, N) * (rng.random(N) < 0.3)
    active = np.flatnonzero(rng.random(N) < 0.7)
    draws = Draws(5)
    leavers = decide_to_churn(pop, active, conf, draws.origin("churn", 3))
    chance = -libm_expm1(-churn_hazard(pop, active, conf))  # libm's, as the compiled loop (see libm_exp)
    np.testing.assert_array_equal(leavers, active[draws("churn", active, 3) < chance])
    assert leavers.size > 0.05 * active.size


def test_the_cubic_bounds_exp_from_both_sides():
    """Churn, joining and buying skip exp where these bounds decide; a wrong side would change decisions.

    The bounds are checked against the exp the compiled code calls, libm's (see libm_exp): near x = 0
    the cubic and exp agree to the last bit, where NumPy's SIMD exp can be one below libm's.
    """
    tiny = np.geomspace(1e-18, 1.0, 10_001)
    x = np.concatenate([np.linspace(-40.0, 40.0, 800_001), tiny, -tiny])
    below, above = np.array([exp_cubic(v) for v in x]), np.array([exp_cubic(-v) for v in x])
    exp = libm_exp(x)
    assert (below <= exp).all()
    assert (above[above > 0] * exp[above > 0] <= 1.0 + 1e-15).all()  # 1 / above >= exp(x)
    small = np.abs(x) < 0.5
    assert (exp[small] * above[small] > 0.995).all()  # tight where most customers are
    assert (below[small] / exp[small] > 0.995).all()


def test_below_scaled_exp_is_the_plain_comparison_even_at_the_edge():
    """Half the draws sit on the edge, scale * exp(x), or just below it.

    The edge is the compiled code's own, computed with libm's exp (see libm_exp): with NumPy's, a
    last-bit difference would flip the answer there.
    """
    rng = np.random.default_rng(5)
    x, scale = rng.uniform(-5.0, 3.0, 200_000), rng.choice([0.0, 0.006, 0.35, 2.0], 200_000)
    edge = scale * libm_exp(x)
    nudge = 1.0 + rng.choice([-1, 0, 1], 100_000) * 1e-16
    u = np.concatenate([rng.random(100_000), edge[100_000:] * nudge])
    plain = u < edge
    assert (np.array([below_scaled_exp(*a) for a in zip(u, scale, x, strict=True)]) == plain).all()
    assert 0.2 < plain[:100_000].mean() < 0.8


def test_normal_quantile_is_scipys_within_its_published_error():
    """Acklam's bound, 1.15e-9 relative, in the centre; SciPy's own ndtri in the tails (same numbers)."""
    from scipy.special import ndtri

    rng = np.random.default_rng(3)
    tails = np.linspace(0.0, 0.03, 3001)
    p = np.concatenate([rng.random(200_000), tails, 1.0 - tails[1:]])
    ours, scipys = np.array([normal_quantile(v) for v in p]), ndtri(p)
    central = (p >= 0.02425) & (p <= 1.0 - 0.02425)
    assert (np.abs(ours[central] / scipys[central] - 1) < 1.2e-9).all()
    assert (ours[~central] == scipys[~central]).all()  # -inf at 0 included
    assert np.abs(ours[central] / scipys[central] - 1).max() > 1e-10  # the approximation is the one in use
    np.testing.assert_array_equal(normal_quantiles(p), ours)  # all at once, the same numbers


def test_churn_exposure_reaches_neighbours_only_and_fades():
    conf = SimConfig().churn
    pop = population(n=4)
    adj = adjacency(nx.path_graph(4))
    expose_neighbours(pop, adj, np.array([0]), conf)
    assert pop.contagion.tolist() == [0.0, 1.0, 0.0, 0.0]
    expose_neighbours(pop, adj, np.array([], dtype=int), conf)
    assert pop.contagion[1] == pytest.approx(0.5 ** (1 / conf.contagion_half_life))


def test_negative_stories_reach_twice_as_many_people_as_positive_ones():
    """TARP; Goodman & Newman 2003: told about 10 vs about 5."""
    wom = WomConf()
    adj = adjacency(nx.complete_graph(41))  # everyone has 40 friends
    tellers = np.zeros(20_000, dtype=np.int64)
    influence = np.ones(41)
    bad = tell_neighbours(adj, tellers, wom.negative_reach, influence, np.uint64(7)).sum() / tellers.size
    good = tell_neighbours(adj, tellers, wom.positive_reach, influence, np.uint64(8)).sum() / tellers.size
    assert bad == pytest.approx(10, rel=0.02) and good == pytest.approx(5, rel=0.02)
    assert tell_neighbours(adj, tellers[:3], 10, influence, np.uint64(9))[0] == 0  # nobody tells themselves


def test_a_teller_with_few_friends_tells_them_all():
    adj = adjacency(nx.path_graph(3))
    heard = tell_neighbours(adj, np.array([1]), 10.0, np.ones(3), np.uint64(8))
    assert heard.tolist() == [1.0, 0.0, 1.0]


def test_a_tellers_story_reaches_the_same_friends_whoever_else_tells():
    """Common random numbers for word of mouth: a story's reach is the teller's own luck."""
    adj = adjacency(nx.watts_strogatz_graph(500, 10, 0.1, seed=3))
    alone = tell_neighbours(adj, np.array([17]), 5.0, np.ones(500), np.uint64(4))
    crowd = tell_neighbours(adj, np.array([3, 17, 250, 3]), 5.0, np.ones(500), np.uint64(4))
    others = tell_neighbours(adj, np.array([3, 250, 3]), 5.0, np.ones(500), np.uint64(4))
    np.testing.assert_array_equal(crowd - others, alone)
    twice = tell_neighbours(adj, np.array([17, 17]), 5.0, np.ones(500), np.uint64(4))
    assert not np.array_equal(twice, 2 * alone)  # telling again is a fresh draw


def test_stories_move_customers_satisfaction_and_prospects_attitude_only():
    wom = WomConf()
    pop = population(n=4, satisfaction=0.5)
    pop.status[:] = [Status.ACTIVE, Status.ACTIVE, Status.PROSPECT, Status.CHURNED]
    pop.influence[:] = 100.0  # the teller reaches every friend
    adj = adjacency(nx.star_graph(3))  # node 0 is everyone's friend
    no_posts = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.bool_))
    origins = (np.uint64(1), np.uint64(2))
    rng = np.random.default_rng(0)
    told = spread_word_of_mouth(pop, adj, np.array([0]), np.array([0]), no_posts, wom, origins, rng)
    assert (told.told_negative, told.told_positive) == (3, 3)
    assert pop.satisfaction[1] == pytest.approx(0.5 + wom.positive_effect - wom.negative_effect)
    assert pop.attitude[2] == pytest.approx(wom.prospect_positive - wom.prospect_negative)
    assert pop.satisfaction[0] == 0.5 and pop.attitude[3] == 0.0  # the teller hears nothing; leavers ignore


def test_a_pleased_complainants_post_is_good_news_and_a_displeased_ones_bad_news():
    """Every public post used to count as bad news, a satisfied complainant's praise included."""
    wom = WomConf(public_reach=400)
    moved = {}
    for praising in (True, False):
        pop = population(n=200, satisfaction=0.5)
        pop.status[:] = Status.ACTIVE
        adj = adjacency(nx.empty_graph(200))  # no friends: only the post is read
        posts = (np.array([7]), np.array([praising]))
        none = np.empty(0, dtype=np.int64)
        spread_word_of_mouth(
            pop, adj, none, none, posts, wom, (np.uint64(1), np.uint64(2)), np.random.default_rng(0)
        )
        moved[praising] = pop.satisfaction.mean() - 0.5
    assert moved[True] > 0 > moved[False]
    assert moved[True] == pytest.approx(-moved[False] * wom.positive_effect / wom.negative_effect)


def test_public_posts_reach_beyond_the_network():
    readers = public_readers(np.array([0, 1]), 1000, 100, np.random.default_rng(9))
    assert readers.size == 200 and np.unique(readers).size > 150  # 181 expected from 200 random draws


def test_good_news_and_a_bolder_promise_raise_acquisition():
    cfg = SimConfig()

    def joined(attitude, promise):
        pop = population(n=N)
        pop.status[:] = Status.PROSPECT
        pop.attitude[:] = attitude
        firm = FirmConf(promise_level=promise)
        return acquire(pop, np.arange(N), cfg.market, firm, cfg.wom, Draws(10).origin("acquire", 0))[0].size

    assert joined(1.0, 0.5) > joined(0.0, 0.5) > joined(-1.0, 0.5)
    assert joined(0.0, 1.0) > joined(0.0, 0.5)


def test_prospects_join_when_they_draw_below_one_minus_exp_of_their_hazard():
    """acquire passes over prospects who could not join without computing their chance; same decisions."""
    cfg = with_values(SimConfig(), **{"market.marketing_rate": 0.05})
    rng = np.random.default_rng(11)
    pop = population(n=N)
    pop.status[:] = Status.PROSPECT
    pop.attitude[:] = rng.normal(0.0, 1.0, N) * (rng.random(N) < 0.5)
    prospects = np.flatnonzero(rng.random(N) < 0.7)
    attitude, draws = pop.attitude[prospects].copy(), Draws(12)
    joined, _ = acquire(pop, prospects, cfg.market, cfg.firm, cfg.wom, draws.origin("acquire", 2))
    firm = cfg.firm
    rate = cfg.market.marketing_rate * np.exp(firm.promise_acquisition_effect * (firm.promise_level - 0.5))
    # rate is acquire's own NumPy expression (the same number as acquire's on any CPU); the rest is compiled
    chance = -libm_expm1(-rate * libm_exp(cfg.wom.attitude_slope * attitude))  # the compiled loop's exps
    np.testing.assert_array_equal(joined, prospects[draws("acquire", prospects, 2) < chance])
    assert np.all(pop.status[joined] == Status.ACTIVE)


def test_a_customer_won_by_good_news_costs_only_marketings_share():
    """Joining at rate x exp(slope x attitude): the part above the marketing rate is word of mouth's."""
    slope = WomConf().attitude_slope
    shares = marketing_share(np.array([-1.0, 0.0, 1.0]), slope)
    np.testing.assert_allclose(shares, [1.0, 1.0, np.exp(-slope)])


def test_profit_is_revenue_less_every_cost():
    books = weekly_books(
        WeekActivity(
            revenue=1000.0,
            compensation=50.0,
            complaints=4,
            contact_cost=20.0,
            escalated_closed=2,
            repeat_contacts=3,
            notifications=5,
            acquired=2,
            marketed=1.5,
            won_back=0,
        ),
        SimConfig().market,
        FirmConf(),
        2.0,
    )
    assert books["profit"] == pytest.approx(books["revenue"] - sum(books[c] for c in COSTS))
    assert books["acquisition_cost"] == pytest.approx(1.5 * SimConfig().market.acquisition_cost)
    assert books["recovery_cost"] == pytest.approx(
        books["compensation_paid"] + books["handling_cost"] + books["staff_cost"]
    )


def test_small_world_keeps_every_node_at_degree_k_on_average_without_loops_or_repeats():
    from sim.world.network import small_world

    adj = small_world(5000, 10, 0.3, np.random.default_rng(12))
    assert adj.nnz == 5000 * 10  # each of the 25,000 links once in each direction
    assert adj.diagonal().sum() == 0 and adj.max() == 1
    assert (adj != adj.T).nnz == 0
    lattice = small_world(50, 4, 0.0, np.random.default_rng(0))
    assert sorted(lattice[0].indices) == [1, 2, 48, 49]
    clustering = nx.average_clustering(
        nx.from_scipy_sparse_array(small_world(2000, 10, 0.1, np.random.default_rng(1)))
    )
    assert clustering > 0.4  # still a small world: far more clustered than a random graph (~0.005)


def test_named_uniforms_are_uniform_and_independent_across_names_weeks_and_seeds():
    from scipy import stats

    from sim.world.streams import Draws

    nodes = np.arange(N)
    draws = Draws(13)
    a = draws("complain", nodes, week=4)
    others = {
        "another name": draws("outcome", nodes, week=4),
        "the next week": draws("complain", nodes, week=5),
        "another seed": Draws(14)("complain", nodes, week=4),
        "the next node": np.roll(a, 1),
    }
    assert stats.kstest(a, "uniform").pvalue > 0.01
    for what, b in others.items():
        assert abs(np.corrcoef(a, b)[0, 1]) < 4 / np.sqrt(N), what  # 4 standard errors of r


def test_a_node_gets_the_same_number_whoever_else_asks_and_whenever():
    from sim.world.streams import Draws

    one, two = Draws(3), Draws(3)
    late = two("complain", np.arange(100), week=7)
    assert np.array_equal(one("complain", np.array([40, 7]), week=7), late[[40, 7]])
    two("churn", np.arange(100), week=8)  # asking for other numbers first changes nothing
    assert np.array_equal(one("complain", np.arange(100), week=7), two("complain", np.arange(100), week=7))


def test_clustered_power_law_closes_triangles_and_keeps_m_ties_per_newcomer():
    from sim.world.network import powerlaw_cluster

    def shape(p: float) -> tuple[float, float, float]:
        adj = powerlaw_cluster(4000, 5, p, np.random.default_rng(11))
        assert adj.diagonal().sum() == 0 and adj.max() == 1 and (adj != adj.T).nnz == 0
        degree = np.asarray(adj.sum(axis=1)).ravel()
        return degree.mean(), degree.max(), nx.transitivity(nx.from_scipy_sparse_array(adj))

    plain, clustered = shape(0.0), shape(0.9)
    assert plain[0] == pytest.approx(10, abs=0.05) and clustered[0] == pytest.approx(10, abs=0.1)
    assert plain[1] > 60  # hubs: preferential attachment
    assert clustered[2] > 3 * plain[2]  # closing triangles clusters the graph
    again = powerlaw_cluster(4000, 5, 0.9, np.random.default_rng(11))
    assert (again != powerlaw_cluster(4000, 5, 0.9, np.random.default_rng(11))).nnz == 0


def test_weighted_graphs_become_plain_ties():
    graph = nx.Graph()
    graph.add_edge(0, 1, weight=5.0)
    graph.add_edge(1, 2, weight=0.5)
    assert adjacency(graph).toarray().tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]


def test_scale_free_is_igraphs_barabasi_game_on_the_same_numbers():
    """sim builds igraph's graph itself (igraph asked Python for every number: minutes at 10 million)."""
    import random

    import igraph

    from sim.world.network import scale_free, symmetric

    for n, m, seed in ((2, 1, 0), (7, 3, 1), (130, 5, 2), (5000, 5, 3), (3000, 1, 4), (800, 12, 5)):
        seeded = random.Random(int(np.random.default_rng(seed).integers(2**63 - 1)))
        igraph.set_random_number_generator(seeded)
        try:
            edges = np.array(igraph.Graph.Barabasi(n, m).get_edgelist()).reshape(-1, 2)
        finally:
            igraph.set_random_number_generator(random)
        ours = scale_free(n, m, np.random.default_rng(seed))
        theirs = symmetric(edges[:, 0], edges[:, 1], n)
        assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)


def test_generated_networks_for_a_seed_are_those_of_earlier_versions():
    """The 10-million-customer rewrite of the generators and of the CSR build kept every graph."""
    import hashlib

    from sim.world.network import build_network
    from sim.world.parameter import NetworkKind
    from sim.world.schema import NetworkConf

    def digest(matrix) -> str:
        parts = [matrix.indptr.dtype.str, matrix.indices.dtype.str, matrix.data.dtype.str]
        d = hashlib.sha1("|".join([*parts, str(matrix.shape), str(matrix.has_sorted_indices)]).encode())
        for array in (matrix.indptr, matrix.indices, matrix.data):
            d.update(np.ascontiguousarray(array).tobytes())
        return d.hexdigest()[:16]

    before = {  # sha1 of (dtypes, shape, indptr, indices, data) made by the code of commit 3e0ded5
        ("small_world", 0): "e78fbd4095fc9602",
        ("small_world", 7): "8e9079e03626c404",
        ("scale_free", 0): "7db3228a47ea6c10",
        ("scale_free", 7): "661627eb2656dbed",
        ("powerlaw_cluster", 0): "a444e6ca0aef4926",
        ("powerlaw_cluster", 7): "30aac5bf7f56f5d2",
    }
    for (kind, seed), expected in before.items():
        matrix = build_network(NetworkConf(kind=NetworkKind(kind)), 2000, np.random.default_rng(seed))
        assert digest(matrix) == expected, (kind, seed)
