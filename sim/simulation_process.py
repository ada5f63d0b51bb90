"""A single run simulated in a process forked as the command starts, while Hydra works.

Before a run starts, Hydra composes its config (twice) and the command checks it and
claims its folder, about 0.4 s; then the simulation's modules (Mesa, pandas, numba, the
model's) took 0.5 s to import, one after the other. Forked as the command starts, when its
arguments may name a single run, a child imports the simulation on the other core while
Hydra works in the command's own process; the command then hands it the checked config
and the claimed folder, and waits.

The child does what the command did itself (``work``: the weeks, the files, the dashboard
from a process of its own, the headline and the lines on stderr, through the same
terminal), and on a refusal, a failure or Ctrl-C prints the same line and cleans up as
the command did; the command then ends with the child's exit status. While the child has
the run, Ctrl-C is the child's to handle: the command passes on what it gets (a Ctrl-C at
the terminal reaches both; the child acts on the first it sees), so that one line is
printed, not two. The child dies with the command (``kill``, ``timeout``), as the run did
when it was the command's. When the arguments turn out to be something else (a refused
input, a study), the command ends the child unused.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

from sim.collector import paused_while_loading

#: The modules a run uses, imported by the child while it waits for its run.
SIMULATION_MODULES = ("pandas", "sim.model", "sim.result", "sim.headline")


class SimulationProcess:
    """The command's handle on the child that simulates its run."""

    #: Where a process may fork and go on without exec: Linux. macOS's system libraries are not
    #: safe to use in a forked child, and Windows cannot fork; there the command runs it itself.
    USABLE = sys.platform == "linux"

    def __init__(self, pid: int, jobs: int, taken: int) -> None:
        self.pid, self.jobs, self.taken = pid, jobs, taken

    @classmethod
    def fork(cls, work: Callable[[Any], None]) -> SimulationProcess:
        """Fork the child: it imports the simulation, then waits for its run (``work``'s argument)."""
        jobs_in, jobs_out = os.pipe()
        taken_in, taken_out = os.pipe()
        command = os.getpid()
        # Ctrl-C held back across the fork: the child must not act on it before it has a run
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                handler = signal.getsignal(signal.SIGINT)  # Ctrl-C stays held back until ``work`` lets it in
                die_with(command)
                os.close(jobs_out)
                os.close(taken_in)
                status = serve(jobs_in, taken_out, work, handler)
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(status)  # never back into the command's code or its exit hooks
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(jobs_in)
        os.close(taken_out)
        return cls(pid, jobs_out, taken_in)

    def run(self, job: Any) -> None:
        """Hand the child its run and wait for it; if it did not end well, end this command as it ended.

        The child said why itself (its one line, or a traceback), as the command would have.
        """
        child = self.pid
        # A Ctrl-C from now on waits (blocked) until the child has the run and its handler, then
        # goes to it: before, the child ignores Ctrl-C (it may be importing still); after, it acts
        # on the first it sees, its own copy from the terminal or this one.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        on_interrupt = signal.signal(signal.SIGINT, lambda signum, frame: os.kill(child, signal.SIGINT))
        try:
            data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
            jobs, self.jobs = self.jobs, -1
            with contextlib.suppress(BrokenPipeError), open(jobs, "wb") as out:  # closed: the run is whole
                out.write(data)
            taken, self.taken = self.taken, -1
            with open(taken, "rb") as incoming:
                incoming.read(1)  # the child has the run (or ended: then nothing)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            status, ended_by = self._reap()
        finally:
            signal.signal(signal.SIGINT, on_interrupt)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        if ended_by:  # killed (out of memory, or by someone): nothing of it said so
            print(f"recovery-sim: error: the run's process was ended by {ended_by}", file=sys.stderr)
        if status:
            sys.exit(status)

    def stop(self) -> None:
        """End the child if it is still there (unused, or the command stopped); safe to call twice."""
        end_child(self.pid, (self.jobs, self.taken), self._reap)
        self.jobs = self.taken = -1

    def _reap(self) -> tuple[int, str | None]:
        """Wait for the child to end: its exit status, and the signal that ended it, if one did."""
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if os.WIFSIGNALED(status):
            return 128 + os.WTERMSIG(status), signal.Signals(os.WTERMSIG(status)).name
        return os.waitstatus_to_exitcode(status), None


def end_child(pid: int, pipes: tuple[int, ...], reap: Callable[[], object]) -> None:
    """Close the parent's ends of the child's pipes (-1: closed already), kill the child if any, reap it."""
    for fd in pipes:
        if fd >= 0:
            os.close(fd)
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        reap()


def serve(jobs: int, taken: int, work: Callable[[Any], None], on_interrupt: Any) -> int:
    """The child: import the simulation, wait for the run, run it; the exit status.

    A run that never comes (the pipe closes) ends the child quietly, whatever happened
    while it imported. The command's Ctrl-C handler is the child's once it has the run,
    and the child says so (``taken``) before it begins; a Ctrl-C stays held back (blocked,
    from the fork on) until ``work`` unblocks it where it handles it, so that one arriving
    as the run is handed over is not a traceback.
    """
    try:
        with paused_while_loading():
            for module in SIMULATION_MODULES:
                __import__(module)
        failed = None
    except Exception:  # said only if a run comes: it may not
        failed = traceback.format_exc()
    with open(jobs, "rb") as incoming:
        data = incoming.read()
    if not data:
        return 0
    if failed is not None:
        print(failed, end="", file=sys.stderr)
        return 1
    job = pickle.loads(data)
    signal.signal(signal.SIGINT, first_only(on_interrupt))
    os.write(taken, b"!")
    os.close(taken)
    try:
        work(job)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:  # as an uncaught exception ends the command: its traceback, status 1
        traceback.print_exc()
        return 1
    return 0


def first_only(on_interrupt: Callable[[int, Any], None]) -> Callable[[int, Any], None]:
    """The command's Ctrl-C handler for the first Ctrl-C; the copy the command passes on is ignored."""

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        on_interrupt(signum, frame)

    return handler


def die_with(command: int) -> None:
    """Have the kernel end this child when the command's process ends (Linux's PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != command:  # it ended before that took effect
        os._exit(1)


#: prctl's option: the signal a process gets when its parent ends (linux/prctl.h).
PR_SET_PDEATHSIG = 1
