"""``sim.outcomes(**keywords)``: the model as a function from flat keywords to numbers, for analysts' tools.

Exploratory-modelling tools such as EMA Workbench (docs/ema.md) call a model as
``f(**{name: value})`` and read a flat dict of numbers back; their names must be Python
identifiers. So a name here is a dotted key of ``sim.parameters()`` with each dot written as
two underscores (``market__customers``, ``failures__rate_multiplier``,
``failures__catalogue__billing_error__frequency``); no key has a double underscore of its
own, and a dotted key given as it is (``**{"market.customers": 1000}``) is taken too. A preset
group takes a preset's name (``policy="apology"``, ``delegation="full"``, ``network=...``),
applied before the keys as in ``sim.run``, and ``seed`` is the seed.

A call composes its config without OmegaConf (:func:`sim.world.fastconfig.configure_flat`:
under a millisecond, against tens through ``sim.run``'s route; ``benchmarks/bench_connect.py``),
builds no Mesa agents and no complaint log, and leaves the config out of the summary: the
numbers are those of ``sim.run(**same_keys).summary`` (tested), for about a quarter of
``sim.run``'s time in a small market.
"""

from __future__ import annotations

import math
from typing import Any

from sim.metrics import SUMMARY_METRICS
from sim.model import RecoveryModel
from sim.result import model_summary
from sim.world.fastconfig import configure_flat
from sim.world.parameter import ConfigError

#: What stands for a dot of a dotted key in a name that must be a Python identifier.
SEPARATOR = "__"
#: The names of what ``outcomes`` returns: the numeric figures of summary.json.
OUTCOMES = SUMMARY_METRICS


def key_of(name: str) -> str:
    """``"market__customers"`` -> ``"market.customers"`` (a dotted key stays as it is)."""
    return name.replace(SEPARATOR, ".")


def name_of(key: str) -> str:
    """``"market.customers"`` -> ``"market__customers"``: a dotted key as a name EMA Workbench accepts."""
    return key.replace(".", SEPARATOR)


def outcomes(**keywords: Any) -> dict[str, float]:
    """Run the model once and return every numeric figure of its summary, as floats.

    ``sim.outcomes(policy="apology", seed=3, market__customers=1000, weeks=52,
    failures__rate_multiplier=1.5)`` -> ``{"revenue": ..., "profit": ..., "churn_rate": ..., ...}``
    (the names in ``sim.connect.OUTCOMES``). A rate with nothing to count (no complaints, so no
    complaint rate of recovery) is NaN where summary.json has null. Keywords: dotted keys of
    ``sim.parameters()`` with ``__`` for each dot (or the dotted key itself), a preset's name
    per preset group, ``seed``; anything else, or a value out of range, raises
    ``sim.ConfigError`` with ``sim.run``'s one-line message.
    """
    values: dict[str, Any] = {}
    for name, value in keywords.items():
        key = key_of(name)
        if key in values:
            raise ConfigError(f"{name} names {key} twice: allowed one of {name_of(key)} and {key}")
        values[key] = value
    model = RecoveryModel(configure_flat(**values), agents=False)
    model.run_model()
    summary = model_summary(model, config=False)
    return {name: math.nan if summary[name] is None else float(summary[name]) for name in OUTCOMES}
