"""Every failure and what became of it: how it ended, and when the customer bought again.

TARP's repurchase figures compare customers after a failure: those who stayed
silent, complained and were left unresolved, were resolved, or were resolved
quickly. This log lets the model be measured the same way: one row per
failure with its severity, its ending (an ``Experience``), and the week of the
customer's next purchase (-1 if none came).
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd

from sim.world.population import Experience

PENDING = -1  # a complaint not answered yet
SILENT = int(Experience.SILENT)


class FailureLog:
    """Growable columns, one row per failure, updated as complaints close and customers come back."""

    COLUMNS = {
        "customer": np.int64,
        "week": np.int32,
        "kind": np.int16,
        "severity": np.float64,
        "experience": np.int8,
        "next_purchase_week": np.int32,
    }

    def __init__(self, nodes: int) -> None:
        self.size = 0
        self.columns = {name: np.empty(1024, dtype=dtype) for name, dtype in self.COLUMNS.items()}
        self.awaiting = np.full(nodes, -1, dtype=np.int64)  # the row each customer's next purchase closes

    def bought(self, buyers: np.ndarray, week: int) -> None:
        """Buyers with an earlier failure bought again this week."""
        _bought(buyers, week, self.awaiting, self.columns["next_purchase_week"])

    def add(
        self, customers: np.ndarray, week: int, kind: np.ndarray, severity: np.ndarray, complained: np.ndarray
    ) -> np.ndarray:
        """Record this week's failures; complaints stay PENDING until answered. Returns their rows."""
        n = customers.size
        while self.size + n > self.columns["week"].size:
            self.columns = {k: np.resize(v, 2 * v.size) for k, v in self.columns.items()}
        columns = tuple(self.columns.values())
        rows = _record(columns, self.size, customers, week, kind, severity, complained, self.awaiting)
        self.size += n
        return rows

    def settle(self, rows: np.ndarray, experience: np.ndarray) -> None:
        """A complaint was answered (or abandoned): how it ended."""
        self.columns["experience"][rows] = experience

    def frame(self, names: tuple[str, ...], horizon: int = 26) -> pd.DataFrame:
        """The log as a table, with the failure type's name and repurchase within ``horizon`` weeks."""
        c = {k: v[: self.size] for k, v in self.columns.items()}
        ending = np.array(["silent", "unresolved", "resolved", "resolved_quickly", "pending"])
        gap = c["next_purchase_week"] - c["week"]
        return pd.DataFrame(
            {
                "week": c["week"],
                "customer": c["customer"],
                "failure_type": np.array(names)[c["kind"]],
                "severity": c["severity"],
                "ending": ending[c["experience"]],
                "next_purchase_week": c["next_purchase_week"],
                "repurchased": (c["next_purchase_week"] >= 0) & (gap <= horizon),
            }
        )


@numba.njit(cache=True)
def _bought(buyers, week, awaiting, next_purchase_week):  # noqa: ANN001, ANN202
    """Compiled FailureLog.bought: few buyers have a failure waiting, and NumPy took four passes over all."""
    for node in buyers:
        if awaiting[node] >= 0:
            next_purchase_week[awaiting[node]] = week
            awaiting[node] = -1


@numba.njit(cache=True)
def _record(columns, first, customers, week, kind, severity, complained, awaiting):  # noqa: ANN001, ANN202
    """Compiled FailureLog.add: rows from ``first`` on, in COLUMNS' order; NumPy took a dozen calls."""
    customer, weeks, kinds, severities, experience, next_purchase_week = columns
    rows = np.arange(first, first + customers.size)
    for i in range(customers.size):
        row = rows[i]
        customer[row], weeks[row], kinds[row], severities[row] = customers[i], week, kind[i], severity[i]
        experience[row] = PENDING if complained[i] else SILENT
        next_purchase_week[row] = -1
        awaiting[customers[i]] = row
    return rows
