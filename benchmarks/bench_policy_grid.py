"""End-to-end time of the policy_grid study: 12 cells x 30 replications x 10,000 customers x 104 weeks.

Usage: python benchmarks/bench_policy_grid.py [extra overrides, e.g. study.replications=5]
Runs `recovery-sim experiment=policy_grid` (all local cores) into a temporary
folder, aggregation and figures included, and prints the wall-clock time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    command = [str(Path(sys.executable).with_name("recovery-sim")), "experiment=policy_grid", *sys.argv[1:]]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        done = subprocess.run(
            [*command, f"hydra.sweep.dir={folder}/sweep"], cwd=folder, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(done.stderr[-3000:])
        runs = len(list(Path(folder, "sweep", "runs").glob("*.json")))
    print(
        f"policy_grid: {runs} runs on {os.cpu_count()} cores, end to end {seconds:.0f} s "
        f"({seconds / 60:.1f} min, {seconds / max(runs, 1):.2f} s per run)"
    )


if __name__ == "__main__":
    main()
