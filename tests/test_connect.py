"""sim.outcomes(**flat keywords): the model as a function for EMA Workbench and the like.

It must give sim.run's numbers, and compose its config for much less than sim.run does.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim.connect import OUTCOMES, key_of, name_of
from sim.world import fastconfig
from sim.world.config import configure
from sim.world.fastconfig import configure_flat

SMALL = {"weeks": 6, "market.customers": 300}


def test_names_for_ema_are_identifiers_and_go_back_to_their_keys():
    for key in sim.parameters().index:
        assert "__" not in key and name_of(key).isidentifier() and key_of(name_of(key)) == key


CALLS = [
    {},
    {"policy": "apology", "delegation": "full", "seed": 7},
    {"policy": "none", "failures__rate_multiplier": np.float64(1.7), "complaints__intercept": -5.0},
    {"firm.complaint_ease": 0.9, "wom__negative_reach": 20, "seed": np.int64(3), "firm__staff": 1},
    {"policy__apology": "always", "delegation__compensation_cap": None, "network": "scale_free"},
    {"failures__catalogue__billing_error__frequency": 0.01, "firm__investigate_blame": np.bool_(True)},
]


@pytest.mark.parametrize("call", CALLS)
def test_outcomes_are_the_numbers_of_sim_run(call):
    call = {**{name_of(k): v for k, v in SMALL.items()}, **call}
    got = sim.outcomes(**call)
    summary = sim.run(**{key_of(name): value for name, value in call.items()}).summary
    assert list(got) == list(OUTCOMES)
    assert all(type(v) is float for v in got.values())
    for name in OUTCOMES:
        assert got[name] == summary[name] or (math.isnan(got[name]) and summary[name] is None), name


FLAT = [
    *({key_of(k): v for k, v in call.items()} for call in CALLS),
    {"policy.name": "mine", "policy.compensation": 0.3},  # a label of one's own: through configure
    {"market": {"customers": 500}, "weeks": "12"},  # a section as a dict, a number as text
    {"policy": {"compensation": 1.5}, "policy.apology": "severe_only", "study.within": ["network"]},
    {"firm.winback_offer": 10, "market.basket_mean": 60, "network.kind": "powerlaw_cluster"},
]


@pytest.mark.parametrize("values", FLAT)
def test_the_fast_composition_gives_configures_config(values):
    assert configure_flat(**values) == configure(**values)


@pytest.mark.parametrize(
    "values",
    [
        {"market.customerz": 5},
        {"market.customers": 0},
        {"failures.catalogue.billing_error.frequency": 0.99},  # in range; the types' sum is not
        {"policy": "generous"},
        {"policy.name": "none"},
        {"weeks": 2.5},
        {"firm.complaint_ease": float("nan")},
        {"policy.apology": "sometimes"},
        {"churn.minor_severity": 0.95},
    ],
)
def test_the_fast_composition_refuses_what_configure_refuses_in_its_words(values):
    with pytest.raises(sim.ConfigError) as slow:
        configure(**values)
    with pytest.raises(sim.ConfigError) as fast:
        configure_flat(**values)
    assert str(fast.value) == str(slow.value)


def test_plain_values_are_set_without_omegaconf_once_the_presets_are_composed(monkeypatch):
    calls = [{key_of(k): v for k, v in call.items()} for call in CALLS]
    made = [configure_flat(**values) for values in calls]
    monkeypatch.setattr(fastconfig, "configure", lambda **values: pytest.fail(f"composed again: {values}"))
    assert [configure_flat(**values) for values in calls] == made


def test_calls_and_runs_leave_the_composed_presets_as_they_were():
    before = configure(policy="apology")
    configure_flat(
        policy="apology", **{"policy.compensation": 2.0, "failures.catalogue.billing_error.severity": 1}
    )
    sim.outcomes(policy="apology", firm__recovery_budget=100.0, **{name_of(k): v for k, v in SMALL.items()})
    assert configure_flat(policy="apology") == before


def test_one_key_named_twice_is_refused():
    with pytest.raises(sim.ConfigError, match="names market.customers twice"):
        sim.outcomes(market__customers=5, **{"market.customers": 5})


def test_import_sim_needs_no_ema_workbench():
    code = "import sys; sys.modules['ema_workbench'] = None; import sim; sim.parameters(); print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-1000:]


def test_with_flat_equals_with_values_on_a_cells_own_config():
    from sim.world.config import with_values
    from sim.world.fastconfig import with_flat

    cell = with_values(
        sim.SimConfig(), {"policy": "apology", "delegation": "full"}, **{"market.customers": 500}
    )
    values = {
        "failures.rate_multiplier": 1.37,
        "wom.negative_effect": 0.05,
        "customer.price_sensitivity_sd": 0.3,
    }
    assert with_flat(cell, seed=9, **values) == with_values(cell, seed=9, **values)
    with pytest.raises(sim.ConfigError, match="wom.negative_effect=5.0 is out of range"):
        with_flat(cell, **{"wom.negative_effect": 5.0})
