"""What a study's workers run, loaded by the fork server they are forked from (``sim.studies.warm``).

Importing this module is its purpose. The fork server imports it once: the modules, the
report's figures (Matplotlib: about 0.3 s that each worker paid at the study's end, when its
report is drawn there), then the compiled loops from numba's cache (a small market for two
weeks, about 0.2 s that each worker's first run paid), the collector paused and all of it
frozen (``sim.collector``), so that neither the server nor a worker forked from it walks those
objects again. It starts as the command does (``sim.cli.may_be_a_study``) and is done about
when the study's checks are.

A fork server notices that its command has ended only once it has loaded, and then leaves
by Python's orderly exit from all it loaded (another 50 ms, for which whoever reads the
command's output waited: the server holds it open). So the server asks Linux to end it the
moment its command's process does (``PR_SET_PDEATHSIG``; a command already gone by then, it
leaves itself): a study refused by a later check, a Ctrl-C, a kill or a finished study leave
no server behind. A Ctrl-C is the command's to handle: the server leaves it aside while it
loads (it starts ignoring it: ``fork_server_python``) and, once loaded, hands Python's handler
to the workers it forks (Python's fork server goes on ignoring Ctrl-C itself while it serves).
"""

import contextlib
import ctypes
import os
import signal

signal.signal(signal.SIGINT, lambda signum, frame: None)
PR_SET_PDEATHSIG = 1
ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
if os.getppid() != int(os.environ.get("RECOVERY_SIM_FORK_SERVER_OF", os.getppid())):  # warm.COMMAND
    os._exit(0)  # the command ended before the server could ask

from sim.collector import paused_while_loading  # noqa: E402

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
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the workers' (the server ignores it next)
