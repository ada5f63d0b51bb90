"""The cyclic garbage collector kept out of a run's start, where it finds nothing to free.

Loading the simulation (Mesa, pandas, numba and the model's modules, then the compiled loops
from numba's cache) creates about a million objects that live as long as the process. While
they are being created the collector, triggered by their number, walks all of them again
and again: about a quarter of a second of a default run, freeing nothing. Paused while they
load, then frozen (``gc.freeze``: later collections skip them), it walks them not once.
Garbage they leave in cycles, if any, stays until the process ends, as it would at exit.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_while_loading() -> Iterator[None]:
    """No collection inside; what was created inside (and before) is frozen on the way out."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
