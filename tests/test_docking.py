"""Docking: the vectorised model and the per-agent reference give the same distributions of outcomes.

Both run the same worlds (network and traits from the same seeds) under the
rules both implement (sim.checks.reference.docking_config), each with its own random
numbers; over 40 seeds, headline means must agree (Welch tests, Bonferroni over
the metrics at 1%) and the distributions of churn and profit too (two-sample
Kolmogorov-Smirnov at 1%). A real difference of about 0.8 standard deviations
in any metric fails the test with high probability.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from sim import run
from sim.checks.reference import ReferenceModel, docking_config

SEEDS = range(40)
METRICS = [
    "profit",
    "revenue",
    "churn_rate",
    "complaint_rate",
    "recovery_satisfaction",
    "acquired",
    "wom_negative",
    "wom_positive",
]


@pytest.fixture(scope="module")
def both() -> tuple[pd.DataFrame, pd.DataFrame]:
    cfg = docking_config(**{"market.customers": 300, "weeks": 52, "policy.apology": "always"})
    reference = []
    for seed in SEEDS:
        model = ReferenceModel(cfg, rng=seed)
        model.run_model()
        reference.append(model.summary())
    vectorised = [run(cfg, rng=seed, agents=False, complaints=False).summary for seed in SEEDS]
    return pd.DataFrame(reference)[METRICS], pd.DataFrame(vectorised)[METRICS]


@pytest.mark.slow
@pytest.mark.parametrize("metric", METRICS)
def test_headline_means_agree(both, metric):
    reference, vectorised = both
    p = stats.ttest_ind(reference[metric], vectorised[metric], equal_var=False).pvalue
    assert p > 0.01 / len(METRICS), (metric, reference[metric].mean(), vectorised[metric].mean())


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["churn_rate", "profit"])
def test_distributions_of_churn_and_profit_agree(both, metric):
    reference, vectorised = both
    assert stats.ks_2samp(reference[metric], vectorised[metric]).pvalue > 0.01


def test_the_reference_is_a_mesa_model_of_per_customer_agents():
    from sim.checks.reference import Shopper

    model = ReferenceModel(docking_config(**{"market.customers": 50, "weeks": 2}), rng=1)
    model.run_model()
    assert len(model.agents_by_type[Shopper]) == 100 and model.steps == 2
    assert set(model.summary()) >= {"profit", "churn_rate", "complaints"}


@pytest.mark.slow
@pytest.mark.parametrize("p", [0.1, 0.2, 0.3])
def test_word_of_mouth_spreads_like_ndlib_independent_cascades(p):
    """On Zachary's karate club, final reach of a one-shot cascade: same distribution (KS, Bonferroni 1%)."""
    import networkx as nx

    from sim.checks.docking import compare

    result = compare(nx.karate_club_graph(), p, start=0, runs=500)
    assert result["ks_p"] > 0.01 / 3, result


@pytest.mark.slow
def test_the_cascade_docking_can_tell_a_different_spread():
    import networkx as nx

    from sim.checks.docking import reach_of_model, reach_of_ndlib

    graph = nx.karate_club_graph()
    assert (
        stats.ks_2samp(reach_of_model(graph, 0.3, 0, 500), reach_of_ndlib(graph, 0.2, 0, 500)).pvalue < 1e-6
    )
