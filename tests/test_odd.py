"""docs/ODD.md defines every figure a run writes to summary.json (ODD §4, Observation).

The keys are read from a summary.json written by a small run, not from a list
in the code, so a metric added to the model fails here until ODD §4 defines it.
Top-level keys must each have a row of the table. ``by_failure_type`` holds
metrics too: its row must name each per-type key. ``config`` is checked by its
top-level key only: it echoes the run's inputs, not outputs, and those are
defined key by key in ODD §9, the generated parameter table that
tests/test_config.py keeps current. The failure types under
``by_failure_type`` are catalogue names (inputs, also in §9), not metrics.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import small

from sim import run
from sim.world.parameter import PROJECT_ROOT

ODD = PROJECT_ROOT / "docs" / "ODD.md"
#: A definition row of the summary table: | `key` | definition | denominator | unit |
ROW = re.compile(r"^\|\s*`(?P<key>[a-z_]+)`\s*\|(?P<rest>.*)\|\s*$", re.MULTILINE)


def observation_table(text: str) -> dict[str, str]:
    """The rows of ODD §4's summary table: key -> the rest of its row (definition, denominator, unit)."""
    section = text.split("\n## 4.", 1)[1].split("\n## 5.", 1)[0]
    observation = section.split("**Observation.**", 1)[1]
    return {m["key"]: m["rest"] for m in ROW.finditer(observation)}


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    """summary.json of a 200-customer, 5-week run, as written to disk."""
    folder = tmp_path_factory.mktemp("odd")
    run(small(weeks=5, market={"customers": 200}), agents=False, complaints=False).save(
        folder, dashboard=False, complaints=False
    )
    return json.loads((folder / "summary.json").read_text())


def test_every_summary_key_is_defined_in_odd_section_4(summary):
    defined = observation_table(ODD.read_text())
    missing = sorted(set(summary) - set(defined))
    assert not missing, f"summary.json keys with no definition in docs/ODD.md §4 (Observation): {missing}"
    empty = sorted(key for key in summary if not defined[key].replace("|", "").strip())
    assert not empty, f"ODD §4 rows with no definition: {empty}"


def test_every_per_type_metric_is_named_in_the_by_failure_type_row(summary):
    row = observation_table(ODD.read_text())["by_failure_type"]
    per_type = {key for counts in summary["by_failure_type"].values() for key in counts}
    assert per_type, "the run wrote no failure type"
    missing = sorted(key for key in per_type if f"`{key}`" not in row)
    assert not missing, f"by_failure_type keys not defined in its ODD §4 row: {missing}"


def test_odd_section_4_defines_no_key_the_summary_lacks(summary):
    """A definition left behind after a metric is renamed or dropped would mislead a re-implementer."""
    stale = sorted(set(observation_table(ODD.read_text())) - set(summary))
    assert not stale, f"docs/ODD.md §4 defines keys summary.json does not have: {stale}"
