"""What this command's study checks found: how many runs each cell has left, and its config.

``StudyCallback.on_multirun_start`` composes and checks every cell before Hydra's sweep
starts, and works out each run's id. The study's sweeper (``hydra_plugins/recovery_sim_sweeper``)
reads this, in the same process, to launch only the cells with runs left, not to compose
every cell a second time to check what was checked, and to hand each job the config its
cell was composed into, which the job would otherwise compose a third time. Kept apart from
the study's modules, which import pandas: Hydra imports the sweeper in every command,
``--help`` included.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence

from omegaconf import DictConfig

#: Per cell (its overrides, in the sweep's order): the runs not yet done.
RUNS_LEFT: dict[tuple[str, ...], int] = {}

#: Per cell: the config Hydra composed for its job (``load_sweep_config``), pickled.
COMPOSED: dict[tuple[str, ...], bytes] = {}
#: The study's own Hydra overrides when its cells were composed (claiming its folder may add one).
COMPOSED_FROM: list[str] = []


def note_cells(cells: list[list[str]], left: list[int]) -> None:
    """The study's cells as checked, and how many runs each has left."""
    RUNS_LEFT.clear()
    RUNS_LEFT.update({tuple(cell): n for cell, n in zip(cells, left, strict=True)})


def forget() -> None:
    """A new study's checks begin (a process may check several: the tests' do)."""
    RUNS_LEFT.clear()
    COMPOSED.clear()
    COMPOSED_FROM.clear()


def note_composed(cell: Sequence[str], config: DictConfig, study: DictConfig) -> None:
    """The config a cell's job would compose from the ``study``'s config, as the checks composed it.

    About 2 ms to pickle.
    """
    COMPOSED[tuple(cell)] = pickle.dumps(config)
    COMPOSED_FROM[:] = list(study.hydra.overrides.hydra)


def is_checked(job: Sequence[str]) -> bool:
    """Whether the study's checks composed this job's cell."""
    return tuple(job) in RUNS_LEFT


def jobs_left(batch: Sequence[Sequence[str]]) -> list[int]:
    """The places in the batch of the jobs with runs left (a job the checks did not see is kept)."""
    return [index for index, job in enumerate(batch) if RUNS_LEFT.get(tuple(job), 1) > 0]
