"""Studies: sweeps end to end, resume, failures, reports rebuilt from files, and the statistics."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BIN, TINY, recovery_sim
from omegaconf import OmegaConf

from sim.studies import warm
from sim.studies.aggregate import ReportError, baselines, load_records
from sim.studies.report import roi_interval
from sim.studies.stats import mean_ci, paired_difference, recovery_roi
from sim.studies.study import sweep_cells, swept_keys
from sim.world.parameter import PROJECT_ROOT


def report(cwd: Path, sweep: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "recovery-sim-report"), str(sweep)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_paired_difference_matches_a_hand_computed_case():
    # differences 2, 3, 4: mean 3, sd 1, n 3; t(0.975, 2) = 4.302653; t = 3 / (1 / sqrt 3) = 5.196, p = 0.0351
    d = paired_difference(np.array([3.0, 5.0, 7.0]), np.array([1.0, 2.0, 3.0]))
    half = 4.302653 / np.sqrt(3)
    assert d.estimate.mean == pytest.approx(3.0)
    assert (d.estimate.low, d.estimate.high) == pytest.approx((3 - half, 3 + half), abs=1e-5)
    assert d.p_value == pytest.approx(0.0351, abs=1e-4)
    assert d.estimate.n == 3


def test_mean_ci_and_roi_on_simple_numbers():
    e = mean_ci(np.array([1.0, 2.0, 3.0, np.nan]))
    assert (e.mean, e.n) == (2.0, 3)
    roi = recovery_roi(np.array([10.0, 20.0, 30.0]), np.array([5.0, 5.0, 5.0]))
    assert roi.mean == pytest.approx(4.0)
    assert roi.low <= 4.0 <= roi.high
    assert np.isnan(recovery_roi(np.array([1.0, 2.0]), np.array([0.0, 0.0])).mean)  # no extra spending


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_roi_is_unbounded_when_some_resamples_spend_no_more_than_the_baseline():
    # four of five runs cost the same as the baseline: a resample of those four divides by zero
    roi = recovery_roi(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([0.0, 0.0, 0.0, 0.0, 5.0]))
    assert roi.mean == pytest.approx(3.0)
    assert np.isfinite(roi.low) and roi.high == np.inf
    assert roi_interval(roi.low, roi.high).endswith("with no upper bound at this number of replications")
    assert roi_interval(1.0, 1.5) == "adjusted 95% interval [1.00, 1.50]"
    assert roi_interval(np.nan, np.nan) == "no finite adjusted 95% interval at this number of replications"


def test_baselines_are_found_within_groups():
    cells = pd.DataFrame(
        {"cell": [f"policy={p} network={n}" for n in ("a", "b") for p in ("none", "apology")]}
    )
    base = baselines(cells, {"baseline": ["policy=none"], "within": ["network"]})
    assert base["policy=apology network=b"] == "policy=none network=b"
    assert base["policy=none network=a"] == "policy=none network=a"


def test_a_sweep_has_a_cell_for_each_combination_of_the_experiment_and_the_command_line():
    multirun = OmegaConf.create(
        {
            "hydra": {
                "sweeper": {"params": {"policy.apology": "never,severe_only,always"}},
                "overrides": {"task": ["experiment=apology_timing", "firm.staff=1,2", "weeks=3"]},
            }
        }
    )
    cells = sweep_cells(multirun)
    assert len(cells) == 6 and len({tuple(c) for c in cells}) == 6
    assert all("weeks=3" in c and "experiment=apology_timing" in c for c in cells)
    assert swept_keys(cells, multirun.hydra.sweeper.params) == {"policy.apology", "firm.staff"}
    assert swept_keys(
        sweep_cells(OmegaConf.create({"hydra": {"overrides": {"task": ["a=1", "+b=2,3"]}}})), None
    ) == {"b"}


def test_a_study_writes_every_table_figure_and_the_report(policy_grid):
    _, sweep, done = policy_grid
    for name in ("runs.parquet", "weekly.parquet", "summary.csv", "paired.csv", "manifest.json", "report.md",
                 "weekly.png", "forest.png", "frontier.png", "heatmap.png"):  # fmt: skip
        assert (sweep / name).stat().st_size > 0, name
    runs = pd.read_parquet(sweep / "runs.parquet")
    assert len(runs) == 24 and (runs["status"] == "ok").all()
    assert {"profit", "config_policy_name", "policy", "delegation"} <= set(runs.columns)
    assert len(pd.read_parquet(sweep / "weekly.parquet")) == 24 * 5
    summary = pd.read_csv(sweep / "summary.csv")
    assert len(summary) == 12 and summary["cell"].iloc[0] == "policy=none delegation=none"
    paired = pd.read_csv(sweep / "paired.csv")
    assert len(paired) == 11 * 6 and (paired["baseline"] == "policy=none delegation=none").all()
    assert (paired["comparisons"] == 11).all() and "p_holm" not in paired
    excludes = (paired["ci_low_adjusted"] > 0) | (paired["ci_high_adjusted"] < 0)
    assert (paired["distinguishable"] == excludes).all()
    manifest = json.loads((sweep / "manifest.json").read_text())
    assert manifest["runs_done"] == 24 and manifest["runs_failed"] == 0 and manifest["runs_expected"] == 24
    assert manifest["command"].startswith("recovery-sim experiment=policy_grid")
    assert manifest["packages"]["mesa"].startswith("3.5")
    text = (sweep / "report.md").read_text()
    assert "Highest mean profit" in text and "![forest](forest.png)" in text and "Holm" not in text
    first = text.split("## Answer\n\n")[1].split("\n\n")[0]  # one sentence: which cell, and why
    assert first.startswith(("Use `", "Keep the baseline `")) and first.count(". ") == 0
    assert "24/24 runs done" in done.stderr
    lever = [line for line in text.splitlines() if line.startswith("- `delegation=full` instead of `none`")]
    assert len(lever) == 1 and all(word in lever[0] for word in ("profit", "revenue", "churn rate"))


def test_replication_r_has_the_same_seed_in_every_cell(policy_grid):
    _, sweep, _ = policy_grid
    runs = pd.read_parquet(sweep / "runs.parquet")
    seeds = runs.groupby("cell")["seed"].apply(lambda s: tuple(sorted(s)))
    assert seeds.nunique() == 1 and seeds.iloc[0] == (42, 43)


def test_running_a_study_again_skips_finished_runs(policy_grid, tmp_path):
    cwd, sweep, _ = policy_grid
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)  # the shared fixture stays as it was
    before = {p.name: p.stat().st_mtime_ns for p in copy.rglob("*") if p.is_file() and p.name != ".lock"}
    again = recovery_sim(
        cwd, "experiment=policy_grid", "study.replications=2", *TINY, f"hydra.sweep.dir={copy}",
        "hydra/launcher=basic",
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert "all 24 runs are done and report.md is up to date, nothing to run" in again.stderr
    after = {p.name: p.stat().st_mtime_ns for p in copy.rglob("*") if p.is_file() and p.name != ".lock"}
    assert before == after  # nothing rewritten
    (copy / "report.md").unlink()  # a report missing (or older than a run): the jobs and aggregation run
    again = recovery_sim(
        cwd, "experiment=policy_grid", "study.replications=2", *TINY, f"hydra.sweep.dir={copy}",
        "hydra/launcher=basic",
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert "runs done" not in again.stderr and (copy / "report.md").exists()  # no cell launched, report made
    runs = {p.name for p in (copy / "runs").glob("*.json")}
    assert {n: t for n, t in before.items() if n in runs} == {
        p.name: p.stat().st_mtime_ns for p in (copy / "runs").glob("*.json")
    }


def test_resuming_launches_only_the_cells_with_runs_left_each_in_its_own_job_folder(policy_grid, tmp_path):
    cwd, sweep, _ = policy_grid
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    records = {p: json.loads(p.read_text()) for p in (copy / "runs").glob("*.json")}
    left = {("policy=apology", "delegation=partial"), ("policy=none", "delegation=full")}
    for path, record in records.items():
        if tuple(record["cell"]) in left and record["replication"] == 1:
            path.unlink()
    jobs = {p: p.stat().st_mtime_ns for p in (copy / "jobs").glob("*/.hydra/overrides.yaml")}
    again = recovery_sim(
        cwd, "experiment=policy_grid", "study.replications=2", *TINY, f"hydra.sweep.dir={copy}",
        "hydra/launcher=basic",
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stderr.count("1 runs done, 1 already done") == 2 and "0 runs done" not in again.stderr
    rewritten = [p for p, mtime in jobs.items() if p.stat().st_mtime_ns != mtime]
    assert {tuple(OmegaConf.load(p)[:2]) for p in rewritten} == left  # each cell's own job folder
    assert len(finished := list((copy / "runs").glob("*.json"))) == len(records)
    assert json.loads((copy / "manifest.json").read_text())["runs_done"] == len(finished)


def test_the_sweeper_launches_only_the_cells_with_runs_left():
    from sim.studies.checked import RUNS_LEFT, jobs_left, note_cells

    cells = [["a=1"], ["a=2"], ["a=3"], ["a=4"], ["a=5"]]
    note_cells(cells, [0, 2, 1, 0, 3])
    try:
        assert jobs_left(cells) == [1, 2, 4]
        assert jobs_left([*cells, ["a=6"]]) == [1, 2, 4, 5]  # not checked: launched
        note_cells(cells, [0] * 5)
        assert jobs_left(cells) == []
    finally:
        RUNS_LEFT.clear()


class Loader:
    """Hydra's config loader, as far as a job calls it."""

    def load_sweep_config(self, master, overrides):
        return OmegaConf.create({"composed_in_the_job": overrides})


def test_a_study_in_a_folder_of_its_own_writes_every_job_there(tmp_path):
    """No folder named: the one the command claims is every job's (the jobs get the checked configs)."""
    done = recovery_sim(
        tmp_path, "-m", "market.customers=100,200", 'study.baseline=["market.customers=100"]', "weeks=2"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [study] = (tmp_path / "results").glob("*/*")
    for job in ("0", "1"):
        hydra = OmegaConf.load(study / "jobs" / job / ".hydra" / "hydra.yaml").hydra
        assert hydra.sweep.dir == str(study.relative_to(tmp_path))
        assert f"hydra.sweep.dir={hydra.sweep.dir}" in hydra.overrides.hydra
    assert len(list((study / "runs").glob("*.parquet"))) == 2


@pytest.mark.parametrize("folder", ["results/policy_grid/2026-11-30_12-00-00-2", "/tmp/My Studies/grid, 2"])
def test_a_handed_over_config_is_what_the_job_composes_once_the_folder_is_claimed(folder):
    """The checks compose before the folder is claimed; the claim's override is set as composing sets it."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    from hydra_plugins.recovery_sim_sweeper.study_sweeper import overrides_added, with_overrides
    from sim.world.schema import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(PROJECT_ROOT / "configs"), version_base=None):
        loader = GlobalHydra.instance().config_loader()
        study = loader.load_configuration("config", ["experiment=policy_grid"], run_mode=RunMode.MULTIRUN)
        cell = sweep_cells(study)[4]
        then = list(study.hydra.overrides.hydra)
        checked = pickle.dumps(loader.load_sweep_config(study, cell))
        claimed = f"hydra.sweep.dir={folder}" if " " not in folder else f"hydra.sweep.dir='{folder}'"
        study.hydra.overrides.hydra.append(claimed)  # as claiming a folder does
        in_the_job = loader.load_sweep_config(study, cell)
        added = overrides_added(then, list(study.hydra.overrides.hydra))
        assert added == [claimed]
        handed = pickle.loads(with_overrides(checked, added))
        assert handed.hydra.sweep.dir == folder
        assert OmegaConf.to_yaml(handed) == OmegaConf.to_yaml(in_the_job)
        assert overrides_added(then, [*then, "hydra.job.chdir=true"]) is None  # composed anew


def test_a_job_gets_the_config_its_cell_was_checked_with_and_composes_any_other(monkeypatch):
    from hydra_plugins.recovery_sim_sweeper import study_sweeper
    from sim.studies.checked import forget, note_composed

    master = OmegaConf.create({"x": 1})
    composed = study_sweeper.ComposedConfigs(Loader())
    forget()
    study = OmegaConf.create({"hydra": {"overrides": {"hydra": []}}})
    note_composed(["a=1"], OmegaConf.create({"checked": ["a=1"]}), study)
    try:
        with composed.handed_over([["a=1"], ["a=2"]], study):
            in_a_job = pickle.loads(pickle.dumps(composed))  # as a launcher hands it over
            assert in_a_job.load_sweep_config(master, ["a=1"]) == {"checked": ["a=1"]}
            assert in_a_job.load_sweep_config(master, ["a=2"]) == {"composed_in_the_job": ["a=2"]}
            unchecked = ["a=1", "b=2"]
            assert in_a_job.load_sweep_config(master, unchecked) == {"composed_in_the_job": unchecked}
        assert composed.load_sweep_config(master, ["a=1"]) == {"composed_in_the_job": ["a=1"]}  # launch over
        with pytest.raises(KeyboardInterrupt), composed.handed_over([["a=1"]], study):
            raise KeyboardInterrupt
        assert composed.configs == {}
        monkeypatch.setattr(study_sweeper, "HANDED_OVER_AT_MOST", 0)  # too many cells to carry
        with composed.handed_over([["a=1"]], study):
            assert composed.load_sweep_config(master, ["a=1"]) == {"composed_in_the_job": ["a=1"]}
    finally:
        forget()


def test_the_report_rebuilds_from_the_files_alone(policy_grid, tmp_path):
    cwd, sweep, _ = policy_grid
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "runs").mkdir()
    for path in (sweep / "runs").iterdir():
        (copy / "runs" / path.name).write_bytes(path.read_bytes())
    (copy / "multirun.yaml").write_bytes((sweep / "multirun.yaml").read_bytes())
    done = report(cwd, copy)
    assert done.returncode == 0, done.stderr
    # the command wrote weekly.parquet and weekly.png in one of its workers; the report here
    for name in ("summary.csv", "paired.csv", "runs.parquet", "weekly.parquet", "weekly.png", "forest.png"):
        assert (copy / name).read_bytes() == (sweep / name).read_bytes(), name
    for path in list((copy / "runs").glob("*.json"))[:5]:  # an interrupted sweep: some runs missing
        path.unlink()
    assert report(cwd, copy).returncode == 0
    assert json.loads((copy / "manifest.json").read_text())["runs_done"] == 19


def test_an_unreadable_run_file_is_one_line_and_leaves_the_report_as_it_was(policy_grid, tmp_path):
    cwd, sweep, _ = policy_grid
    copy = tmp_path / "copy"
    shutil.copytree(sweep, copy)
    broken = sorted((copy / "runs").glob("*.parquet"))[3]
    broken.write_text("not a table\n")
    before = {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()}
    done = report(cwd, copy)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()  # Arrow's reason in between
    assert line.startswith(f"recovery-sim-report: error: {broken} is not a run's weekly table (")
    assert line.endswith(
        f"allowed the files recovery-sim writes (run the study again in its folder to make the "
        f"run anew, after removing runs/{broken.stem}.json)"
    )
    assert {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()} == before  # nothing half-made
    assert not list(copy.glob(".report.*"))


def test_work_whose_process_died_is_done_here_and_its_own_error_is_not():
    from concurrent.futures import Future

    from sim.studies.aggregate import settled

    died: Future = Future()
    died.set_exception(RuntimeError("A worker process managed by the executor was unexpectedly terminated"))
    assert settled(died, max, (2, 5)) == 5
    refused: Future = Future()
    refused.set_exception(ReportError("runs/x.parquet is not a run's weekly table"))
    with pytest.raises(ReportError):
        settled(refused, max, (2, 5))


def test_the_study_end_hands_work_to_another_process_and_gets_its_error_back(monkeypatch):
    monkeypatch.setitem(warm.SETTINGS, "joblib", {"n_jobs": 2, "backend": "loky"})
    assert warm.in_a_worker(os.getpid).result() != os.getpid()
    with pytest.raises(ReportError, match="no runs/ folder"):
        warm.in_a_worker(load_records, Path("/nonexistent/sweep")).result()


def test_a_failing_run_loses_no_other_run_and_is_reported(tmp_path):
    sweep = tmp_path / "sweep"
    done = recovery_sim(
        tmp_path, "-m", "network=scale_free", "market.customers=1,150", "weeks=3", "study.replications=2",
        "study.name=failing", 'study.baseline=["market.customers=150"]', f"hydra.sweep.dir={sweep}",
        "hydra/launcher=basic",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]  # the study goes on, and says it was not all well
    assert done.stderr.strip().splitlines()[-1].startswith("recovery-sim: error: 2 of 4 runs failed;")
    failed = list((sweep / "runs").glob("*.failed.json"))
    assert len(failed) == 2
    assert "market.customers gives 2 network nodes" in json.loads(failed[0].read_text())["error"]
    manifest = json.loads((sweep / "manifest.json").read_text())
    assert (manifest["runs_done"], manifest["runs_failed"]) == (2, 2)
    assert "## Failed runs" in (sweep / "report.md").read_text()
    assert (pd.read_parquet(sweep / "runs.parquet")["status"] == "failed").sum() == 2


def test_report_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    done = report(tmp_path, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("recovery-sim-report: error:") and "runs/" in done.stderr


@pytest.mark.slow
def test_the_cluster_launcher_runs_the_same_study_locally(tmp_path):
    """hydra-submitit-launcher: submitit_local here, submitit_slurm on a cluster (same study files)."""
    sweep = tmp_path / "sweep"
    done = recovery_sim(
        tmp_path, "experiment=apology_timing", "study.replications=1", *TINY, f"hydra.sweep.dir={sweep}",
        "hydra/launcher=submitit_local",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(pd.read_csv(sweep / "summary.csv")) == 3


def test_optimise_policy_confirms_the_best_on_fresh_seeds(tmp_path):
    done = recovery_sim(
        tmp_path, "experiment=optimise_policy", "study.trials=4", "study.confirm_replications=3",
        "study.confirm_top=2", "market.customers=200", "weeks=6", f"hydra.run.dir={tmp_path}/out",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "out"
    trials, confirm = pd.read_csv(out / "trials.csv"), pd.read_csv(out / "confirm.csv")
    assert len(trials) == 4 and trials["params_compensation"].between(0, 2).all()
    assert len(confirm) == 3 * 3  # the baseline and the two best, three fresh seeds each
    assert confirm["seed"].min() >= 42 + 100_000  # never the seeds the search scored on
    best = json.loads((out / "best.json").read_text())
    assert best["delegation"] in {"none", "partial", "full"} and best["apology"] in {
        "never",
        "severe_only",
        "always",
    }
    report = (out / "report.md").read_text()
    assert "Most profitable" in report and (out / "search.png").exists()
    assert "adjusted 95% interval" in report and "clear" not in report  # the one rule, as in grid reports
    assert "Most profitable" in done.stdout


def test_sensitivity_gives_morris_indices_and_the_winner_at_every_point(tmp_path):
    done = recovery_sim(
        tmp_path, "experiment=sensitivity", "study.trajectories=2", "market.customers=200", "weeks=6",
        f"hydra.run.dir={tmp_path}/out",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "out"
    keys = len(OmegaConf.load(PROJECT_ROOT / "experiments" / "sensitivity.yaml").study.parameters)
    points = 2 * (keys + 1)
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == points * 4 and "wom_negative_reach" in runs and not [c for c in runs if "." in c]
    indices = pd.read_csv(out / "indices.csv")
    assert len(indices) == 4 * 2 * keys and (indices["mu_star"] >= 0).all()
    assert len(pd.read_csv(out / "winners.csv")) == points
    assert "winning policy" in (out / "report.md").read_text()


def test_sensitivity_refuses_malformed_ranges():
    from sim.studies.sensitivity import problem
    from sim.world.config import to_sim_config
    from sim.world.parameter import ConfigError

    with pytest.raises(ConfigError, match=r"study.parameters.wom.negative_reach=\[15.0, 5.0\] is malformed"):
        problem(to_sim_config({"study": {"parameters": {"wom.negative_reach": [15.0, 5.0]}}}))


def test_a_levers_effect_is_paired_over_the_cells_that_differ_in_it_only():
    """Two keys, two values each, two replications: delegation's effect pools the two policies' pairs."""
    from sim.studies.report import levers

    rows = []
    for policy, extra in (("none", 0.0), ("apology", 100.0)):
        for delegation, gain in (("none", 0.0), ("full", 10.0)):
            for r, noise in ((0, 0.0), (1, 2.0)):
                cell = {"status": "ok", "cell": f"policy={policy} delegation={delegation}", "replication": r}
                rows.append(
                    {**cell, "profit": 1000 + extra + gain + noise, "revenue": 0.0, "churn_rate": 0.5}
                )
    text = "\n".join(
        levers(pd.DataFrame(rows), {"policy": ["none", "apology"], "delegation": ["none", "full"]})
    )
    assert "`delegation=full` instead of `none`, all else equal: profit +10" in text
    assert "`policy=apology` instead of `none`, all else equal: profit +100" in text


def test_run_ids_are_each_replications_own_world_and_seed():
    """Ids made once per cell equal the hash of each replication's own config, so old studies resume."""
    import dataclasses
    import hashlib

    from sim.studies.study import run_ids, world_of
    from sim.world.config import with_values
    from sim.world.schema import SimConfig

    cfg = with_values(SimConfig(), {"policy": "apology"}, seed=7, **{"study.replications": 3})
    expected = []
    for replication in range(3):
        world = world_of(dataclasses.replace(cfg, seed=7 + replication))
        expected.append(hashlib.sha256(json.dumps(world, sort_keys=True).encode()).hexdigest()[:16])
    assert run_ids(cfg) == expected and len(set(expected)) == 3


def test_a_cells_config_as_data_with_its_seed_is_each_replications_own():
    """A cell converts its config once; each run's summary and marker must still hold the run's own config."""
    import dataclasses

    from sim.world.config import config_dict, with_values
    from sim.world.schema import SimConfig

    cfg = with_values(SimConfig(), {"policy": "apology"}, seed=7, **{"study.replications": 3})
    once = config_dict(cfg)
    for seed in (7, 8, 9):
        own = config_dict(dataclasses.replace(cfg, seed=seed))
        assert json.dumps({**once, "seed": seed}) == json.dumps(own)  # same values, in the same order


def test_a_cell_resumed_before_its_last_run_still_ends_with_its_progress_line(tmp_path, capsys):
    import dataclasses

    from conftest import small

    from sim.studies.study import run_cell, run_ids

    cfg = small()
    cfg = dataclasses.replace(cfg, study=dataclasses.replace(cfg.study, name="tiny", replications=3))
    run_cell(cfg, tmp_path, ["policy=none"], 3)
    for rid in run_ids(cfg)[:2]:  # the first two runs to do again; the last is done
        (tmp_path / "runs" / f"{rid}.json").unlink()
    capsys.readouterr()
    assert run_cell(cfg, tmp_path, ["policy=none"], 3) == {"done": 2, "skipped": 1, "failed": 0}
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("tiny: 3/3 runs done")
