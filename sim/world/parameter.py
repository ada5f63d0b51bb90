"""How a parameter is declared: its default, range, meaning, unit and source, in one place.

:func:`param` puts them on a dataclass field: ``sim.world.bounds`` checks the
range, ``python -m sim.world.params`` prints the ODD parameter table from the
rest, so docs and code cannot drift apart. The free parameters no source pins
down (:func:`fitted_param`) take their defaults from data/calibration.yaml,
which ``recovery-sim experiment=calibrate`` writes.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import field
from enum import Enum
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(ValueError):
    """A configuration value that the model cannot run with; the message is one line."""


CALIBRATION = PROJECT_ROOT / "data" / "calibration.yaml"
FITTED = "fitted (experiment=calibrate)"


def load_calibration(path: Path = CALIBRATION) -> dict[str, float]:
    """The fitted values, key -> number, from a file written by the calibration study."""
    try:
        data = OmegaConf.to_container(OmegaConf.load(path))
        values = data.get("values") if isinstance(data, dict) else None
        if not isinstance(values, dict):
            raise TypeError("no 'values' mapping")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()):
            raise TypeError("a value is not a number")
    except (
        Exception
    ) as error:  # unreadable, not YAML, or not the shape the study writes: all the same to a user
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ConfigError(
            f"{path} is missing or malformed ({reason}): allowed a 'values' mapping of key: number"
        ) from None
    return values


def _shipped_calibration() -> tuple[dict[str, float], ConfigError | None]:
    """The shipped values, or the problem with their file; ``sim.world.bounds.validate`` raises the problem.

    Raising at import would end the command line in a traceback; deferred, it
    is the one-line error every bad configuration gets.
    """
    try:
        return load_calibration(), None
    except ConfigError as problem:
        return {}, problem


CALIBRATED, CALIBRATION_PROBLEM = _shipped_calibration()
FITTED_KEYS: list[str] = []  # every key a default was asked for, so validate() can name the missing ones


def fitted_param(key: str, lo: float, hi: float, *, doc: str, unit: str, evidence: str) -> Any:
    """A parameter the calibration study fits: default from data/calibration.yaml, source saying so.

    NaN if the file lacks ``key``; validate() then names it.
    """
    FITTED_KEYS.append(key)
    return param(CALIBRATED.get(key, math.nan), lo, hi, doc=doc, unit=unit, source=f"{FITTED}: {evidence}")


def check_calibration() -> None:
    """Raise the shipped calibration file's problem, if it has one."""
    if CALIBRATION_PROBLEM is not None:
        raise CALIBRATION_PROBLEM
    missing = [key for key in FITTED_KEYS if key not in CALIBRATED]
    if missing:
        raise ConfigError(
            f"{CALIBRATION} has no value for {', '.join(missing)}: allowed a 'values' mapping of every "
            "fitted key"
        )


def param(
    default: Any = dataclasses.MISSING,
    lo: float | None = None,
    hi: float | None = None,
    *,
    doc: str,
    unit: str = "",
    source: str = "assumption",
    factory: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field that carries its range, meaning, unit and source.

    ``sim.world.bounds`` checks the range; ``python -m sim.world.params`` prints the
    ODD parameter table from the rest, so docs and code cannot drift apart.
    """
    metadata = {"lo": lo, "hi": hi, "doc": doc, "unit": unit, "source": source}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


class Apology(Enum):
    """When the firm apologises to a complainant (S11)."""

    never = "never"
    severe_only = "severe_only"
    always = "always"


class StudyKind(Enum):
    """What a study does: sweep a grid, search for the best policy, screen, validate, calibrate, check it."""

    grid = "grid"
    optimise = "optimise"
    sensitivity = "sensitivity"
    robustness = "robustness"
    validation = "validation"
    calibrate = "calibrate"
    calibration_check = "calibration_check"


class NetworkKind(Enum):
    """Shapes of the customers' social network."""

    small_world = "small_world"
    scale_free = "scale_free"
    powerlaw_cluster = "powerlaw_cluster"
    edgelist = "edgelist"


PROB = "probability"
SHARE = "share"
MONEY = "currency"
SAT = "satisfaction (0-1)"
LOGIT = "logit"
KRISS = "Kriss 2014 (HBR)"
RAGE = "Customer Rage Study 2013, 2015"
TARP = "TARP; Goodman & Newman 2003"
