"""The calibration study: its loss, its refusals, a fit that finds its way, and the shipped values."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.checks.calibration import UNMEASURED, calibrate, fact_loss
from sim.checks.facts import BY_KEY
from sim.world import parameter
from sim.world.config import to_sim_config, with_values
from sim.world.parameter import CALIBRATED, CALIBRATION, FITTED, PROJECT_ROOT, ConfigError, load_calibration
from sim.world.schema import SimConfig

EXPERIMENT = OmegaConf.load(PROJECT_ROOT / "experiments" / "calibrate.yaml")


def test_loss_is_nil_at_the_published_figure_small_inside_the_band_and_quadratic_outside():
    fact = BY_KEY["kriss_spend_ratio"]  # band 1.8-3.0, aim 2.4, tolerance 0.6
    assert fact_loss(fact, 2.4) == 0.0
    assert 0.0 < fact_loss(fact, 2.9) < 0.05
    one, two = fact_loss(fact, 3.0 + 0.6), fact_loss(fact, 3.0 + 1.2)
    assert one == pytest.approx(1.0 + 0.05 * 2**2)
    assert two - 0.05 * 3**2 == pytest.approx(4 * (one - 0.05 * 2**2))
    assert fact_loss(fact, float("nan")) == UNMEASURED


def test_a_direction_only_fact_has_no_pull_inside_its_band():
    fact = BY_KEY["ladder_order_minor"]  # every step > 0, tolerance 5 points
    assert fact_loss(fact, 0.01) == fact_loss(fact, 0.3) == 0.0
    assert fact_loss(fact, -0.05) == pytest.approx(1.0)


def test_a_range_that_leaves_out_the_shipped_value_is_refused(tmp_path):
    cfg = with_values(
        SimConfig(), **{"study.parameters": {"wom.delight_tell": [0.5, 0.9]}, "study.trials": 2}
    )
    with pytest.raises(ConfigError, match=r"study.parameters.wom.delight_tell=\[0.5, 0.9\] leaves out"):
        calibrate(cfg, tmp_path)
    typo = with_values(cfg, **{"study.parameters": {"wom.delight": [0.1, 0.2]}})
    with pytest.raises(ConfigError, match="study.parameters.wom.delight is not a numeric parameter"):
        calibrate(typo, tmp_path)


@pytest.mark.slow
def test_the_search_moves_a_misplaced_parameter_towards_the_facts(tmp_path):
    """Start with far too many delighted customers telling; the fit must bring the positive stories down."""
    cfg = with_values(
        SimConfig(),
        weeks=60,
        **{
            "market.customers": 800,
            "wom.delight_tell": 0.6,
            "study.parameters": {"wom.delight_tell": [0.02, 0.6]},
            "study.trials": 10,
            "study.trial_replications": 1,
        },
    )
    written = {p.name for p in calibrate(cfg, tmp_path)}
    assert written == {"trials.csv", "facts.csv", "fitted.yaml", "search.png", "report.md"}
    fitted = load_calibration(tmp_path / "fitted.yaml")
    assert set(fitted) == {"wom.delight_tell"}
    assert fitted["wom.delight_tell"] < 0.4
    facts = pd.read_csv(tmp_path / "facts.csv").set_index("fact")
    row = facts.loc["wom_positive_per_negative"]
    assert row["fitted_loss"] < row["shipped_loss"]
    assert facts["fitted_loss"].sum() < facts["shipped_loss"].sum()


def test_the_shipped_defaults_are_the_calibration_file_and_say_so():
    def fitted_fields(obj, prefix=""):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                yield from fitted_fields(value, f"{prefix}{f.name}.")
            elif f.metadata.get("source", "").startswith(FITTED):
                yield f"{prefix}{f.name}", value

    shipped = dict(fitted_fields(SimConfig()))
    assert shipped == CALIBRATED
    ranges = EXPERIMENT.study.parameters
    assert set(ranges) == set(CALIBRATED), "experiment=calibrate must fit exactly the shipped parameters"
    for key, (lo, hi) in ranges.items():
        assert lo <= CALIBRATED[key] <= hi, key


def test_a_malformed_calibration_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "calibration.yaml"
    bad.write_text("values:\n  churn.base_hazard: fast\n")
    with pytest.raises(ConfigError, match="calibration.yaml is missing or malformed"):
        load_calibration(bad)
    with pytest.raises(ConfigError, match="missing or malformed"):
        load_calibration(tmp_path / "absent.yaml")
    assert CALIBRATION.is_file()


def test_a_broken_shipped_calibration_stops_every_run_with_one_line(monkeypatch):
    """Raised when a config is checked, not at import: the command line prints one line, no traceback."""
    monkeypatch.setattr(
        parameter, "CALIBRATION_PROBLEM", ConfigError("calibration.yaml is missing or malformed")
    )
    with pytest.raises(ConfigError, match="missing or malformed"):
        to_sim_config()
    monkeypatch.setattr(parameter, "CALIBRATION_PROBLEM", None)
    monkeypatch.setattr(
        parameter, "CALIBRATED", {k: v for k, v in CALIBRATED.items() if k != "wom.delight_tell"}
    )
    with pytest.raises(ConfigError, match="has no value for wom.delight_tell"):
        to_sim_config()


def test_calibration_check_refits_without_each_group_from_the_middle_of_the_ranges(tmp_path):
    from sim.checks.calibration import calibration_check, groups, search

    cfg = with_values(
        SimConfig(),
        weeks=60,
        **{
            "market.customers": 600,
            "study.parameters": {"wom.delight_tell": [0.05, 0.3], "churn.base_hazard": [0.001, 0.012]},
            "study.trials": 2,
            "study.trial_replications": 1,
        },
    )
    written = {p.name for p in calibration_check(cfg, tmp_path)}
    assert written == {"groups.csv", "report.md"}
    table = pd.read_csv(tmp_path / "groups.csv").set_index("left_out")
    assert set(table.index) == set(groups()) == {"ladder", "wom", "kriss"}
    assert (table["facts"] == [len(groups()[g]) for g in table.index]).all()
    report = (tmp_path / "report.md").read_text()
    assert "left-out groups are predicted" in report and "| kriss |" in report
    first = search(cfg, from_shipped=False).trials[0].params
    assert first == {"wom.delight_tell": pytest.approx(0.175), "churn.base_hazard": pytest.approx(0.0065)}
