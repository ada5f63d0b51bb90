"""A study's workers started while its cells are checked, so that they have loaded the simulation by then.

Checking a study composes every cell in the command's process, on one core (about 1.4 s for
policy_grid), and joblib's workers then took about 1.7 s to start and load Hydra, pandas, Mesa,
numba and the model before their first run. Started as soon as the first cell has passed its
checks, on the other core, they are ready when the study launches: joblib's loky backend keeps
its workers for the next ``Parallel`` call made with the same settings, and the launcher's call
is made with these. Only for the joblib launcher; a cluster's jobs start where they run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from omegaconf import DictConfig, OmegaConf

from sim.collector import paused_while_loading

#: The thread that starts the workers (None: none started in this command), and their joblib settings.
STARTING: dict[str, threading.Thread | None] = {"thread": None}
SETTINGS: dict[str, dict] = {}


def start_workers(config: DictConfig) -> None:
    """Start the workers of the study ``config`` launches, if its launcher is joblib's, in a thread."""
    if STARTING["thread"] is not None:  # started for an earlier cell
        return
    launcher = OmegaConf.to_container(config.hydra.launcher, resolve=True)
    if not str(launcher.pop("_target_", "")).endswith(".JoblibLauncher"):
        return
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg

    launcher["backend"] = "loky"  # as the launcher sets them (hydra_joblib_launcher._core.launch)
    process_joblib_cfg(launcher)

    def start() -> None:
        from joblib import Parallel, delayed, effective_n_jobs

        workers = effective_n_jobs(launcher.get("n_jobs", -1))
        Parallel(**launcher)(delayed(load_simulation)() for _ in range(workers))

    SETTINGS["joblib"] = launcher
    STARTING["thread"] = threading.Thread(target=start, daemon=True)
    STARTING["thread"].start()


def workers_started() -> None:
    """Wait until the workers started (if any were) have loaded the simulation: the launch may begin."""
    if STARTING["thread"] is not None:
        STARTING["thread"].join()


def in_a_worker(function: Callable, *args: object) -> Future:
    """``function(*args)`` in one of the workers ``start_workers`` started, as a Future.

    At the end of a study its workers are idle while this process writes the report: the call
    goes to them through the launcher's settings, so joblib reuses them, from a thread, so that
    this process goes on meanwhile.
    """
    from joblib import Parallel, delayed

    settings = SETTINGS["joblib"]
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: Parallel(**settings)([delayed(function)(*args)])[0])
    pool.shutdown(wait=False)  # its thread ends with the call
    return future


def workers_idle() -> bool:
    """Workers were started in this command (and have loaded): a study's end may hand them work."""
    return STARTING["thread"] is not None and not STARTING["thread"].is_alive()


def load_simulation() -> None:
    """A worker's simulation, loaded once, the collector paused (a cell whose runs are done loads none)."""
    import sys

    if "sim.result" not in sys.modules:
        with paused_while_loading():
            import sim.result  # noqa: F401
