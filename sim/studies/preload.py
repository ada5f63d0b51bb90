"""What a study's workers run, loaded by the fork server they are forked from (``sim.studies.warm``).

Importing this module is its purpose. The fork server imports it once: the modules, then the
compiled loops from numba's cache (a small market for two weeks, about 0.2 s that each
worker's first run paid), the collector paused and all of it frozen (``sim.collector``), so
that neither the server nor a worker forked from it walks those objects again.

A fork server notices that its command has ended only once it has loaded: a command that
ends sooner (a study refused by a later check, a Ctrl-C) ends it here, within 50 ms. A Ctrl-C
is the command's to handle: while loading, the server leaves it alone (Python's fork server
ignores it once it serves, and restores Python's handler in each worker it forks). When its
command ends, the server leaves at once: it has nothing to write or close, and Python's
orderly exit from all it loaded took another 50 ms, which whoever reads the command's output
waited for (the server holds it open).
"""

import atexit
import os
import signal
import threading

from sim.collector import paused_while_loading

atexit.register(os._exit, 0)  # the server's exit only: a worker forked from it ends by os._exit itself
COMMAND = os.getppid()
LOADED = threading.Event()


def end_with_the_command() -> None:
    """Leave at once if the command has ended while this server loads."""
    while not LOADED.wait(0.05):
        if os.getppid() != COMMAND:
            os._exit(0)


signal.signal(signal.SIGINT, lambda signum, frame: None)
watcher = threading.Thread(target=end_with_the_command, daemon=True)
watcher.start()
try:
    with paused_while_loading():
        import hydra_plugins.hydra_joblib_launcher._core  # noqa: F401

        import sim.result  # noqa: F401
        import sim.studies.study  # noqa: F401
        from sim.model import RecoveryModel

        RecoveryModel({"market": {"customers": 100}, "weeks": 2}, agents=False).run_model()
finally:
    LOADED.set()
    watcher.join()  # no thread left when the server forks a worker
    signal.signal(signal.SIGINT, signal.default_int_handler)
