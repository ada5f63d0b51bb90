"""RecoveryModel: one week of the market, in the order of MODEL_BRIEF §3.

Customer state lives in NumPy arrays (population.py) and each mechanism is
one function over the customers it concerns (vectorised, or a compiled loop
where every customer is visited); Mesa agents are views of their rows. The
same rules written per agent (reference.py) run over 100x slower, which would
make policy sweeps slow; docs/performance.md holds the figures.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np
from mesa.discrete_space import Network

from sim.agents import Customer, Firm
from sim.mechanisms.acquisition import acquire, due_for_winback, win_back
from sim.mechanisms.books import WeekActivity, weekly_books
from sim.mechanisms.cases import OUTCOME_SATISFIED, Cases, Closed
from sim.mechanisms.channels import channel_terms, draw_affinity, upkeep
from sim.mechanisms.churn import (
    decide_to_churn,
    expose_neighbours,
    leave,
    why_they_left,
)
from sim.mechanisms.failure_log import FailureLog
from sim.mechanisms.failures import Catalogue, failure_rates
from sim.mechanisms.grievance import GrievanceRule
from sim.mechanisms.recovery import ComplaintDesk, team_size
from sim.mechanisms.shopping import shop
from sim.mechanisms.wom import fade_attitude, spread_word_of_mouth, storytellers
from sim.metrics import CONTINUOUS_METRICS, METRICS
from sim.world.config import checked_seed, to_sim_config
from sim.world.memory import check_fits
from sim.world.network import shared_network, to_networkx
from sim.world.parameter import ConfigError, NetworkKind
from sim.world.population import Status, draw_population
from sim.world.schema import SimConfig
from sim.world.streams import Draws, spawn_streams


def read_metric(model: RecoveryModel, name: str) -> float:
    """DataCollector reporter: this week's value of one metric (picklable, unlike a lambda)."""
    return model.metrics[name]


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector, reading the week's metrics from ``model.metrics`` in one pass.

    They are plain numbers: Mesa would call each reporter and deep-copy its
    value, one metric at a time, a twentieth of a week at 10,000 customers.
    The reporters stay declared, so Mesa's tools see every metric.
    """

    def collect(self, model: RecoveryModel) -> None:
        """Append this week's value of every metric."""
        if hasattr(self, "_collection_steps"):  # as Mesa's own collect does
            self._collection_steps.append(model.time)
        for name, column in self.model_vars.items():
            column.append(model.metrics[name])


class RecoveryModel(mesa.Model):
    """Customers on a social network meet failures; the firm answers complaints under a policy.

    Args:
        config: the world (``SimConfig()`` is the default scenario); a nested
            dict of overrides or a Hydra DictConfig is accepted too.
        rng: seed for this run; overrides ``config.seed`` when given.
        agents: build a Mesa agent on a ``Network`` cell for every person
            (None: as ``config.agents`` says). The agents are views of the
            arrays, so results are identical without them; sweeps and very
            large markets skip them to save setup time and memory.

    ``adjacency`` (the network, SciPy CSR) is read-only: a process shares a seed's network
    between its runs (``sim.world.network.shared_network``); ``adjacency.copy()`` to change one.

    """

    def __init__(
        self, config: SimConfig | dict | None = None, rng: int | None = None, agents: bool | None = None
    ) -> None:
        cfg = to_sim_config(config)
        seed = cfg.seed if rng is None else checked_seed(rng)
        if agents is not None and not isinstance(agents, bool):
            raise ConfigError(
                f"agents={agents!r} is refused: allowed True, False or None (as config.agents says)"
            )
        with_agents = cfg.agents if agents is None else agents
        check_fits(cfg, with_agents)
        super().__init__(rng=seed)
        self.config, self.seed = cfg, seed
        self.streams, self.draws = spawn_streams(seed), Draws(seed)
        nodes = int(round(cfg.market.customers / (1.0 - cfg.market.prospect_share)))
        self.adjacency = shared_network(cfg.network, nodes, seed, self.streams["network"])
        nodes = self.adjacency.shape[0]
        if cfg.network.kind is NetworkKind.edgelist:  # the file decides the market's size
            customers = max(1, round(nodes * (1.0 - cfg.market.prospect_share)))
        else:
            customers = cfg.market.customers
        self.population = draw_population(nodes, customers, cfg.customer, cfg.firm, self.streams["traits"])
        self.population.digital_affinity = draw_affinity(cfg.channels, nodes, self.streams["channels"])
        self.channels = channel_terms(cfg.channels, cfg.firm, cfg.complaints)
        self.channel_upkeep = upkeep(cfg.channels, customers)  # a fixed weekly cost
        self.customers_initial = customers
        self.catalogue = Catalogue.from_config(cfg.failures)
        self.failure_log = FailureLog(nodes)
        self.by_failure_type = {
            k: np.zeros(len(self.catalogue.names), dtype=np.int64)
            for k in ("failures", "complaints", "churned_after_failure")
        }

        if with_agents:
            self.grid = Network(to_networkx(self.adjacency), capacity=1, random=self.random, layout=None)
            Customer.create_agents(self, nodes, [self.grid._cells[i] for i in range(nodes)], np.arange(nodes))
        desk = ComplaintDesk(
            cfg.policy,
            cfg.delegation,
            cfg.firm,
            cfg.outcome,
            GrievanceRule(cfg.churn, cfg.market, cfg.customer),
            cfg.wom,
            self.catalogue,
            cfg.failures.severe_threshold,
            self.draws,
            team_size(cfg.firm, customers),
            (cfg.channels, self.channels, customers),
        )
        self.firm = Firm(self, desk, books={})
        self.closed_log: list[Closed] = []
        self.metrics = self._stock_metrics({m: 0.0 if m in CONTINUOUS_METRICS else 0 for m in METRICS})
        self.datacollector = MetricsCollector(
            model_reporters={name: partial(read_metric, name=name) for name in METRICS}
        )
        self.datacollector.collect(self)

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.steps

    def step(self) -> None:
        """One week: buy, fail, complain or stay silent, recover, churn, talk, acquire, keep books."""
        cfg, pop, week = self.config, self.population, self.steps
        u = partial(self.draws, week=week)
        active = pop.members(Status.ACTIVE)

        # 1-3. purchases, the failures some of them meet, a warning from the firm, complain or stay silent
        rates = failure_rates(self.catalogue, self.by_failure_type["complaints"], cfg.firm)
        desk = self.firm.desk
        week_shopping = shop(
            pop, active, week, rates, self.catalogue, cfg, self.draws, desk.grievance, self.channels
        )
        buyers, basket, hit = week_shopping.buyers, week_shopping.basket, week_shopping.hit
        failed, kind, severity = week_shopping.failed, week_shopping.kind, week_shopping.severity
        notified, complain, before = week_shopping.notified, week_shopping.complained, week_shopping.before
        severe = severity >= cfg.failures.severe_threshold
        self.failure_log.bought(buyers, week)
        rows = self.failure_log.add(failed, week, kind, severity, complain)
        quiet = ~complain
        types = len(self.catalogue.names)
        self.by_failure_type["failures"] += np.bincount(kind, minlength=types)
        self.by_failure_type["complaints"] += np.bincount(
            kind[complain], minlength=types
        )  # what learning uses

        # 4. complaints handled: frontline, escalation queue, remedies, outcomes
        failures = (
            *(failed, rows, kind, severity, week_shopping.loss, notified, before, severe),
            week_shopping.channel,
        )
        new = Cases.complaints(complain, week, failures, pop.failures_seen)
        pop.open_cases[new["customer"]] += 1
        closed, abandoned, chases = desk.handle(week, new, pop)
        for answered in (closed, abandoned):
            self.failure_log.settle(answered.cases["record"], answered.experience)
        self.closed_log += [closed, abandoned]

        # 5. churn
        churned = decide_to_churn(pop, active, cfg.churn, self.draws.origin("churn", week))
        churn_counts, blamed = why_they_left(pop, churned, week, cfg.churn, types)
        self.by_failure_type["churned_after_failure"] += blamed
        leave(pop, churned, week)
        expose_neighbours(pop, self.adjacency, churned, cfg.churn)
        desk.grievance.fade_week(pop)

        # 6. word of mouth
        wom, silent = cfg.wom, failed[quiet]
        negative, positive = storytellers(
            pop,
            buyers,
            hit,
            (silent, severity[quiet]),
            (closed.blame, closed.praise),
            churned,
            wom,
            self.draws.origins(("delight", "silent_tell", "churn_tell"), week),
        )
        heard = spread_word_of_mouth(
            pop,
            self.adjacency,
            negative,
            positive,
            (closed.posters, closed.praising),
            wom,
            (self.draws.origin("tell_negative", week), self.draws.origin("tell_positive", week)),
            self.streams["wom"],
        )
        fade_attitude(pop, wom)

        # 7. acquisition and win-back
        prospects = pop.members(Status.PROSPECT)
        joined, marketed = acquire(
            pop, prospects, cfg.market, cfg.firm, wom, self.draws.origin("acquire", week)
        )
        offered = due_for_winback(pop, cfg.firm, week)
        back = win_back(pop, offered, cfg.market, cfg.firm, u("winback", offered))

        # 8. books and metrics
        first_contacts = np.count_nonzero(closed.first_contact)
        recovered = np.count_nonzero(closed.outcome == OUTCOME_SATISFIED)
        serious, serious_complaints = np.count_nonzero(severe), np.count_nonzero(complain & severe)
        activity = WeekActivity(
            revenue=float(basket.sum()),
            compensation=float(closed.compensation.sum()),
            complaints=len(new),
            contact_cost=float(self.channels.contact_cost[new["channel"]].sum()),
            escalated_closed=len(closed) - first_contacts,
            repeat_contacts=chases,
            notifications=np.count_nonzero(notified),
            acquired=joined.size,
            marketed=marketed,
            won_back=back.size,
        )
        training = cfg.delegation.training_cost_week * self.customers_initial / 10_000
        fixed = training + self.channel_upkeep
        books = weekly_books(activity, cfg.market, cfg.firm, self.firm.desk.team, fixed)
        self.firm.books = {k: self.firm.books.get(k, 0.0) + v for k, v in books.items()}
        flows = {
            **books,
            "purchases": buyers.size,
            "failures": failed.size,
            "failures_minor": failed.size - serious,
            "failures_serious": serious,
            "complaints": len(new),
            "complaints_minor": len(new) - serious_complaints,
            "complaints_serious": serious_complaints,
            "silent_failures": silent.size,
            "notifications": activity.notifications,
            "resolved_first_contact": first_contacts,
            "escalated_closed": activity.escalated_closed,
            "cases_closed": len(closed) + len(abandoned),
            "recovery_satisfied": recovered,
            "recovery_dissatisfied": len(closed) - recovered,
            "abandoned": len(abandoned),
            "response_days_total": float(closed.response_days.sum()),
            "answered_within_target": np.count_nonzero(closed.within_target),
            "repeat_contacts": chases,
            "budget_denied": np.count_nonzero(closed.budget_denied),
            "acquired": joined.size,
            "won_back": back.size,
            **churn_counts,
            "wom_negative": heard.told_negative,
            "wom_positive": heard.told_positive,
            "wom_negative_events": negative.size,
            "wom_positive_events": positive.size,
            "public_posts": int(closed.posters.size),
            "public_reads_negative": heard.read_negative,
        }
        self.metrics = self._stock_metrics(flows)
        self.datacollector.collect(self)
        if self.steps >= cfg.weeks:
            self.running = False

    def _stock_metrics(self, flows: dict[str, float]) -> dict[str, float]:
        """Add the end-of-week stocks to this week's flows."""
        return {**flows, **self.population.census(), "queue_length": len(self.firm.desk.queue)}
