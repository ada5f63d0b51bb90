"""A complaint as a case: its columns while it is open, and what closing it records.

The desk (``recovery``) keeps its open cases as columns of equal length, made
from a week's complaints in one compiled pass (:func:`_intake`); a closed
case's answer, outcome and the complainant's satisfaction before and after
are a :class:`Closed`, which the complaint log and the week's counts read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from sim.world.population import Experience

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
    "gave_up": np.bool_,  # waited past patience: treated as unresolved from then on
    "channel": np.int8,  # where the complaint is now (CHANNELS order): a customer kept waiting moves on
    "origin": np.int8,  # where it came in
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
    def complaints(
        cls, complained: np.ndarray, week: int, failures: tuple[np.ndarray, ...], failures_seen: np.ndarray
    ) -> Cases:
        """This week's complaints as new cases: the ``failures`` that were ``complained`` about.

        ``failures`` are columns (customer, failure-log record, kind, severity,
        loss, notified, satisfaction before, severe, channel); ``failures_seen`` counts
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
    #: aligned with ``posters``: the post praises the firm (a satisfied complainant) rather than blames it
    praising: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.bool_))
    #: aligned with ``cases``: the complainant posted when answered (who gave up waiting posted then, apart)
    posted: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.bool_))

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


@numba.njit(cache=True)
def _intake(complained, week, failures, failures_seen):  # noqa: ANN001, ANN202
    """Compiled Cases.complaints: the columns of CASE_FIELDS, in its order and types."""
    customer, record, kind, severity, loss, notified, before, severe, channel = failures
    n = np.count_nonzero(complained)
    customers, records, kinds = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int16)
    severities, losses, told = np.empty(n), np.empty(n), np.empty(n, np.bool_)
    pre_satisfaction, first_mild = np.empty(n), np.empty(n, np.bool_)
    for case, i in enumerate(np.flatnonzero(complained)):
        customers[case], records[case], kinds[case] = customer[i], record[i], kind[i]
        severities[case], losses[case], told[case] = severity[i], loss[i], notified[i]
        pre_satisfaction[case] = before[i]
        first_mild[case] = failures_seen[customer[i]] == 1 and not severe[i]
    weeks, repeat_contacts, gave_up = np.full(n, week, np.int32), np.zeros(n, np.int16), np.zeros(n, np.bool_)
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
        gave_up,
        channel[complained],
        channel[complained],
    )
