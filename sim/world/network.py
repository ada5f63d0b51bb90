"""The social network: generated or read from an edge list, kept as a CSR adjacency.

The mechanisms only see the SciPy CSR matrix, so word of mouth and churn
contagion are one sparse product per week. The default small world is built
directly in NumPy, the scale-free one in igraph's C code and the clustered
power-law one in a compiled loop (networkx's generators are pure Python: 0.4 s
at 20,000 nodes, minutes at a million). Real networks go through networkx,
which is also what Mesa's ``Network`` space takes (:func:`to_networkx`).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numba
import numpy as np
import scipy.sparse as sp

from sim.world.edgelist import load_edgelist
from sim.world.parameter import ConfigError, NetworkKind
from sim.world.schema import NetworkConf

if TYPE_CHECKING:
    import networkx as nx


def read_edgelist(path: str) -> nx.Graph:
    """Read whitespace-separated node pairs ('#' comments), relabelled 0..n-1 in file order.

    Node ids are any words (``7``, ``alice``); ``07`` and ``7`` are two nodes.
    A self-loop is dropped but its node kept; a repeated edge is one tie.
    """
    import networkx as nx  # only edge lists and Mesa's agents need it: a run without them does not load it

    _, nodes, u, v = load_edgelist(path)
    graph = nx.Graph()
    graph.add_nodes_from(range(nodes))
    graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    return graph


def symmetric(u: np.ndarray, v: np.ndarray, n: int) -> sp.csr_matrix:
    """Undirected 0/1 adjacency from edge lists (each edge once)."""
    rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
    return sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))


def small_world(n: int, k: int, p: float, rng: np.random.Generator) -> sp.csr_matrix:
    """Watts-Strogatz: a ring where each node links to its k nearest, each link rewired with probability p.

    Rewired links that would make a self-loop or repeat an existing link are
    drawn again, so every node keeps its k/2 own links (mean degree exactly k).
    """
    half = k // 2
    u = np.repeat(np.arange(n), half)
    v = (u + np.tile(np.arange(1, half + 1), n)) % n
    rewired = rng.random(u.size) < p
    u = np.concatenate([u[~rewired], u[rewired]])  # lattice links first: a repeat is always a rewired one
    v = np.concatenate([v[~rewired], rng.integers(0, n, rewired.sum())])
    for _ in range(1000):
        key = np.minimum(u, v) * n + np.maximum(u, v)
        _, first = np.unique(key, return_index=True)
        bad = np.ones(u.size, dtype=bool)
        bad[first] = False
        bad |= u == v
        if not bad.any():
            return symmetric(u, v, n)
        v[bad] = rng.integers(0, n, bad.sum())
    raise RuntimeError("small_world: could not place rewired links; the network is too dense")


def scale_free(n: int, m: int, rng: np.random.Generator) -> sp.csr_matrix:
    """Barabási-Albert preferential attachment, each new node linking to m others (no repeats).

    igraph draws from a Python ``random.Random``; seeding one from ``rng`` makes
    the graph a function of the run's seed.
    """
    import igraph  # about 0.3 s to import (its drawing module loads Matplotlib's pyplot): only this shape

    igraph.set_random_number_generator(random.Random(int(rng.integers(2**63 - 1))))
    try:
        graph = igraph.Graph.Barabasi(n, m)
    finally:
        igraph.set_random_number_generator(random)
    edges = np.array(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    return symmetric(edges[:, 0], edges[:, 1], n)


def build_network(conf: NetworkConf, nodes: int, rng: np.random.Generator) -> sp.csr_matrix:
    """The adjacency of nodes 0..n-1 (an edge list decides n itself)."""
    kind = conf.kind
    if kind is NetworkKind.edgelist:
        return adjacency(read_edgelist(conf.path))
    if nodes < 3:
        raise ConfigError(f"market.customers gives {nodes} network nodes: allowed at least 3")
    if kind is NetworkKind.small_world:
        k = max(2, min(conf.degree + conf.degree % 2, nodes - 1 - (nodes - 1) % 2))
        return small_world(nodes, k, conf.rewiring, rng)
    m = max(1, min(conf.degree // 2, nodes - 1))
    if kind is NetworkKind.scale_free:
        return scale_free(nodes, m, rng)
    return powerlaw_cluster(nodes, m, conf.triangle_prob, rng)


def powerlaw_cluster(n: int, m: int, p: float, rng: np.random.Generator) -> sp.csr_matrix:
    """Holme-Kim: preferential attachment where each further tie closes a triangle with probability p.

    The rule of ``networkx.powerlaw_cluster_graph``, compiled (networkx's pure
    Python took 16 s at 200,000 nodes and minutes at millions), with one
    difference: the m targets drawn in proportion to their ties are used in
    the order drawn, where networkx pops them from a set, which hands out the
    smallest node numbers first and so makes the oldest nodes bigger hubs.
    """
    u, v = _holme_kim(n, m, p, int(rng.integers(2**31 - 1)))
    return symmetric(u, v, n)


@numba.njit(cache=True)
def _holme_kim(n, m, p, seed):  # noqa: ANN001, ANN202
    """Edge lists (each tie once) of a Holme-Kim graph: nodes m..n-1 arrive with m ties each.

    Ties are half-edges in linked lists (``first[node]``, ``following[half]``) so
    a target's neighbours can be walked while the graph grows.
    """
    np.random.seed(seed)
    capacity = (n - m) * m
    u, v = np.empty(capacity, np.int64), np.empty(capacity, np.int64)
    first = np.full(n, -1, np.int64)
    following, ends = np.empty(2 * capacity, np.int64), np.empty(2 * capacity, np.int64)
    pool = np.empty(2 * capacity + m, np.int64)  # each node once per tie it has (the initial m once)
    pool[:m] = np.arange(m)
    pooled, ties = m, 0
    targets, candidates = np.empty(m, np.int64), np.empty(n, np.int64)
    for source in range(m, n):
        chosen = 0  # m distinct targets, each drawn in proportion to its ties
        while chosen < m:
            pick = pool[np.random.randint(pooled)]
            if pick not in targets[:chosen]:
                targets[chosen] = pick
                chosen += 1
        target = targets[chosen - 1]
        chosen -= 1
        count = 0
        while count < m:
            if count > 0 and np.random.random() < p:  # close a triangle through the last target
                found = 0
                half = first[target]
                while half != -1:
                    friend = ends[half]
                    if friend != source and not _linked(first, following, ends, source, friend):
                        candidates[found] = friend
                        found += 1
                    half = following[half]
                if found:
                    friend = candidates[np.random.randint(found)]
                    ties = _tie(u, v, first, following, ends, ties, source, friend)
                    pool[pooled] = friend
                    pooled += 1
                    count += 1
                    continue
            target = targets[chosen - 1]
            chosen -= 1
            if not _linked(first, following, ends, source, target):
                ties = _tie(u, v, first, following, ends, ties, source, target)
            pool[pooled] = target
            pooled += 1
            count += 1
        pool[pooled : pooled + m] = source
        pooled += m
    return u[:ties], v[:ties]


@numba.njit(cache=True)
def _linked(first, following, ends, a, b):  # noqa: ANN001, ANN202
    half = first[a]
    while half != -1:
        if ends[half] == b:
            return True
        half = following[half]
    return False


@numba.njit(cache=True)
def _tie(u, v, first, following, ends, ties, a, b):  # noqa: ANN001, ANN202
    u[ties], v[ties] = a, b
    for half, (start, end) in ((2 * ties, (a, b)), (2 * ties + 1, (b, a))):
        ends[half] = end
        following[half] = first[start]
        first[start] = half
    return ties + 1


def adjacency(graph: nx.Graph) -> sp.csr_matrix:
    """Symmetric 0/1 CSR matrix in node order 0..n-1 (edge weights, if any, are ignored: a tie is a tie)."""
    import networkx as nx

    matrix = nx.to_scipy_sparse_array(
        graph, nodelist=range(graph.number_of_nodes()), weight=None, format="csr"
    )
    return sp.csr_matrix(matrix, dtype=np.float64)


def to_networkx(matrix: sp.csr_matrix) -> nx.Graph:
    """The graph of an adjacency, nodes 0..n-1, for Mesa's Network space."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(matrix.shape[0]))
    upper = sp.triu(matrix, k=1).tocoo()
    graph.add_edges_from(zip(upper.row.tolist(), upper.col.tolist(), strict=True))
    return graph
