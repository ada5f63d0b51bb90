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

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from sim.config import Apology, DelegationConf, FirmConf, OutcomeConf, PolicyConf, WomConf
from sim.failures import APOLOGY_CODES, Catalogue
from sim.grievance import GrievanceRule
from sim.population import ACTIVE, Experience, Population
from sim.streams import Draws

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


@dataclass
class Cases:
    """Open complaints as columns of equal length."""

    data: dict[str, np.ndarray]

    @classmethod
    def empty(cls) -> Cases:
        """No cases."""
        return cls({name: np.empty(0, dtype=dtype) for name, dtype in CASE_FIELDS.items()})

    @classmethod
    def new(cls, **columns: np.ndarray) -> Cases:
        """Cases from columns named as in CASE_FIELDS; repeat_contacts start at zero."""
        n = len(columns["customer"])
        columns.setdefault("repeat_contacts", np.zeros(n, dtype=np.int16))
        return cls({name: np.asarray(columns[name], dtype=dtype) for name, dtype in CASE_FIELDS.items()})

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


def remedies(
    cases: Cases, policy: PolicyConf, catalogue: Catalogue, severe_threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """What the written policy gives each case: (apology, compensation in currency).

    The one place where a policy is applied; a failure type's own procedure,
    where the catalogue sets one, overrides the general policy (S15).
    """
    kind = cases["kind"]
    share = np.where(
        np.isnan(catalogue.compensation[kind]), policy.compensation, catalogue.compensation[kind]
    )
    mode = np.where(catalogue.apology[kind] >= 0, catalogue.apology[kind], APOLOGY_CODES[policy.apology])
    severe = cases["severity"] >= severe_threshold
    apology = (mode == APOLOGY_CODES[Apology.always]) | (
        (mode == APOLOGY_CODES[Apology.severe_only]) & severe
    )
    return apology, share * cases["loss"]


def frontline_resolves(
    apology: np.ndarray, compensation: np.ndarray, delegation: DelegationConf, u: np.ndarray
) -> np.ndarray:
    """Cases the frontline closes on first contact: within its authority, and it manages (S8).

    First-contact resolution is about 14% with low empowerment and 70-80% with
    high empowerment (Customer Rage Study 2015; call-centre benchmarks).
    """
    cap = np.inf if delegation.compensation_cap is None else delegation.compensation_cap
    authorised = (compensation <= cap) & (delegation.may_apologise | ~apology)
    return authorised & (u < delegation.first_contact_resolution)


def apply_consistently(
    apology: np.ndarray,
    compensation: np.ndarray,
    firm: FirmConf,
    u_apply: np.ndarray,
    u_improvise: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Staff follow the written policy with probability ``policy_consistency`` (S7).

    An improvising employee gives at most one of the two remedies, each half the time.
    """
    improvised = u_apply >= firm.policy_consistency
    keep_apology = ~improvised | (u_improvise < 0.5)
    keep_money = ~improvised | (u_improvise >= 0.5)
    return apology & keep_apology, np.where(keep_money, compensation, 0.0)


def compensation_value(share: np.ndarray, conf: OutcomeConf) -> np.ndarray:
    """Logit gain from compensation as a share of the loss: concave to 100%, flat, then backfiring.

    Reaches ``compensation_effect`` at 100% of the loss, adds ~4% more by 150%,
    and loses ground beyond ``backfire_threshold`` (Gelbrich, Gäthke & Grégoire
    2015; Haesevoets et al. 2017: over-compensation adds nothing or backfires).
    """
    k = conf.compensation_curvature
    gain = conf.compensation_effect * (1.0 - np.exp(-k * share)) / (1.0 - np.exp(-k))
    return gain - conf.backfire_strength * np.maximum(0.0, share - conf.backfire_threshold) ** 2


def recovery_probability(
    apology: np.ndarray,
    share: np.ndarray,
    price_sensitivity: np.ndarray,
    response_days: np.ndarray,
    investigated: np.ndarray,
    conf: OutcomeConf,
    target_days: float,
) -> np.ndarray:
    """Chance a complainant is satisfied with the recovery.

    Additive on the logit scale: nothing 10%, apology alone 35% (Abeler et al.
    2009, indirect), compensation of the full loss alone 37%, both 74%
    (Customer Rage Study 2013 and 2015). The four figures fit an additive model
    exactly: logit(.74) = logit(.10) + [logit(.35) - logit(.10)] + [logit(.37) - logit(.10)].
    """
    late_weeks = np.maximum(0.0, response_days - target_days) / 7.0
    z = (
        conf.intercept
        + conf.apology_effect * apology
        + price_sensitivity * compensation_value(share, conf)
        - conf.delay_penalty * late_weeks
        - conf.blame_penalty * investigated
    )
    return expit(z)


def weekly_capacity(firm: FirmConf, week: int) -> int:
    """Cases the recovery team closes in ``week``; fractional capacity carries over."""
    rate = firm.staff * firm.cases_per_staff_week
    return int(np.floor(rate * week) - np.floor(rate * (week - 1)))


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
        self.wom = wom
        self.catalogue = catalogue
        self.severe_threshold = severe_threshold
        self.queue = Cases.empty()
        self.grievance = grievance
        self.draws = draws

    def draw(self, name: str, cases: Cases) -> np.ndarray:
        """The case's uniform ``name``: the complainant's in the week they complained, whenever answered."""
        return self.draws(name, cases["customer"], cases["week"])

    def handle(self, week: int, new: Cases, pop: Population) -> tuple[Closed, Closed, int]:
        """One week at the desk: returns (closed, abandoned, repeat contacts made)."""
        apology, money = remedies(new, self.policy, self.catalogue, self.severe_threshold)
        at_once = frontline_resolves(apology, money, self.delegation, self.draw("frontline", new))
        queue = self.queue.append(new.take(~at_once))

        waiting = pop.status[queue["customer"]] == ACTIVE
        abandoned = self._abandon(queue.take(~waiting), pop)
        waiting = np.flatnonzero(waiting)
        capacity = weekly_capacity(self.firm, week)
        served, self.queue = queue.take(waiting[:capacity]), queue.take(waiting[capacity:])
        cases = new.take(at_once).append(served)
        first_contact = np.arange(len(cases)) < int(at_once.sum())
        closed = self._close(cases, first_contact, week, pop)
        return closed, abandoned, self._chase(week, pop)

    def _close(self, cases: Cases, first_contact: np.ndarray, week: int, pop: Population) -> Closed:
        firm, conf = self.firm, self.outcome
        apology, money = remedies(cases, self.policy, self.catalogue, self.severe_threshold)
        apology, money = apply_consistently(
            apology, money, firm, self.draw("apply", cases), self.draw("improvise", cases)
        )
        investigated = np.full(len(cases), firm.investigate_blame)
        if firm.investigate_blame:
            money = np.where(self.draw("blame", cases) < firm.blame_customer_fault_share, 0.0, money)
        wanted = money.copy()
        if firm.recovery_budget is not None:
            money = np.where(np.cumsum(money) <= firm.recovery_budget, money, 0.0)
        waited = 7.0 * (week - cases["week"])
        days = np.where(first_contact, firm.first_contact_days, waited + firm.escalated_processing_days)
        days = days + firm.blame_delay_days * investigated
        customers = cases["customer"]
        share = np.divide(money, cases["loss"], out=np.zeros_like(money), where=cases["loss"] > 0)
        p = recovery_probability(
            apology,
            share,
            pop.price_sensitivity[customers],
            days,
            investigated,
            conf,
            firm.response_target_days,
        )
        satisfied = self.draw("outcome", cases) < p
        quick = days <= firm.response_target_days
        answered = pop.satisfaction[customers]
        experience = self._settle(cases, satisfied, quick, pop)
        closed = Closed(
            cases=cases,
            first_contact=first_contact,
            response_days=days,
            apology=apology,
            compensation=money,
            outcome=np.where(satisfied, OUTCOME_SATISFIED, OUTCOME_DISSATISFIED),
            within_target=quick,
            investigated=investigated,
            budget_denied=(wanted > 0) & (money == 0),
            experience=experience,
            satisfaction_answered=answered,
            satisfaction_after=pop.satisfaction[customers],
        )
        return self._talk(closed, satisfied)

    def _settle(self, cases: Cases, satisfied: np.ndarray, quick: np.ndarray, pop: Population) -> np.ndarray:
        """Move each complainant's satisfaction and churn risk by the outcome; return how each case ended."""
        conf = self.outcome
        c = cases["customer"]
        s, pre = pop.satisfaction[c], cases["pre_satisfaction"]
        mended = s + conf.restore_share * np.maximum(0.0, pre - s)
        paradox = satisfied & quick & cases["first_mild"]
        mended = np.where(paradox, np.maximum(mended, pre + conf.paradox_bonus), mended)
        after = np.where(satisfied, mended, s - conf.double_deviation)
        pop.satisfaction[c] = np.clip(after, 0.0, 1.0)
        experience = np.where(
            satisfied,
            np.where(quick, Experience.RESOLVED_QUICKLY, Experience.RESOLVED),
            Experience.UNRESOLVED,
        )
        self.grievance.add(pop, c, experience, cases["severity"], pre)
        np.subtract.at(pop.open_cases, c, 1)
        return experience

    def _talk(self, closed: Closed, satisfied: np.ndarray) -> Closed:
        """Satisfied complainants may praise the firm; the others tell, and some post publicly."""
        firm, wom = self.firm, self.wom
        c = closed.cases["customer"]
        u_tell, u_post = self.draw("tell", closed.cases), self.draw("post", closed.cases)
        closed.praise = c[satisfied & (u_tell < wom.recovered_tell)]
        closed.blame = c[~satisfied & (u_tell < wom.unresolved_tell)]
        post_rate = np.where(satisfied, wom.post_satisfied, wom.post_dissatisfied)
        calm = 1.0 - firm.deescalation * firm.deescalation_effect
        closed.posters = c[u_post < post_rate * calm]
        return closed

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
        self.queue.data["repeat_contacts"] = self.queue["repeat_contacts"] + chasing
        c = self.queue["customer"][chasing]
        np.subtract.at(pop.satisfaction, c, self.outcome.chase_penalty)
        np.clip(pop.satisfaction, 0.0, 1.0, out=pop.satisfaction)
        return int(chasing.sum())
