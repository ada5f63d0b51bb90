"""End-to-end time of a study that runs in one process on every core (robustness, validation, calibrate, ...).

Usage: python benchmarks/bench_study.py EXPERIMENT [extra overrides]
Runs `recovery-sim experiment=EXPERIMENT` into a temporary folder, report and
figures included, and prints the wall-clock time. Grid studies (Hydra sweeps)
have their own benchmark, bench_policy_grid.py, which times them the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(arguments: list[str], folder_key: str) -> tuple[float, Path]:
    """Seconds `recovery-sim ARGUMENTS` takes with ``folder_key`` set to a new temporary folder; that folder.

    The caller reads what it needs from the folder, then removes its parent.
    """
    command = [str(Path(sys.executable).with_name("recovery-sim")), *arguments]
    folder = Path(tempfile.mkdtemp())
    start = time.perf_counter()
    done = subprocess.run(
        [*command, f"{folder_key}={folder}/out"], cwd=folder, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(done.stderr[-3000:])
    return seconds, folder / "out"


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(
            "usage: bench_study.py EXPERIMENT [overrides]: allowed robustness, validation, calibrate, ..."
        )
    seconds, out = timed([f"experiment={sys.argv[1]}", *sys.argv[2:]], "hydra.run.dir")
    shutil.rmtree(out.parent)
    print(f"{sys.argv[1]}: end to end {seconds:.0f} s ({seconds / 60:.1f} min) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
