"""The validation study: how facts are judged and written, and each fact at the shipped defaults."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.checks.fact import SEED_SHARE, Fact
from sim.checks.facts import FACTS, retention_ladder, run_observed
from sim.checks.validation import END, START, judge, replicate, validation
from sim.world.config import with_values
from sim.world.parameter import ConfigError
from sim.world.schema import SimConfig

#: Facts the shipped defaults do not reproduce (docs/validation.md says why). The test below fails
#: when one of them passes, or another misses, so this list cannot go stale.
KNOWN_MISSES: set[str] = {
    "recovery_money",
    "paradox_share",
    "ladder_order_minor",
    "ladder_gap_minor",
    "kriss_retention_best",
    "complaint_iceberg",
    "first_contact_satisfaction_slope",
    "retention_profit_leverage",
    "bad_news_cost_ratio",
}
STUDY = with_values(SimConfig(), **{"study.replications": 20})


def test_judge_passes_a_mean_inside_the_band_and_misses_one_outside():
    inside = {f.key: (f.low + min(f.high, f.low + 1.0)) / 2 for f in FACTS}
    observations = pd.DataFrame([inside, inside])
    assert (judge(observations)["verdict"] == "pass").all()
    outside = {**inside, "complaint_minor": 0.2}
    verdicts = judge(pd.DataFrame([outside, outside])).set_index("fact")["verdict"]
    assert verdicts["complaint_minor"] == "miss"
    assert (verdicts.drop("complaint_minor") == "pass").all()


def test_contagion_estimate_follows_the_mechanism():
    ratios = []
    for ratio in (1.0, 5.0):
        cfg = with_values(SimConfig(), **{"market.customers": 2000, "churn.contagion_hazard_ratio": ratio})
        ratios.append(run_observed(cfg)[2]["contagion_recent"])
    assert ratios[1] > ratios[0] + 0.2


def test_ladder_compares_endings_at_equal_severity_and_relative_to_the_unharmed():
    """Retention here depends on severity alone; complaints come from the worse failures."""
    rng = np.random.default_rng(5)
    n, weeks = 40_000, 104
    severity = rng.uniform(0.05, 0.45, n)
    ending = np.where(rng.random(n) < severity, "unresolved", "silent")
    stays = rng.random(n) < 0.9 - severity  # worse failures lose more customers, whatever the ending
    failures = pd.DataFrame(
        {"week": 10, "customer": np.arange(n), "severity": severity, "ending": ending, "serious": False}
    )
    churn_week = np.where(stays, -1, 20)
    raw = [stays[ending == rung].mean() for rung in ("silent", "unresolved")]
    ladder = retention_ladder(failures, churn_week, weeks, serious=False, unharmed=0.8)
    assert raw[1] < raw[0] - 0.03  # the raw reading puts unresolved below silent
    assert ladder[1] == pytest.approx(ladder[0], abs=0.02)  # at equal severity they are alike
    at_mean = 0.9 - np.exp(np.log(severity).mean())
    assert ladder[0] == pytest.approx(at_mean / 0.8, abs=0.03)
    assert np.isnan(ladder[2:]).all()  # no failure ended resolved


def test_too_short_a_run_is_refused():
    with pytest.raises(ConfigError, match="weeks=40 is too short"):
        replicate(with_values(SimConfig(), weeks=40))


def test_study_writes_its_files_and_only_the_facts_section_of_the_doc(tmp_path):
    doc = tmp_path / "validation.md"
    doc.write_text(f"# Before\n\n{START}\nold\n{END}\n\n## After\n")
    cfg = with_values(SimConfig(), **{"market.customers": 600, "study.replications": 2, "weeks": 60})
    written = validation(cfg, tmp_path / "run", doc=doc)
    assert {p.name for p in written} >= {"facts.csv", "observations.parquet", "report.md", "ladder.png"}
    assert len(pd.read_csv(tmp_path / "run" / "facts.csv")) == len(FACTS)
    text = doc.read_text()
    assert text.startswith("# Before") and text.rstrip().endswith("## After") and "\nold\n" not in text
    assert (tmp_path / "validation" / "complaint_minor.png").stat().st_size > 5_000
    notes = tmp_path / "validation" / "my_notes.txt"
    notes.write_text("mine\n")
    validation(cfg, tmp_path / "again", doc=doc)
    assert notes.read_text() == "mine\n"  # only the study's own figures are replaced


@pytest.fixture(scope="module")
def shipped():
    """The study's own replications at the shipped defaults (about a minute on two cores)."""
    return judge(replicate(STUDY)).set_index("fact")


def borderline(row: pd.Series, fact: Fact) -> bool:
    """Within one seed of the seed share a pass needs, or within 1% of the band's width of an edge.

    Floating point differs by CPU (the last digits of exp and log), and one seed's
    value crossing an edge moves the share by 1/20: such a verdict is not
    asserted, and the test says so.
    """
    one_seed = 1.0 / row["replications"]
    width = min(fact.high, fact.low + 1.0) - fact.low
    spread = row["ci_high"] > row["ci_low"]  # a value the same in every seed does not drift
    near_edge = spread and min(abs(row["mean"] - fact.low), abs(row["mean"] - fact.high)) <= 0.01 * width
    return abs(row["seeds_in_band"] - SEED_SHARE) <= one_seed + 1e-9 or near_edge


@pytest.mark.slow
@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f.key)
def test_fact_at_shipped_defaults(shipped, fact):
    row = shipped.loc[fact.key]
    assert np.isfinite(row["mean"]) and row["replications"] == 20
    if borderline(row, fact):
        pytest.skip(f"{fact.key} is borderline ({row['seeds_in_band']:.0%} of seeds, mean {row['mean']:.4g})")
    expected = "miss" if fact.key in KNOWN_MISSES else "pass"
    assert row["verdict"] == expected, (
        f"{fact.key}: {row['verdict']} where docs/validation.md says {expected}: mean {row['mean']:.4g} "
        f"in [{row['band_low']}, {row['band_high']}], {row['seeds_in_band']:.0%} of seeds in band"
    )
