"""``sim.parameters()``: every key a run takes, with its default, range, unit, kind, source and meaning.

One walk over the schema's leaves (:func:`leaves`) serves both this table and the ODD's
(``python -m sim.world.params``), so neither can drift from the code. This module is imported
with ``sim``; the ODD table's command is not, so that ``python -m`` runs it cleanly.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from enum import Enum
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from sim.world.bounds import kind_of, type_hints
from sim.world.config import PRESET_GROUPS
from sim.world.parameter import PROJECT_ROOT
from sim.world.schema import SimConfig


def leaves(obj: Any, prefix: str = "") -> Iterator[tuple[str, Any, dataclasses.Field, Any]]:
    """Every leaf parameter below ``obj``: dotted key, value, its field and the field's type."""
    hints = type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value, key = getattr(obj, f.name), f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from leaves(value, key + ".")
        elif isinstance(value, dict):
            for name, item in value.items():
                yield from leaves(item, f"{key}.{name}.")
        else:
            yield key, value, f, hints[f.name]


#: The columns of ``sim.parameters()``, after its index (the dotted key).
COLUMNS = ("default", "low", "high", "unit", "kind", "choices", "nullable", "source", "doc")
#: A field's type -> its kind, in the words of exploratory-modelling tools (EMA Workbench's parameters).
KINDS = {float: "real", int: "integer", bool: "boolean", str: "text", list: "list"}


def _kind(hint: Any) -> tuple[str, tuple[str, ...] | None, bool]:
    """``float | None`` -> ("real", None, True); ``Apology`` -> ("categorical", its values, False)."""
    kind, nullable = kind_of(hint)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "categorical", tuple(m.value for m in kind), nullable
    return KINDS[kind], None, nullable


def _bound(value: float | None) -> float:
    return math.nan if value is None else float(value)


def default_presets() -> dict[str, str]:
    """The preset each group's default scenario uses, from configs/config.yaml's defaults list."""
    defaults = OmegaConf.load(PROJECT_ROOT / "configs" / "config.yaml").defaults
    chosen = {}
    for entry in defaults:
        if isinstance(entry, str):
            continue
        chosen.update({group: name for group, name in entry.items() if group in PRESET_GROUPS})
    return chosen


def _preset_records() -> list[dict[str, Any]]:
    """A row per preset group: ``sim.run(policy="apology")`` takes the name of a file in configs/<group>/."""
    return [
        {
            "key": group,
            "default": name,
            "unit": "preset",
            "kind": "preset",
            "choices": tuple(sorted(p.stem for p in (PROJECT_ROOT / "configs" / group).glob("*.yaml"))),
            "nullable": False,
            "source": f"configs/{group}/",
            "doc": f"a preset of {group}.*, applied before any key of your own (as {group}=NAME in Hydra)",
        }
        for group, name in default_presets().items()
    ]


def parameters() -> pd.DataFrame:
    """Every key ``sim.run`` takes, one row each: default, low, high, unit, kind, choices, source, meaning.

    Indexed by the dotted key (``sim.parameters().loc["market.customers", "high"]``). The preset
    groups come first (kind ``preset``, their names in ``choices``), then every parameter of
    ``SimConfig`` in the order of docs/ODD.md's table. ``kind`` is real, integer, boolean,
    categorical (its values in ``choices``), text or list; ``nullable``: null is
    allowed (each key's meaning says what null does); ``low`` and ``high`` are the range the model
    accepts (NaN: none), not a range of plausible values.
    """
    records = _preset_records()
    for key, value, f, hint in leaves(SimConfig()):
        kind, choices, nullable = _kind(hint)
        m = f.metadata
        records.append(
            {
                "key": key,
                "default": value.value if isinstance(value, Enum) else value,
                "low": _bound(m.get("lo")),
                "high": _bound(m.get("hi")),
                "unit": m.get("unit", ""),
                "kind": kind,
                "choices": choices,
                "nullable": nullable,
                "source": m.get("source", ""),
                "doc": m.get("doc", ""),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=["key", *COLUMNS])
    frame[["low", "high"]] = frame[["low", "high"]].astype(float)
    return frame.set_index("key")
