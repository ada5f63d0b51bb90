"""Resuming policy_grid: the same command again on its folder, finished or with k runs left.

Usage: python benchmarks/bench_resume.py [repeats, default 3]
Runs `recovery-sim experiment=policy_grid` once into a temporary folder, then
times the command again with that `hydra.sweep.dir`: first as it is (every run
done, report up to date: the command stops after its checks), then after removing
the records of k runs (k = 1, 5, 30, spread over the cells: those runs are run
again, then the tables, figures and report are made anew). Each case is the
median of `repeats` runs; the runs removed are run again each time.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_study import timed

LEFT = (0, 1, 5, 30)


def resume(sweep: Path) -> float:
    """Seconds the study's own command takes on its folder."""
    command = [str(Path(sys.executable).with_name("recovery-sim")), "experiment=policy_grid"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, f"hydra.sweep.dir={sweep}"], cwd=sweep.parent, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(done.stderr[-3000:])
    return seconds


def remove_runs(sweep: Path, k: int) -> float:
    """Remove k run records, every (360 / k)-th by run id (so spread over the cells); their model seconds."""
    records = sorted((sweep / "runs").glob("*.json"))
    chosen = records[:: max(1, len(records) // k)][:k] if k else []
    seconds = 0.0
    for path in chosen:
        seconds += json.loads(path.read_text())["seconds"]
        path.unlink()
    return seconds


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    first, sweep = timed(["experiment=policy_grid"], "hydra.sweep.dir")
    print(f"policy_grid from nothing: {first:.1f} s")
    for k in LEFT:
        times, runs = [], []
        for _ in range(repeats):
            runs.append(remove_runs(sweep, k))
            times.append(resume(sweep))
        print(
            f"  {k:3d} runs left: median {statistics.median(times):5.2f} s over {repeats} "
            f"(min {min(times):.2f} s); those runs took {statistics.median(runs):.2f} s of it, summed"
        )
    shutil.rmtree(sweep.parent)


if __name__ == "__main__":
    main()
