"""The failure catalogue (S15) and root-cause learning from complaints (S13).

The catalogue is data: one row per failure type. Learning lowers a type's
rate as complaints about it accumulate; silent sufferers teach nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit, ndtri

from sim.config import Apology, FailureConf, FirmConf

APOLOGY_CODES = {Apology.never: 0, Apology.severe_only: 1, Apology.always: 2}


@dataclass(frozen=True)
class Catalogue:
    """The failure types as arrays indexed by type number."""

    names: tuple[str, ...]
    frequency: np.ndarray
    severity: np.ndarray
    loss_share: np.ndarray
    detectable: np.ndarray
    compensation: np.ndarray  # NaN: follow the policy
    apology: np.ndarray  # -1: follow the policy, else an APOLOGY_CODES value

    @classmethod
    def from_config(cls, conf: FailureConf) -> Catalogue:
        """Freeze the configured catalogue into arrays (types in configured order)."""
        types = conf.catalogue
        return cls(
            names=tuple(types),
            frequency=np.array([t.frequency for t in types.values()]) * conf.rate_multiplier,
            severity=np.array([t.severity for t in types.values()]),
            loss_share=np.array([t.loss_share for t in types.values()]),
            detectable=np.array([t.detectable for t in types.values()]),
            compensation=np.array(
                [np.nan if t.compensation is None else t.compensation for t in types.values()]
            ),
            apology=np.array([-1 if t.apology is None else APOLOGY_CODES[t.apology] for t in types.values()]),
        )


def failure_rates(catalogue: Catalogue, complaints_logged: np.ndarray, firm: FirmConf) -> np.ndarray:
    """Per-purchase rate of each type after learning from the complaints logged so far."""
    learned = 1.0 - np.exp(-complaints_logged / firm.learning_scale)
    return catalogue.frequency * (1.0 - firm.root_cause_learning * firm.learning_max_reduction * learned)


def purchases_fail(rates: np.ndarray, u_fail: np.ndarray) -> np.ndarray:
    """Which purchases meet a failure of some type (a mask aligned with ``u_fail``)."""
    return u_fail < np.cumsum(rates)[-1]


def describe_failures(
    basket: np.ndarray,
    rates: np.ndarray,
    catalogue: Catalogue,
    spread: float,
    u_type: np.ndarray,
    u_severity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Type, severity and monetary loss of each failed purchase (``basket`` and uniforms: the failed only).

    Types come in proportion to their rates. Severity is the type's mean moved
    on the logit scale by ``spread`` so that failures of one type differ in
    how much they hurt.
    """
    cumulative = np.cumsum(rates)
    kind = np.minimum(np.searchsorted(cumulative / cumulative[-1], u_type, side="right"), len(rates) - 1)
    mean = np.clip(catalogue.severity[kind], 1e-6, 1 - 1e-6)
    severity = expit(logit(mean) + spread * ndtri(u_severity))
    return kind, severity, catalogue.loss_share[kind] * basket
