"""dashboard.png drawn in a process of its own, forked as a run starts.

Importing Matplotlib (0.2-0.3 s) and drawing the four panels (0.2 s) came after the
run in the command's own process. Forked as the simulation begins to load, a child
imports Matplotlib on the other core while the command imports Mesa and runs the
weeks, then draws the run's table and summary, sent through a pipe, while the command
writes the other files. The same function draws it from the same table and summary,
so the picture is the same, byte for byte.

The child draws into a temporary name in the run's folder and says so; the command
renames it once the other files are written. A run that fails or is interrupted ends
the child (``stop``) and leaves no picture, whole or partial. A failure in the child
comes back as one line (:class:`DashboardError`). The child ignores Ctrl-C: the command
decides what an interruption ends, as it did when it drew the picture itself.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.collector import paused_while_loading
from sim.files import partial_name
from sim.simulation_process import end_child

if TYPE_CHECKING:
    import pandas as pd

#: What the child writes back once the picture is drawn; anything else is why it is not.
DRAWN = b"drawn"


class DashboardError(Exception):
    """The child could not draw the dashboard; the message is its reason, in one line."""


class DashboardProcess:
    """The parent's handle on the child that draws one run's dashboard."""

    #: Where a process may fork and go on without exec: Linux. macOS's system libraries are not
    #: safe to use in a forked child, and Windows cannot fork; there the command draws it itself.
    USABLE = sys.platform == "linux"

    def __init__(self, pid: int, jobs: int, answers: int) -> None:
        self.pid, self.jobs, self.answers = pid, jobs, answers
        self.partial: Path | None = None

    @classmethod
    def fork(cls) -> DashboardProcess:
        """Fork the child; it loads what drawing needs and waits for the run's table and summary.

        pandas is loaded first, here: the command needs it for its tables anyway, and the child
        then has it without loading it a second time (0.15 s of a core, on a machine that is
        busy with something else, too).
        """
        with paused_while_loading():
            import pandas  # noqa: F401

        jobs_in, jobs_out = os.pipe()
        answers_in, answers_out = os.pipe()
        # Ctrl-C held back across the fork: the child must never see it before it ignores it,
        # or it would unwind the command's own stack as if it were the command.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
                os.close(jobs_out)
                os.close(answers_in)
                status = serve(jobs_in, answers_out)
            finally:
                os._exit(status)  # never back into the command's code, its exit hooks or buffers
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(jobs_in)
        os.close(answers_out)
        return cls(pid, jobs_out, answers_in)

    def draw(self, timeseries: pd.DataFrame, summary: dict, path: Path) -> None:
        """Send the run's weekly table and summary: the child draws them for ``path``."""
        self.partial = partial_name(path)
        job = pickle.dumps((timeseries, summary, str(self.partial)), protocol=pickle.HIGHEST_PROTOCOL)
        jobs, self.jobs = self.jobs, -1
        # Closed after it, so the child reads to the end; a child that ended already: finish() says why
        with contextlib.suppress(BrokenPipeError), open(jobs, "wb") as out:
            out.write(job)

    def finish(self, path: Path) -> Path:
        """Wait for the picture and put it at ``path``; DashboardError if the child could not draw it."""
        with open(self.answers, "rb", closefd=False) as incoming:
            answer = incoming.read()
        status = self._reap()
        if answer != DRAWN:
            self._remove_partial()
            raise DashboardError(answer.decode(errors="replace") or f"its process ended ({status})")
        os.replace(self.partial, path)
        self.partial = None
        return path

    def stop(self) -> None:
        """End the child if it is still there, and remove what it may have begun (safe to call twice)."""
        end_child(self.pid, (self.jobs, self.answers), self._reap)
        self.jobs = self.answers = -1
        self._remove_partial()

    def _reap(self) -> str:
        """Wait for the child to end; how it ended, in words."""
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if os.WIFSIGNALED(status):
            return f"signal {os.WTERMSIG(status)}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"

    def _remove_partial(self) -> None:
        if self.partial is not None:
            self.partial.unlink(missing_ok=True)
            self.partial = None


def serve(jobs: int, answers: int) -> int:
    """The child: load Matplotlib and pandas, then draw the one job sent, if any; its exit status.

    The collector stays off: the child lives for one picture (see sim.collector).
    """
    gc.disable()
    target = None
    try:
        from sim.dashboard import draw_dashboard

        with open(jobs, "rb") as incoming:
            try:
                timeseries, summary, target = pickle.load(incoming)
            except EOFError:
                return 0  # nothing sent: the run stopped before its end
        draw_dashboard(timeseries, summary, target)
    except BaseException as error:  # noqa: BLE001  whatever it is, the command says it in one line
        if target is not None:
            Path(target).unlink(missing_ok=True)
        reason = " ".join(f"{type(error).__name__}: {error}".split())
        with contextlib.suppress(OSError):
            os.write(answers, reason.encode())
        return 1
    os.write(answers, DRAWN)
    return 0
