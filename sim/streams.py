"""Random numbers for common random numbers: one stream per mechanism, a fixed draw per node per week.

Each mechanism draws from its own generator, spawned from the run's seed with
NumPy's ``SeedSequence``. Every week each stream draws the same amount, one
value per node, whatever the policy does; so two runs that differ only in
policy meet the same network, the same customers and the same failure draws,
and their difference is the policy's effect, not noise (paired comparisons).

Where a mechanism needs a number for every node (buying, churning, joining),
the stream draws uniforms directly. Where it needs several numbers for a few
nodes (the buyers' baskets, the failed, the complainants), the stream draws one
64-bit key per node and the numbers are derived from (key, slot) with the
SplitMix64 finalizer, a counter-based scheme: cheap for small subsets, and a
node's numbers never depend on which other nodes needed one.
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

#: Uniforms drawn for every node every week: name -> stream.
DIRECT = {"buy": "purchases", "churn": "churn", "acquire": "acquisition"}

#: Uniforms derived from a node's weekly key: name -> (stream, slot).
KEYED = {
    "basket": ("purchases", 0),
    "quality": ("purchases", 1),
    "fail": ("failures", 0),
    "type": ("failures", 1),
    "severity": ("failures", 2),
    "notify": ("reactions", 0),
    "complain": ("reactions", 1),
    "silent_tell": ("reactions", 2),
    "delight": ("reactions", 3),
    "churn_tell": ("reactions", 4),
    "frontline": ("recovery", 0),
    "apply": ("recovery", 1),
    "improvise": ("recovery", 2),
    "blame": ("recovery", 3),
    "outcome": ("recovery", 4),
    "tell": ("recovery", 5),
    "post": ("recovery", 6),
    "winback": ("churn", 0),
}
KEYED_STREAMS = ("purchases", "failures", "reactions", "recovery", "churn")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per mechanism; adding a mechanism at the end leaves the others unchanged."""
    children = np.random.SeedSequence(seed).spawn(len(MECHANISMS))
    return {name: np.random.default_rng(child) for name, child in zip(MECHANISMS, children, strict=True)}


def keyed_uniforms(keys: np.ndarray, slot: int) -> np.ndarray:
    """Uniforms in [0, 1) from 64-bit keys and a slot number (SplitMix64 finalizer, wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = keys + np.uint64(slot + 1) * _GOLDEN
        x ^= x >> np.uint64(30)
        x *= _MIX1
        x ^= x >> np.uint64(27)
        x *= _MIX2
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)) * 2.0**-53


class WeekDraws:
    """This week's random numbers: ``draws("complain", nodes)`` gives one uniform per node in ``nodes``."""

    def __init__(self, streams: dict[str, np.random.Generator], n: int) -> None:
        self.direct = {name: streams[stream].random(n) for name, stream in DIRECT.items()}
        self.keys = {stream: streams[stream].bit_generator.random_raw(n) for stream in KEYED_STREAMS}

    def __call__(self, name: str, nodes: np.ndarray) -> np.ndarray:
        """Uniforms named ``name`` (a key of DIRECT or KEYED) for the nodes ``nodes``."""
        if name in self.direct:
            return self.direct[name][nodes]
        stream, slot = KEYED[name]
        return keyed_uniforms(self.keys[stream][nodes], slot)
