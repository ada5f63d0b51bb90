"""Handling complaints: remedies from the written policy, the frontline, the queue, the outcome.

A complaint is first met by the frontline, who may resolve it on the spot if the
remedy is within their authority (S8). Everything else is escalated to the
recovery team, whose weekly capacity is staff x cases per head (S16); cases
wait in a first-in-first-out queue, and customers who wait beyond their
patience chase, which costs a contact and some goodwill (S20). The outcome is
drawn from a model of satisfaction with recovery calibrated to the Customer
Rage Study (S10), less a penalty for every week beyond the response target (S9).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np

from sim.mechanisms.failures import APOLOGY_CODES, Catalogue
from sim.mechanisms.grievance import GrievanceRule, grieve
from sim.world.market_schema import OutcomeConf, WomConf
from sim.world.parameter import Apology
from sim.world.population import ACTIVE, Experience, Population
from sim.world.schema import DelegationConf, FirmConf, PolicyConf
from sim.world.special import expit
from sim.world.streams import Draws, start, uniform

CASE_FIELDS: dict[str, type] = {
    "customer": np.int64,
    "record": np.int64,  # the row in the model's failure log
    "week": np.int32,
    "kind": np.int16,
    "severity": np.float64,
    "loss": np.float64,
    "notified": np.bool_,
    "pre_satisfaction": np.float64,
    "first_mild": np.bool_,
    "repeat_contacts": np.int16,
}

OUTCOME_DISSATISFIED, OUTCOME_SATISFIED, OUTCOME_ABANDONED, OUTCOME_OPEN = 0, 1, 2, 3
OUTCOME_NAMES = ("dissatisfied", "satisfied", "abandoned", "open")

# Codes as plain ints for compiled code.
SEVERE_ONLY, ALWAYS = APOLOGY_CODES[Apology.severe_only], APOLOGY_CODES[Apology.always]
UNRESOLVED, RESOLVED, RESOLVED_QUICKLY = (
    int(Experience.UNRESOLVED),
    int(Experience.RESOLVED),
    int(Experience.RESOLVED_QUICKLY),
)


@dataclass
class Cases:
    """Open complaints as columns of equal length."""

    data: dict[str, np.ndarray]

    @classmethod
    def empty(cls) -> Cases:
        """No cases."""
        return cls({name: np.empty(0, dtype=dtype) for name, dtype in CASE_FIELDS.items()})

    @classmethod
    def complaints(
        cls, complained: np.ndarray, week: int, failures: tuple[np.ndarray, ...], failures_seen: np.ndarray
    ) -> Cases:
        """This week's complaints as new cases: the ``failures`` that were ``complained`` about.

        ``failures`` are columns (customer, failure-log record, kind, severity,
        loss, notified, satisfaction before, severe); ``failures_seen`` counts
        each node's failures so far, for the recovery paradox's first mild one.
        """
        return cls(dict(zip(CASE_FIELDS, _intake(complained, week, failures, failures_seen), strict=True)))

    def __len__(self) -> int:
        return len(self.data["customer"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[name]

    def take(self, index: np.ndarray) -> Cases:
        """The rows at ``index`` (a boolean mask or integer positions)."""
        return Cases({name: column[index] for name, column in self.data.items()})

    def append(self, other: Cases) -> Cases:
        """These cases followed by ``other`` (queue order is first in, first out)."""
        if not len(other) or not len(self):  # most weeks one side is empty: no copy needed
            return other if not len(self) else self
        return Cases({name: np.concatenate([self.data[name], other.data[name]]) for name in self.data})


@dataclass
class Closed:
    """Cases closed this week, one entry per case, for the books, the metrics and the log."""

    cases: Cases
    first_contact: np.ndarray
    response_days: np.ndarray
    apology: np.ndarray
    compensation: np.ndarray
    outcome: np.ndarray
    within_target: np.ndarray
    investigated: np.ndarray
    budget_denied: np.ndarray
    experience: np.ndarray  # Experience code, or -1 while still open
    satisfaction_answered: np.ndarray  # the complainant's satisfaction when the answer came; NaN if none
    satisfaction_after: np.ndarray  # the complainant's satisfaction once the case closed; NaN if unanswered
    praise: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    blame: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    posters: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.cases)


def unanswered(cases: Cases, outcome: int) -> Closed:
    """Cases that got no answer: abandoned by a leaver, or still open at the end of a run."""
    n = len(cases)
    none = np.zeros(n, dtype=bool)
    return Closed(
        cases=cases,
        first_contact=none,
        response_days=np.full(n, np.nan),
        apology=none,
        compensation=np.zeros(n),
        outcome=np.full(n, outcome),
        within_target=none,
        investigated=none,
        budget_denied=none,
        experience=np.full(n, Experience.UNRESOLVED if outcome == OUTCOME_ABANDONED else -1),
        satisfaction_answered=np.full(n, np.nan),
        satisfaction_after=np.full(n, np.nan),
    )


def policy_terms(
    policy: PolicyConf, catalogue: Catalogue, severe_threshold: float
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[float, int, float]]:
    """The written policy as compiled code reads it: the catalogue's own procedures, then the general rule."""
    return (catalogue.compensation, catalogue.apology), (
        policy.compensation,
        APOLOGY_CODES[policy.apology],
        severe_threshold,
    )


@numba.njit(cache=True)
def remedy(kind, severity, loss, procedures, general):  # noqa: ANN001, ANN202
    """What the written policy gives one case: (apology, compensation in currency).

    The one place where a policy is applied; a failure type's own procedure,
    where the catalogue sets one, overrides the general policy (S15).
    """
    own_share, own_apology = procedures
    share, mode, severe_threshold = general
    if not np.isnan(own_share[kind]):
        share = own_share[kind]
    if own_apology[kind] >= 0:
        mode = own_apology[kind]
    apology = mode == ALWAYS or (mode == SEVERE_ONLY and severity >= severe_threshold)
    return apology, share * loss


def frontline_authority(delegation: DelegationConf) -> tuple[float, bool, float]:
    """The delegation as frontline_resolves reads it: (compensation cap, may apologise, success rate)."""
    cap = np.inf if delegation.compensation_cap is None else delegation.compensation_cap
    return cap, delegation.may_apologise, delegation.first_contact_resolution


@numba.njit(cache=True)
def frontline_resolves(apology, compensation, authority, u):  # noqa: ANN001, ANN202
    """Whether the frontline closes a case on first contact: within its authority, and it manages (S8).

    First-contact resolution is about 14% with low empowerment and 70-80% with
    high empowerment (Customer Rage Study 2015; call-centre benchmarks).
    """
    cap, may_apologise, resolution = authority
    return compensation <= cap and (may_apologise or not apology) and u < resolution


@numba.njit(cache=True)
def _at_once(case, week, key, policy, authority):  # noqa: ANN001, ANN202
    """Which of this week's new cases the frontline resolves: the written remedy, then the authority."""
    customers, kind, severity, loss = case
    origin = start(key, week)
    resolved = np.empty(customers.size, dtype=np.bool_)
    for i in range(customers.size):
        apology, money = remedy(kind[i], severity[i], loss[i], policy[0], policy[1])
        resolved[i] = frontline_resolves(apology, money, authority, uniform(origin, customers[i]))
    return resolved


@numba.njit(cache=True)
def _intake(complained, week, failures, failures_seen):  # noqa: ANN001, ANN202
    """Compiled Cases.complaints: the columns of CASE_FIELDS, in its order and types."""
    customer, record, kind, severity, loss, notified, before, severe = failures
    n = np.count_nonzero(complained)
    customers, records, kinds = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int16)
    severities, losses, told = np.empty(n), np.empty(n), np.empty(n, np.bool_)
    pre_satisfaction, first_mild = np.empty(n), np.empty(n, np.bool_)
    for case, i in enumerate(np.flatnonzero(complained)):
        customers[case], records[case], kinds[case] = customer[i], record[i], kind[i]
        severities[case], losses[case], told[case] = severity[i], loss[i], notified[i]
        pre_satisfaction[case] = before[i]
        first_mild[case] = failures_seen[customer[i]] == 1 and not severe[i]
    weeks, repeat_contacts = np.full(n, week, np.int32), np.zeros(n, np.int16)
    return (
        customers,
        records,
        weeks,
        kinds,
        severities,
        losses,
        told,
        pre_satisfaction,
        first_mild,
        repeat_contacts,
    )


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


@numba.njit(cache=True)
def apply_consistently(apology, compensation, consistency, u_apply, u_improvise):  # noqa: ANN001, ANN202
    """Staff follow the written policy with probability ``consistency`` (S7): (apology, compensation).

    An improvising employee gives at most one of the two remedies, each half the time.
    """
    if u_apply < consistency:
        return apology, compensation
    if u_improvise < 0.5:
        return apology, 0.0
    return False, compensation


def outcome_terms(conf: OutcomeConf, target_days: float) -> tuple[float, ...]:
    """The terms of recovery_chance: the logit's coefficients, the compensation curve, the response target."""
    return (
        conf.intercept,
        conf.apology_effect,
        conf.delay_penalty,
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
    effect, k, strength, threshold = terms[5:]
    gain = effect * (1.0 - np.exp(-k * share)) / (1.0 - np.exp(-k))
    return gain - strength * np.maximum(0.0, share - threshold) ** 2


@numba.njit(cache=True)
def recovery_chance(apology, share, price_sensitivity, response_days, investigated, terms):  # noqa: ANN001, ANN202
    """Chance a complainant is satisfied with the recovery (scalars or arrays).

    Additive on the logit scale: nothing 10%, apology alone 35% (Abeler et al.
    2009, indirect), compensation of the full loss alone 37%, both 74%
    (Customer Rage Study 2013 and 2015). The four figures fit an additive model
    exactly: logit(.74) = logit(.10) + [logit(.35) - logit(.10)] + [logit(.37) - logit(.10)].
    """
    intercept, apology_effect, delay_penalty, blame_penalty, target_days = terms[:5]
    late_weeks = np.maximum(0.0, response_days - target_days) / 7.0
    return expit(
        intercept
        + apology_effect * apology
        + price_sensitivity * compensation_gain(share, terms)
        - delay_penalty * late_weeks
        - blame_penalty * investigated
    )


def compensation_value(share: np.ndarray | float, conf: OutcomeConf) -> np.ndarray | float:
    """compensation_gain under the configured outcome model, outside compiled code."""
    return compensation_gain(share, outcome_terms(conf, 0.0))


def recovery_probability(
    apology: np.ndarray,
    share: np.ndarray,
    price_sensitivity: np.ndarray,
    response_days: np.ndarray,
    investigated: np.ndarray,
    conf: OutcomeConf,
    target_days: float,
) -> np.ndarray:
    """recovery_chance under the configured outcome model, outside compiled code (same-shape arrays)."""
    return recovery_chance(
        apology, share, price_sensitivity, response_days, investigated, outcome_terms(conf, target_days)
    )


def weekly_capacity(firm: FirmConf, week: int) -> int:
    """Cases the recovery team closes in ``week``; fractional capacity carries over."""
    rate = firm.staff * firm.cases_per_staff_week
    return math.floor(rate * week) - math.floor(rate * (week - 1))


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
    ) -> None:
        self.policy = policy
        self.delegation = delegation
        self.firm = firm
        self.outcome = outcome
        self.queue = Cases.empty()
        self.grievance = grievance
        self.draws = draws
        self.policy_terms = policy_terms(policy, catalogue, severe_threshold)
        budget = np.inf if firm.recovery_budget is None else firm.recovery_budget
        self.firm_terms = (
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
        self.settle_terms = (outcome.restore_share, outcome.paradox_bonus, outcome.double_deviation)
        self.talk_terms = (
            wom.recovered_tell,
            wom.unresolved_tell,
            wom.post_satisfied * calm,
            wom.post_dissatisfied * calm,
        )
        self.keys = np.array([draws.keys[name] for name in CLOSING_UNIFORMS], dtype=np.uint64)
        self.authority = frontline_authority(delegation)
        self.no_cases = Cases.empty()  # shared by the weeks that leave no queue; never changed in place
        self.no_leavers = unanswered(self.no_cases, OUTCOME_ABANDONED)

    def handle(self, week: int, new: Cases, pop: Population) -> tuple[Closed, Closed, int]:
        """One week at the desk: returns (closed, abandoned, repeat contacts made).

        The new cases the frontline resolves close first; the others join the
        queue behind those already waiting; leavers' cases are abandoned, and
        the team serves the queue from the front up to its capacity.
        """
        case = (new["customer"], new["kind"], new["severity"], new["loss"])
        at_once = _at_once(case, week, self.draws.keys["frontline"], self.policy_terms, self.authority)
        waited = len(self.queue)
        pool = self.queue.append(new) if waited else new  # positions: the queue, then the new cases
        closing, resolved, leaving, waiting = _serve(
            at_once, waited, pool["customer"], pop.status, weekly_capacity(self.firm, week)
        )
        abandoned = self._abandon(pool.take(leaving), pop) if leaving.size else self.no_leavers
        cases = pool.take(closing)
        self.queue = pool.take(waiting) if waiting.size else self.no_cases
        closed = self._close(cases, np.arange(len(cases)) < resolved, week, pop)
        return closed, abandoned, self._chase(week, pop)

    def _close(self, cases: Cases, first_contact: np.ndarray, week: int, pop: Population) -> Closed:
        """Answer the cases in one compiled pass (_answer), then settle what the complainants feel and say."""
        apology, money, denied, days, ended, quick, experience, satisfaction, said = _answer(
            (cases["customer"], cases["week"], cases["kind"], cases["severity"], cases["loss"]),
            (cases["pre_satisfaction"], cases["first_mild"], first_contact),
            week,
            self.keys,
            (pop.satisfaction, pop.price_sensitivity, pop.grievance, pop.open_cases),
            self.policy_terms,
            self.firm_terms,
            self.outcome_terms,
            self.settle_terms,
            self.talk_terms,
            self.grievance.terms,
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
        )

    def _abandon(self, cases: Cases, pop: Population) -> Closed:
        """Cases whose customer left while waiting: closed unresolved, nothing paid."""
        np.subtract.at(pop.open_cases, cases["customer"], 1)
        return unanswered(cases, OUTCOME_ABANDONED)

    def _chase(self, week: int, pop: Population) -> int:
        """Customers still waiting beyond their patience contact the firm again (S20)."""
        if not len(self.queue):
            return 0
        waited_days = 7.0 * (week - self.queue["week"] + 1)
        chasing = waited_days > pop.patience_days[self.queue["customer"]]
        self.queue = Cases({**self.queue.data, "repeat_contacts": self.queue["repeat_contacts"] + chasing})
        c = self.queue["customer"][chasing]
        np.subtract.at(pop.satisfaction, c, self.outcome.chase_penalty)
        pop.satisfaction[c] = np.clip(pop.satisfaction[c], 0.0, 1.0)  # the others are within already
        return int(chasing.sum())


@numba.njit(cache=True)
def _answer(case, history, week, keys, customer, policy, firm, outcome, settle, talk, grievance_terms):  # noqa: ANN001, ANN202, PLR0913, PLR0915
    """Answer each case in turn: remedies, how staff apply them, the outcome, the complainant's satisfaction.

    A case's uniforms are its complainant's in the week of the complaint. All
    cases are judged from the satisfaction the complainants had when the desk
    opened; a customer with two cases closing in one week keeps the last. Then
    each case adds its grievance (grievance.py) and closes.
    Returns the columns of Closed: the answer's, the complainants'
    satisfaction (when answered, once closed), and who praises, blames and
    posts (word of mouth).
    """
    customers, case_week, kind, severity, loss = case
    pre, first_mild, first_contact = history
    satisfaction, price_sensitivity, grievance, open_cases = customer
    consistency, investigated, fault_share, budget, first_days, escalated_days, blame_days = firm
    restore, paradox_bonus, double_deviation = settle
    praise_chance, blame_chance, post_satisfied, post_dissatisfied = talk
    n = customers.size
    apology, money, denied = np.empty(n, np.bool_), np.empty(n), np.empty(n, np.bool_)
    days, satisfied, quick = np.empty(n), np.empty(n, np.bool_), np.empty(n, np.bool_)
    experience, answered, after = np.empty(n, np.int64), np.empty(n), np.empty(n)
    tells, posts = np.empty(n, np.bool_), np.empty(n, np.bool_)
    claimed = 0.0  # compensation asked for so far this week, paid or not, against the budget
    u = np.empty(keys.size)  # this case's uniforms, in the order of CLOSING_UNIFORMS
    for i in range(n):
        node = customers[i]
        for j in range(keys.size):
            u[j] = uniform(start(keys[j], case_week[i]), node)
        written = remedy(kind[i], severity[i], loss[i], policy[0], policy[1])
        apology[i], money[i] = apply_consistently(written[0], written[1], consistency, u[0], u[1])
        if investigated and u[2] < fault_share:
            money[i] = 0.0
        claimed += money[i]
        denied[i] = money[i] > 0 and claimed > budget
        if denied[i]:
            money[i] = 0.0
        if first_contact[i]:
            days[i] = first_days + blame_days * investigated
        else:
            days[i] = 7.0 * (week - case_week[i]) + escalated_days + blame_days * investigated
        share = money[i] / loss[i] if loss[i] > 0 else 0.0
        chance = recovery_chance(apology[i], share, price_sensitivity[node], days[i], investigated, outcome)
        satisfied[i] = u[3] < chance
        quick[i] = days[i] <= outcome[4]
        s = answered[i] = satisfaction[node]
        if satisfied[i]:
            mended = s + restore * max(0.0, pre[i] - s)
            if quick[i] and first_mild[i]:  # the recovery paradox
                mended = max(mended, pre[i] + paradox_bonus)
            after[i] = mended
            experience[i] = RESOLVED_QUICKLY if quick[i] else RESOLVED
        else:
            after[i] = s - double_deviation
            experience[i] = UNRESOLVED
        tells[i] = u[4] < (praise_chance if satisfied[i] else blame_chance)
        posts[i] = u[5] < (post_satisfied if satisfied[i] else post_dissatisfied)
    for i in range(n):
        satisfaction[customers[i]] = min(max(after[i], 0.0), 1.0)
    for i in range(n):  # once every complainant's satisfaction is settled
        grieve(customers[i], experience[i], severity[i], pre[i], satisfaction, grievance, grievance_terms)
    closed = np.empty(n)
    for i in range(n):
        open_cases[customers[i]] -= 1
        closed[i] = satisfaction[customers[i]]
    said = (customers[tells & satisfied], customers[tells & ~satisfied], customers[posts])
    ended = np.where(satisfied, OUTCOME_SATISFIED, OUTCOME_DISSATISFIED)
    return apology, money, denied, days, ended, quick, experience, (answered, closed), said
