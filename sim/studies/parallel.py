"""Many runs at once on every local core, for searches that pick their next runs as they go.

Grid studies go through Hydra's launchers; the optimisation and sensitivity
studies decide their runs in Python, so they use joblib directly.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from joblib import Parallel, delayed

from sim.result import run
from sim.studies.study import clock
from sim.world.schema import SimConfig


def summary_of(config: SimConfig) -> dict:
    """One run without Mesa agents or complaint log: its summary only."""
    return run(config, agents=False, complaints=False).summary


def run_many(
    configs: Sequence[SimConfig],
    label: str = "",
    n_jobs: int = -1,
    task: Callable[[SimConfig], dict] = summary_of,
) -> list[dict]:
    """``task`` (a run's summary by default) of each config, in order.

    With a ``label``, progress goes to stderr (a line per tenth in logs).
    """
    start, results, total = time.time(), [], len(configs)
    live = sys.stderr.isatty()
    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(task)(c) for c in configs)
    for done, summary in enumerate(jobs, start=1):
        results.append(summary)
        if label and (live or done == total or done % max(1, total // 10) == 0):
            elapsed = time.time() - start
            left = clock(elapsed / done * (total - done))
            line = f"{label}: {done}/{total} runs, {clock(elapsed)} elapsed, about {left} left"
            print(
                ("\r" if live else "") + line,
                end="" if live and done < total else "\n",
                file=sys.stderr,
                flush=True,
            )
    return results
