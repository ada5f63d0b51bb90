"""What this command's study checks found: how many runs each cell has left.

``StudyCallback.on_multirun_start`` composes and checks every cell before Hydra's sweep
starts, and works out each run's id. The study's sweeper (``hydra_plugins/recovery_sim_sweeper``)
reads this, in the same process, to launch only the cells with runs left, and not to compose
every cell a second time to check what was checked. Kept apart from the study's modules,
which import pandas: Hydra imports the sweeper in every command, ``--help`` included.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Per cell (its overrides, in the sweep's order): the runs not yet done.
RUNS_LEFT: dict[tuple[str, ...], int] = {}


def note_cells(cells: list[list[str]], left: list[int]) -> None:
    """The study's cells as checked, and how many runs each has left."""
    RUNS_LEFT.clear()
    RUNS_LEFT.update({tuple(cell): n for cell, n in zip(cells, left, strict=True)})


def is_checked(job: Sequence[str]) -> bool:
    """Whether the study's checks composed this job's cell."""
    return tuple(job) in RUNS_LEFT


def jobs_left(batch: Sequence[Sequence[str]]) -> list[tuple[int, list[Sequence[str]]]]:
    """The batch's jobs with runs left, as (index of the first, jobs) for each unbroken stretch.

    A job the checks did not see is kept: only what is known to be done is skipped. Stretches,
    because Hydra numbers a launch's jobs from its first, and a cell's job keeps its number
    (its folder ``jobs/<number>``) whether or not the cells before it are launched again.
    """
    stretches: list[tuple[int, list[Sequence[str]]]] = []
    for index, job in enumerate(batch):
        if RUNS_LEFT.get(tuple(job), 1) == 0:
            continue
        if stretches and stretches[-1][0] + len(stretches[-1][1]) == index:
            stretches[-1][1].append(job)
        else:
            stretches.append((index, [job]))
    return stretches
