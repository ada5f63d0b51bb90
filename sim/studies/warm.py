"""A study's workers ready by the time its cells have been checked, and used again for its report.

Checking a study composes every cell in the command's process, on one core (about 1.4 s for
policy_grid), and joblib's workers then took about 1.7 s each to start and load Hydra,
pandas, Mesa, numba and the model before their first run. Now, as soon as a cell with runs to
do has passed its checks, a fork server starts on the other core and loads all of that once
(``sim.studies.preload``); the launch forks its workers from it, each ready at once. Where
there is no fork server (not Linux), the workers themselves are started then, in a thread, and
the launch reuses them: joblib's loky backend keeps its workers for the next ``Parallel`` call
made with the same settings, and the launcher's call is made with these. Only for the joblib
launcher; a cluster's jobs start where they run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from sim.collector import paused_while_loading

#: The study's joblib settings, once its workers are being made ready (none: not in this command).
SETTINGS: dict[str, dict] = {}
#: Whether this command has started its workers' fork server.
FORK_SERVER = {"started": False}
#: The environment variable that names the command's process to its workers' fork server.
COMMAND = "RECOVERY_SIM_FORK_SERVER_OF"
#: The thread that starts the workers where there is no fork server.
STARTING: dict[str, threading.Thread | None] = {"thread": None}


def start_workers(config: DictConfig) -> None:
    """Get the workers of the study ``config`` launches ready, if its launcher is joblib's."""
    if "joblib" in SETTINGS:  # for an earlier cell
        return
    launcher = OmegaConf.to_container(config.hydra.launcher, resolve=True)
    if not str(launcher.pop("_target_", "")).endswith(".JoblibLauncher"):
        return
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg

    launcher["backend"] = "loky"  # as the launcher sets them (hydra_joblib_launcher._core.launch)
    process_joblib_cfg(launcher)
    SETTINGS["joblib"] = launcher
    if fork_server_started():
        return

    def start() -> None:
        from joblib import Parallel, delayed, effective_n_jobs

        workers = effective_n_jobs(launcher.get("n_jobs", -1))
        Parallel(**launcher)(delayed(load_simulation)() for _ in range(workers))

    STARTING["thread"] = threading.Thread(target=start, daemon=True)
    STARTING["thread"].start()


def fork_server_started() -> bool:
    """Have loky fork the study's workers from one process that loads the simulation once.

    Each worker started as a new Python and loaded everything itself: about a second of CPU
    per worker, on a machine whose every core is taken. The fork server (Python's, through
    loky) loads it once, on the core the checks leave free, and a worker forked from it is
    ready at once. No worker is forked before the checks are done, so a study refused by a
    later check leaves none. The server starts ignoring Ctrl-C, the command's to handle
    (``fork_server_python``). It must be started from the command's main thread: Linux ends it
    when the thread that started it ends (``sim.studies.preload``). This sets loky's start method
    for the whole process, and two environment variables every child of the command inherits
    (``RECOVERY_SIM_FORK_SERVER_OF``, ``PYTHONWARNINGS``). Linux only, and not where loky was
    told otherwise.
    """
    import multiprocessing
    import sys
    from multiprocessing import forkserver

    from joblib.externals.loky.backend.context import get_start_method, set_start_method

    if FORK_SERVER["started"]:  # as the command started
        return True
    if not sys.platform.startswith("linux") or get_start_method() not in (None, "forkserver"):
        return False
    set_start_method("forkserver", force=True)
    multiprocessing.set_forkserver_preload(["sim.studies.preload"])
    os.environ[COMMAND] = str(os.getpid())  # the server leaves when this process has ended
    # Python's resource tracker, started with the server, frees what a Ctrl-C left behind (a
    # worker's semaphores) and warns about it on the command's stderr, after its one line.
    os.environ["PYTHONWARNINGS"] = ",".join(
        w for w in (os.environ.get("PYTHONWARNINGS"), "ignore:resource_tracker:UserWarning") if w
    )
    python = Path(__file__).with_name("fork_server_python")  # Python, started ignoring Ctrl-C
    if os.access(python, os.X_OK):
        os.environ["RECOVERY_SIM_PYTHON"] = sys.executable
        multiprocessing.set_executable(str(python))
    try:
        forkserver.ensure_running()
    finally:
        multiprocessing.set_executable(sys.executable)  # anything spawned later (sim.studies.study)
    FORK_SERVER["started"] = True
    return True


def workers_started() -> None:
    """Wait until the workers started in a thread (if any were) have loaded: the launch may begin."""
    if STARTING["thread"] is not None:
        STARTING["thread"].join()


def workers_ready() -> bool:
    """This command made its study's workers ready: a study's end may hand them work."""
    return "joblib" in SETTINGS and not (STARTING["thread"] is not None and STARTING["thread"].is_alive())


def in_a_worker(function: Callable, *args: object) -> Future:
    """``function(*args)`` in one of the study's workers, as a Future.

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


def load_simulation() -> None:
    """A worker's simulation, loaded once, the collector paused (a cell whose runs are done loads none)."""
    import sys

    if "sim.result" not in sys.modules:
        with paused_while_loading():
            import sim.result  # noqa: F401
