"""The per-agent reference: the core rules written the idiomatic Mesa way, one step() per customer.

This is the readable statement of what a customer does in a week, and the
docking partner of the vectorised model (tests/test_docking.py): on small
markets both give the same distributions of headline outcomes. It covers
buying, failures, complaining or staying silent, the recovery outcome, churn,
word of mouth and acquisition, in the setting where the recovery team is large
enough that no complaint waits and learning, notification, blame
investigation, budgets and win-back are off (:func:`docking_config`).

The published response curves (complaint probability, satisfaction with
recovery, the TARP grievance rule) are the same functions the vectorised
model uses; everything around them is written here again, per customer, with
Mesa's own random generator. News (stories heard, neighbours who left) lands
in an inbox read at the start of the hearer's next step, as in the vectorised
model where this week's word of mouth moves next week's decisions.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.discrete_space import FixedAgent, Network

from sim.mechanisms.books import WeekActivity, weekly_books
from sim.mechanisms.complaints import complaint_probability
from sim.mechanisms.failures import APOLOGY_CODES, Catalogue
from sim.mechanisms.grievance import GrievanceRule
from sim.mechanisms.outcome import recovery_probability
from sim.mechanisms.recovery import team_size
from sim.world.config import to_sim_config, with_values
from sim.world.network import build_network, to_networkx
from sim.world.population import Experience, Status, draw_population
from sim.world.schema import SimConfig
from sim.world.streams import spawn_streams


def docking_config(**overrides) -> SimConfig:
    """The setting both models share: no queue, no learning, notification, blame, budget or win-back."""
    base = {
        "firm.staff": 1,
        "firm.cases_per_staff_week": 1e9,
        "firm.root_cause_learning": 0.0,
        "firm.proactive_notification": 0.0,
        "firm.winback_offer": 0.0,
        "firm.investigate_blame": False,
        "firm.recovery_budget": None,
        "firm.policy_consistency": 1.0,
    }
    return with_values(to_sim_config(None), **{**base, **overrides})


class Shopper(FixedAgent):
    """One person, whose week is one step(): hear the news, buy, perhaps fail and complain, perhaps leave."""

    def __init__(self, model: ReferenceModel, cell, row: int) -> None:
        super().__init__(model)
        self.cell = cell
        pop = model.traits
        self.status = Status(pop.status[row])
        self.satisfaction = float(pop.satisfaction[row])
        self.expectation = float(pop.expectation[row])
        self.start_satisfaction = float(pop.start_satisfaction[row])
        self.propensity = float(pop.complaint_propensity[row])
        self.influence = float(pop.influence[row])
        self.price_sensitivity = float(pop.price_sensitivity[row])
        self.attitude = self.grievance = self.contagion = 0.0
        self.failures_seen, self.last_failure_week, self.last_complained = 0, -1, False
        self.inbox = {"bad": 0, "good": 0, "public_bad": 0, "public_good": 0, "left": 0}

    # the week
    def step(self) -> None:
        """One week of this person's life."""
        self.read_inbox()
        if self.status is Status.PROSPECT:
            self.consider_joining()
        elif self.status is Status.ACTIVE:
            if self.model.random.random() < self.purchase_probability():
                self.buy()
            self.consider_leaving()
        self.grievance *= self.model.grievance.fade

    def read_inbox(self) -> None:
        """Last week's stories and departures reach this person now."""
        c, news = self.model.config, self.inbox
        self.contagion = self.contagion * self.model.contagion_fade + news["left"]
        bad = news["bad"] + c.wom.public_weight * news["public_bad"]
        good = news["good"] + c.wom.public_weight * news["public_good"]
        if self.status is Status.ACTIVE:
            moved = self.satisfaction + c.wom.positive_effect * good - c.wom.negative_effect * bad
            self.satisfaction = min(1.0, max(0.0, moved))
        elif self.status is Status.PROSPECT:
            self.attitude += c.wom.prospect_positive * good - c.wom.prospect_negative * bad
        self.attitude *= self.model.attitude_fade
        self.inbox = {"bad": 0, "good": 0, "public_bad": 0, "public_good": 0, "left": 0}

    def purchase_probability(self) -> float:
        """Satisfied customers buy more often (S1)."""
        m = self.model.config.market
        return m.purchase_rate * math.exp(m.purchase_satisfaction_slope * (self.satisfaction - 0.5))

    def buy(self) -> None:
        """Spend, perhaps meet a failure, judge the purchase, and complain or stay silent."""
        m, c = self.model.config.market, self.model.config
        tilt = self.satisfaction - 0.5
        basket = m.basket_mean * math.exp(
            m.basket_satisfaction_slope * tilt
            + m.basket_sd * self.model.random.gauss(0, 1)
            - 0.5 * m.basket_sd**2
        )
        self.model.week_revenue += basket
        failure = self.meet_failure(basket)
        felt = failure[1] if failure else 0.0
        before = self.satisfaction
        self.judge(felt)
        if failure is None:
            delighted = self.satisfaction >= c.wom.delight_threshold
            if delighted and self.model.random.random() < c.wom.delight_tell:
                self.tell("good")
            return
        kind, severity, loss = failure
        self.failures_seen += 1
        self.last_failure_week = self.model.steps
        self.model.week_failures += 1
        p = complaint_probability(severity, self.propensity, False, c.complaints, c.firm.complaint_ease)
        self.last_complained = self.model.random.random() < p
        if self.last_complained:
            self.model.firm.hear_complaint(self, kind, severity, loss, before)
        else:
            self.add_grievance(Experience.SILENT, severity, before)
            if self.model.random.random() < c.wom.silent_tell * severity:
                self.tell("bad")

    def meet_failure(self, basket: float) -> tuple[int, float, float] | None:
        """A failure from the catalogue (type, severity, loss), or None."""
        cat, rnd = self.model.catalogue, self.model.random
        if rnd.random() >= cat.frequency.sum():
            return None
        kind = min(
            int(np.searchsorted(np.cumsum(cat.frequency) / cat.frequency.sum(), rnd.random(), "right")),
            len(cat.frequency) - 1,
        )
        mean = min(max(cat.severity[kind], 1e-6), 1 - 1e-6)
        z = math.log(mean / (1 - mean)) + self.model.config.failures.severity_spread * rnd.gauss(0, 1)
        return kind, 1.0 / (1.0 + math.exp(-z)), cat.loss_share[kind] * basket

    def judge(self, drop: float) -> None:
        """Expectation-disconfirmation: the purchase is judged against what was expected (S21)."""
        m, k = self.model.config.market, self.model.config.customer
        quality = m.service_quality + m.quality_noise * self.model.random.gauss(0, 1) - drop
        judged = min(1.0, max(0.0, 0.5 + k.disconfirmation_gain * (quality - self.expectation)))
        self.satisfaction += k.satisfaction_memory * (judged - self.satisfaction)
        self.expectation += k.expectation_adaptation * (min(1.0, max(0.0, quality)) - self.expectation)

    def settle(self, satisfied: bool, quick: bool, severity: float, before: float) -> None:
        """The recovery's outcome moves satisfaction and the risk of leaving."""
        o = self.model.config.outcome
        if satisfied:
            mended = self.satisfaction + o.restore_share * max(0.0, before - self.satisfaction)
            if quick and self.failures_seen == 1 and severity < self.model.config.failures.severe_threshold:
                mended = max(mended, before + o.paradox_bonus)
            self.satisfaction = min(1.0, max(0.0, mended))
        else:
            self.satisfaction = min(1.0, max(0.0, self.satisfaction - o.double_deviation))
        experience = (
            Experience.RESOLVED_QUICKLY
            if satisfied and quick
            else (Experience.RESOLVED if satisfied else Experience.UNRESOLVED)
        )
        self.add_grievance(experience, severity, before)

    def add_grievance(self, experience: Experience, severity: float, before: float) -> None:
        """The excess hazard that, fading, sums to TARP's figure less what the satisfaction gap adds."""
        gap = before - self.satisfaction
        self.grievance += float(self.model.grievance.weekly(experience, severity, self.satisfaction, gap))

    def consider_leaving(self) -> None:
        """Churn hazard from satisfaction, grievance and departed neighbours (S2)."""
        c = self.model.config.churn
        base = c.base_hazard * math.exp(c.satisfaction_slope * (0.5 - self.satisfaction))
        hazard = (base + self.grievance) * c.contagion_hazard_ratio**self.contagion
        if self.model.random.random() < 1 - math.exp(-hazard):
            self.status = Status.CHURNED
            recent = (
                self.last_failure_week >= 0
                and self.model.steps - self.last_failure_week <= c.attribution_weeks
            )
            self.model.week_churned[
                "after_complaint" if recent and self.last_complained else "silent" if recent else "unprovoked"
            ] += 1
            self.grievance = 0.0
            for neighbour in self.cell.neighborhood.agents:
                neighbour.inbox["left"] += 1
            if self.model.random.random() < self.model.config.wom.churn_tell:
                self.tell("bad")

    def consider_joining(self) -> None:
        """Marketing, promise and what the prospect heard make a customer (S1, S21)."""
        f, m, w = self.model.config.firm, self.model.config.market, self.model.config.wom
        hazard = (
            m.marketing_rate
            * math.exp(f.promise_acquisition_effect * (f.promise_level - 0.5))
            * math.exp(w.attitude_slope * self.attitude)
        )
        if self.model.random.random() < 1 - math.exp(-hazard):
            self.model.week_marketed += min(1.0, math.exp(-w.attitude_slope * self.attitude))
            self.status = Status.ACTIVE
            self.satisfaction, self.grievance, self.attitude = self.start_satisfaction, 0.0, 0.0
            self.model.week_acquired += 1

    def tell(self, kind: str) -> None:
        """Tell each neighbour with probability reach x influence / friends (at most one)."""
        w = self.model.config.wom
        neighbours = list(self.cell.neighborhood.agents)
        reach = w.negative_reach if kind == "bad" else w.positive_reach
        p = min(1.0, reach * self.influence / max(len(neighbours), 1))
        for neighbour in neighbours:
            if self.model.random.random() < p:
                neighbour.inbox[kind] += 1
                self.model.week_told[kind] += 1

    def post(self, praising: bool) -> None:
        """A public post reaches random people anywhere in the market (S12): praise or blame."""
        people = self.model.people
        for _ in range(self.model.config.wom.public_reach):
            people[self.model.random.randrange(len(people))].inbox[
                "public_good" if praising else "public_bad"
            ] += 1
        self.model.week_posts += 1


class ReferenceFirm(mesa.Agent):
    """Answers every complaint the week it is made (a team large enough that none waits)."""

    def hear_complaint(
        self, customer: Shopper, kind: int, severity: float, loss: float, before: float
    ) -> None:
        """Remedies by the written policy, first contact or escalation, the outcome, and what is said."""
        c, rnd = self.model.config, self.model.random
        cat = self.model.catalogue
        share = c.policy.compensation if np.isnan(cat.compensation[kind]) else float(cat.compensation[kind])
        mode = APOLOGY_CODES[c.policy.apology] if cat.apology[kind] < 0 else int(cat.apology[kind])
        apology = mode == 2 or (mode == 1 and severity >= c.failures.severe_threshold)
        money = share * loss
        cap = math.inf if c.delegation.compensation_cap is None else c.delegation.compensation_cap
        authorised = money <= cap and (c.delegation.may_apologise or not apology)
        first_contact = authorised and rnd.random() < c.delegation.first_contact_resolution
        if first_contact:  # empowered staff give more than the policy says, within their cap
            money = min(money + c.delegation.overgrant * loss, cap)
        days = c.firm.first_contact_days if first_contact else c.firm.escalated_processing_days
        p = float(
            recovery_probability(
                np.array([apology]),
                np.array([money / loss if loss > 0 else 0.0]),
                np.array([customer.price_sensitivity]),
                np.array([days]),
                np.array([1.0 if first_contact else 2.0]),  # an escalation is a hand-off
                np.array([False]),
                c.outcome,
                c.firm.response_target_days,
            )[0]
        )
        satisfied = rnd.random() < p
        self.model.week_complaints += 1
        self.model.week_escalated += not first_contact
        self.model.week_compensation += money
        self.model.week_satisfied += satisfied
        customer.settle(satisfied, days <= c.firm.response_target_days, severity, before)
        if rnd.random() < (c.wom.recovered_tell if satisfied else c.wom.unresolved_tell):
            customer.tell("good" if satisfied else "bad")
        calm = 1.0 - c.firm.deescalation * c.firm.deescalation_effect
        if rnd.random() < (c.wom.post_satisfied if satisfied else c.wom.post_dissatisfied) * calm:
            customer.post(praising=satisfied)


class ReferenceModel(mesa.Model):
    """The per-agent reference model: same world, same traits, per-customer rules."""

    def __init__(self, config: SimConfig | None = None, rng: int | None = None) -> None:
        cfg = config or docking_config()
        seed = cfg.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.config = cfg
        streams = spawn_streams(seed)
        nodes = int(round(cfg.market.customers / (1.0 - cfg.market.prospect_share)))
        adjacency = build_network(cfg.network, nodes, streams["network"])
        nodes = adjacency.shape[0]
        self.traits = draw_population(nodes, cfg.market.customers, cfg.customer, cfg.firm, streams["traits"])
        self.catalogue = Catalogue.from_config(cfg.failures)
        self.grievance = GrievanceRule(cfg.churn, cfg.market, cfg.customer)
        self.contagion_fade = 0.5 ** (1.0 / cfg.churn.contagion_half_life)
        self.attitude_fade = 0.5 ** (1.0 / cfg.wom.attitude_half_life)
        self.grid = Network(to_networkx(adjacency), capacity=1, random=self.random, layout=None)
        self.people = [Shopper(self, self.grid._cells[i], i) for i in range(nodes)]
        self.firm = ReferenceFirm(self)
        self.customers_initial = cfg.market.customers
        self.totals: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(model_reporters={"active": active_customers})

    def step(self) -> None:
        """Every person lives their week in random order; then the firm closes its books."""
        self.week_revenue = self.week_compensation = 0.0
        self.week_failures = self.week_complaints = self.week_escalated = self.week_satisfied = 0
        self.week_acquired = self.week_posts = 0
        self.week_marketed = 0.0
        self.week_told = {"bad": 0, "good": 0}
        self.week_churned = {"after_complaint": 0, "silent": 0, "unprovoked": 0}
        self.agents_by_type[Shopper].shuffle_do("step")
        books = weekly_books(
            WeekActivity(
                self.week_revenue,
                self.week_compensation,
                self.week_complaints,
                self.config.firm.first_contact_cost * self.week_complaints,  # the docking setting's one desk
                self.week_escalated,
                0,
                0,
                self.week_acquired,
                self.week_marketed,
                0,
            ),
            self.config.market,
            self.config.firm,
            team_size(self.config.firm, self.customers_initial),
            self.config.delegation.training_cost_week * self.customers_initial / 10_000,
        )
        week = {
            **books,
            "failures": self.week_failures,
            "complaints": self.week_complaints,
            "recovery_satisfied": self.week_satisfied,
            "acquired": self.week_acquired,
            "wom_negative": self.week_told["bad"],
            "wom_positive": self.week_told["good"],
            "public_posts": self.week_posts,
            **{f"churned_{k}": v for k, v in self.week_churned.items()},
        }
        self.totals = {k: self.totals.get(k, 0) + v for k, v in week.items()}
        self.datacollector.collect(self)
        if self.steps >= self.config.weeks:
            self.running = False

    def summary(self) -> dict:
        """Headline outcomes, named and defined as in the vectorised model's summary."""
        t = self.totals
        churned = t["churned_after_complaint"] + t["churned_silent"] + t["churned_unprovoked"]
        return {
            **t,
            "churned": churned,
            "churn_rate": churned / (self.customers_initial + t["acquired"]),
            "complaint_rate": t["complaints"] / t["failures"] if t["failures"] else float("nan"),
            "recovery_satisfaction": t["recovery_satisfied"] / t["complaints"]
            if t["complaints"]
            else float("nan"),
            "active_customers_final": active_customers(self),
        }


def active_customers(model: ReferenceModel) -> int:
    """Customers active now."""
    return sum(p.status is Status.ACTIVE for p in model.people)
