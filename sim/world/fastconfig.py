"""A SimConfig from presets and flat keys without OmegaConf, for tools that run the model thousands of times.

:func:`sim.world.config.configure` composes through OmegaConf: about 30 ms a call, more than
a small run of the model takes. :func:`configure_flat` takes the same keywords (a preset name
per group, dotted keys) and gives the same SimConfig: it composes each combination of presets
once with ``configure`` and keeps it, then sets each value on a copy of the dataclasses,
converted as OmegaConf converts it (an int for a real becomes a float, an enum's name its
member), and validates once. Whatever it cannot set that plainly (a section's ``name``, a list,
a section as a dict, a key it does not know, a text for a number) goes the whole way through
``configure``, and so does any value validation refuses: the result and every refusal are
``configure``'s own (tests/test_connect.py).
"""

from __future__ import annotations

import dataclasses
import functools
from enum import Enum
from typing import Any

from sim.world.bounds import kind_of, type_hints, validate
from sim.world.config import PRESET_GROUPS, configure, plain, with_values
from sim.world.parameter import ConfigError
from sim.world.schema import SimConfig


class _IndirectError(Exception):
    """A value configure_flat leaves to configure."""


@functools.lru_cache(maxsize=64)
def _base(presets: tuple[tuple[str, str], ...]) -> SimConfig:
    """The default world with these presets, composed once (never changed: every value is set on a copy)."""
    return configure(**dict(presets))


def configure_flat(**values: Any) -> SimConfig:
    """``configure(**values)`` for preset names and dotted keys, without OmegaConf after the first call.

    ``configure_flat(policy="apology", seed=3, **{"market.customers": 1000, "firm.complaint_ease": 0.8})``
    """
    presets = {key: value for key, value in values.items() if key in PRESET_GROUPS and isinstance(value, str)}
    try:
        return _set_all(_base(tuple(presets.items())), {k: v for k, v in values.items() if k not in presets})
    except (_IndirectError, ConfigError):
        return configure(**values)


def with_flat(cfg: SimConfig, **dotted: Any) -> SimConfig:
    """``with_values(cfg, **dotted)`` without OmegaConf where each value can be set plainly.

    For studies that set a few values on one cell's config for every run (robustness,
    calibration): the result and every refusal are ``with_values``' own.
    """
    try:
        return _set_all(cfg, dotted)
    except (_IndirectError, ConfigError):
        return with_values(cfg, **dotted)


def _set_all(cfg: SimConfig, dotted: dict[str, Any]) -> SimConfig:
    """``cfg`` with every dotted key set, validated once; _IndirectError where one cannot be set plainly."""
    for key, value in dotted.items():
        cfg = _set(cfg, key.split("."), value)
    return validate(cfg)


def _set(node: Any, path: list[str], value: Any) -> Any:
    """A copy of ``node`` with the value at ``path`` replaced (the rest shared), or _IndirectError."""
    name, rest = path[0], path[1:]
    if dataclasses.is_dataclass(node):
        hint = type_hints(type(node)).get(name)
        if hint is None or name == "name":  # unknown, or a label configure checks against its preset
            raise _IndirectError
        new = _set(getattr(node, name), rest, value) if rest else _converted(value, hint)
        return dataclasses.replace(node, **{name: new})
    if isinstance(node, dict) and rest and name in node:  # a failure type of the catalogue
        return {**node, name: _set(node[name], rest, value)}
    raise _IndirectError


def _converted(value: Any, hint: Any) -> Any:
    """``value`` as OmegaConf would store it in a field of type ``hint``; _IndirectError if not plainly."""
    value = plain(value)
    kind, nullable = kind_of(hint)
    if value is None and nullable:
        return None
    if kind is float and type(value) in (int, float):
        return float(value)
    if kind in (int, bool, str) and type(value) is kind:
        return value
    if isinstance(kind, type) and issubclass(kind, Enum):
        if isinstance(value, kind):
            return value
        if type(value) is str and value in kind.__members__:
            return kind[value]
    raise _IndirectError
