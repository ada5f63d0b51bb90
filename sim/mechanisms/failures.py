"""The failure catalogue (S15) and root-cause learning from complaints (S13).

The catalogue is data: one row per failure type. Learning lowers a type's
rate as complaints about it accumulate; silent sufferers teach nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from scipy.special import logit

from sim.world.market_schema import FailureConf
from sim.world.parameter import Apology
from sim.world.schema import FirmConf
from sim.world.special import expit, normal_quantile

APOLOGY_CODES = {Apology.never: 0, Apology.severe_only: 1, Apology.always: 2}


@dataclass(frozen=True)
class Catalogue:
    """The failure types as arrays indexed by type number."""

    names: tuple[str, ...]
    frequency: np.ndarray
    severity: np.ndarray
    severity_logit: np.ndarray  # the mean severity on the logit scale, where failures of a type spread
    loss_share: np.ndarray
    detectable: np.ndarray
    compensation: np.ndarray  # NaN: follow the policy
    apology: np.ndarray  # -1: follow the policy, else an APOLOGY_CODES value

    @classmethod
    def from_config(cls, conf: FailureConf) -> Catalogue:
        """Freeze the configured catalogue into arrays (types in configured order)."""
        types = conf.catalogue
        severity = np.array([t.severity for t in types.values()])
        return cls(
            names=tuple(types),
            frequency=np.array([t.frequency for t in types.values()]) * conf.rate_multiplier,
            severity=severity,
            severity_logit=logit(np.clip(severity, 1e-6, 1 - 1e-6)),
            loss_share=np.array([t.loss_share for t in types.values()]),
            detectable=np.array([t.detectable for t in types.values()]),
            compensation=np.array(
                [np.nan if t.compensation is None else t.compensation for t in types.values()]
            ),
            apology=np.array([-1 if t.apology is None else APOLOGY_CODES[t.apology] for t in types.values()]),
        )


def failure_rates(catalogue: Catalogue, complaints_logged: np.ndarray, firm: FirmConf) -> np.ndarray:
    """Per-purchase rate of each type after learning from the complaints logged so far."""
    reduction = firm.root_cause_learning * firm.learning_max_reduction
    return _learned_rates(catalogue.frequency, complaints_logged, firm.learning_scale, reduction)


@numba.njit(cache=True)
def _learned_rates(frequency, complaints_logged, scale, reduction):  # noqa: ANN001, ANN202
    """Compiled failure_rates: NumPy took five calls on a handful of types, each slower than the sum."""
    return frequency * (1.0 - reduction * (1.0 - np.exp(-complaints_logged / scale)))


@numba.njit(cache=True)
def failure_type(shares, u):  # noqa: ANN001, ANN202
    """A failure's type: types come in proportion to their rates (``shares``: cumulative, ending at 1)."""
    kind = 0
    while kind < shares.size - 1 and shares[kind] <= u:
        kind += 1
    return kind


@numba.njit(cache=True)
def failure_severity(mean_logit, spread, u):  # noqa: ANN001, ANN202
    """How much one failure hurts: its type's mean moved on the logit scale, failures of a type differ."""
    return expit(mean_logit + spread * normal_quantile(u))
