"""Hydra's basic sweeper, for recovery-sim's studies: each cell composed once, finished cells not launched.

The basic sweeper composes every job once more before launching (``validate_batch_is_legal``),
although the study's checks (``sim.cli.StudyCallback``) have just composed and checked each
cell: at 60-80 ms a composition, about a second of every study. And it launches every cell,
so resuming a study with one run left paid a job, a worker and a composition for each
finished cell too. This sweeper expands the cells exactly as the basic one does (the same
jobs, in the same order, with the same numbers), and skips both where the checks know better
(``sim.studies.checked``). Anything they did not see is composed and launched as before.

Each job then composed its cell again where it ran, about 70 ms of a worker's time a cell:
the launch hands each job the config the checks composed instead, by the same call Hydra's
launchers make (``load_sweep_config``, which ``ComposedConfigs`` answers). The configs travel
inside the loader a launcher pickles to every job (about 40 kB a cell, copied as bytes), so
nothing is written for them; a launch of more than ``HANDED_OVER_AT_MOST`` cells composes in
its jobs as before, where that copy would outgrow the composition it saves.

No ``from __future__ import annotations`` here: Hydra runs this module before it is in
``sys.modules``, where a dataclass would look its annotations up.
"""

import pickle
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from sim.studies.checked import COMPOSED, COMPOSED_FROM, is_checked, jobs_left
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
        context = self.launcher.hydra_context
        composed = ComposedConfigs(context.config_loader)
        self.launcher.hydra_context = HydraContext(config_loader=composed, callbacks=context.callbacks)
        self.launcher = CellsWithRunsLeft(self.launcher, str(subdir), composed)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose the jobs the study's checks did not (none, when they ran)."""
        super().validate_batch_is_legal([job for job in batch if not is_checked(job)])


class CellsWithRunsLeft:
    """A launcher that passes on only the jobs with runs left, each still in its own job's folder.

    Hydra numbers a launch's jobs one after another, and the job's number names its folder
    (``hydra.sweep.subdir``, ``jobs/${hydra.job.num}``): so a job launched after skipped ones
    is given its own folder by an override, and all the jobs left go in one launch.
    """

    def __init__(self, launcher: Launcher, subdir: str, composed: "ComposedConfigs") -> None:
        self.launcher, self.subdir, self.composed = launcher, subdir, composed

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        """Launch the jobs with runs left (all of them in a new study, as they are)."""
        workers_started()  # those the study's checks started: the launch reuses them
        left = jobs_left(job_overrides)
        if not left:  # a launcher may refuse an empty launch (Submitit's does)
            return []
        if len(left) == len(job_overrides) or "${hydra.job.num}" not in self.subdir:
            jobs = [list(job_overrides[i]) for i in left]
        else:  # composed anew: the override is not in the config the checks composed
            jobs = [
                [*job_overrides[i], f"hydra.sweep.subdir={self.subdir_of(initial_job_idx + i)}"] for i in left
            ]
        with self.composed.handed_over(jobs, self.launcher.config):
            return self.launcher.launch(jobs, initial_job_idx=initial_job_idx)

    def subdir_of(self, number: int) -> str:
        """The folder a job of this number has when the whole batch is launched."""
        return self.subdir.replace("${hydra.job.num}", str(number))


#: The most cells whose configs a launch hands over (every job carries all of them).
HANDED_OVER_AT_MOST = 64


class ComposedConfigs:
    """Hydra's config loader, except that a job whose cell the checks composed gets that config.

    Launchers pickle it to each job (in ``HydraContext``); a job calls ``load_sweep_config``.
    """

    def __init__(self, loader: Any) -> None:
        self.loader, self.configs = loader, {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or "loader" not in self.__dict__:  # pickling, or being unpickled
            raise AttributeError(name)
        return getattr(self.loader, name)

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
        """The job's config: the one its cell was composed into by the checks, else composed here."""
        pickled = self.configs.get(tuple(sweep_overrides))
        if pickled is None:
            return self.loader.load_sweep_config(master_config, sweep_overrides)
        config = pickle.loads(pickled)
        OmegaConf.copy_cache(from_config=master_config, to_config=config)  # as Hydra's loader does
        return config

    @contextmanager
    def handed_over(self, jobs: list[list[str]], study: DictConfig) -> Iterator[None]:
        """For a launch of ``jobs`` from the ``study``'s config: the configs the checks composed.

        The checks compose the cells before the study's folder is claimed. Where the command
        named no folder, claiming one adds ``hydra.sweep.dir=<folder>`` to the study's Hydra
        overrides, so that every job writes there: it is set in each config as composing with
        it sets it. Any other difference, and the jobs compose their cells anew.
        """
        added = overrides_added(COMPOSED_FROM, list(study.hydra.overrides.hydra))
        checked = [tuple(job) for job in jobs if tuple(job) in COMPOSED]
        if added is not None and len(checked) <= HANDED_OVER_AT_MOST:
            self.configs = {job: with_overrides(COMPOSED[job], added) for job in checked}
        try:
            yield
        finally:
            self.configs = {}


def overrides_added(then: list[str], now: list[str]) -> list[str] | None:
    """The sweep folder overrides added to ``then`` to make ``now``; None if ``now`` differs otherwise."""
    added = now[len(then) :]
    if now[: len(then)] != then or any(o.split("=", 1)[0] != "hydra.sweep.dir" for o in added):
        return None
    return added


def with_overrides(pickled: bytes, overrides: list[str]) -> bytes:
    """A pickled config with Hydra overrides of its own set, as composing with them would set them."""
    if not overrides:
        return pickled
    config = pickle.loads(pickled)
    with read_write(config), open_dict(config):
        for override in OverridesParser.create().parse_overrides(overrides):
            OmegaConf.update(config, override.key_or_group, override.value())
            config.hydra.overrides.hydra.append(override.input_line)
    return pickle.dumps(config)
