"""The customers' state: one NumPy array per attribute, one row per network node.

Every node is a person: a prospect, an active customer or a churned one. The
arrays are the model's truth; Mesa agents read their own row (see agents.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numba
import numpy as np

from sim.world.market_schema import CustomerConf
from sim.world.schema import FirmConf


class Status(IntEnum):
    """Where a person stands with the firm."""

    PROSPECT = 0
    ACTIVE = 1
    CHURNED = 2


class Experience(IntEnum):
    """The last failure a customer met and what became of it (TARP's ladder)."""

    SILENT = 0
    UNRESOLVED = 1
    RESOLVED = 2
    RESOLVED_QUICKLY = 3


class State(IntEnum):
    """What a picture shows of a person: where they stand and, if a customer, how they feel."""

    PROSPECT = 0
    SATISFIED = 1
    UNHAPPY = 2
    COMPLAINED = 3
    CHURNED = 4


#: Status codes as plain ints, for compiled loops and for NumPy (an IntEnum operand costs it 10 us a call).
ACTIVE, PROSPECT = int(Status.ACTIVE), int(Status.PROSPECT)
#: 1 for an active customer's status code, else 0: compiled loops look it up rather than compare,
#: because LLVM compiles the comparison to a branch that random statuses mispredict (3x slower).
IS_ACTIVE = np.array([s == Status.ACTIVE for s in sorted(Status)], dtype=np.int64)

#: Satisfaction at or above which an active customer counts as satisfied.
SATISFIED_FROM = 0.5
#: Weeks after a complaint during which a customer is shown as having complained.
COMPLAINED_WEEKS = 4


@dataclass
class Population:
    """Customer arrays. Traits are drawn once; the rest changes week by week."""

    status: np.ndarray
    satisfaction: np.ndarray
    expectation: np.ndarray
    start_satisfaction: np.ndarray  # satisfaction a prospect starts with on joining
    complaint_propensity: np.ndarray  # logit shift
    patience_days: np.ndarray
    influence: np.ndarray  # multiplies WOM reach
    price_sensitivity: np.ndarray  # multiplies the value of compensation
    attitude: np.ndarray  # a prospect's leaning from WOM
    grievance: np.ndarray  # excess weekly churn hazard after failures
    contagion: np.ndarray  # recent churned neighbours, decaying
    failures_seen: np.ndarray
    last_failure_week: np.ndarray
    last_failure_kind: np.ndarray
    last_failure_complained: np.ndarray
    open_cases: np.ndarray
    churn_week: np.ndarray
    spend: np.ndarray  # revenue from this person since the start
    digital_affinity: np.ndarray  # which complaint channels suit them (channels.py)
    failed_channel: np.ndarray  # the channel whose answer failed them last; -1: none

    @property
    def size(self) -> int:
        """Number of nodes."""
        return self.status.size

    def members(self, status: Status) -> np.ndarray:
        """The nodes in ``status``, in node order."""
        return _members(self.status, int(status))

    def census(self) -> dict[str, float]:
        """Head counts by status, how active customers feel, and the complaints still open."""
        counts, satisfied, total_satisfaction, open_cases = _census(
            self.status, self.satisfaction, self.open_cases, SATISFIED_FROM, IS_ACTIVE
        )
        active = int(counts[Status.ACTIVE])
        return {
            "active_customers": active,
            "prospects": int(counts[Status.PROSPECT]),
            "churned_customers": int(counts[Status.CHURNED]),
            "satisfied_customers": satisfied,
            "unhappy_customers": active - satisfied,
            "open_complaints": open_cases,
            "mean_satisfaction": total_satisfaction / active if active else float("nan"),
        }

    def states(self, week: int, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The State of the given nodes (all by default) after ``week`` weeks.

        A complaint open, or made in the last COMPLAINED_WEEKS, outranks how the
        customer feels: most complaints close within the week they are made, so
        open cases alone would hide them from a picture.
        """
        status = self.status[rows]
        feeling = np.where(self.satisfaction[rows] >= SATISFIED_FROM, State.SATISFIED, State.UNHAPPY)
        recent = self.last_failure_complained[rows] & (
            week - self.last_failure_week[rows] <= COMPLAINED_WEEKS
        )
        state = np.select(
            [status == Status.PROSPECT, status == Status.CHURNED, recent | (self.open_cases[rows] > 0)],
            [State.PROSPECT, State.CHURNED, State.COMPLAINED],
            feeling,
        )
        return state.astype(np.int8)


@numba.njit(cache=True)
def _members(status, code):  # noqa: ANN001, ANN202
    """Compiled members: listed without a branch on each node's status, which is random."""
    members, n = np.empty(status.size, dtype=np.int64), 0
    for node in range(status.size):
        members[n] = node
        n += status[node] == code
    return members[:n]


@numba.njit(cache=True)
def _census(status, satisfaction, open_cases, satisfied_from, is_active):  # noqa: ANN001, ANN202
    """One pass over the people for the weekly stocks (NumPy took a pass per count), without a branch."""
    counts = np.zeros(3, dtype=np.int64)
    satisfied, total, still_open = 0, 0.0, 0
    for node in range(status.size):
        counts[status[node]] += 1
        still_open += open_cases[node]
        active = is_active[status[node]]
        total += satisfaction[node] * active  # adding 0.0 leaves the sum as it was
        satisfied += active * (satisfaction[node] >= satisfied_from)
    return counts, satisfied, total, still_open


def draw_population(
    nodes: int,
    customers: int,
    customer: CustomerConf,
    firm: FirmConf,
    rng: np.random.Generator,
) -> Population:
    """Draw traits for every node; the first ``customers`` nodes of a random order start active."""
    order = rng.permutation(nodes)
    status = np.full(nodes, Status.PROSPECT, dtype=np.int8)
    status[order[:customers]] = Status.ACTIVE

    def lognormal_mean_one(sd: float) -> np.ndarray:
        return np.exp(rng.normal(-0.5 * sd**2, sd, nodes))

    start = np.clip(rng.normal(customer.initial_satisfaction, customer.initial_satisfaction_sd, nodes), 0, 1)
    promise_shift = firm.promise_expectation_effect * (firm.promise_level - 0.5)
    expectation = np.clip(
        rng.normal(customer.expectation + promise_shift, customer.expectation_sd, nodes), 0, 1
    )
    never = np.full(nodes, -1, dtype=np.int32)
    return Population(
        status=status,
        satisfaction=np.where(status == Status.ACTIVE, start, 0.0),
        expectation=expectation,
        start_satisfaction=start,
        complaint_propensity=rng.normal(0.0, customer.complaint_propensity_sd, nodes),
        patience_days=rng.exponential(customer.patience_days, nodes),
        influence=lognormal_mean_one(customer.influence_sd),
        price_sensitivity=lognormal_mean_one(customer.price_sensitivity_sd),
        attitude=np.zeros(nodes),
        grievance=np.zeros(nodes),
        contagion=np.zeros(nodes),
        failures_seen=np.zeros(nodes, dtype=np.int32),
        last_failure_week=never.copy(),
        last_failure_kind=never.astype(np.int16),
        last_failure_complained=np.zeros(nodes, dtype=bool),
        open_cases=np.zeros(nodes, dtype=np.int16),
        churn_week=never.copy(),
        spend=np.zeros(nodes),
        digital_affinity=np.full(nodes, 0.5),  # the model draws it from its own stream
        failed_channel=np.full(nodes, -1, dtype=np.int8),
    )
