"""What a published fact is, which kind of evidence it gives, and when it passes.

A figure the model was fitted to, or that was typed into it, cannot also be
the evidence that the model is right (MODEL_BRIEF §4b, Rand & Rust 2011), so
every fact carries its kind, and the calibration refuses the held-out ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

#: A fact passes only where it holds in at least this share of the seeds, and its mean is in band.
SEED_SHARE = 0.9


class Kind(StrEnum):
    """What a fact can show."""

    INPUT = "input check"  # typed into the model and measured back: guards the code, validates nothing
    TARGET = "calibration target"  # what experiment=calibrate fits: a pass shows the fit holds on new seeds
    HELD_OUT = "held-out test"  # never seen by the fit, from sources it does not use: the validation


@dataclass(frozen=True)
class Fact:
    """One published claim, the band a pass needs, and how the value is shown."""

    key: str
    claim: str
    target: str
    source: str
    low: float
    high: float
    percent: bool = True
    points: bool = False  # a difference of two shares, shown in percentage points
    aim: float | None = None  # the published figure, where the source gives one
    tolerance: float | None = None  # a miss by this much counts one in the calibration; half the band if None
    kind: Kind = field(kw_only=True)
    group: str = field(default="", kw_only=True)  # calibration targets fitted together (leave-one-group-out)
    why: str = field(default="", kw_only=True)  # for an input check: what was typed in

    def holds(self, value: float) -> bool:
        """One value lies in the band (a value that could not be measured does not)."""
        return bool(np.isfinite(value) and self.low <= value <= self.high)

    def passes(self, value: float) -> bool:
        """The simulated mean lies in the band."""
        return self.holds(value)

    def verdict(self, values: np.ndarray) -> tuple[str, float]:
        """'pass' or 'miss', and the share of seeds in band: a pass needs the mean in band and SEED_SHARE."""
        values = np.asarray(values, dtype=float)
        share = float(np.mean([self.holds(v) for v in values])) if values.size else 0.0
        finite = values[np.isfinite(values)]
        mean = float(finite.mean()) if finite.size else np.nan
        return ("pass" if self.passes(mean) and share >= SEED_SHARE else "miss"), share

    @property
    def scale(self) -> float:
        """What the calibration measures a miss in."""
        return self.tolerance if self.tolerance is not None else (self.high - self.low) / 2


@dataclass(frozen=True)
class Unmodelled:
    """A published result the model has no mechanism for: shown in the table, never silently left out."""

    claim: str
    source: str
    reason: str
