"""End-to-end time of a study that runs in one process on every core (robustness, validation, calibrate, ...).

Usage: python benchmarks/bench_study.py EXPERIMENT [extra overrides]
Runs `recovery-sim experiment=EXPERIMENT` into a temporary folder, report and
figures included, and prints the wall-clock time. Grid studies (Hydra sweeps)
have their own benchmark: bench_policy_grid.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(
            "usage: bench_study.py EXPERIMENT [overrides]: allowed robustness, validation, calibrate, ..."
        )
    experiment, extra = sys.argv[1], sys.argv[2:]
    command = [str(Path(sys.executable).with_name("recovery-sim")), f"experiment={experiment}", *extra]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        done = subprocess.run(
            [*command, f"hydra.run.dir={folder}/run"], cwd=folder, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(done.stderr[-3000:])
    print(f"{experiment}: end to end {seconds:.0f} s ({seconds / 60:.1f} min) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
