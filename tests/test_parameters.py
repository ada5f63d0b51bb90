"""sim.parameters(): every key sim.run takes, with its default, range, unit, kind, source and meaning."""

from __future__ import annotations

import subprocess
import sys

import pytest

import sim
from sim.world.config import PRESET_GROUPS, configure
from sim.world.params import rows
from sim.world.schema import SimConfig

SMALL = {"weeks": 6, "market.customers": 300}


@pytest.fixture(scope="module")
def table():
    return sim.parameters()


def test_the_table_has_a_row_per_key_of_the_odd_table_and_one_per_preset_group(table):
    assert list(table.columns) == [
        "default",
        "low",
        "high",
        "unit",
        "kind",
        "choices",
        "nullable",
        "source",
        "doc",
    ]
    assert table.index.is_unique
    assert list(table.index) == [*PRESET_GROUPS, *(row[0] for row in rows(SimConfig()))]


def test_every_key_says_what_it_is(table):
    assert set(table.kind) <= {"preset", "real", "integer", "boolean", "categorical", "text", "list"}
    assert (table.unit != "").all() and (table.doc != "").all() and (table.source != "").all()
    chosen = table[table.kind.isin(["preset", "categorical"])]
    assert all(isinstance(c, tuple) and c for c in chosen.choices)
    assert table[~table.kind.isin(["preset", "categorical"])].choices.isna().all()


def test_every_number_lies_within_its_range(table):
    numbers = table[table.kind.isin(["real", "integer"]) & table.default.notna()]
    assert len(numbers) > 100
    for key, row in numbers.iterrows():
        assert not row.low > row.default and not row.default > row.high, key  # NaN: no bound


def test_known_rows(table):
    customers = table.loc["market.customers"]
    assert (customers.default, customers.low, customers.high) == (10_000, 1, 10_000_000)
    assert (customers.unit, customers.kind, customers.source) == ("people", "integer", "setting")
    assert customers.doc.startswith("active customers at week 0")
    apology = table.loc["policy.apology"]
    assert apology.default == "never" and apology.choices == ("never", "severe_only", "always")
    assert table.loc["firm.recovery_budget"].nullable and table.loc["firm.recovery_budget"].default is None
    policy = table.loc["policy"]
    assert policy.kind == "preset" and policy.default == "compensation"
    assert policy.choices == ("apology", "apology_compensation", "compensation", "none")
    assert table.loc["network"].default == "small_world"


def test_every_key_is_taken_at_its_default(table):
    default = configure()
    for key, value in table.default.items():
        assert configure(**{key: value}) == default, key
    every = dict(table.default) | SMALL
    assert sim.run(**every).summary["config"] == sim.run(**SMALL).summary["config"]


def test_the_odd_tables_command_still_runs_cleanly():
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "sim.world.params"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("| key | default |"), done.stderr[-1000:]
