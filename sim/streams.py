"""Independent random streams, one per mechanism, for common random numbers.

Each mechanism draws from its own generator, spawned from the run's seed with
NumPy's ``SeedSequence``, and draws arrays of a fixed size (one value per node)
every week whatever the policy does. So two runs that differ only in policy
meet the same network, the same customers and the same failure draws, and
their difference is the policy's effect, not noise (paired comparisons).
"""

from __future__ import annotations

import numpy as np

MECHANISMS = (
    "network",
    "traits",
    "purchases",
    "failures",
    "reactions",
    "recovery",
    "churn",
    "wom",
    "acquisition",
)


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per mechanism; adding a mechanism at the end leaves the others unchanged."""
    children = np.random.SeedSequence(seed).spawn(len(MECHANISMS))
    return {name: np.random.default_rng(child) for name, child in zip(MECHANISMS, children, strict=True)}
