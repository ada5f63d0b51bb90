"""The social network: generated or read from an edge list, kept as a CSR adjacency.

networkx is the interface (Mesa's ``Network`` space takes its graph); the
mechanisms only ever see the SciPy CSR matrix, so word of mouth and churn
contagion are one sparse product per week.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.config import ConfigError, NetworkConf, NetworkKind, resolve_path


def read_edgelist(path: str) -> nx.Graph:
    """Read whitespace-separated node pairs ('#' comments), relabelled 0..n-1 in file order."""
    file = resolve_path(path)
    edges = []
    with open(file, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            parts = text.split()
            if len(parts) < 2:
                raise ConfigError(
                    f"network.path={path} line {number} is malformed: allowed two node ids per line"
                )
            edges.append((parts[0], parts[1]))
    if not edges:
        raise ConfigError(f"network.path={path} has no edges: allowed one edge per line")
    graph = nx.Graph(edges)
    graph.remove_edges_from(nx.selfloop_edges(graph))
    return nx.convert_node_labels_to_integers(graph, ordering="default")


def build_graph(conf: NetworkConf, nodes: int, rng: np.random.Generator) -> nx.Graph:
    """A graph with nodes 0..n-1 (the edge list decides n itself)."""
    seed = int(rng.integers(2**31 - 1))
    kind = conf.kind
    if kind is NetworkKind.edgelist:
        return read_edgelist(conf.path)
    if nodes < 3:
        raise ConfigError(f"market.customers gives {nodes} network nodes: allowed at least 3")
    if kind is NetworkKind.small_world:
        k = min(conf.degree + conf.degree % 2, nodes - 1 - (nodes - 1) % 2)
        return nx.watts_strogatz_graph(nodes, max(k, 2), conf.rewiring, seed=seed)
    m = max(1, min(conf.degree // 2, nodes - 1))
    if kind is NetworkKind.scale_free:
        return nx.barabasi_albert_graph(nodes, m, seed=seed)
    return nx.powerlaw_cluster_graph(nodes, m, conf.triangle_prob, seed=seed)


def adjacency(graph: nx.Graph) -> sp.csr_matrix:
    """Symmetric 0/1 CSR matrix in node order 0..n-1."""
    matrix = nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()), format="csr")
    return sp.csr_matrix(matrix, dtype=np.float64)
