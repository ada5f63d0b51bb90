"""Wall time of the command line as a user meets it: --help, a refused input, and the default run.

Usage: python benchmarks/bench_cli.py [repeats, default 5]
Each command runs `repeats` times in a fresh process from a temporary folder;
the median is printed. Run it twice after editing anything under sim/: the
first default run after an edit recompiles the loops (sim/world/compiled.py).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "recovery-sim --help": ["--help"],
    "a refused input (market.customers=-1)": ["market.customers=-1"],
    "the default run, files and dashboard included": [],
}


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    program = str(Path(sys.executable).with_name("recovery-sim"))
    for name, arguments in COMMANDS.items():
        times = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as folder:
                start = time.perf_counter()
                subprocess.run([program, *arguments], cwd=folder, capture_output=True)
                times.append(time.perf_counter() - start)
        print(f"{name}: median {statistics.median(times):.2f} s over {repeats} (min {min(times):.2f} s)")


if __name__ == "__main__":
    main()
