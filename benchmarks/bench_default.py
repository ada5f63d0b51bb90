"""Speed of the default scenario: setup (network, agents) and simulation timed apart.

Usage: python benchmarks/bench_default.py [--repeats 5] [--customers 10000] [--weeks 104]
Reports the median of the repeats, on one core (the model is single-threaded).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

import sim
from sim.world.config import to_sim_config


def measure(customers: int, weeks: int, seed: int) -> tuple[float, float, float]:
    """Seconds to build the model with and without Mesa agents, and to simulate it."""
    config = to_sim_config({"market": {"customers": customers}, "weeks": weeks})
    start = time.perf_counter()
    sim.RecoveryModel(config, rng=seed, agents=False)
    bare = time.perf_counter()
    model = sim.RecoveryModel(config, rng=seed)
    built = time.perf_counter()
    model.run_model()
    return bare - start, built - bare, time.perf_counter() - built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=104)
    args = parser.parse_args()
    measure(1000, 5, 0)  # warm imports and caches
    timings = [measure(args.customers, args.weeks, seed) for seed in range(args.repeats)]
    bare, setups, runs = zip(*timings, strict=True)
    nodes = round(args.customers / (1 - to_sim_config(None).market.prospect_share))
    per_second = args.customers * args.weeks / statistics.median(runs)
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, Mesa {sim.model.mesa.__version__}"
    )
    print(
        f"default scenario: {args.customers:,} customers ({nodes:,} network nodes), {args.weeks} weeks, "
        f"median of {args.repeats}"
    )
    print("| part | median s | min s | max s |")
    print("|---|---|---|---|")
    parts = (("setup without Mesa agents", bare), ("setup with Mesa agents", setups), ("simulation", runs))
    for name, values in parts:
        print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} |")
    print(f"simulation speed: {per_second / 1e6:.2f} M customer-weeks per second")


if __name__ == "__main__":
    main()
