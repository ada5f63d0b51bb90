"""The three kinds of fact: labelled, kept apart, judged seed by seed, and measured as their sources ask."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.checks.calibration import at_edge, fact_loss, groups, loss
from sim.checks.fact import SEED_SHARE, Fact, Kind
from sim.checks.facts import FACTS, TARGETS, observe, run_observed
from sim.checks.held_out import HELD_OUT, UNMODELLED, bad_news_ratio, second_outcome_weight
from sim.world.config import with_values
from sim.world.schema import SimConfig


def test_every_fact_is_labelled_and_at_least_six_are_held_out():
    kinds = {fact.kind for fact in FACTS}
    assert kinds == set(Kind)
    held_out = [fact for fact in FACTS if fact.kind is Kind.HELD_OUT]
    assert len(held_out) >= 6
    assert all(fact.why for fact in FACTS if fact.kind is Kind.INPUT)  # each says what was typed in
    assert all(fact.group for fact in TARGETS)
    assert all(u.reason for u in UNMODELLED)


def test_the_calibration_refuses_every_fact_that_is_not_a_target():
    assert TARGETS and all(fact.kind is Kind.TARGET for fact in TARGETS)
    for fact in FACTS:
        if fact.kind is not Kind.TARGET:
            with pytest.raises(ValueError, match="not a calibration target"):
                fact_loss(fact, fact.low)
    means = {fact.key: fact.low for fact in FACTS}
    with pytest.raises(ValueError, match="held-out test"):
        loss(means, (*TARGETS, HELD_OUT[0]))
    assert sorted(f.key for group in groups().values() for f in group) == sorted(f.key for f in TARGETS)


def test_a_pass_needs_the_mean_in_band_and_enough_seeds():
    fact = Fact("x", "claim", "0-1", "source", 0.0, 1.0, kind=Kind.HELD_OUT)
    enough = np.array([0.5] * 9 + [1.2])  # 90% of seeds in band, mean 0.57
    assert fact.verdict(enough) == ("pass", pytest.approx(0.9))
    too_few = np.array([0.5] * 8 + [1.2, 1.2])  # mean 0.64 in band, but 80% of seeds
    assert fact.verdict(too_few)[0] == "miss" and SEED_SHARE > 0.8
    unmeasured = np.array([0.5] * 9 + [np.nan])  # a seed that could not measure it does not hold
    assert fact.verdict(unmeasured) == ("pass", pytest.approx(0.9))
    assert fact.verdict(np.array([0.5] * 8 + [np.nan, np.nan]))[0] == "miss"


def test_an_edge_of_its_range_is_reported():
    cfg = with_values(SimConfig(), **{"study.parameters": {"churn.base_hazard": [0.001, 0.012]}})
    assert at_edge({"churn.base_hazard": 0.0119}, cfg) == ["churn.base_hazard"]
    assert at_edge({"churn.base_hazard": 0.006}, cfg) == []


def complaints(rows: list[tuple[int, int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer", "week", "outcome", "satisfaction_after"])


def test_second_outcome_weight_recovers_which_answer_weighs_more():
    """Satisfaction after the second answer built from known weights of the two outcomes."""
    rng = np.random.default_rng(3)

    def log(first_weight: float, second_weight: float) -> pd.DataFrame:
        rows = []
        for customer in range(400):
            first, second = rng.random(2) < 0.5
            after = 0.3 + first_weight * first + second_weight * second + rng.normal(0, 0.02)
            rows += [
                (customer, 10, "satisfied" if first else "dissatisfied", 0.5),
                (customer, 30, "satisfied" if second else "abandoned", after),
                (customer, 50, "satisfied", 0.9),  # a third complaint is not part of the pair
            ]
        return complaints(rows)

    assert second_outcome_weight([log(0.05, 0.25)]) == pytest.approx(0.20, abs=0.01)
    assert second_outcome_weight([log(0.25, 0.05), log(0.25, 0.05)]) == pytest.approx(-0.20, abs=0.01)
    assert np.isnan(second_outcome_weight([complaints([(1, 1, "satisfied", 0.5)])]))


@pytest.mark.slow
def test_bad_news_cost_follows_how_much_a_bad_story_weighs():
    ratios = []
    for weight in (0.02, 0.2):
        cfg = with_values(SimConfig(), **{"market.customers": 2000, "wom.negative_effect": weight})
        model, result, _ = run_observed(cfg)
        ratios.append(bad_news_ratio(model, result))
    assert ratios[1] > 3 * ratios[0] > 0


def test_observe_without_held_out_runs_measures_every_fact_the_calibration_needs():
    cfg = with_values(SimConfig(), weeks=60, **{"market.customers": 600})
    values = observe(cfg, held_out=False)
    assert all(fact.key in values for fact in FACTS if fact.kind is not Kind.HELD_OUT)
    assert not any(fact.key in values for fact in HELD_OUT)
