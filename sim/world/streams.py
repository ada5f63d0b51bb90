"""Common random numbers: each of the week's random numbers is a function of (seed, name, week, node).

Two runs that differ only in policy must meet the same customers and the same
failures, so that their difference is the policy's effect, not noise (paired
comparisons). The week's random numbers are therefore computed rather than
drawn from a stream: the uniform named "complain" for node 17 in week 40 is
the 17th output of SplitMix64 started from a key made of the run's seed, the
name and the week (a counter-based generator). No number depends on which
other nodes needed one, on what the policy did in earlier weeks, or on the
order of the calls; and nothing is spent on nodes that need no number, so a
week costs in proportion to what happens in it.

Whether a story reaches a neighbour is counted by the teller's link instead
of by node (``Draws.origin``). The network, the customers' traits and who
reads public posts come from NumPy generators, one per mechanism, spawned
from the seed.
"""

from __future__ import annotations

import zlib

import numba
import numpy as np

#: Generators for what is drawn once (network, traits) or in a variable amount (word of mouth).
MECHANISMS = ("network", "traits", "wom", "channels")

#: The week's named uniforms, one per node that needs it.
NAMES = (
    "buy",
    "basket",
    "quality",
    "fail",
    "type",
    "severity",
    "notify",
    "complain",
    "silent_tell",
    "delight",
    "churn_tell",
    "frontline",
    "apply",
    "improvise",
    "blame",
    "outcome",
    "tell",
    "post",
    "churn",
    "acquire",
    "winback",
    "tell_negative",
    "tell_positive",
    "channel",
    "arrival",
    "move",
)

# SplitMix64's constants, unsigned (in compiled code, signed with unsigned gives floats).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per mechanism; adding a mechanism at the end leaves the others unchanged."""
    children = np.random.SeedSequence(seed).spawn(len(MECHANISMS))
    return {name: np.random.default_rng(child) for name, child in zip(MECHANISMS, children, strict=True)}


def name_key(seed: int, name: str) -> int:
    """The 64-bit key of one named uniform in one run; it depends on the name, not on its place in NAMES."""
    entropy = np.random.SeedSequence([seed, zlib.crc32(name.encode())])
    return int(entropy.generate_state(1, np.uint64)[0])


@numba.njit(cache=True)
def mix(x: np.uint64) -> np.uint64:
    """SplitMix64's finalizer: a bijection of 64-bit integers; every output bit depends on every input bit."""
    x = (x ^ (x >> _S30)) * _MIX1
    x = (x ^ (x >> _S27)) * _MIX2
    return x ^ (x >> _S31)


@numba.njit(cache=True)
def start(key: np.uint64, week: int) -> np.uint64:
    """Where the SplitMix64 sequence of one name's key starts in ``week``."""
    return mix(key + np.uint64(week + 1) * _GOLDEN)


@numba.njit(cache=True)
def uniforms(key: np.uint64, weeks: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1): output ``nodes[i]`` of the sequence of ``key`` in ``weeks[i]`` (or ``weeks[0]``).

    Compiled: a week asks for about twenty sets of numbers, and in NumPy the
    eight operations each costs were most of a week at 10,000 customers.
    """
    out = np.empty(nodes.size)
    if nodes.size == 0:
        return out
    origin = start(key, weeks[0])
    for i in range(nodes.size):
        if weeks.size > 1:
            origin = start(key, weeks[i])
        out[i] = uniform(origin, nodes[i])
    return out


@numba.njit(cache=True)
def uniform(origin: np.uint64, counter: int) -> float:
    """Output ``counter`` of the SplitMix64 sequence that starts at ``origin``, as a uniform in [0, 1)."""
    return (mix(origin + np.uint64(counter) * _GOLDEN) >> _S11) * 2.0**-53


class Draws:
    """A run's named uniforms: ``draws(name, nodes, week)``, the same whenever and however often asked."""

    def __init__(self, seed: int) -> None:
        self.keys = {name: np.uint64(name_key(seed, name)) for name in NAMES}

    def __call__(self, name: str, nodes: np.ndarray, week: int | np.ndarray) -> np.ndarray:
        """The uniform ``name`` (one of NAMES) for each of ``nodes`` in ``week`` (or in each one's week)."""
        weeks = np.asarray(week, dtype=np.int64).reshape(-1)
        return uniforms(self.keys[name], weeks, np.asarray(nodes, dtype=np.int64))

    def origin(self, name: str, week: int) -> np.uint64:
        """Where the sequence of ``name`` starts in ``week``, for numbers not counted by node."""
        return np.uint64(start(self.keys[name], week))

    def origins(self, names: tuple[str, ...], week: int) -> np.ndarray:
        """``origin`` of each of ``names``, in one call of compiled code."""
        return _starts(np.array([self.keys[name] for name in names], dtype=np.uint64), week)


@numba.njit(cache=True)
def _starts(keys, week):  # noqa: ANN001, ANN202
    out = np.empty(keys.size, dtype=np.uint64)
    for i in range(keys.size):
        out[i] = start(keys[i], week)
    return out
