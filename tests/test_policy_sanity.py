"""Policy sanity at the shipped defaults: answers a manager would believe, with paired seeds.

Each test compares two worlds on the same seeds (common random numbers) and asks that the
paired 95% interval of the difference lies wholly on the side the claim says. Ten seeds of a
5,000-customer market for two years: the paired differences are far narrower than the spread
of either world, and each claim below holds by several standard errors at the defaults, so a
change that breaks one fails here rather than by chance.
"""

from __future__ import annotations

import numpy as np
import pytest
from joblib import Parallel, delayed
from scipy import stats

import sim
from sim.world.config import with_values
from sim.world.schema import SimConfig

SEEDS = range(1, 11)
MARKET = {"market.customers": 5000}

pytestmark = pytest.mark.slow


def summaries(presets: dict, **dotted) -> list[dict]:
    """Every seed's summary of one world: the shipped defaults with ``presets`` and ``dotted`` keys."""
    configs = [with_values(SimConfig(), presets, **{**MARKET, **dotted, "seed": s}) for s in SEEDS]
    return Parallel(n_jobs=2)(
        delayed(lambda c: sim.run(c, agents=False, complaints=False).summary)(c) for c in configs
    )


def paired_interval(a: list[dict], b: list[dict], metric: str) -> tuple[float, float]:
    """95% t interval of the mean of a - b over the seeds."""
    d = np.array([x[metric] - y[metric] for x, y in zip(a, b, strict=True)], dtype=float)
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return d.mean() - half, d.mean() + half


@pytest.fixture(scope="module")
def default():
    return summaries({})


def test_never_answering_earns_less_than_the_default_policy(default):
    ignored = summaries({"delegation": "none"}, **{"firm.staff": 0})
    low, high = paired_interval(ignored, default, "profit")
    assert high < 0, (low, high)


def test_full_authority_keeps_more_customers_than_none():
    policy = {"policy": "apology_compensation"}
    full, none = summaries({**policy, "delegation": "full"}), summaries({**policy, "delegation": "none"})
    low, high = paired_interval(full, none, "churn_rate")
    assert high < 0, (low, high)
    low, high = paired_interval(full, none, "revenue")
    assert low > 0, (low, high)


def test_more_staff_answers_sooner_and_pleases_more_until_the_queue_is_gone():
    thin, shipped, ample = (summaries({}, **{"firm.staff_per_10k": k}) for k in (0.5, 1.0, 4.0))
    for fewer, more in ((thin, shipped), (shipped, ample)):
        assert paired_interval(more, fewer, "mean_response_days")[1] < 0
        assert paired_interval(more, fewer, "recovery_satisfaction")[0] > 0
    plenty = summaries({}, **{"firm.staff_per_10k": 8.0})  # no queue at 4 already: nothing more to gain
    low, high = paired_interval(plenty, ample, "mean_response_days")
    assert abs(low + high) / 2 < 0.05


def test_failing_twice_as_often_earns_less(default):
    worse = summaries({}, **{"failures.rate_multiplier": 2.0})
    assert paired_interval(worse, default, "profit")[1] < 0


def test_paying_twice_the_loss_earns_less_than_paying_it(default):
    lavish = summaries({}, **{"policy.compensation": 2.0})  # the key's ceiling, past the backfire at 150%
    assert paired_interval(lavish, default, "profit")[1] < 0


def test_apology_and_compensation_keep_more_customers_than_no_recovery():
    both, nothing = summaries({"policy": "apology_compensation"}), summaries({"policy": "none"})
    assert paired_interval(both, nothing, "churn_rate")[1] < 0
