"""Speed and memory from 1,000 to 1,000,000 customers, against a floor and the per-agent reference.

Usage: python benchmarks/bench_scale.py [--sizes 1000 10000 100000 1000000] [--weeks 104]

Each measurement runs in a fresh process (peak memory is that process's),
on one core, without Mesa agents (the arrays are the model; agents are views).
- load: a new process's first run loads the compiled loops from numba's cache
  (compiled once per machine, about 2 s); setup: network and customers;
  simulation: the weeks; end to end is all three plus the summary.
- floor: per week, one sparse neighbour update over the same network and a
  few element-wise operations over the population: what no model of this
  kind can avoid. The model's time / the floor's time says how much is left.
- edges: 100,000 customers at mean degree 4, 10 and 20 (26 weeks).
- networks: building each generated shape at 1,000,000 customers (the first
  build of the clustered one in a process includes loading its compiled loop).
- reference: the per-agent model (sim.checks.reference) at 10,000 customers, 20 weeks,
  against the vectorised model on the same world, per customer-week; the
  best of three runs of each.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import mesa
import numpy as np


def floor_kernel(adjacency, weeks: int, rng: np.random.Generator) -> float:
    """Seconds for ``weeks`` of the unavoidable work: one neighbour update, a few element-wise operations."""
    n = adjacency.shape[0]
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1.0)
    state = rng.random(n)
    start = time.perf_counter()
    for _ in range(weeks):
        heard = adjacency @ state
        u = rng.random(n)
        state = np.clip(0.9 * state + 0.1 * heard / degree - 0.01 * (u < 0.05), 0.0, 1.0)
    return time.perf_counter() - start


def load_compiled() -> float:
    """Seconds a new process spends loading the model's compiled loops (numba's cache), with a tiny run."""
    import sim
    from sim.world.config import to_sim_config

    start = time.perf_counter()
    sim.RecoveryModel(to_sim_config({"market": {"customers": 100}, "weeks": 2}), agents=False).run_model()
    return time.perf_counter() - start


def measure(customers: int, weeks: int, degree: int) -> dict:
    """One size, in this process: loading, setup, simulation, summary, floor, peak memory."""
    import sim
    from sim.result import Result
    from sim.world.config import to_sim_config

    cfg = to_sim_config({"market": {"customers": customers}, "weeks": weeks, "network": {"degree": degree}})
    load = load_compiled()
    start = time.perf_counter()
    model = sim.RecoveryModel(cfg, agents=False)
    built = time.perf_counter()
    model.run_model()
    ran = time.perf_counter()
    Result.from_model(model, complaints=False)
    done = time.perf_counter()
    floor = floor_kernel(model.adjacency, weeks, np.random.default_rng(0))
    return {
        "customers": customers,
        "nodes": model.population.size,
        "edges": model.adjacency.nnz // 2,
        "weeks": weeks,
        "load": load,
        "setup": built - start,
        "simulation": ran - built,
        "end_to_end": load + done - start,
        "floor": floor,
        "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
    }


def measure_network(kind: str, customers: int) -> dict:
    """Seconds and peak memory to build one generated network of ``customers`` (twice as many nodes)."""
    from sim.world.config import to_sim_config
    from sim.world.network import build_network
    from sim.world.parameter import NetworkKind
    from sim.world.schema import NetworkConf

    cfg = to_sim_config({"market": {"customers": customers}})
    nodes = round(customers / (1 - cfg.market.prospect_share))
    start = time.perf_counter()
    matrix = build_network(NetworkConf(kind=NetworkKind(kind)), nodes, np.random.default_rng(0))
    seconds = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return {"kind": kind, "nodes": nodes, "edges": matrix.nnz // 2, "seconds": seconds, "peak_gb": peak_gb}


def measure_reference(customers: int, weeks: int, repeats: int = 3) -> dict:
    """Seconds of the per-agent reference and of the vectorised model on the same world, best of ``repeats``.

    The best of a few runs of each is the one least disturbed by the rest of
    the machine (timeit's rule); a run of the fast model lasts tens of
    milliseconds, within the reach of a neighbour's burst.
    """
    import sim
    from sim.checks.reference import ReferenceModel, docking_config

    cfg = docking_config(**{"market.customers": customers, "weeks": weeks})
    load_compiled()  # once per process, like the imports; reported in the scale table

    def seconds(model: mesa.Model) -> float:
        start = time.perf_counter()
        model.run_model()
        return time.perf_counter() - start

    per_agent = min(seconds(ReferenceModel(cfg, rng=1)) for _ in range(repeats))
    vectorised = min(seconds(sim.RecoveryModel(cfg, rng=1, agents=False)) for _ in range(repeats))
    return {"customers": customers, "weeks": weeks, "reference": per_agent, "vectorised": vectorised}


def in_fresh_process(kind: str, *args: int) -> dict:
    """Run one measurement in a new interpreter and read back its JSON line."""
    code = f"import json, bench_scale as b; print(json.dumps(b.{kind}(*{args!r})))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=sys.path[0], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--weeks", type=int, default=104)
    args = parser.parse_args()
    import numpy
    import scipy

    print(
        f"machine: {platform.machine()} {platform.processor()}; Python {platform.python_version()}, "
        f"NumPy {numpy.__version__}, SciPy {scipy.__version__}; one core, no Mesa agents\n"
    )
    print(f"### Customers ({args.weeks} weeks, mean degree 10)\n")
    print(
        "| customers | nodes | edges | load s | setup s | simulation s | end to end s | customer-weeks/s | "
        "floor s | model / floor | peak memory GB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = in_fresh_process("measure", size, args.weeks, 10)
        print(
            f"| {size:,} | {r['nodes']:,} | {r['edges']:,} | {r['load']:.2f} | {r['setup']:.2f} | "
            f"{r['simulation']:.2f} | "
            f"{r['end_to_end']:.2f} | {size * args.weeks / r['simulation'] / 1e6:.2f} M | {r['floor']:.2f} | "
            f"{r['simulation'] / r['floor']:.1f} | {r['peak_gb']:.2f} |",
            flush=True,
        )
    print("\n### Edges (100,000 customers, 26 weeks)\n")
    print("| mean degree | edges | simulation s | floor s |")
    print("|---|---|---|---|")
    for degree in (4, 10, 20):
        r = in_fresh_process("measure", 100_000, 26, degree)
        print(f"| {degree} | {r['edges']:,} | {r['simulation']:.2f} | {r['floor']:.2f} |", flush=True)
    print("\n### Building the network (mean degree 10)\n")
    print("| shape | customers | nodes | edges | seconds |")
    print("|---|---|---|---|---|")
    for kind in ("small_world", "scale_free", "powerlaw_cluster"):
        r = in_fresh_process("measure_network", kind, 1_000_000)
        row = f"| {kind} | 1,000,000 | {r['nodes']:,} | {r['edges']:,} | {r['seconds']:.1f} |"
        print(row, flush=True)
    r = in_fresh_process("measure_reference", 10_000, 20)
    print("\n### Per-agent reference (10,000 customers, 20 weeks, same world, best of 3 runs)\n")
    print("| model | seconds | per customer-week µs | vectorised speed-up |")
    print("|---|---|---|---|")
    cw = r["customers"] * r["weeks"]
    print(
        f"| per-agent reference (sim.checks.reference) | {r['reference']:.2f} "
        f"| {r['reference'] / cw * 1e6:.1f} "
        "| 1 |"
    )
    print(
        f"| vectorised (sim.model) | {r['vectorised']:.3f} | {r['vectorised'] / cw * 1e6:.2f} | "
        f"{r['reference'] / r['vectorised']:.0f}x |"
    )


if __name__ == "__main__":
    main()
