"""End-to-end time of the policy_grid study: 12 cells x 30 replications x 10,000 customers x 104 weeks.

Usage: python benchmarks/bench_policy_grid.py [extra overrides, e.g. study.replications=5]
Runs `recovery-sim experiment=policy_grid` (all local cores) into a temporary
folder, aggregation and figures included, and prints the wall-clock time.
"""

from __future__ import annotations

import os
import shutil
import sys

from bench_study import timed


def main() -> None:
    seconds, sweep = timed(["experiment=policy_grid", *sys.argv[1:]], "hydra.sweep.dir")
    runs = len(list((sweep / "runs").glob("*.json")))
    shutil.rmtree(sweep.parent)
    print(
        f"policy_grid: {runs} runs on {os.cpu_count()} cores, end to end {seconds:.0f} s "
        f"({seconds / 60:.1f} min, {seconds / max(runs, 1):.2f} s per run)"
    )


if __name__ == "__main__":
    main()
