"""`recovery-sim` end to end, in a subprocess, in an empty working directory."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import processes_in

RECOVERY_SIM = str(Path(sys.executable).with_name("recovery-sim"))
SMALL = ["market.customers=300", "weeks=8"]


def recovery_sim(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RECOVERY_SIM, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_a_run_prints_the_headline_table_and_writes_its_files(tmp_path):
    done = recovery_sim(tmp_path, *SMALL, "policy=apology_compensation", "delegation=full")
    assert done.returncode == 0, done.stderr
    assert "profit" in done.stdout and "recovery satisfaction" in done.stdout
    [run_dir] = (tmp_path / "results" / "runs").iterdir()
    for name in ("summary.json", "timeseries.parquet", "complaints.parquet", "dashboard.png"):
        assert (run_dir / name).stat().st_size > 0, name
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["config"]["policy"]["name"] == "apology_compensation"
    assert summary["weeks"] == 8
    assert len(pd.read_parquet(run_dir / "timeseries.parquet")) == 9


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("policy.compensation=-1", "policy.compensation=-1.0 is out of range: allowed 0.0 to 2.0"),
        ("market.customers=-5", "market.customers=-5 is out of range"),
        ("weeks=0", "weeks=0 is out of range"),
        ("network=edgelist network.path=missing.txt", "network.path=missing.txt does not exist"),
        ("+policy.generosity=2", "policy.generosity is not a parameter: allowed apology, compensation, name"),
        ("network=edgelist network.path=bad.edgelist", "network.path=bad.edgelist line 2 is malformed"),
        (
            "policy.compensaton=1",
            "policy.compensaton is not a parameter: allowed apology, compensation, name",
        ),
        ("policy.apology=sometimes", "expected one of [never, severe_only, always]"),
        ("firm.staff=1.5", "firm.staff=1.5 is refused: Value '1.5' of type 'float' could not be converted"),
        (
            "policy=generous",
            "policy=generous does not exist: allowed apology, apology_compensation, compensation",
        ),
        ("experiment=policy_gird", "experiment=policy_gird does not exist: allowed apology_timing"),
        ("policy.apology=[", "policy.apology=[ cannot be read"),
    ],
)
def test_bad_values_fail_with_one_line_and_leave_nothing(tmp_path, override, expected):
    (tmp_path / "bad.edgelist").write_text("0 1\n2\n")
    done = recovery_sim(tmp_path, *override.split())
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert not list(tmp_path.glob("results/runs/*"))


@pytest.mark.parametrize(
    ("sweep", "expected"),
    [
        ("-m market.customers=100,-5", "market.customers=-5 is out of range"),
        ("-m policy.apology=never,sometimes", "expected one of [never, severe_only, always]"),
        ("experiment=policy_grid firm.staff=2,-1", "firm.staff=-1 is out of range"),
        ("-m experiment=policy_gird", "experiment=policy_gird does not exist"),
    ],
)
def test_a_sweep_with_a_bad_cell_is_refused_before_it_starts(tmp_path, sweep, expected):
    done = recovery_sim(tmp_path, *sweep.split(), "weeks=2")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert not (tmp_path / "results").exists()


def test_a_large_market_can_skip_the_mesa_agents(tmp_path):
    done = recovery_sim(tmp_path, *SMALL, "agents=false")
    assert done.returncode == 0, done.stderr
    [run_dir] = (tmp_path / "results" / "runs").iterdir()
    assert json.loads((run_dir / "summary.json").read_text())["config"]["agents"] is False


def test_the_dashboard_drawn_beside_the_run_is_the_one_drawn_in_the_process(tmp_path):
    from sim.dashboard import draw_dashboard
    from sim.result import Result

    done = recovery_sim(tmp_path, *SMALL, "channels=omnichannel")
    assert done.returncode == 0, done.stderr
    [run_dir] = (tmp_path / "results" / "runs").iterdir()
    saved = Result.load(run_dir)
    draw_dashboard(saved.timeseries, saved.summary, tmp_path / "here.png")
    assert (run_dir / "dashboard.png").read_bytes() == (tmp_path / "here.png").read_bytes()
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith(".dashboard")]


def test_a_dashboard_that_cannot_be_drawn_is_one_line_and_no_picture(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "bogus")  # Matplotlib refuses to load in the process that draws
    done = recovery_sim(tmp_path, *SMALL)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("recovery-sim: error: dashboard.png could not be drawn: ValueError: Key backend:")
    [run_dir] = (tmp_path / "results" / "runs").iterdir()
    assert sorted(p.name for p in run_dir.iterdir() if not p.name.startswith(".hydra")) == [
        "complaints.parquet",
        "failures.parquet",
        "recovery-sim.log",
        "summary.json",
        "timeseries.parquet",
    ]


DRAW_BROKEN = """
import sys
from pathlib import Path
import pandas as pd
from sim.dashboard_process import DashboardError, DashboardProcess

folder = Path(sys.argv[1])
process = DashboardProcess.fork()
process.draw(pd.DataFrame({"week": [0, 1]}), {"config": {}}, folder / "dashboard.png")
try:
    process.finish(folder / "dashboard.png")
except DashboardError as error:
    print(error)
finally:
    process.stop()
stopped = DashboardProcess.fork()
stopped.stop()  # a run that ends before its end: the child goes, nothing is drawn
"""


def test_a_drawing_that_fails_in_its_process_comes_back_as_its_reason_and_leaves_nothing(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", DRAW_BROKEN, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "KeyError: 'policy'"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="the run's own process is forked on Linux only")
def test_a_refused_input_leaves_no_process_of_the_command_behind(tmp_path):
    done = recovery_sim(tmp_path, "market.customers=-5")
    assert done.returncode == 2
    assert processes_in(tmp_path) == []


@pytest.mark.skipif(sys.platform != "linux", reason="the run's own process is forked on Linux only")
def test_a_run_whose_process_is_killed_says_so_in_one_line(tmp_path):
    import os
    import signal

    started = subprocess.Popen(
        [RECOVERY_SIM, "market.customers=20000", "weeks=2600", "agents=false"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob("results/runs/*/.hydra")):
        time.sleep(0.05)
    time.sleep(0.5)  # the run is in its weeks, in the process the command handed it to
    [child] = [pid for pid in processes_in(tmp_path) if parent_of(pid) == started.pid]
    os.kill(child, signal.SIGKILL)
    _, err = started.communicate(timeout=120)
    assert started.returncode == 128 + signal.SIGKILL
    assert err.strip().splitlines() == ["recovery-sim: error: the run's process was ended by SIGKILL"]
    assert not (tmp_path / "results").exists()  # the run's folder, made for nothing, is gone
    deadline = time.time() + 10  # the dashboard's process, left without its run, ends on its own
    while processes_in(tmp_path) and time.time() < deadline:
        time.sleep(0.05)
    assert processes_in(tmp_path) == []


def parent_of(pid: int) -> int | None:
    """The parent of process ``pid``, or None if it is gone."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


@pytest.mark.skipif(sys.platform != "linux", reason="the run's own process is forked on Linux only")
@pytest.mark.parametrize("after", [0.0, 0.1, 0.2, 0.3, 0.45, 0.6])
def test_ctrl_c_as_the_run_is_handed_to_its_process_is_one_line_and_leaves_nothing(tmp_path, after):
    """From the fork on, through Hydra's composition and the handover, into the weeks: one line, 130."""
    import os
    import signal

    started = subprocess.Popen(
        [RECOVERY_SIM, "market.customers=20000", "weeks=2600", "agents=false"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline and not [p for p in processes_in(tmp_path) if parent_of(p) == started.pid]:
        time.sleep(0.01)  # the run's process is forked: the command handles Ctrl-C from here on
    time.sleep(after)
    os.killpg(started.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the command and its run's process
    _, err = started.communicate(timeout=120)
    assert (started.returncode, err.strip()) == (130, "recovery-sim: interrupted; nothing was written")
    assert not (tmp_path / "results").exists()


def test_a_study_refused_after_its_workers_started_leaves_no_process_behind(tmp_path):
    """Workers get ready once a cell passes its checks; a study option refused after that ends it all."""
    done = recovery_sim(tmp_path, "experiment=apology_timing", *SMALL, "study.metrics=[bogus]")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("recovery-sim: error: study.metrics=[bogus] is not a summary")
    assert not (tmp_path / "results").exists()
    deadline = time.time() + 2  # the workers' fork server leaves within 50 ms of the command
    while processes_in(tmp_path) and time.time() < deadline:
        time.sleep(0.02)
    assert processes_in(tmp_path) == []


@pytest.mark.parametrize(
    ("arguments", "study"),
    [
        (["experiment=policy_grid"], True),
        (["experiment=policy_grid", "study.replications=2", "hydra.sweep.dir=out"], True),
        (["-m", "policy=none,apology"], True),
        (["hydra.mode=MULTIRUN", "policy=none,apology"], True),
        ([], False),
        (["experiment=validation"], False),  # one run of its own, not a sweep
        (["experiment=nonexistent"], False),
        (["experiment=policy_grid", "hydra/launcher=submitit_slurm"], False),  # its workers start elsewhere
        (["experiment=policy_grid", "--help"], False),
        (["-m", "policy=none,apology", "--cfg", "job"], False),
    ],
)
def test_a_study_is_told_from_its_command_line_before_hydra_reads_it(arguments, study):
    """A command that may be a study starts its workers' fork server at once (sim.studies.warm)."""
    from sim.cli import may_be_a_study

    assert may_be_a_study(arguments) is study
