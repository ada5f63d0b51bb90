"""Bad input, from Python and from the command line: one clear line, and nothing else touched.

Each row is a mistake a careless user or a hostile input makes, with the start of the one line it
must get. The command-line rows also check that nothing outside the run's own new folder changed.
"""

from __future__ import annotations

import dataclasses
import math
import typing

import numpy as np
import pytest

import sim
from sim import memory
from sim.config import SimConfig, with_values

INF = float("inf")

PYTHON_CASES = [
    ({"weeks": "ten"}, "weeks is refused: Value 'ten' of type 'str' could not be converted to Integer"),
    ({"weeks": 10**9}, "weeks=1000000000 is out of range: allowed 1 to 2600"),
    ({"policy": {"compensaton": 1}}, "policy.compensaton is not a parameter: allowed apology, compensation"),
    ({"policy": {"apology": "sometimes"}}, "policy.apology is refused: Invalid value 'sometimes'"),
    ({"market": {"basket_mean": INF}}, "market.basket_mean=inf is out of range: allowed 0.0 to 1000000.0"),
    ({"market": {"basket_mean": 1e308}}, "market.basket_mean=1e+308 is out of range"),
    ({"market": {"basket_mean": math.nan}}, "market.basket_mean=nan is out of range"),
    ({"delegation": {"compensation_cap": INF}}, "delegation.compensation_cap=inf is out of range"),
    ({"firm": {"winback_offer": INF}}, "firm.winback_offer=inf is out of range"),
    ({"wom": {"negative_reach": INF}}, "wom.negative_reach=inf is out of range"),
    ({"churn": {"contagion_half_life": INF}}, "churn.contagion_half_life=inf is out of range"),
    ({"market": {"customers": 10**12}}, "market.customers=1000000000000 is out of range"),
    ({"seed": -1}, "seed=-1 is out of range: allowed 0 to 4294967295"),
]


@pytest.mark.parametrize(("overrides", "expected"), PYTHON_CASES)
def test_python_refuses_a_bad_config_with_the_clis_one_line(overrides, expected):
    with pytest.raises(sim.ConfigError) as refused:
        sim.run(overrides)
    assert str(refused.value).startswith(expected)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: SimConfig(weeks="ten"), "weeks='ten' is refused: allowed an integer from 1 to 2600"),
        (lambda: SimConfig(weeks=4.5), "weeks=4.5 is refused: allowed an integer"),
        (lambda: SimConfig(agents="yes"), "agents='yes' is refused: allowed true or false"),
        (
            lambda: SimConfig(market={"customers": 5}),
            "market={'customers': 5} is refused: allowed a MarketConf",
        ),
        (
            lambda: with_values(SimConfig(), **{"policy.compensaton": 1}),
            "policy.compensaton is not a parameter",
        ),
        (
            lambda: with_values(SimConfig(), **{"nothing.here": 1}),
            "nothing.here is not a parameter: allowed agents",
        ),
        (lambda: with_values(SimConfig(), {"policy": "generous"}), "policy=generous does not exist: allowed"),
    ],
)
def test_a_config_built_in_python_is_checked_for_kind_as_well_as_range(make, expected):
    with pytest.raises(sim.ConfigError, match="^" + expected.replace("(", r"\(").replace("[", r"\[")):
        sim.run(make())


@pytest.mark.parametrize("rng", [-5, "abc", 7.9, True, 2**40])
def test_a_seed_must_be_a_whole_number_in_range_never_truncated(rng):
    with pytest.raises(sim.ConfigError, match=rf"^rng={rng!r} is refused: allowed an integer from 0 to"):
        sim.run({"weeks": 1, "market": {"customers": 50}}, rng=rng)


def test_numpy_numbers_are_taken_as_the_numbers_they_are():
    config = {
        "weeks": np.int64(2),
        "market": {"customers": 60},
        "failures": {"rate_multiplier": np.float64(0.9)},
    }
    result = sim.run(config, rng=np.int64(3))
    assert result.summary["weeks"] == 2 and result.summary["seed"] == 3
    assert result.summary["config"]["failures"]["rate_multiplier"] == 0.9


def test_every_number_has_a_finite_range():
    """inf, 1e308 or 10**12 is refused for every numeric key, not only for those someone thought of."""
    unbounded = []

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            hint = hints[f.name]
            if typing.get_origin(hint) in (list, dict):
                continue  # ladders and lists are checked whole (test_config)
            kind = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
            if dataclasses.is_dataclass(kind[0]):
                walk(kind[0], f"{prefix}{f.name}.")
            elif kind[0] in (int, float):
                lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
                if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
                    unbounded.append(prefix + f.name)

    walk(SimConfig, "")
    walk(sim.config.FailureType, "failures.catalogue.<type>.")
    assert not unbounded


def test_a_market_too_large_for_the_machine_is_refused_before_it_is_built(monkeypatch):
    monkeypatch.setattr(memory, "machine_bytes", lambda: 8e9)
    with pytest.raises(
        sim.ConfigError,
        match=r"^market.customers=2000000 with Mesa agents needs about .* GB and this machine has 8.0 GB",
    ):
        sim.RecoveryModel({"market": {"customers": 2_000_000}})
    with pytest.raises(sim.ConfigError, match="check_memory=false to try anyway"):
        sim.RecoveryModel({"market": {"customers": 5_000_000}}, agents=False)


def test_the_memory_estimate_is_on_the_high_side_of_what_a_run_takes():
    """The estimate against the measured peaks it was fitted to (sim/memory.py): never below them."""
    measured = {(200_000, 10, False): 0.63e9, (200_000, 40, False): 1.29e9, (500_000, 10, True): 3.03e9}
    for (customers, degree, agents), peak in measured.items():
        cfg = with_values(SimConfig(), **{"market.customers": customers, "network.degree": degree})
        assert peak <= memory.bytes_needed(cfg, agents) <= 1.5 * peak
