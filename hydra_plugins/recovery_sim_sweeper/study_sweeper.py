"""Hydra's basic sweeper, for recovery-sim's studies: each cell composed once, finished cells not launched.

The basic sweeper composes every job once more before launching (``validate_batch_is_legal``),
although the study's checks (``sim.cli.StudyCallback``) have just composed and checked each
cell: at 60-80 ms a composition, about a second of every study. And it launches every cell,
so resuming a study with one run left paid a job, a worker and a composition for each
finished cell too. This sweeper expands the cells exactly as the basic one does (the same
jobs, in the same order, with the same numbers), and skips both where the checks know better
(``sim.studies.checked``). Anything they did not see is composed and launched as before.

No ``from __future__ import annotations`` here: Hydra runs this module before it is in
``sys.modules``, where a dataclass would look its annotations up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from omegaconf import OmegaConf

from sim.studies.checked import is_checked, jobs_left
from sim.studies.warm import workers_started


@dataclass
class StudySweeperConf(BasicSweeperConf):
    """The basic sweeper's settings (``params``, ``max_batch_size``), unchanged."""

    _target_: str = "hydra_plugins.recovery_sim_sweeper.study_sweeper.StudySweeper"


ConfigStore.instance().store(
    group="hydra/sweeper", name="study", node=StudySweeperConf, provider="recovery-sim"
)


class StudySweeper(BasicSweeper):
    """The basic sweeper; launches only cells with runs left, and re-checks only unchecked cells."""

    def setup(self, *args: Any, **kwargs: Any) -> None:
        """The basic sweeper's setup, its launcher wrapped to skip the cells with no runs left."""
        super().setup(*args, **kwargs)
        subdir = OmegaConf.to_container(self.config.hydra.sweep, resolve=False)["subdir"]
        self.launcher = CellsWithRunsLeft(self.launcher, str(subdir))

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose the jobs the study's checks did not (none, when they ran)."""
        super().validate_batch_is_legal([job for job in batch if not is_checked(job)])


class CellsWithRunsLeft:
    """A launcher that passes on only the jobs with runs left, each still in its own job's folder.

    Hydra numbers a launch's jobs one after another, and the job's number names its folder
    (``hydra.sweep.subdir``, ``jobs/${hydra.job.num}``): so a job launched after skipped ones
    is given its own folder by an override, and all the jobs left go in one launch.
    """

    def __init__(self, launcher: Launcher, subdir: str) -> None:
        self.launcher, self.subdir = launcher, subdir

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        """Launch the jobs with runs left (all of them in a new study, as they are)."""
        workers_started()  # those the study's checks started: the launch reuses them
        left = jobs_left(job_overrides)
        if not left:  # a launcher may refuse an empty launch (Submitit's does)
            return []
        if len(left) == len(job_overrides) or "${hydra.job.num}" not in self.subdir:
            return self.launcher.launch([job_overrides[i] for i in left], initial_job_idx=initial_job_idx)
        jobs = [
            [*job_overrides[i], f"hydra.sweep.subdir={self.subdir_of(initial_job_idx + i)}"] for i in left
        ]
        return self.launcher.launch(jobs, initial_job_idx=initial_job_idx)

    def subdir_of(self, number: int) -> str:
        """The folder a job of this number has when the whole batch is launched."""
        return self.subdir.replace("${hydra.job.num}", str(number))
