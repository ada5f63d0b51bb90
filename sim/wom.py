"""Word of mouth: customers with a strong experience tell neighbours; angry ones post (S1, S2, S12).

Per event a negative story reaches about twice as many people as a positive
one (TARP; Goodman & Newman 2003: told ~10 vs ~5). A teller tells each
neighbour with probability reach x influence / degree (at most 1), so a
customer with few friends tells them all. A public post reaches random people
anywhere in the market, beyond the network, with a weaker effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sim.config import WomConf
from sim.network import neighbours_of
from sim.population import Population, Status


@dataclass
class Heard:
    """Messages each node heard this week, and how many were told in all."""

    negative: np.ndarray
    positive: np.ndarray
    public: np.ndarray
    told_negative: int
    told_positive: int


def tell_neighbours(
    adjacency: sp.csr_matrix,
    tellers: np.ndarray,
    reach: float,
    influence: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Messages heard per node when each teller (repeats allowed) talks to their neighbours."""
    n = adjacency.shape[0]
    if tellers.size == 0:
        return np.zeros(n)
    neighbours, degree = neighbours_of(adjacency, tellers)
    p = np.minimum(1.0, reach * influence[tellers] / np.maximum(degree, 1))
    told = rng.random(neighbours.size) < np.repeat(p, degree)
    return np.bincount(neighbours[told], minlength=n).astype(np.float64)


def cascade(
    adjacency: sp.csr_matrix, seeds: np.ndarray, reach: float, influence: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Who ends up hearing a story when everyone who hears it retells it once (an independent cascade).

    The model itself lets only people with an experience of their own tell;
    this one-shot cascade exists to dock the telling rule against peer
    libraries (sim/docking.py).
    """
    informed = np.zeros(adjacency.shape[0], dtype=bool)
    informed[seeds] = True
    tellers = np.asarray(seeds)
    while tellers.size:
        heard = tell_neighbours(adjacency, tellers, reach, influence, rng)
        tellers = np.flatnonzero((heard > 0) & ~informed)
        informed[tellers] = True
    return informed


def post_publicly(posters: np.ndarray, n: int, reach: int, rng: np.random.Generator) -> np.ndarray:
    """Readers per node of this week's public posts (random people across the market)."""
    readers = rng.integers(0, n, size=posters.size * reach)
    return np.bincount(readers, minlength=n).astype(np.float64)


def spread_word_of_mouth(
    pop: Population,
    adjacency: sp.csr_matrix,
    negative_tellers: np.ndarray,
    positive_tellers: np.ndarray,
    posters: np.ndarray,
    conf: WomConf,
    rng: np.random.Generator,
) -> Heard:
    """Deliver the week's stories and move hearers: customers' satisfaction, prospects' attitude."""
    heard = Heard(
        negative=tell_neighbours(adjacency, negative_tellers, conf.negative_reach, pop.influence, rng),
        positive=tell_neighbours(adjacency, positive_tellers, conf.positive_reach, pop.influence, rng),
        public=post_publicly(posters, pop.size, conf.public_reach, rng),
        told_negative=0,
        told_positive=0,
    )
    heard.told_negative, heard.told_positive = int(heard.negative.sum()), int(heard.positive.sum())
    bad = heard.negative + conf.public_weight * heard.public
    hearers = np.flatnonzero(bad + heard.positive)
    good, bad = heard.positive[hearers], bad[hearers]
    status = pop.status[hearers]
    active, prospect = hearers[status == Status.ACTIVE], hearers[status == Status.PROSPECT]
    shift = conf.positive_effect * good - conf.negative_effect * bad
    pop.satisfaction[active] = np.clip(pop.satisfaction[active] + shift[status == Status.ACTIVE], 0.0, 1.0)
    lean = conf.prospect_positive * good - conf.prospect_negative * bad
    pop.attitude[prospect] += lean[status == Status.PROSPECT]
    return heard


def fade_attitude(pop: Population, conf: WomConf) -> None:
    """What prospects heard fades with a half-life of ``attitude_half_life`` weeks."""
    pop.attitude *= 0.5 ** (1.0 / conf.attitude_half_life)
