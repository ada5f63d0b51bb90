"""A study on a one-node Slurm cluster: scripts/slurm-cluster starts it, submitit_slurm runs the cells."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess

import pandas as pd
import pytest
from conftest import BIN
from submitit.slurm.slurm import SlurmInfoWatcher

from sim.world.parameter import PROJECT_ROOT

CLUSTER = PROJECT_ROOT / "scripts" / "slurm-cluster"


def cluster(*args: str) -> subprocess.CompletedProcess:
    """scripts/slurm-cluster with ``args``."""
    return subprocess.run([str(CLUSTER), *args], capture_output=True, text=True, timeout=600)


def last_line(done: subprocess.CompletedProcess) -> str:
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}, no output"


def readme_command() -> list[str]:
    """The README's command that runs a study on the local cluster: `scripts/slurm-cluster run ...`."""
    text = (PROJECT_ROOT / "README.md").read_text().split("**On a cluster**", 1)[1]
    command = re.search(r"^scripts/slurm-cluster run (?:.*\\\n)*.*$", text, re.MULTILINE)
    assert command, "README's On a cluster section shows no `scripts/slurm-cluster run` command"
    return shlex.split(command.group(0).replace("\\\n", " "))


@pytest.fixture(scope="module")
def slurm_cluster():
    """A cluster that answers: one already running (left running), or one started here and stopped after."""
    if cluster("status").returncode == 0:
        yield
        return
    if os.geteuid() != 0 and not os.environ.get("CI"):
        if not shutil.which("slurmd"):
            pytest.skip("Slurm is not installed and this user cannot install it (make slurm, as root)")
        pytest.skip("no Slurm cluster answers and starting one needs root (sudo scripts/slurm-cluster start)")
    installed = cluster("install")
    if installed.returncode != 0:
        pytest.fail(f"could not install Slurm: {last_line(installed)}")
    started = cluster("start")
    try:
        if started.returncode != 0:
            pytest.fail(f"the Slurm cluster did not start: {last_line(started)}")
        yield
    finally:
        stopped = cluster("stop")
        assert stopped.returncode == 0, f"the Slurm cluster did not stop: {last_line(stopped)}"


@pytest.mark.slow
@pytest.mark.slurm
def test_a_study_runs_its_cells_as_slurm_jobs(slurm_cluster, tmp_path):
    """The README command, locally: each cell is a task of one Slurm job array; the report names it."""
    sweep = tmp_path / "sweep"
    command = [str(PROJECT_ROOT / word) if word.startswith("scripts/") else word for word in readme_command()]
    command = [str(BIN / "recovery-sim") if word == ".venv/bin/recovery-sim" else word for word in command]
    assert "hydra/launcher=submitit_slurm" in command, command
    done = subprocess.run(
        [*command, f"hydra.sweep.dir={sweep}"], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]

    report = (sweep / "report.md").read_text()
    cells = [f"policy.apology={apology}" for apology in ("never", "severe_only", "always")]
    assert [cell for cell in cells if f"`{cell}`" not in report] == []
    assert sorted(pd.read_csv(sweep / "summary.csv")["cell"]) == sorted(cells)

    # submitit's folder: one task folder per cell, named by Slurm's array job id and task index
    tasks = sorted(p.name for p in (sweep / ".submitit").iterdir() if p.is_dir() and "_" in p.name)
    assert len(tasks) == 3 and all(re.fullmatch(r"\d+_[0-2]", task) for task in tasks), tasks
    for task in tasks:  # each ran under Slurm, which gave it that id ...
        log = (sweep / ".submitit" / task / f"{task}_0_log.out").read_text()
        assert f"JobEnvironment(job_id={task}," in log, log[-1000:]
    # ... and Slurm says each completed, in the sacct answer submitit reads (the stand-in: no accounting here)
    job = tasks[0].split("_")[0]
    assert all(task.startswith(f"{job}_") for task in tasks), tasks  # one job array
    sacct = cluster("run", "sacct", "-o", "JobID,State,NodeList", "--parsable2", "-j", job)
    assert sacct.returncode == 0, last_line(sacct)
    states = SlurmInfoWatcher().read_info(sacct.stdout)
    assert {task: states.get(task, {}).get("State") for task in tasks} == dict.fromkeys(tasks, "COMPLETED")
