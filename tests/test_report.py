"""The report states one rule (issue 22, point 4): its text, paired.csv, summary.csv and forest.png agree.

A difference is distinguishable when its 95% interval, Bonferroni-adjusted for the k cells
compared with the same baseline, excludes zero. The studies here are built by hand, so each
case (a gain Holm and the unadjusted interval disagreed on, a pure cost saving, an extra cost
too small to measure, a tie with the runner-up) is known before the report is read.
"""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from sim.studies.aggregate import cell_table, paired_table
from sim.studies.figures import BETTER, UNCLEAR, forest_figure
from sim.studies.report import (
    Difference,
    answer,
    by_channel,
    headline,
    levers,
    moved,
    return_on_spending,
    show,
    table,
)
from sim.studies.stats import paired_difference

METRICS = ["profit", "revenue", "churn_rate", "recovery_cost"]
BASE = "policy=none"
N = 6
#: A fixed spread with mean 0 and standard deviation 1, so a difference's t statistic is set exactly.
Z = (lambda z: (z - z.mean()) / z.std(ddof=1))(np.array([-1.5, -0.5, 0.0, 0.5, 1.0, 0.5]))


def with_p(p: float, sd: float = 1000.0) -> np.ndarray:
    """Paired differences over N replications whose paired t-test gives exactly ``p``."""
    return stats.t.ppf(1 - p / 2, N - 1) * sd / np.sqrt(N) + Z * sd


def study(changes: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """runs.parquet's rows: a baseline, and each cell as the baseline plus ``changes`` (per replication)."""
    r = np.arange(N)
    base = {
        "profit": 1_000_000 + 5_000 * r,
        "revenue": 3_000_000 + 9_000 * r,
        "churn_rate": 0.50 + 0.002 * r,
        "recovery_cost": 40_000 + 300 * r,
    }
    rows = []
    for cell, change in {BASE: {}, **changes}.items():
        for i in r:
            values = {m: base[m][i] + change.get(m, np.zeros(N))[i] for m in METRICS}
            rows.append({"status": "ok", "cell": cell, "replication": i, **values})
    return pd.DataFrame(rows)


def tables(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """summary.csv and paired.csv as aggregate writes them."""
    cells = list(dict.fromkeys(runs["cell"]))
    base_of = dict.fromkeys(cells, BASE)
    paired = paired_table(runs, cells, base_of, METRICS)
    return cell_table(runs, cells, base_of, METRICS, paired), paired


def text_of(runs: pd.DataFrame) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    summary, paired = tables(runs)
    lines = answer({"baseline": [BASE], "within": []}, summary, paired, runs)
    return "\n".join([*lines, *table(summary, paired, METRICS)]), summary, paired


def noise(scale: float) -> np.ndarray:
    """A zero-mean wobble: a change that is not distinguishable."""
    return Z * scale


def test_the_adjusted_interval_is_bonferroni_and_is_what_decides():
    # differences 2, 3, 4: mean 3, sd 1, n 3; k = 3 comparisons: t quantile at 1 - 0.05 / 6
    d = paired_difference(np.array([3.0, 5.0, 7.0]), np.array([1.0, 2.0, 3.0]), comparisons=3)
    half = stats.t.ppf(1 - 0.05 / 6, 2) / np.sqrt(3)
    assert (d.adjusted.low, d.adjusted.high) == pytest.approx((3 - half, 3 + half))
    assert d.p_adjusted == pytest.approx(3 * 0.0351, abs=3e-4) and d.comparisons == 3
    assert d.estimate.low > 0 and not d.distinguishable  # the unadjusted interval alone would say yes
    rng = np.random.default_rng(1)
    for _ in range(300):  # the interval and the adjusted p always agree
        k, n = int(rng.integers(1, 12)), int(rng.integers(2, 30))
        a, b = rng.normal(rng.normal(0, 0.5), 1, n), rng.normal(0, 1, n)
        d = paired_difference(a, b, comparisons=k)
        assert d.distinguishable == (d.p_adjusted < 0.05)
        assert d.p_adjusted == pytest.approx(min(1.0, k * d.p_value))


def test_text_tables_and_forest_agree_where_holm_and_the_unadjusted_interval_disagreed():
    """Three gains whose unadjusted intervals exclude zero but whose Holm p is 0.09, and a clear saving."""
    runs = study(
        {
            "policy=a": {"profit": with_p(0.03)},
            "policy=b": {"profit": with_p(0.04)},
            "policy=c": {"profit": with_p(0.045)},
            "policy=d": {
                "profit": 20_000 + noise(500),
                "recovery_cost": -20_000 + noise(500),
                "revenue": noise(5_000),
                "churn_rate": noise(0.001),
            },
        }
    )
    text, summary, paired = text_of(runs)
    profit = paired[paired["metric"] == "profit"].set_index("cell")
    holm = pd.Series(multipletests(profit["p_value"], method="holm")[1], index=profit.index)
    unclear = ["policy=a", "policy=b", "policy=c"]
    assert (profit.loc[unclear, "ci_low"] > 0).all() and (holm[unclear] >= 0.05).all()  # the old disagreement
    assert not profit.loc[unclear, "distinguishable"].any() and profit.loc["policy=d", "distinguishable"]
    assert (paired["comparisons"] == 4).all()
    excludes = (paired["ci_low_adjusted"] > 0) | (paired["ci_high_adjusted"] < 0)
    assert (paired["distinguishable"] == excludes).all()
    assert (paired["distinguishable"] == (paired["p_adjusted"] < 0.05)).all()
    # summary.csv copies the verdicts
    for metric in METRICS:
        rows = paired[paired["metric"] == metric].set_index("cell")["distinguishable"]
        column = summary.set_index("cell")[f"{metric}_distinguishable_from_baseline"]
        assert column.loc[rows.index].tolist() == rows.tolist()
        assert pd.isna(column.loc[BASE])
    # the text: the answer, and the per-cell table, say what paired.csv says
    first = text.split("\n\n")[0]
    assert first.startswith("Use `policy=d`: it earns 20,000 more profit than the baseline `policy=none`")
    assert (
        "it spends 20,000 less on recovery, a pure cost saving: customers and revenue did not change" in first
    )
    for cell in unclear:
        [row] = [line for line in text.splitlines() if line.startswith(f"| `{cell}`")]
        assert ", not distinguishable |" in row
    [row] = [line for line in text.splitlines() if line.startswith("| `policy=d`")]
    assert ", distinguishable |" in row
    assert "Holm" not in text and "clear" not in text
    # forest.png: the adjusted intervals, coloured by paired.csv's verdict
    fig = forest_figure(paired, "t")
    profit_axes, churn_axes = fig.axes
    dots = profit_axes.collections[-1].get_facecolors()
    expected = [BETTER if profit.loc[c, "distinguishable"] else UNCLEAR for c in profit.index]
    np.testing.assert_allclose(dots, [mcolors.to_rgba(c) for c in expected])
    np.testing.assert_allclose(churn_axes.collections[-1].get_facecolors(), [mcolors.to_rgba(UNCLEAR)] * 4)
    bars = profit_axes.collections[0].get_segments()  # the error bars: from the adjusted low to high
    np.testing.assert_allclose([s[0][0] for s in bars], profit["ci_low_adjusted"])
    np.testing.assert_allclose([s[1][0] for s in bars], profit["ci_high_adjusted"])
    assert "adjusted" in fig.texts[0].get_text() and "not distinguishable" in fig.texts[0].get_text()


def test_roi_is_given_only_where_the_extra_cost_is_distinguishable():
    runs = study(
        {
            "policy=cheap": {"profit": 30_000 + noise(2_000), "recovery_cost": 14 + noise(40)},
            "policy=dear": {"profit": 25_000 + noise(2_000), "recovery_cost": 5_000 + noise(100)},
        }
    )
    text, summary, paired = text_of(runs)
    roi = summary.set_index("cell")["recovery_roi_mean"]
    assert np.isnan(roi["policy=cheap"]) and roi["policy=dear"] == pytest.approx(5.0, rel=0.05)
    assert "policy=cheap` against the baseline" in text
    assert (
        "Return on the extra recovery spending: not measurable at this number of replications "
        "(the extra recovery cost, +14, is not distinguishable from nothing)." in text
    )
    assert (
        "returns 209" not in text and "in profit (adjusted 95% interval" not in text.split("policy=dear")[0]
    )


def difference(metric: str, mean: float, distinguishable: bool) -> Difference:
    spread = abs(mean) / 2 if distinguishable else abs(mean) * 2 + 1
    return Difference(
        metric, mean, mean - spread, mean + spread, 0.01 if distinguishable else 0.5, distinguishable
    )


def test_a_pure_cost_saving_is_called_one():
    d = {
        "profit": difference("profit", 5_000, True),
        "churn_rate": difference("churn_rate", -0.001, False),
        "revenue": difference("revenue", 800, False),
        "recovery_cost": difference("recovery_cost", -5_000, True),
    }
    assert moved(d) == (
        "it spends 5,000 less on recovery, a pure cost saving: "
        "customers and revenue did not change distinguishably"
    )
    sentence = headline("policy=lean", "policy=lean", BASE, None, {"policy=lean": d}, {})
    assert sentence.startswith(
        "Use `policy=lean`: it earns 5,000 more profit than the baseline `policy=none`"
    )
    assert sentence.endswith(
        "because it spends 5,000 less on recovery, a pure cost saving: "
        "customers and revenue did not change distinguishably."
    )


def test_kept_customers_are_said_to_be_worth_their_extra_cost():
    d = {
        "profit": difference("profit", 254_736, True),
        "churn_rate": difference("churn_rate", -0.024, True),
        "revenue": difference("revenue", 600_000, True),
        "recovery_cost": difference("recovery_cost", 14_000, True),
    }
    assert moved(d) == (
        "it keeps more customers (churn rate -2.4 points) and brings in more revenue (+600,000), "
        "at a higher recovery cost (+14,000)"
    )
    runner = {
        "profit": difference("profit", 3_000, False),
        "churn_rate": difference("churn_rate", -0.001, False),
        "revenue": difference("revenue", 2_000, False),
        "recovery_cost": difference("recovery_cost", 9_000, True),
    }
    best = "policy=apology_compensation delegation=full"
    second = "policy=apology delegation=full"
    sentence = headline(best, best, "policy=none delegation=none", second, {best: d}, runner)
    assert sentence.startswith(
        f"Use `{best}`: it earns 254,736 more profit than the baseline `policy=none delegation=none` "
        "(adjusted 95% interval [+127,368, +382,104]) because it keeps more customers "
        "(churn rate -2.4 points) and brings in more revenue (+600,000), "
        "worth more than its extra recovery cost (+14,000); "
        f"the runner-up `{second}` is not distinguishable from it in profit"
    )
    assert sentence.endswith(
        "so either will do: what tells them apart is policy (apology_compensation against apology), with "
        "which it spends 9,000 more on recovery, while customers and revenue did not change distinguishably."
    )


def test_with_nothing_distinguishable_the_answer_is_to_keep_the_baseline():
    runs = study({"policy=a": {"profit": with_p(0.2)}, "policy=b": {"profit": with_p(0.3)}})
    text, _, _ = text_of(runs)
    assert text.startswith(
        "Keep the baseline `policy=none` for now: no cell earns distinguishably more than it at this number "
        "of replications; the highest mean, `policy=a`,"
    )


def test_return_on_spending_says_why_there_is_none():
    row = pd.Series({"recovery_roi_mean": np.nan, "recovery_roi_low": np.nan, "recovery_roi_high": np.nan})
    saving = {"recovery_cost": difference("recovery_cost", -100, True)}
    assert "it spends less than the baseline" in return_on_spending(row, saving)
    unclear = {"recovery_cost": difference("recovery_cost", 14, False)}
    assert "not measurable at this number of replications" in return_on_spending(row, unclear)


def test_a_lever_is_read_with_k_the_number_of_its_values_compared():
    """Three values of one key: two comparisons against the first, each interval adjusted for k = 2."""
    rows = []
    for value, gain in (("none", 0.0), ("half", 10.0), ("full", 20.0)):
        for r in range(N):
            profit = 1000 + gain + Z[r] * 5 * (value != "none")
            rows.append({"status": "ok", "cell": f"learning={value}", "replication": r, "profit": profit})
    text = "\n".join(levers(pd.DataFrame(rows), {"learning": ["none", "half", "full"]}))
    half = stats.t.ppf(1 - 0.05 / 4, N - 1) * 5 / np.sqrt(N)
    line = "`learning=full` instead of `none`, all else equal: profit +20"
    assert f"{line} [{20 - half:+,.0f}, {20 + half:+,.0f}]" in text


def test_shares_read_as_percentages_and_ratios_keep_their_decimals():
    assert show("first_contact_resolution", 0.1196) == "12.0%"
    assert show("within_target_share", 0.5, signed=True) == "+50.0 points"
    assert show("churn_rate", -0.0004, signed=True) == "-0.04 points"
    assert show("mean_response_days", 2.574) == "2.57"
    assert show("public_posts", 409.4) == "409"


def test_the_channel_table_shows_each_cells_channels_and_nothing_for_the_one_desk():
    cells = pd.DataFrame({"cell": ["channels=phone_only", "channels=phone_email"]})
    runs = pd.DataFrame(
        {
            "cell": ["channels=phone_only"] * 2 + ["channels=phone_email"] * 2,
            "status": "ok",
            "by_channel_phone_complaints": [10, 12, 8, 6],
            "by_channel_phone_share_of_complaints": [1.0, 1.0, 0.8, 0.6],
            "by_channel_phone_recovery_satisfaction": [0.5, 0.7, 0.4, 0.6],
            "by_channel_phone_public_posts": [3, 5, 2, 2],
            "by_channel_email_complaints": [None, None, 2, 4],
            "by_channel_email_share_of_complaints": [None, None, 0.2, 0.4],
            "by_channel_email_recovery_satisfaction": [None, None, 0.0, 0.5],
            "by_channel_email_public_posts": [None, None, 1, 0],
        }
    )
    lines = by_channel(cells, runs)
    assert "| cell | phone | email |" in lines
    assert "| `channels=phone_only` | 100% · 60.0% · 4 | – |" in lines
    assert "| `channels=phone_email` | 70% · 50.0% · 2 | 30% · 25.0% · 0 |" in lines
    desk = pd.DataFrame({"cell": ["a"], "status": "ok", "by_channel_desk_complaints": [3]})
    assert by_channel(pd.DataFrame({"cell": ["a"]}), desk) == []
