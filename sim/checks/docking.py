"""``python -m sim.checks.docking``: the model's word of mouth against ndlib's Independent Cascades.

With recovery off and word of mouth reduced to a one-shot cascade (everyone
who hears the story retells it once, :func:`sim.mechanisms.wom.cascade`), the spread of a
bad story on a graph must match ndlib's IndependentCascadesModel on the same
graph: the distributions of final reach over many seeds are compared with a
two-sample Kolmogorov-Smirnov test. The model tells each neighbour with
probability reach x influence / degree; giving every person the influence
p x degree / reach makes that the same p on every edge, as ndlib's edge
threshold.
"""

from __future__ import annotations

import argparse

import networkx as nx
import numpy as np
from scipy import stats

from sim.mechanisms.wom import cascade
from sim.world.network import adjacency

REACH = 10.0  # the model's negative reach; any value works once influence is set from p


def reach_of_model(graph: nx.Graph, p: float, start: int, runs: int, seed: int = 0) -> np.ndarray:
    """Final number of people informed, per run, by the model's telling rule."""
    matrix = adjacency(graph)
    degree = np.diff(matrix.indptr)
    influence = p * degree / REACH
    rng = np.random.default_rng(seed)
    return np.array([cascade(matrix, np.array([start]), REACH, influence, rng).sum() for _ in range(runs)])


def reach_of_ndlib(graph: nx.Graph, p: float, start: int, runs: int, seed: int = 0) -> np.ndarray:
    """Final number of people reached (infected or removed), per run, by ndlib's Independent Cascades."""
    import ndlib.models.epidemics as ep
    from ndlib.models.ModelConfig import Configuration

    reached = []
    for run in range(runs):
        np.random.seed(seed + run)  # ndlib draws from NumPy's global generator
        model = ep.IndependentCascadesModel(graph, seed=seed + run)
        config = Configuration()
        config.add_model_initial_configuration("Infected", [start])
        for edge in graph.edges():
            config.add_edge_configuration("threshold", edge, p)
        model.set_initial_status(config)
        last = model.iteration_bunch(graph.number_of_nodes() + 1, progress_bar=False)[-1]["node_count"]
        reached.append(last.get(1, 0) + last.get(2, 0))
    return np.array(reached)


def compare(graph: nx.Graph, p: float, start: int, runs: int) -> dict:
    """Both distributions of final reach and the KS test between them."""
    ours, theirs = reach_of_model(graph, p, start, runs), reach_of_ndlib(graph, p, start, runs)
    return {
        "p": p,
        "runs": runs,
        "model_mean": ours.mean(),
        "ndlib_mean": theirs.mean(),
        "model_sd": ours.std(ddof=1),
        "ndlib_sd": theirs.std(ddof=1),
        "ks_p": stats.ks_2samp(ours, theirs).pvalue,
        "model": ours,
        "ndlib": theirs,
    }


def graphs() -> dict[str, nx.Graph]:
    """The shipped real network and a small world of the model's default shape."""
    return {
        "karate club (34 people)": nx.karate_club_graph(),
        "small world (200 people, degree 10)": nx.watts_strogatz_graph(200, 10, 0.1, seed=1),
    }


def main() -> None:
    """Print the docking table that docs/validation.md quotes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    print("| graph | p per edge | runs | mean reach: model | ndlib | sd: model | ndlib | KS p |")
    print("|---|---|---|---|---|---|---|---|")
    for name, graph in graphs().items():
        for p in (0.1, 0.2, 0.3):
            r = compare(graph, p, 0, args.runs)
            print(
                f"| {name} | {p} | {r['runs']} | {r['model_mean']:.2f} | {r['ndlib_mean']:.2f} | "
                f"{r['model_sd']:.2f} | {r['ndlib_sd']:.2f} | {r['ks_p']:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
