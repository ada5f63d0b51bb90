"""The social network: generated or read from an edge list, kept as a CSR adjacency.

The mechanisms only see the SciPy CSR matrix, so word of mouth and churn
contagion are one sparse product per week. The default small world is built
in NumPy, the scale-free one (igraph's Barabási-Albert game) and the clustered
power-law one in compiled loops (networkx's generators are pure Python: 0.4 s
at 20,000 nodes, minutes at a million), and the CSR matrix from their edge
lists in another. Real networks go through networkx, which is also what Mesa's
``Network`` space takes (:func:`to_networkx`).
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import OrderedDict
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
    """Undirected 0/1 adjacency from edge lists (each edge once).

    The CSR matrix SciPy makes from both directions' coordinates (rows in order, each row's
    columns sorted), built in a compiled counting sort: SciPy's route copied the 2 x edges
    coordinates several times over (12.9 GB at 10 million customers, most of the run's peak).
    Repeated edges, which SciPy would sum, go that way still.
    """
    small = 2 * u.size < 2**31 and n < 2**31  # SciPy's indices are 32-bit up to there
    indptr, indices, simple = _csr_of_edges(u, v, n) if small else (None, None, False)
    if not simple:
        rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
        return sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    return sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))


@numba.njit(cache=True)
def _csr_of_edges(u, v, n):  # noqa: ANN001, ANN202
    """(indptr, indices, no edge repeated) of the symmetric adjacency, 32-bit as SciPy makes it."""
    indptr = np.zeros(n + 1, np.int32)
    for i in range(u.size):
        indptr[u[i] + 1] += 1
        indptr[v[i] + 1] += 1
    for node in range(n):
        indptr[node + 1] += indptr[node]
    indices, filled = np.empty(indptr[n], np.int32), indptr[:-1].copy()
    for i in range(u.size):
        indices[filled[u[i]]] = v[i]
        filled[u[i]] += 1
        indices[filled[v[i]]] = u[i]
        filled[v[i]] += 1
    simple = True
    for node in range(n):
        row = indices[indptr[node] : indptr[node + 1]]
        if row.size > 32:  # a hub
            row.sort()
        else:  # most rows are short, and insertion sort is quickest there
            for j in range(1, row.size):
                value, k = row[j], j
                while k > 0 and row[k - 1] > value:
                    row[k] = row[k - 1]
                    k -= 1
                row[k] = value
        for j in range(1, row.size):
            simple &= row[j] != row[j - 1]
    return indptr, indices, simple


def small_world(n: int, k: int, p: float, rng: np.random.Generator) -> sp.csr_matrix:
    """Watts-Strogatz: a ring where each node links to its k nearest, each link rewired with probability p.

    Rewired links that would make a self-loop or repeat an existing link are
    drawn again, so every node keeps its k/2 own links (mean degree exactly k).
    The lattice's kept links never repeat one another (when n > k), so only the
    rewired ones are searched for repeats: against each other by sorting, and
    against the lattice by arithmetic (:func:`_on_lattice`). Sorting all the
    links, as before, took most of a minute at 10 million customers; the links
    drawn again are the same.
    """
    half = k // 2
    u = np.repeat(np.arange(n), half)
    v = (u + np.tile(np.arange(1, half + 1), n)) % n
    rewired = rng.random(u.size) < p
    u = np.concatenate([u[~rewired], u[rewired]])  # lattice links first: a repeat is always a rewired one
    v = np.concatenate([v[~rewired], rng.integers(0, n, rewired.sum())])
    start = u.size - int(rewired.sum()) if n > 2 * half else 0  # where links that may repeat begin
    for _ in range(1000):
        du, dv = u[start:], v[start:]
        key = np.minimum(du, dv) * n + np.maximum(du, dv)
        _, first = np.unique(key, return_index=True)
        bad = np.ones(du.size, dtype=bool)
        bad[first] = False
        bad |= du == dv
        if start:
            bad |= _on_lattice(du, dv, rewired, half, n)
        if not bad.any():
            return symmetric(u, v, n)
        dv[bad] = rng.integers(0, n, bad.sum())
    raise RuntimeError("small_world: could not place rewired links; the network is too dense")


@numba.njit(cache=True)
def _on_lattice(u, v, rewired, half, n):  # noqa: ANN001, ANN202
    """Whether each link u-v is one of the lattice's links that were kept.

    The lattice's link a -> a + d (mod n), 1 <= d <= half, is number a * half + d - 1,
    kept unless ``rewired``.
    """
    found = np.zeros(u.size, np.bool_)
    for i in range(u.size):
        for a, b in ((u[i], v[i]), (v[i], u[i])):
            d = (b - a + n) % n
            if 1 <= d <= half and not rewired[a * half + d - 1]:
                found[i] = True
    return found


def scale_free(n: int, m: int, rng: np.random.Generator) -> sp.csr_matrix:
    """Barabási-Albert preferential attachment, each new node linking to m others (no repeats).

    The graph igraph's ``Graph.Barabasi(n, m)`` makes with a Python ``random.Random``
    seeded from ``rng`` (so the graph is a function of the run's seed), made without
    igraph: igraph asked Python for each of its numbers and handed its edges back as a
    list of tuples, 420 s and 20 GB at 10 million customers. :func:`_barabasi` is
    igraph's algorithm on the same numbers: ``random.Random``'s Mersenne Twister,
    whose ``random()`` NumPy's MT19937 reproduces from the same state.
    """
    python_random = random.Random(int(rng.integers(2**63 - 1)))
    *key, position = python_random.getstate()[1]
    twister = np.random.MT19937()
    twister.state = {"bit_generator": "MT19937", "state": {"key": np.array(key, np.uint32), "pos": position}}
    draws = max(n - 1 - m, 0) * m + 64  # one a tie after the first m + 1 nodes, and a few to spare
    u, v = _barabasi(n, m, np.random.Generator(twister).random(draws))
    return symmetric(u, v, n)


#: Items per block of _barabasi's weights: a draw scans one block after finding it among the block sums.
BLOCK = 64


@numba.njit(cache=True)
def _barabasi(n, m, uniforms):  # noqa: ANN001, ANN202
    """Edge lists of igraph's psumtree Barabási-Albert game (undirected, power 1, zero appeal 1).

    Node i > m ties to m distinct earlier nodes, each drawn with weight degree + 1
    (a node already drawn for i weighs 0 until i's ties are made), by the inverse
    of the weights' running sum in node order at ``uniform x sum``; nodes 1..m tie
    to every earlier node. The weights are integers, so every sum is exact and the
    node drawn is igraph's, whose tree of sums is here block sums in a Fenwick tree.
    """
    weight = np.zeros(n, np.int64)  # degree + 1; 0 while drawn for the node tying now
    sums = np.zeros(n // BLOCK + 2, np.int64)  # Fenwick tree (from 1) over the blocks' sums
    top = 1
    while 2 * top < sums.size:
        top *= 2
    capacity = m * (m + 1) // 2 + max(n - 1 - m, 0) * m
    u, v = np.empty(capacity, np.int32), np.empty(capacity, np.int32)
    targets, degrees, ties, drawn = np.empty(m, np.int64), np.empty(m, np.int64), 0, 0
    total = _weigh(weight, sums, 0, 1)
    for node in range(1, n):
        if m >= node:  # all earlier nodes
            for target in range(node):
                total += _weigh(weight, sums, target, 1)
                u[ties], v[ties] = node, target
                ties += 1
        else:
            for j in range(m):
                x = uniforms[drawn] * float(total)
                drawn += 1
                while x == total:  # igraph draws again rather than return the upper end
                    x = uniforms[drawn] * float(total)
                    drawn += 1
                target = _search(weight, sums, top, x)
                targets[j], degrees[j] = target, weight[target]  # degree + 1 before, the degree after
                total += _weigh(weight, sums, target, -weight[target])
                u[ties], v[ties] = node, target
                ties += 1
            for j in range(m):
                total += _weigh(weight, sums, targets[j], degrees[j] + 1)
        total += _weigh(weight, sums, node, min(m, node) + 1)
    return u[:ties], v[:ties]


@numba.njit(cache=True)
def _weigh(weight, sums, item, change):  # noqa: ANN001, ANN202
    """Add ``change`` to an item's weight and to its block's sum; returns the change."""
    weight[item] += change
    block = item // BLOCK + 1
    while block < sums.size:
        sums[block] += change
        block += block & -block
    return change


@numba.njit(cache=True)
def _search(weight, sums, top, x):  # noqa: ANN001, ANN202
    """The first item whose running sum of weights exceeds ``x`` (0 <= x < the sum of all).

    Taking whole blocks' sums off ``x`` is exact: they are integers below 2**53.
    """
    block, step = 0, top
    while step:
        if block + step < sums.size and sums[block + step] <= x:
            block += step
            x -= sums[block]
        step //= 2
    item = block * BLOCK
    while x >= weight[item]:
        x -= weight[item]
        item += 1
    return item


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


#: Generated networks kept in this process for the runs after, oldest first (see shared_network).
KEPT: OrderedDict[tuple, sp.csr_matrix] = OrderedDict()
#: The most memory they may hold together; a network of more than an eighth of it is not kept.
KEEP_BYTES = 96 * 2**20
#: One run at a time changes KEPT (the trainers' page builds models in several threads).
KEPT_LOCK = threading.Lock()


def shared_network(conf: NetworkConf, nodes: int, seed: int, rng: np.random.Generator) -> sp.csr_matrix:
    """build_network, reusing the network an earlier run of this process built from the same seed.

    A study runs the same seeds in every cell (common random numbers), and a cell changes the
    firm's policy, not who knows whom: the same network was built again in every cell, about a
    tenth of a default run. Kept read-only, so a rule that wrote to it would fail, not leak into
    the next run; only small networks are kept (KEEP_BYTES), so a large market's memory is
    unchanged. ``rng``: the seed's network stream, used only when the network is built.
    """
    if conf.kind is NetworkKind.edgelist:  # a file, which may change between runs
        return build_network(conf, nodes, rng)
    key = (dataclasses.astuple(conf), nodes, seed)
    with KEPT_LOCK:
        if key in KEPT:
            KEPT.move_to_end(key)
            return KEPT[key]
    network = build_network(conf, nodes, rng)
    size = network.data.nbytes + network.indices.nbytes + network.indptr.nbytes
    if size <= KEEP_BYTES // 8:
        for array in (network.data, network.indices, network.indptr):
            array.flags.writeable = False
        with KEPT_LOCK:
            KEPT[key] = network
            while sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in KEPT.values()) > KEEP_BYTES:
                KEPT.popitem(last=False)
    return network


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

    Each node's ties are kept together in ``slots`` (a block that moves to twice
    the room when full, :func:`_add`), so closing a triangle reads a hub's
    friends from consecutive memory. They were linked lists, one cache miss
    per friend: 505 s at 10 million customers. Friends are visited newest
    first, as the linked lists did, so the graph is the same.
    """
    np.random.seed(seed)
    capacity = (n - m) * m
    u, v = np.empty(capacity, np.int32), np.empty(capacity, np.int32)
    block = np.zeros((n, 3), np.int64)  # a node's start in slots, ties, room: one cache line, not three
    slots, top = np.empty(2 * m * n + 8 * capacity, np.int32), 0  # blocks end below 4 x ties (or 2m)
    pool = np.empty(2 * capacity + m, np.int32)  # each node once per tie it has (the initial m once)
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
                start, ties_of_target = block[target, 0], block[target, 1]
                for half in range(start + ties_of_target - 1, start - 1, -1):
                    friend = slots[half]
                    if friend != source and not _linked(slots, block, source, friend):
                        candidates[found] = friend
                        found += 1
                if found:
                    friend = candidates[np.random.randint(found)]
                    u[ties], v[ties] = source, friend
                    ties += 1
                    top = _add(slots, top, block, m, source, friend)
                    top = _add(slots, top, block, m, friend, source)
                    pool[pooled] = friend
                    pooled += 1
                    count += 1
                    continue
            target = targets[chosen - 1]
            chosen -= 1
            if not _linked(slots, block, source, target):
                u[ties], v[ties] = source, target
                ties += 1
                top = _add(slots, top, block, m, source, target)
                top = _add(slots, top, block, m, target, source)
            pool[pooled] = target
            pooled += 1
            count += 1
        pool[pooled : pooled + m] = source
        pooled += m
    return u[:ties], v[:ties]


@numba.njit(cache=True)
def _linked(slots, block, a, b):  # noqa: ANN001, ANN202
    return b in slots[block[a, 0] : block[a, 0] + block[a, 1]]


@numba.njit(cache=True)
def _add(slots, top, block, m, node, friend):  # noqa: ANN001, ANN202
    """Append ``friend`` to ``node``'s block, moved to ``top`` with twice the room when full; the new top.

    A node's blocks (2m, 4m, ...) add up to less than twice its last, which is
    under twice its ties: ``slots`` has room for all without growing.
    """
    start, ties, room = block[node, 0], block[node, 1], block[node, 2]
    if ties == room:
        for k in range(ties):
            slots[top + k] = slots[start + k]
        start, room = top, max(2 * room, 2 * m)
        top += room
        block[node, 0], block[node, 2] = start, room
    slots[start + ties] = friend
    block[node, 1] = ties + 1
    return top


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
