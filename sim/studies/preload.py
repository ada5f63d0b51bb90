"""What a study's workers run, loaded by the fork server they are forked from (``sim.studies.warm``).

Importing this module is its purpose. The fork server imports it once: the modules, the
report's figures (Matplotlib: about 0.3 s that each worker paid at the study's end, when its
report is drawn there), then the compiled loops from numba's cache (a small market for two
weeks, about 0.2 s that each worker's first run paid), the collector paused and all of it
frozen (``sim.collector``), so that neither the server nor a worker forked from it walks those
objects again. It starts as the command does (``sim.cli.may_be_a_study``) and is done about
when the study's checks are.

A fork server notices that its command has ended only once it has loaded: a command that
ends sooner (a study refused by a later check, a Ctrl-C, a kill) ends it here, within 50 ms.
A Ctrl-C is the command's to handle: the server leaves it aside while it loads and, once
loaded, hands Python's handler to the workers it forks (Python's fork server goes on ignoring
Ctrl-C itself while it serves). Only a Ctrl-C in the server's first 0.1 s or so, before this
module runs, still ends it with a traceback: an ignored signal would survive the server's
exec, but ignoring it in the command for that moment lost the Ctrl-C to a thread of NumPy's.

When its command ends, the server leaves at once: it has nothing to write or close, and
Python's orderly exit from all it loaded took another 50 ms, which whoever reads the
command's output waited for (the server holds it open).
"""

import atexit
import contextlib
import os
import signal
import threading

from sim.collector import paused_while_loading

atexit.register(os._exit, 0)  # the server's exit only: a worker forked from it ends by os._exit itself
COMMAND = int(os.environ.get("RECOVERY_SIM_FORK_SERVER_OF", os.getppid()))  # sim.studies.warm.COMMAND
LOADED = threading.Event()


def end_with_the_command() -> None:
    """Leave at once if the command has ended (before this server started, too) while it loads."""
    while True:
        if os.getppid() != COMMAND:
            os._exit(0)
        if LOADED.wait(0.05):
            return


signal.signal(signal.SIGINT, lambda signum, frame: None)
watcher = threading.Thread(target=end_with_the_command, daemon=True)
watcher.start()
try:
    with paused_while_loading():
        import hydra_plugins.hydra_joblib_launcher._core  # noqa: F401

        import sim.result  # noqa: F401
        import sim.studies.drawn  # noqa: F401
        import sim.studies.figures  # noqa: F401
        import sim.studies.study  # noqa: F401
        from sim.model import RecoveryModel

        with contextlib.suppress(Exception):  # the workers' runs will meet it and record it, run by run
            RecoveryModel({"market": {"customers": 100}, "weeks": 2}, agents=False).run_model()
finally:
    LOADED.set()
    watcher.join()  # no thread left when the server forks a worker
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the workers' (the server ignores it next)
