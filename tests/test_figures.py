"""The figures are readable (issue 22, point 4): what they show is read from their Matplotlib objects.

heatmap.png shows profit minus the baseline on a scale symmetric around zero, coloured only where
the difference is distinguishable; frontier.png's labels overlap neither each other nor a point;
curve.png colours its points by the study's one rule.
"""

from __future__ import annotations

import itertools

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest

from sim.studies.figures import BETTER, UNCLEAR, WORSE, frontier_figure, profit_map_figure

BASE = "policy=none delegation=none"


def grid(
    profits: dict[tuple[str, str], float], clear: set[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """summary.csv and paired.csv (profit only) for a policy x delegation grid; ``clear``: distinguishable."""
    cells = {(p, d): f"policy={p} delegation={d}" for p, d in profits}
    base = profits[("none", "none")]
    summary = pd.DataFrame(
        {"cell": list(cells.values()), "baseline": BASE, "profit_mean": list(profits.values())}
    )
    paired = pd.DataFrame(
        [
            {
                "metric": "profit",
                "cell": cell,
                "baseline": BASE,
                "comparisons": len(cells) - 1,
                "mean_difference": profits[key] - base,
                "ci_low_adjusted": profits[key] - base - 1_000,
                "ci_high_adjusted": profits[key] - base + 1_000,
                "distinguishable": key in clear,
            }
            for key, cell in cells.items()
            if cell != BASE
        ]
    )
    return summary, paired


def test_the_heatmap_shows_differences_from_the_baseline_on_a_scale_symmetric_around_zero():
    """A 4% spread of profit (5.80 to 6.04 million) shows as differences of -0.10 to +0.14 million."""
    profits = {
        ("none", "none"): 5_900_000,
        ("none", "full"): 5_800_000,
        ("apology", "none"): 5_905_000,
        ("apology", "full"): 6_040_000,
    }
    summary, paired = grid(profits, clear={("none", "full"), ("apology", "full")})
    fig = profit_map_figure(summary, paired, ["policy", "delegation"], "compensation_curve")
    ax, bar = fig.axes
    [image] = ax.get_images()
    low, high = image.get_clim()
    assert low == pytest.approx(-high) and high == pytest.approx(140.0)  # thousands: the largest difference
    shown = image.get_array()
    # rows policy none, apology; columns delegation none, full: only the distinguishable cells are coloured
    assert shown.mask.tolist() == [[True, False], [True, False]]
    assert shown[0, 1] == pytest.approx(-100.0) and shown[1, 1] == pytest.approx(140.0)
    assert "profit minus the baseline" in bar.get_ylabel() and "thousands" in bar.get_ylabel()
    words = [t.get_text() for t in ax.texts]
    assert words == ["baseline", "-100.0", "+5.0", "+140.0"]
    assert "grey where not" in ax.get_title()
    fig.canvas.draw()  # the title and the colour bar's label are whole, inside the figure
    for text in (ax.title, bar.yaxis.label):
        box = text.get_window_extent()
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
    # the colour map runs from worse (orange) through near white at zero to better (green)
    assert mcolors.to_hex(image.cmap(0.0)) == WORSE and mcolors.to_hex(image.cmap(1.0)) == BETTER
    assert min(image.cmap(0.5)[:3]) > 0.9


def test_the_curve_colours_each_value_by_the_rule():
    summary = pd.DataFrame(
        {
            "cell": [f"policy.apology={v}" for v in ("never", "severe_only", "always")],
            "baseline": "policy.apology=never",
        }
    )
    summary["profit_mean"] = [1.0e6, 1.02e6, 0.97e6]
    paired = pd.DataFrame(
        {
            "metric": "profit",
            "cell": summary["cell"][1:].to_list(),
            "baseline": "policy.apology=never",
            "comparisons": 2,
            "mean_difference": [20_000.0, -30_000.0],
            "ci_low_adjusted": [-1_000.0, -40_000.0],
            "ci_high_adjusted": [41_000.0, -20_000.0],
            "distinguishable": [False, True],
        }
    )
    fig = profit_map_figure(summary, paired, ["policy.apology"], "t")
    [ax] = fig.axes
    dots = ax.collections[-1]
    np.testing.assert_allclose(dots.get_offsets()[:, 1], [0.0, 20.0, -30.0])  # thousands, baseline at zero
    np.testing.assert_allclose(dots.get_facecolors(), [mcolors.to_rgba(c) for c in (UNCLEAR, UNCLEAR, WORSE)])
    assert "profit minus the baseline (thousands)" in ax.get_ylabel()


def test_a_small_difference_is_shown_in_currency_not_as_zero_thousands():
    profits = {
        ("none", "none"): 23_000,
        ("none", "full"): 22_963,
        ("apology", "none"): 23_037,
        ("apology", "full"): 23_009,
    }
    summary, paired = grid(profits, clear=set())
    ax = profit_map_figure(summary, paired, ["policy", "delegation"], "t").axes[0]
    assert [t.get_text() for t in ax.texts] == ["baseline", "-37", "+37", "+9"]
    assert "(currency)" in ax.get_title()


def test_frontier_labels_overlap_neither_each_other_nor_a_point():
    """Twelve cells: three on one spot, others a hair apart, as policy=none is at every delegation level."""
    cost = [46.7, 46.7, 46.7, 46.8, 50.9, 51.0, 57.9, 58.0, 63.4, 63.5, 64.0, 76.5]
    kept = [41.7, 41.7, 41.7, 42.2, 42.2, 43.2, 42.3, 43.1, 42.6, 44.0, 42.5, 44.7]
    summary = pd.DataFrame(
        {
            "cell": [f"policy=p{i} delegation=d{i}" for i in range(12)],
            "recovery_cost_mean": np.array(cost) * 1e3,
            "churn_rate_mean": 1 - np.array(kept) / 100,
        }
    )
    fig = frontier_figure(summary, "t")
    ax, key = fig.axes
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts]
    assert [t.get_text() for t in labels][0] == "1, 2, 3"  # the three on one spot share a label
    numbers = sorted(int(n) for t in labels for n in t.get_text().split(", "))
    assert numbers == list(range(1, 13))
    boxes = [t.get_window_extent(renderer) for t in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    frame = ax.get_window_extent(renderer)
    points = ax.transData.transform(np.column_stack([cost, kept]))
    for box in boxes:
        assert frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
        assert not any(box.contains(x, y) for x, y in points)
    listed = [t.get_text() for t in key.texts]
    assert listed == [f"{i + 1:>2}  policy=p{i} delegation=d{i}" for i in range(12)]
