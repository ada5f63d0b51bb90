"""The robustness study: regret, the recommended cell, and PRIM's box of where it is beaten."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.studies.robustness import answer, conditions, discover, ranking, robustness, scenarios, with_regret
from sim.world.config import with_values
from sim.world.schema import SimConfig

pytest.importorskip(
    "ema_workbench", reason="the robustness study needs the ema extra (make setup installs it)"
)


def synthetic_runs(n: int = 300) -> pd.DataFrame:
    """Cell A earns 10 more than B, except where x > 0.7, where B earns 10 more; y is noise."""
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    a = 100 + np.where(x > 0.7, -10.0, 10.0) + rng.normal(0, 1, n)
    frames = [
        pd.DataFrame({"scenario": np.arange(n), "cell": cell, "profit": profit, "x": x, "y": y})
        for cell, profit in (("A", a), ("B", np.full(n, 100.0)))
    ]
    return with_regret(pd.concat(frames, ignore_index=True))


def test_regret_is_the_profit_given_up_against_the_best_cell_of_the_scenario():
    runs = synthetic_runs()
    assert (runs["regret"] >= 0).all()
    assert (runs.groupby("scenario")["regret"].min() == 0).all()
    assert (runs.groupby("scenario")["best"].sum() == 1).all()
    ranked = ranking(runs)
    assert ranked.iloc[0]["cell"] == "A"  # A wins 70% of the scenarios and loses little elsewhere
    assert ranked.iloc[0]["share_won"] == pytest.approx(
        (runs.query("cell == 'A'")["x"] <= 0.7).mean(), abs=0.01
    )


def test_prim_finds_where_the_recommended_cell_is_beaten_and_says_it_in_words():
    runs = synthetic_runs()
    box = discover(runs, ["x", "y"], "A")
    low, high = box["limits"]["x"]
    assert low == pytest.approx(0.7, abs=0.05) and high == pytest.approx(1.0, abs=0.01)
    assert box["density"] > 0.9 and box["coverage"] > 0.9 and box["winner_inside"] == "B"
    bounds = {"x": (0.0, 1.0), "y": (0.0, 1.0)}
    assert conditions(box, bounds).startswith("`x` > 0.7")
    assert "`y`" not in conditions(box, bounds)  # noise is not named
    text = " ".join(answer(ranking(runs), box, bounds))
    assert "Use `A`" in text and "`x` > 0.7" in text and "most often `B`" in text


def test_no_box_when_the_recommended_cell_is_best_everywhere():
    runs = synthetic_runs()
    runs = with_regret(runs.assign(profit=np.where(runs["cell"] == "A", 200.0, 100.0)))
    assert discover(runs, ["x", "y"], "A") is None
    assert "every scenario explored" in " ".join(answer(ranking(runs), None, {"x": (0, 1), "y": (0, 1)}))


def test_scenarios_fill_the_ranges_as_a_latin_hypercube():
    cfg = with_values(
        SimConfig(), **{"study.scenarios": 20, "study.parameters": {"failures.rate_multiplier": [0.5, 2.0]}}
    )
    table = scenarios(cfg)
    strata = np.floor((table["failures.rate_multiplier"] - 0.5) / 1.5 * 20).astype(int)
    assert sorted(strata) == list(range(20))  # one point in each twentieth of the range
    assert table["seed"].is_unique


@pytest.mark.slow
def test_a_small_study_writes_its_answer(tmp_path):
    cfg = with_values(
        SimConfig(),
        weeks=30,
        **{
            "market.customers": 400,
            "study.scenarios": 4,
            "study.policies": ["none", "apology_compensation"],
            "study.delegations": ["none", "full"],
            "study.parameters": {"failures.rate_multiplier": [0.5, 2.0], "wom.negative_effect": [0.01, 0.1]},
        },
    )
    written = {p.name for p in robustness(cfg, tmp_path)}
    assert written == {"scenarios.csv", "runs.parquet", "ranking.csv", "regret.png", "report.md"}
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 4 * 4 and set(runs["policy"]) == {"none", "apology_compensation"}
    report = (tmp_path / "report.md").read_text()
    assert "**Use `policy=" in report and report.count("| `policy=") == 4


def test_losses_scattered_at_random_are_not_described_as_a_region():
    runs = synthetic_runs()
    rng = np.random.default_rng(2)
    unlucky = rng.random(runs["scenario"].nunique()) < 0.3  # A loses 30% of scenarios, whatever x and y
    a = runs["cell"] == "A"
    runs.loc[a, "profit"] = np.where(unlucky[runs.loc[a, "scenario"]], 90.0, 110.0)
    runs = with_regret(runs)
    box = discover(runs, ["x", "y"], "A")
    text = " ".join(answer(ranking(runs), box, {"x": (0.0, 1.0), "y": (0.0, 1.0)}))
    assert box["density"] < 0.5 and "not concentrated" in text and "most often `B`" in text
