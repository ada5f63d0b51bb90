"""docs/examples/ema_example.py runs as it is, and docs/ema.md shows exactly its code.

ema-workbench is an optional extra (`pip install -e ".[ema]"`); `make setup` installs it, so CI runs this.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLE = DOCS / "examples" / "ema_example.py"


def test_the_doc_shows_the_example_as_it_is():
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "ema.md").read_text(), flags=re.DOTALL)
    assert EXAMPLE.read_text() in blocks


def test_the_example_runs_an_experiment_and_finds_a_box_with_prim(capsys):
    pytest.importorskip(
        "ema_workbench",
        reason="ema-workbench is not installed: pip install -e '.[ema]' (make setup installs it)",
    )
    ran = runpy.run_path(str(EXAMPLE), run_name="__main__")
    experiments, outcomes, box = ran["experiments"], ran["outcomes"], ran["box"]
    assert len(experiments) == 100
    assert experiments.groupby("policy", observed=True).size().to_dict() == {"do_little": 50, "make_good": 50}
    assert set(experiments.recovery_policy) == {"none", "apology_compensation"}
    assert set(outcomes) == {"profit", "churn_rate", "recovery_satisfaction"}
    assert all(len(values) == 100 for values in outcomes.values())
    assert type(box).__module__ == "ema_workbench.analysis.prim"  # EMA's own PRIM
    assert box.res_dim >= 1 and box.density > 0.5  # a box that restricts something, richer than the base rate
    assert "box" in capsys.readouterr().out
