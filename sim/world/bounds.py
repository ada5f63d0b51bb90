"""What the model can run with: every value's kind and range, and the relations between values.

Checked before anything runs or any folder is made, each refusal one line that
names the full key and what is allowed (a ``SimConfig`` built in Python gets the
same checks Hydra's schema gives the command line, and more).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import typing
from enum import Enum
from typing import Any

from sim.world.channel_schema import offered_channels
from sim.world.edgelist import check_edgelist
from sim.world.parameter import (
    ConfigError,
    NetworkKind,
    check_calibration,
)
from sim.world.schema import (
    SimConfig,
)


@functools.cache
def type_hints(schema: type) -> dict[str, Any]:
    """A dataclass's field types, resolved once (``typing.get_type_hints`` evaluates them on every call)."""
    return typing.get_type_hints(schema)


@functools.cache
def _field_kinds(schema: type) -> tuple[tuple[dataclasses.Field, Any, bool], ...]:
    """Each field of a dataclass, the kind it holds, and whether it may be None; worked out once.

    Working them out on every check cost about a millisecond a config, a run's set-up in a study.
    """
    hints = type_hints(schema)
    return tuple(
        (f, _plain_kind(hints[f.name]), _plain_kind(hints[f.name]) is not hints[f.name])
        for f in dataclasses.fields(schema)
    )


def _check_fields(obj: Any, prefix: str) -> None:
    """Refuse a value of the wrong kind or outside its declared range, naming the full key.

    Hydra checks kinds on the command line; a ``SimConfig`` built in Python gets no such check,
    and a string or an infinity there would otherwise fail weeks later, deep in a compiled loop.
    """
    for f, kind, may_be_none in _field_kinds(type(obj)):
        value, key = getattr(obj, f.name), f"{prefix}{f.name}"
        if value is None and may_be_none:
            continue  # an optional value left unset
        if not _is_kind(value, kind):
            raise ConfigError(f"{key}={value!r} is refused: allowed {_kind_name(kind, f.metadata)}")
        if dataclasses.is_dataclass(value):
            _check_fields(value, key + ".")
        elif isinstance(value, dict):
            for name, item in value.items():
                if dataclasses.is_dataclass(item):
                    _check_fields(item, f"{key}.{name}.")
        elif kind in (int, float):
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            if math.isnan(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
                raise ConfigError(f"{key}={value} is out of range: allowed {_describe(lo, hi)}")


def kind_of(hint: Any) -> tuple[Any, bool]:
    """What a field of type ``hint`` holds, and whether null is allowed: ``float | None`` -> (float, True)."""
    return _plain_kind(hint), type(None) in typing.get_args(hint)


def _plain_kind(hint: Any) -> Any:
    """``float | None`` -> float; ``list[str]`` -> list; anything else as it is."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if type(None) in typing.get_args(hint) and len(args) == 1:
        return _plain_kind(args[0])
    return typing.get_origin(hint) or hint


def _is_kind(value: Any, kind: Any) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _kind_name(kind: Any, metadata: Any) -> str:
    lo, hi = metadata.get("lo"), metadata.get("hi")
    if kind is int:
        return f"an integer from {_describe(lo, hi)}"
    if kind is float:
        return f"a number from {_describe(lo, hi)}"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(m.value for m in kind)
    return {bool: "true or false", str: "a text", list: "a list", dict: "a mapping"}.get(
        kind, f"a {getattr(kind, '__name__', kind)}"
    )


def _describe(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo} to {hi}"
    return f">= {lo}" if lo is not None else f"<= {hi}"


def _check_ladder(name: str, values: list[float]) -> None:
    if len(values) != 4 or not all(0.0 < v <= 1.0 for v in values):
        raise ConfigError(
            f"churn.{name}={values} is malformed: allowed four probabilities in (0, 1] "
            "(silent, unresolved, resolved, resolved quickly)"
        )


def validate(cfg: SimConfig) -> SimConfig:
    """Check ranges and the relations between values; raise ConfigError with one line."""
    check_calibration()
    _check_fields(cfg, "")
    if not cfg.failures.catalogue:
        raise ConfigError("failures.catalogue is empty: allowed one or more failure types")
    total = sum(t.frequency for t in cfg.failures.catalogue.values()) * cfg.failures.rate_multiplier
    if total > 1.0:
        raise ConfigError(
            f"failures: frequencies x rate_multiplier sum to {total:.3g} per purchase: allowed <= 1"
        )
    _check_ladder("repurchase_minor", cfg.churn.repurchase_minor)
    _check_ladder("repurchase_major", cfg.churn.repurchase_major)
    if cfg.churn.minor_severity >= cfg.churn.major_severity:
        raise ConfigError(
            f"churn.minor_severity={cfg.churn.minor_severity} must be below "
            f"churn.major_severity={cfg.churn.major_severity}"
        )
    if not offered_channels(cfg.channels):
        raise ConfigError(
            "channels: no channel is offered: allowed one or more of "
            "channels.{desk,phone,email,chat,social}.offered=true"
        )
    if cfg.network.kind is NetworkKind.edgelist:
        if not cfg.network.path:
            raise ConfigError("network.path is missing: allowed a path to an edge-list file")
        check_edgelist(cfg.network.path)
    return cfg
