"""Cost of a call of sim.outcomes (the flat function for EMA Workbench): composing the config against the run.

Usage: python benchmarks/bench_connect.py [--calls 40] [--customers 1000] [--weeks 52]
Each call varies three values and alternates two policies, as an EMA experiment does. Reports
per call, median over the calls, on one core: the config composed as sim.outcomes composes it
(sim.world.fastconfig) and as sim.run composes it (through OmegaConf); building and running
the model; the summary with and without its config; and both whole calls.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

import sim
from sim.model import RecoveryModel
from sim.result import model_summary
from sim.world.config import configure
from sim.world.fastconfig import configure_flat


def keywords(i: int, customers: int, weeks: int) -> dict:
    """The i-th call's keywords: a policy lever and three uncertainties, as EMA would sample them."""
    rng = np.random.default_rng(i)
    return {
        "policy": ("none", "apology_compensation")[i % 2],
        "delegation": "full",
        "seed": i,
        "weeks": weeks,
        "market.customers": customers,
        "failures.rate_multiplier": rng.uniform(0.5, 2.0),
        "firm.complaint_ease": rng.uniform(0.2, 0.9),
        "wom.negative_reach": rng.uniform(5.0, 20.0),
    }


def timed(function: Callable, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def measure(kw: dict) -> dict[str, float]:
    """Seconds for each part of one call, and for the whole of each route."""
    flat, config = timed(configure_flat, **kw)
    omegaconf, same = timed(configure, **kw)
    assert same == config
    start = time.perf_counter()
    model = RecoveryModel(config, agents=False)
    model.run_model()
    simulated = time.perf_counter() - start
    summary, _ = timed(model_summary, model, config=False)
    summary_config, _ = timed(model_summary, model)
    outcomes, _ = timed(sim.outcomes, **kw)
    run, _ = timed(sim.run, **kw, agents=False, complaints=False)
    return {
        "config, as sim.outcomes composes it": flat,
        "config, as sim.run composes it (OmegaConf)": omegaconf,
        "model built and run (no Mesa agents)": simulated,
        "summary without the config": summary,
        "summary with the config (as sim.run)": summary_config,
        "sim.outcomes, whole call": outcomes,
        "sim.run(agents=False, complaints=False), whole call": run,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    for i in range(2):
        measure(keywords(i, 300, 5))  # warm imports, caches and each policy's composed base
    timings = [measure(keywords(i, args.customers, args.weeks)) for i in range(args.calls)]
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, Mesa {sim.model.mesa.__version__}"
    )
    print(
        f"{args.customers:,} customers, {args.weeks} weeks, median of {args.calls} calls "
        "(three values varied, two policies alternating)"
    )
    print("| part of a call | median ms | min ms | max ms |")
    print("|---|---|---|---|")
    for part in timings[0]:
        values = [t[part] * 1000 for t in timings]
        print(f"| {part} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
    share = statistics.median(t["config, as sim.outcomes composes it"] for t in timings) / statistics.median(
        t["model built and run (no Mesa agents)"] for t in timings
    )
    print(f"composition / simulation in sim.outcomes: {share:.1%}")


if __name__ == "__main__":
    main()
