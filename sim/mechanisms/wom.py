"""Word of mouth: customers with a strong experience tell neighbours; angry ones post (S1, S2, S12).

Per event a negative story reaches about twice as many people as a positive
one (TARP; Goodman & Newman 2003: told ~10 vs ~5). A teller tells each
neighbour with probability reach x influence / degree (at most 1), so a
customer with few friends tells them all. A public post reaches random people
anywhere in the market, beyond the network, with a weaker effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np
import scipy.sparse as sp

from sim.world.market_schema import WomConf
from sim.world.population import ACTIVE, PROSPECT, Population
from sim.world.streams import uniform


@dataclass
class Heard:
    """How many stories were told this week, in all."""

    told_negative: int
    told_positive: int
    read_negative: int  # reads of public posts that blame the firm (S12)


class TellingRules(NamedTuple):
    """Who tells a story, by name for compiled code: delighted buyers, silent sufferers, leavers."""

    delight_threshold: float
    delight_tell: float
    silent_tell: float
    churn_tell: float


class StoryEffects(NamedTuple):
    """What a story does to a hearer, by name for compiled code."""

    public_weight: float
    positive_effect: float
    negative_effect: float
    prospect_positive: float
    prospect_negative: float


def storytellers(
    pop: Population,
    buyers: np.ndarray,
    hit: np.ndarray,
    silent: tuple[np.ndarray, np.ndarray],
    answered: tuple[np.ndarray, np.ndarray],
    churned: np.ndarray,
    conf: WomConf,
    origins: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """This week's tellers of bad news and of good news, in the order their stories are told.

    Bad: silent sufferers (with probability ``silent_tell`` x severity), then
    complainants the desk left dissatisfied (``answered[0]``, drawn by the
    desk), then leavers (``churn_tell``). Good: buyers without a failure whose
    satisfaction reaches ``delight_threshold`` (``delight_tell``), then
    complainants the desk satisfied (``answered[1]``). ``silent`` is
    (customers, severity); ``origins`` start the uniforms "delight",
    "silent_tell" and "churn_tell" this week.
    """
    rules = TellingRules(conf.delight_threshold, conf.delight_tell, conf.silent_tell, conf.churn_tell)
    return _storytellers(buyers, hit, pop.satisfaction, silent, answered, churned, origins, rules)


@numba.njit(cache=True)
def _storytellers(buyers, hit, satisfaction, silent_failures, answered, churned, origins, rules):  # noqa: ANN001, ANN202
    """Compiled core of storytellers: (bad news tellers, good news tellers), each in its order of telling.

    Each list is made without a branch on who is in it: who tells is
    random, and a mispredicted branch costs more than drawing for everyone.
    """
    (silent, severity), (blamers, praisers) = silent_failures, answered
    bad, m = np.empty(silent.size + blamers.size + churned.size, np.int64), 0
    for i in range(silent.size):
        bad[m] = silent[i]
        m += uniform(origins[1], silent[i]) < rules.silent_tell * severity[i]
    bad[m : m + blamers.size] = blamers
    m += blamers.size
    for node in churned:
        bad[m] = node
        m += uniform(origins[2], node) < rules.churn_tell
    good, n = np.empty(buyers.size + praisers.size, np.int64), 0
    for i in range(buyers.size):
        node = buyers[i]
        good[n] = node
        pleased = (not hit[i]) & (satisfaction[node] >= rules.delight_threshold)
        n += pleased & (uniform(origins[0], node) < rules.delight_tell)
    good[n : n + praisers.size] = praisers
    n += praisers.size
    return bad[:m], good[:n]


def tell_neighbours(
    adjacency: sp.csr_matrix,
    tellers: np.ndarray,
    reach: float,
    influence: np.ndarray,
    origin: np.uint64,
) -> np.ndarray:
    """Messages heard per node when each teller (repeats allowed) talks to their neighbours.

    Whether a story crosses a link is number (link, times the teller told
    before) of the sequence at ``origin`` (streams.uniform): what one teller's
    story does never depends on who else told, so two policies that make the
    same customer talk reach the same friends.
    """
    nodes = adjacency.shape[0]
    heard, hearers = np.zeros((nodes, 1), dtype=np.int32), np.empty(nodes, dtype=np.int64)
    tellers = np.asarray(tellers, dtype=np.int64)
    origin = np.uint64(origin)
    _tell(adjacency.indptr, adjacency.indices, tellers, reach, influence, origin, heard, 0, hearers, 0)
    return heard[:, 0]


@numba.njit(cache=True)
def _tell(indptr, indices, tellers, reach, influence, origin, heard, kind, hearers, n):  # noqa: ANN001, ANN202, PLR0913
    """Compiled loop of tell_neighbours: adds to ``heard[:, kind]``.

    A node that hears its first story of any kind this week is appended to
    ``hearers`` after the first ``n``; returns the new count.
    """
    links = indptr[-1]
    told_before = np.zeros(tellers.size, dtype=np.int64)  # earlier tellings by the same teller this call
    order = np.argsort(tellers, kind="mergesort")  # stable: a teller's tellings stay in list order
    for j in range(1, order.size):
        if tellers[order[j]] == tellers[order[j - 1]]:
            told_before[order[j]] = told_before[order[j - 1]] + 1
    for i in range(tellers.size):
        teller = tellers[i]
        start, stop = indptr[teller], indptr[teller + 1]
        p = min(1.0, reach * influence[teller] / max(stop - start, 1))
        for link in range(start, stop):
            if uniform(origin, link + links * told_before[i]) < p:
                n = _hear(heard, kind, indices[link], hearers, n)
    return n


@numba.njit(cache=True)
def _hear(heard, kind, node, hearers, n):  # noqa: ANN001, ANN202
    """``node`` hears one more story of ``kind``; lists it in ``hearers[:n]`` if it is its first.

    A node's counts of each kind are adjacent: hearers are scattered across
    memory, and each costs one cache line rather than one per kind.
    """
    first = True
    for other in range(heard.shape[1]):
        first &= heard[node, other] == 0
    if first:
        hearers[n] = node
        n += 1
    heard[node, kind] += 1
    return n


def cascade(
    adjacency: sp.csr_matrix, seeds: np.ndarray, reach: float, influence: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Who ends up hearing a story when everyone who hears it retells it once (an independent cascade).

    The model itself lets only people with an experience of their own tell;
    this one-shot cascade exists to dock the telling rule against peer
    libraries (sim/checks/docking.py).
    """
    informed = np.zeros(adjacency.shape[0], dtype=bool)
    informed[seeds] = True
    tellers = np.asarray(seeds)
    while tellers.size:
        heard = tell_neighbours(adjacency, tellers, reach, influence, rng.bit_generator.random_raw())
        tellers = np.flatnonzero((heard > 0) & ~informed)
        informed[tellers] = True
    return informed


def public_readers(posters: np.ndarray, n: int, reach: int, rng: np.random.Generator) -> np.ndarray:
    """Who reads this week's public posts: ``reach`` random people anywhere per post, repeats allowed."""
    return rng.integers(0, n, size=posters.size * reach)


def spread_word_of_mouth(
    pop: Population,
    adjacency: sp.csr_matrix,
    negative_tellers: np.ndarray,
    positive_tellers: np.ndarray,
    posts: tuple[np.ndarray, np.ndarray],
    conf: WomConf,
    origins: tuple[np.uint64, np.uint64],
    rng: np.random.Generator,
) -> Heard:
    """Deliver the week's stories and move hearers: customers' satisfaction, prospects' attitude.

    ``posts`` are the week's posters and, aligned, whether each post praises the firm (a
    satisfied complainant's) or blames it. ``origins`` start the week's numbers for negative
    and for positive stories (tell_neighbours); ``rng`` picks who reads public posts.
    """
    posters, praising = posts
    heard = np.zeros((pop.size, 4), dtype=np.int32)  # negative, positive, public bad and good per node
    told_negative, told_positive, hearers = _spread(
        adjacency.indptr,
        adjacency.indices,
        (np.asarray(negative_tellers, np.int64), np.asarray(positive_tellers, np.int64)),
        (conf.negative_reach, conf.positive_reach),
        pop.influence,
        (np.uint64(origins[0]), np.uint64(origins[1])),
        public_readers(posters, pop.size, conf.public_reach, rng),
        np.repeat(np.asarray(praising, dtype=np.bool_), conf.public_reach),
        heard,
    )
    _move_hearers(
        heard,
        hearers,
        pop.status,
        pop.satisfaction,
        pop.attitude,
        StoryEffects(
            conf.public_weight,
            conf.positive_effect,
            conf.negative_effect,
            conf.prospect_positive,
            conf.prospect_negative,
        ),
    )
    return Heard(told_negative, told_positive, int(heard[hearers, 2].sum()))


@numba.njit(cache=True)
def _spread(indptr, indices, tellers, reaches, influence, origins, readers, praised, heard):  # noqa: ANN001, ANN202, PLR0913
    """Compiled core of spread_word_of_mouth: who hears what; returns (told negative, told positive, hearers).

    Lists the nodes that heard anything, so that only they are visited after.
    """
    hearers = np.empty(heard.shape[0], dtype=np.int64)  # each node is listed once at most
    n = _tell(indptr, indices, tellers[0], reaches[0], influence, origins[0], heard, 0, hearers, 0)
    n = _tell(indptr, indices, tellers[1], reaches[1], influence, origins[1], heard, 1, hearers, n)
    for i in range(readers.size):  # a praising post is good news read, a blaming one bad news
        n = _hear(heard, 3 if praised[i] else 2, readers[i], hearers, n)
    hearers = hearers[:n]
    return int(heard[hearers, 0].sum()), int(heard[hearers, 1].sum()), hearers


@numba.njit(cache=True)
def _move_hearers(heard, hearers, status, satisfaction, attitude, effects):  # noqa: ANN001, ANN202
    """Customers who heard stories change their satisfaction; prospects, their attitude.

    A public post read counts as ``public_weight`` of a friend's story: bad news when the
    poster was left dissatisfied, good news when the recovery pleased them.
    """
    for node in hearers:
        bad = heard[node, 0] + effects.public_weight * heard[node, 2]
        good = heard[node, 1] + effects.public_weight * heard[node, 3]
        if bad == 0.0 and good == 0.0:
            continue
        if status[node] == ACTIVE:
            shift = effects.positive_effect * good - effects.negative_effect * bad
            satisfaction[node] = min(max(satisfaction[node] + shift, 0.0), 1.0)
        elif status[node] == PROSPECT:
            attitude[node] += effects.prospect_positive * good - effects.prospect_negative * bad


def fade_attitude(pop: Population, conf: WomConf) -> None:
    """What prospects heard fades with a half-life of ``attitude_half_life`` weeks."""
    pop.attitude *= 0.5 ** (1.0 / conf.attitude_half_life)
