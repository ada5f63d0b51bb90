"""``sim.run`` takes what the command line takes: preset names, dotted keys, sections, NumPy numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim

SMALL = {"weeks": 4, "market.customers": 300}


def test_a_preset_by_name_then_values_of_ones_own_as_hydra_combines_them():
    result = sim.run(
        policy="compensation", delegation="full", seed=7, **SMALL, **{"policy.compensation": 1.5}
    )
    config = result.summary["config"]
    assert config["policy"] == {"name": "compensation", "apology": "never", "compensation": 1.5}
    assert config["delegation"]["name"] == "full" and config["delegation"]["compensation_cap"] is None
    assert result.summary["seed"] == 7 and result.summary["customers_initial"] == 300


def test_the_same_world_from_python_and_from_the_command_line(tmp_path):
    from_python = sim.run(policy="apology", market={"customers": np.int64(300)}, weeks=np.int64(4), seed=3)
    command = [str(Path(sys.executable).with_name("recovery-sim")), "policy=apology", "market.customers=300"]
    done = subprocess.run(
        [*command, "weeks=4", "seed=3", "hydra.run.dir=out"], cwd=tmp_path, capture_output=True
    )
    assert done.returncode == 0, done.stderr[-1000:]
    from_cli = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert json.loads(json.dumps(from_python.summary)) == from_cli


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: sim.run({"policy": {"name": "apology"}}),
            "policy.name=apology labels the policy without its",
        ),
        (lambda: sim.run(**{"policy.name": "none"}), "policy.name=none labels the policy without its preset"),
        (lambda: sim.run(policy="generous"), "policy=generous does not exist: allowed apology"),
        (lambda: sim.run(**{"market.customerz": 5}), "market.customerz is not a parameter: allowed"),
        (lambda: sim.run(market={"customers": -1}), "market.customers=-1 is out of range: allowed 1 to"),
    ],
)
def test_a_bad_call_is_one_line_naming_what_is_allowed(call, expected):
    with pytest.raises(sim.ConfigError) as refused:
        call()
    assert str(refused.value).startswith(expected) and "\n" not in str(refused.value)


def test_a_label_of_ones_own_or_a_preset_with_its_own_values_is_allowed():
    mine = sim.run({"policy": {"name": "mine", "compensation": 0.5}}, **SMALL).summary["config"]["policy"]
    assert mine["name"] == "mine" and mine["compensation"] == 0.5
    same = sim.run({"policy": {"name": "none", "compensation": 0.0}}, **SMALL).summary["config"]["policy"]
    assert same == {"name": "none", "apology": "never", "compensation": 0.0}
