"""Ten million customers x 104 weeks on one machine (issue 24): the command end to end, and each network.

Usage: python benchmarks/bench_10m.py [--customers 10000000] [--skip-run] [--skip-networks]

- run: ``recovery-sim market.customers=N agents=false`` in a fresh process into a
  temporary folder, files and dashboard included, as a user runs it: wall time,
  the process's peak resident memory, and that memory per customer. Its progress
  lines (stderr) are printed as they come.
- networks: each generated shape built at N customers (2N people, mean degree
  10) in a fresh process: seconds and peak memory.
The machine's load average is printed before and after, since other work on it
moves every figure. Run it once after editing anything under sim/ first: the first
run after an edit recompiles the loops (about 11 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_scale


def load() -> str:
    """The machine's load averages over 1, 5 and 15 minutes."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def child_peak_gb(command: list[str], **keywords) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak resident GB of one child (the largest of this process's children so far)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, check=True, **keywords)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        raise RuntimeError("an earlier child used more memory: run this measurement first")
    return seconds, peak / 1e6, done


def measure_run(customers: int) -> None:
    """The command end to end, as a user runs it."""
    program = str(Path(sys.executable).with_name("recovery-sim"))
    with tempfile.TemporaryDirectory() as folder:
        command = [program, f"market.customers={customers}", "agents=false", f"hydra.run.dir={folder}/run"]
        seconds, peak, _ = child_peak_gb(command, stdout=subprocess.DEVNULL)
        written = sorted(p.name for p in Path(folder, "run").iterdir() if not p.name.startswith("."))
    print(f"\n### {customers:,} customers x 104 weeks through the command line\n")
    print("| customers | wall s | peak memory GB | bytes per customer | files |")
    print("|---|---|---|---|---|")
    per_customer = peak * 1e9 / customers
    print(f"| {customers:,} | {seconds:.0f} | {peak:.2f} | {per_customer:,.0f} | {' '.join(written)} |")


def measure_networks(customers: int) -> None:
    """Each generated shape, in a fresh process that reports its own peak memory."""
    print(f"\n### Building the network at {customers:,} customers (mean degree 10)\n")
    print("| shape | nodes | edges | seconds | peak memory GB |")
    print("|---|---|---|---|---|")
    for kind in ("small_world", "scale_free", "powerlaw_cluster"):
        r = bench_scale.in_fresh_process("measure_network", kind, customers)
        row = f"| {kind} | {r['nodes']:,} | {r['edges']:,} | {r['seconds']:.1f} | {r['peak_gb']:.2f} |"
        print(row, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000_000)
    parser.add_argument("--skip-run", action="store_true")
    parser.add_argument("--skip-networks", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {load()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if not args.skip_run:
        measure_run(args.customers)  # first: peak memory is read as the largest child's so far
    if not args.skip_networks:
        measure_networks(args.customers)
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
