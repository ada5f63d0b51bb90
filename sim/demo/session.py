"""One browser's run: its pair of firms and their pictures, and the warm-up the server does first."""

from __future__ import annotations

import threading

from sim.demo.pair import DemoModel, Settings
from sim.demo.pictures import Board


class Session:
    """One browser's firms and pictures. Step and draw may come from the play thread, hence the lock."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.lock = threading.Lock()
        self.run = 0  # which run this is: a step meant for an earlier run is dropped
        self.restart(settings or Settings())

    def restart(self, settings: Settings) -> None:
        """A new run from week 0 with ``settings``."""
        model = DemoModel(settings)
        board = Board(model)
        with self.lock:
            self.model, self.board = model, board
            self.run += 1

    def step(self, run: int | None = None) -> bool:
        """One week on, unless the run is over (or is no longer ``run``); True if it moved."""
        with self.lock:
            if not self.model.running or (run is not None and run != self.run):
                return False
            self.model.step()
            return True

    def draw(self) -> dict[str, bytes]:
        """The pictures of the week on screen."""
        with self.lock:
            return self.board.draw(self.model)


#: A small, busy market whose first weeks call every compiled loop a run of the page can reach:
#: complaints escalated and answered at first contact, apologies, money, announcements, a queue.
#: tests/test_demo.py checks that nothing the page can set compiles anything after it.
WARM_UP = Settings(
    policy_a="apology",
    team_a=0.25,
    complaint_ease_a=1.0,
    complaint_ease_b=1.0,
    failure_rate=3.0,
    proactive_notification=0.5,
    customers=100,
)
WARM_UP_WEEKS = 26


def warm_up() -> None:
    """Compile the model's loops, or load them from numba's disk cache, and draw the pictures once.

    The server calls this before it opens the page, so the room's first Step
    does not wait: about 0.5 s with numba's cache, 20 s or more after an
    install or an update of the sources, which empties it (sim/world/compiled.py).
    """
    session = Session(WARM_UP)
    for _ in range(WARM_UP_WEEKS):
        session.step()
    session.draw()
