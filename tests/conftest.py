"""Shared helpers: small worlds that run in a fraction of a second, the command line, a tiny study."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from sim.world.config import to_sim_config
from sim.world.parameter import PROJECT_ROOT
from sim.world.schema import SimConfig

BIN = Path(sys.executable).parent
TINY = ["market.customers=150", "weeks=4"]


def recovery_sim(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The command line, run in ``cwd``."""
    return subprocess.run(
        [str(BIN / "recovery-sim"), *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="session")
def policy_grid(tmp_path_factory):
    """A tiny policy_grid through the real command and the default (parallel) launcher: (cwd, folder, run)."""
    cwd = tmp_path_factory.mktemp("grid")
    sweep = cwd / "sweep"
    done = recovery_sim(
        cwd, "experiment=policy_grid", "study.replications=2", *TINY, f"hydra.sweep.dir={sweep}"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return cwd, sweep, done


def small(**overrides) -> SimConfig:
    """A 600-customer, 20-week world; ``overrides`` is a nested dict merged on top."""
    base = {"market": {"customers": 600}, "weeks": 20}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return to_sim_config(base)


@pytest.fixture
def hydra_compose():
    """compose(overrides) against the project's configs/, cleaned up afterwards."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(version_base="1.3", config_dir=str(PROJECT_ROOT / "configs")):
        yield lambda overrides=(): compose(config_name="config", overrides=list(overrides))
    GlobalHydra.instance().clear()


def processes_in(folder: Path) -> list[int]:
    """Processes working in ``folder`` (their working directory)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cwd").resolve() == folder.resolve():
                pids.append(int(proc.name))
        except OSError:
            continue  # gone, or not ours to look at
    return pids
