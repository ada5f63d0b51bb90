"""Handling complaints: the desk that takes cases, queues them, answers them and settles what follows.

A complaint is first met by the frontline, who may resolve it on the spot if the
remedy is within their authority (S8). Everything else is escalated to the
recovery team, whose weekly capacity is staff x cases per head (S16); cases
wait in a first-in-first-out queue, and customers who wait beyond their
patience chase, which costs a contact and some goodwill (S20). The outcome is
drawn from a model of satisfaction with recovery calibrated to the Customer
Rage Study (S10), less a penalty for every week beyond the response target (S9).
What is given comes from ``remedies``; how likely it pleases, from ``outcome``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import numba
import numpy as np

from sim.mechanisms.cases import (
    OUTCOME_ABANDONED,
    OUTCOME_DISSATISFIED,
    OUTCOME_SATISFIED,
    Cases,
    Closed,
    unanswered,
)
from sim.mechanisms.channels import NO_CHANNEL, ChannelTerms, capacity_rates, move_on
from sim.mechanisms.channels import weekly_capacity as channel_capacity
from sim.mechanisms.failures import Catalogue
from sim.mechanisms.grievance import GrievanceRule, grieve
from sim.mechanisms.outcome import outcome_terms, recovery_chance
from sim.mechanisms.remedies import (
    apply_consistently,
    frontline_authority,
    frontline_resolves,
    on_channel,
    policy_terms,
    remedy,
)
from sim.world.channel_schema import ChannelsConf
from sim.world.market_schema import OutcomeConf, WomConf
from sim.world.population import ACTIVE, Experience, Population
from sim.world.schema import DelegationConf, FirmConf, PolicyConf
from sim.world.streams import Draws, start, uniform

# Codes as plain ints for compiled code.
UNRESOLVED, RESOLVED, RESOLVED_QUICKLY = (
    int(Experience.UNRESOLVED),
    int(Experience.RESOLVED),
    int(Experience.RESOLVED_QUICKLY),
)


@numba.njit(cache=True)
def _at_once(case, week, keys, policy, authority, doors):  # noqa: ANN001, ANN202
    """Which of this week's new cases the frontline resolves: the written remedy, then the authority.

    Each channel's staff hold their share of the delegation's authority and
    take the week's first contacts up to the channel's capacity, in the order
    the contacts arrive (a uniform per case: not by customer number, which
    follows the network's growth); the rest are escalated.
    """
    customers, kind, severity, loss, channel = case
    channels, capacity = doors
    procedures, general = policy
    origin, arrival = start(keys[0], week), start(keys[1], week)
    order = np.arange(customers.size)
    if np.isfinite(capacity).any():  # without a limit the order changes nothing
        when = np.empty(customers.size)
        for i in range(customers.size):
            when[i] = uniform(arrival, customers[i])
        order = np.argsort(when, kind="mergesort")
    taken = np.zeros(capacity.size)
    resolved = np.empty(customers.size, dtype=np.bool_)
    for i in order:
        c = channel[i]
        if taken[c] >= capacity[c]:
            resolved[i] = False
            continue
        taken[c] += 1
        apology, money = remedy(kind[i], severity[i], loss[i], procedures, general)
        here = on_channel(authority, channels.authority[c])
        resolved[i] = frontline_resolves(apology, money, here, uniform(origin, customers[i]))
    return resolved


@numba.njit(cache=True)
def _serve(at_once, waited, customers, status, capacity):  # noqa: ANN001, ANN202
    """Positions in the pool (``waited`` queued cases, then the new ones) by what happens to them this week.

    Returns (closing, how many of those the frontline resolved, abandoned,
    still waiting): the frontline's cases close first; the queue, then the
    new cases escalated, are served in order up to ``capacity``, and the
    cases of customers who left are abandoned wherever they stand.
    """
    closing, c = np.empty(customers.size, np.int64), 0
    for j in range(at_once.size):
        if at_once[j]:
            closing[c] = waited + j
            c += 1
    resolved, served = c, 0
    abandoned, a = np.empty(customers.size, np.int64), 0
    waiting, w = np.empty(customers.size, np.int64), 0
    for position in range(customers.size):
        if position >= waited and at_once[position - waited]:
            continue
        if status[customers[position]] != ACTIVE:
            abandoned[a] = position
            a += 1
        elif served < capacity:
            closing[c] = position
            c, served = c + 1, served + 1
        else:
            waiting[w] = position
            w += 1
    return closing[:c], resolved, abandoned[:a], waiting[:w]


def team_size(firm: FirmConf, customers: int) -> float:
    """The recovery team in full-time people: ``firm.staff``, or ``staff_per_10k`` of the market's size."""
    return float(firm.staff) if firm.staff is not None else firm.staff_per_10k * customers / 10_000


def weekly_capacity(team: float, firm: FirmConf, week: int) -> int:
    """Cases a team of ``team`` people closes in ``week``; fractional capacity carries over."""
    rate = team * firm.cases_per_staff_week
    return math.floor(rate * week) - math.floor(rate * (week - 1))


class DeskTerms(NamedTuple):
    """How the firm answers an escalated or first-contact case (S5, S7, S9, S19)."""

    policy_consistency: float
    investigate_blame: float
    customer_fault_share: float
    budget: float
    first_contact_days: float
    escalated_processing_days: float
    blame_delay_days: float


class Settlement(NamedTuple):
    """What an answer does to the complainant's satisfaction: mended, delighted, or a double deviation."""

    restore_share: float
    paradox_bonus: float
    double_deviation: float


class Talk(NamedTuple):
    """Chances a complainant praises or blames the firm to friends, and posts in public, by the answer."""

    praise: float
    blame: float
    post_satisfied: float
    post_dissatisfied: float


#: What the desk counts per channel (ComplaintDesk.tally).
CHANNEL_TALLY = (
    "complaints",
    "resolved_first_contact",
    "answered",
    "abandoned",
    "satisfied",
    "response_days_total",
    "contact_cost",
    "public_posts",
    "moved_away",
    "moved_in",
)

#: The case uniforms the closing pass uses, in the order of ``_answer``'s ``keys``.
CLOSING_UNIFORMS = ("apply", "improvise", "blame", "outcome", "tell", "post")


class ComplaintDesk:
    """The firm's complaint handling: frontline, escalation queue, remedies and outcomes."""

    def __init__(
        self,
        policy: PolicyConf,
        delegation: DelegationConf,
        firm: FirmConf,
        outcome: OutcomeConf,
        grievance: GrievanceRule,
        wom: WomConf,
        catalogue: Catalogue,
        severe_threshold: float,
        draws: Draws,
        team: float,
        channels: tuple[ChannelsConf, ChannelTerms, int],
    ) -> None:
        conf, self.channels, customers = channels
        self.channel_capacity = capacity_rates(conf, customers)
        self.policy = policy
        self.team = team
        self.delegation = delegation
        self.firm = firm
        self.outcome = outcome
        self.queue = Cases.empty()
        self.grievance = grievance
        self.draws = draws
        self.policy_terms = policy_terms(policy, catalogue, severe_threshold)
        budget = np.inf if firm.recovery_budget is None else firm.recovery_budget
        self.firm_terms = DeskTerms(
            firm.policy_consistency,
            float(firm.investigate_blame),
            firm.blame_customer_fault_share,
            budget,
            firm.first_contact_days,
            firm.escalated_processing_days,
            firm.blame_delay_days,
        )
        self.outcome_terms = outcome_terms(outcome, firm.response_target_days)
        calm = 1.0 - firm.deescalation * firm.deescalation_effect
        self.settle_terms = Settlement(outcome.restore_share, outcome.paradox_bonus, outcome.double_deviation)
        self.talk_terms = Talk(
            wom.recovered_tell,
            wom.unresolved_tell,
            wom.post_satisfied * calm,
            wom.post_dissatisfied * calm,
        )
        self.keys = np.array([draws.keys[name] for name in CLOSING_UNIFORMS], dtype=np.uint64)
        self.authority = frontline_authority(delegation)
        #: per channel (CHANNELS order), over the run: what summary.json's by_channel reports
        self.tally = {name: np.zeros(self.channels.ease.size) for name in CHANNEL_TALLY}
        self.no_cases = Cases.empty()  # shared by the weeks that leave no queue; never changed in place
        self.no_leavers = unanswered(self.no_cases, OUTCOME_ABANDONED)

    def handle(self, week: int, new: Cases, pop: Population) -> tuple[Closed, Closed, int]:
        """One week at the desk: returns (closed, abandoned, repeat contacts made).

        The new cases the frontline resolves close first; the others join the
        queue behind those already waiting; leavers' cases are abandoned, and
        the team serves the queue from the front up to its capacity.
        """
        case = (new["customer"], new["kind"], new["severity"], new["loss"], new["channel"])
        capacity = channel_capacity(self.channel_capacity, week)
        at_once = _at_once(
            case,
            week,
            (self.draws.keys["frontline"], self.draws.keys["arrival"]),
            self.policy_terms,
            self.authority,
            (self.channels, capacity),
        )
        waited = len(self.queue)
        pool = self.queue.append(new) if waited else new  # positions: the queue, then the new cases
        closing, resolved, leaving, waiting = _serve(
            at_once, waited, pool["customer"], pop.status, weekly_capacity(self.team, self.firm, week)
        )
        abandoned = self._abandon(pool.take(leaving), pop) if leaving.size else self.no_leavers
        cases = pool.take(closing)
        self.queue = pool.take(waiting) if waiting.size else self.no_cases
        closed = self._close(cases, np.arange(len(cases)) < resolved, week, pop)
        self._count(new, closed, abandoned, pop)
        chases, blamers, posters = self._chase(week, pop)
        if blamers.size or posters.size:  # who gave up waiting talks as an unanswered complainant
            closed = replace(
                closed,
                blame=np.concatenate([closed.blame, blamers]),
                posters=np.concatenate([closed.posters, posters]),
                praising=np.concatenate([closed.praising, np.zeros(posters.size, np.bool_)]),
            )
        return closed, abandoned, chases

    def _close(self, cases: Cases, first_contact: np.ndarray, week: int, pop: Population) -> Closed:
        """Answer the cases in one compiled pass (_answer), then settle what the complainants feel and say."""
        apology, money, denied, days, ended, quick, experience, satisfaction, said = _answer(
            tuple(cases[name] for name in ("customer", "week", "kind", "severity", "loss", "channel")),
            (
                cases["pre_satisfaction"],
                cases["first_mild"],
                first_contact,
                cases["repeat_contacts"],
                cases["gave_up"],
            ),
            week,
            self.keys,
            (pop.satisfaction, pop.price_sensitivity, pop.grievance, pop.open_cases),
            self.policy_terms,
            self.authority,
            self.firm_terms,
            self.outcome_terms,
            self.settle_terms,
            self.talk_terms,
            self.grievance.terms,
            self.channels,
        )
        return Closed(
            cases=cases,
            first_contact=first_contact,
            response_days=days,
            apology=apology,
            compensation=money,
            outcome=ended,
            within_target=quick,
            investigated=np.full(len(cases), self.firm.investigate_blame),
            budget_denied=denied,
            experience=experience,
            satisfaction_answered=satisfaction[0],
            satisfaction_after=satisfaction[1],
            praise=said[0],
            blame=said[1],
            posters=said[2],
            praising=said[3],
            posted=said[4],
        )

    def _count(self, new: Cases, closed: Closed, abandoned: Closed, pop: Population) -> None:
        """Tally the week by the channel each complaint came in on; remember the channel that failed whom.

        Counting every column by the channel a complaint came in on keeps each
        channel's books whole: complaints = answered + abandoned + still open.
        """
        size, tally = self.channels.ease.size, self.tally
        tally["complaints"] += np.bincount(new["origin"], minlength=size)
        tally["contact_cost"] += np.bincount(
            new["origin"], weights=self.channels.contact_cost[new["origin"]], minlength=size
        )
        origin = closed.cases["origin"]
        tally["answered"] += np.bincount(origin, minlength=size)
        tally["resolved_first_contact"] += np.bincount(origin[closed.first_contact], minlength=size)
        satisfied = closed.outcome == OUTCOME_SATISFIED
        tally["satisfied"] += np.bincount(origin[satisfied], minlength=size)
        tally["response_days_total"] += np.bincount(origin, weights=closed.response_days, minlength=size)
        tally["public_posts"] += np.bincount(origin[closed.posted], minlength=size)
        tally["abandoned"] += np.bincount(abandoned.cases["origin"], minlength=size)
        customers = closed.cases["customer"]
        pop.failed_channel[customers] = np.where(satisfied, NO_CHANNEL, closed.cases["channel"])

    def _abandon(self, cases: Cases, pop: Population) -> Closed:
        """Cases whose customer left while waiting: closed unresolved, nothing paid."""
        np.subtract.at(pop.open_cases, cases["customer"], 1)
        return unanswered(cases, OUTCOME_ABANDONED)

    def _chase(self, week: int, pop: Population) -> tuple[int, np.ndarray, np.ndarray]:
        """Customers still waiting beyond their patience contact the firm again (S20) and give up on it.

        Waiting past one's patience is being ignored: from that week the
        complainant is treated as unresolved (the double deviation and the
        grievance of a failed answer, once, and they tell friends and post as
        a dissatisfied complainant would), so a team that never answers never
        does better than one that answers and fails. A later answer may still
        mend their satisfaction. Returns (chases, who blames the firm to
        friends, who posts), the talk drawn from the case's own numbers.
        """
        none = np.empty(0, np.int64)
        if not len(self.queue):
            return 0, none, none
        q = self.queue
        waited_days = 7.0 * (week - q["week"] + 1)
        chasing = waited_days > pop.patience_days[q["customer"]]
        giving_up = chasing & ~q["gave_up"]
        was, since = q["channel"][giving_up], q["week"][giving_up]
        quitters = q["customer"][giving_up]
        now = _move_on(self.channels, pop.digital_affinity, quitters, was, since, self.draws.keys["move"])
        pop.failed_channel[quitters] = was
        moved = q["channel"].copy()
        moved[giving_up] = now
        size = self.channels.ease.size
        self.tally["moved_away"] += np.bincount(was[now != was], minlength=size)
        self.tally["moved_in"] += np.bincount(now[now != was], minlength=size)
        self.queue = Cases(
            {
                **q.data,
                "repeat_contacts": q["repeat_contacts"] + chasing,
                "gave_up": q["gave_up"] | chasing,
                "channel": moved,
            }
        )
        c = q["customer"][chasing]
        np.subtract.at(pop.satisfaction, c, self.outcome.chase_penalty)
        np.subtract.at(pop.satisfaction, q["customer"][giving_up], self.outcome.double_deviation)
        pop.satisfaction[c] = np.clip(pop.satisfaction[c], 0.0, 1.0)  # the others are within already
        for node, severity, before in zip(
            q["customer"][giving_up], q["severity"][giving_up], q["pre_satisfaction"][giving_up], strict=True
        ):
            grieve(node, UNRESOLVED, severity, before, pop.satisfaction, pop.grievance, self.grievance.terms)
        tell, post = (self.keys[CLOSING_UNIFORMS.index(name)] for name in ("tell", "post"))
        blames = _below(tell, since, quitters, self.talk_terms.blame)
        # an unanswered public complaint stands in public, and so does the one the customer takes public
        in_public = self.channels.public[was] | self.channels.public[now]
        posts = _below(post, since, quitters, self.talk_terms.post_dissatisfied) | in_public
        self.tally["public_posts"] += np.bincount(q["origin"][giving_up][posts], minlength=size)
        return int(chasing.sum()), quitters[blames], quitters[posts]


@numba.njit(cache=True)
def _answer(
    case,
    history,
    week,
    keys,
    customer,
    policy,
    authority,
    firm,
    outcome,
    settle,
    talk,
    grievance_terms,
    channels,
):  # noqa: ANN001, ANN202, PLR0913, PLR0915
    """Answer each case in turn: remedies, how staff apply them, the outcome, the complainant's satisfaction.

    A case's uniforms are its complainant's in the week of the complaint. All
    cases are judged from the satisfaction the complainants had when the desk
    opened; a customer with two cases closing in one week keeps the last. Then
    each case adds its grievance (grievance.py) and closes.
    Each channel answers a first contact at its own speed and with its staff's
    share of the authority; on a public channel every answer is seen, so the
    complainant's post is certain (a good answer praises the firm in public).
    Returns the columns of Closed: the answer's, the complainants'
    satisfaction (when answered, once closed), and who praises, blames and
    posts (word of mouth).
    """
    customers, case_week, kind, severity, loss, channel = case
    pre, first_mild, first_contact, repeat_contacts, gave_up = history
    satisfaction, price_sensitivity, grievance, open_cases = customer
    procedures, general = policy
    investigated = firm.investigate_blame
    n = customers.size
    apology, money, denied = np.empty(n, np.bool_), np.empty(n), np.empty(n, np.bool_)
    days, satisfied, quick = np.empty(n), np.empty(n, np.bool_), np.empty(n, np.bool_)
    experience, answered, after = np.empty(n, np.int64), np.empty(n), np.empty(n)
    tells, posts = np.empty(n, np.bool_), np.empty(n, np.bool_)
    paid = 0.0  # compensation paid so far this week, against the budget (S19)
    u = np.empty(keys.size)  # this case's uniforms, in the order of CLOSING_UNIFORMS
    for i in range(n):
        node = customers[i]
        for j in range(keys.size):
            u[j] = uniform(start(keys[j], case_week[i]), node)
        written_apology, written_money = remedy(kind[i], severity[i], loss[i], procedures, general)
        if first_contact[i]:  # empowered staff give more than the policy says, within their cap
            cap = on_channel(authority, channels.authority[channel[i]]).compensation_cap
            written_money = min(written_money + authority.overgrant * loss[i], cap)
        apology[i], money[i] = apply_consistently(
            written_apology, written_money, firm.policy_consistency, u[0], u[1]
        )
        if investigated and u[2] < firm.customer_fault_share:
            money[i] = 0.0
        denied[i] = money[i] > 0 and paid + money[i] > firm.budget
        if denied[i]:
            money[i] = 0.0
        paid += money[i]
        if first_contact[i]:
            days[i] = channels.first_contact_days[channel[i]] + firm.blame_delay_days * investigated
        else:
            waited = 7.0 * (week - case_week[i])
            days[i] = waited + firm.escalated_processing_days + firm.blame_delay_days * investigated
        share = money[i] / loss[i] if loss[i] > 0 else 0.0
        contacts = 1.0 + (not first_contact[i]) + repeat_contacts[i]  # a hand-off, then each chase
        chance = recovery_chance(
            apology[i], share, price_sensitivity[node], days[i], contacts, investigated, outcome
        )
        satisfied[i] = u[3] < chance
        quick[i] = days[i] <= outcome.target_days
        s = answered[i] = satisfaction[node]
        if satisfied[i]:
            mended = s + settle.restore_share * max(0.0, pre[i] - s)
            if quick[i] and first_mild[i]:  # the recovery paradox
                mended = max(mended, pre[i] + settle.paradox_bonus)
            after[i] = mended
            experience[i] = RESOLVED_QUICKLY if quick[i] else RESOLVED
        else:  # the double deviation, unless taken already when the customer gave up waiting
            after[i] = s if gave_up[i] else s - settle.double_deviation
            experience[i] = UNRESOLVED
        # who gave up waiting has blamed and posted already; a good answer may still earn praise
        tells[i] = u[4] < (talk.praise if satisfied[i] else (0.0 if gave_up[i] else talk.blame))
        if channels.public[channel[i]]:  # the thread is public: its answer is seen (who gave up posted then)
            posts[i] = satisfied[i] or not gave_up[i]
        else:
            posts[i] = u[5] < (
                talk.post_satisfied if satisfied[i] else (0.0 if gave_up[i] else talk.post_dissatisfied)
            )
    for i in range(n):
        satisfaction[customers[i]] = min(max(after[i], 0.0), 1.0)
    for i in range(n):  # once every complainant's satisfaction is settled; who gave up has grieved
        if not gave_up[i]:
            grieve(customers[i], experience[i], severity[i], pre[i], satisfaction, grievance, grievance_terms)
    closed = np.empty(n)
    for i in range(n):
        open_cases[customers[i]] -= 1
        closed[i] = satisfaction[customers[i]]
    said = (
        customers[tells & satisfied],
        customers[tells & ~satisfied],
        customers[posts],
        satisfied[posts],
        posts,
    )
    ended = np.where(satisfied, OUTCOME_SATISFIED, OUTCOME_DISSATISFIED)
    return apology, money, denied, days, ended, quick, experience, (answered, closed), said


@numba.njit(cache=True)
def _move_on(channels, affinity, customers, current, weeks, key):  # noqa: ANN001, ANN202
    """The channel each customer kept waiting tries next (channels.move_on), as int8 like the case column.

    Each draws the case's ``key`` uniform in the week of their complaint.
    """
    out = np.empty(customers.size, np.int8)
    for i in range(customers.size):
        u = uniform(start(key, weeks[i]), customers[i])
        out[i] = move_on(channels, affinity[customers[i]], current[i], u)
    return out


@numba.njit(cache=True)
def _below(key, weeks, customers, chance):  # noqa: ANN001, ANN202
    """Whether each customer's uniform under ``key`` in their case's week is below ``chance``."""
    out = np.empty(customers.size, np.bool_)
    for i in range(customers.size):
        out[i] = uniform(start(key, weeks[i]), customers[i]) < chance
    return out
