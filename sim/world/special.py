"""Special functions for compiled loops: the normal quantile, the logistic function, bounds of exp.

Numba compiles NumPy's exp and log but not SciPy's ufuncs. The normal
quantile's tails call SciPy's compiled ``cython_special.ndtri`` by its
exported C symbol (declared by name rather than by pointer, the loops that
use it can be cached on disk like the others). The logistic function is one
line, and gives the same numbers as SciPy's.
"""

from __future__ import annotations

import llvmlite.binding
import numba
import numpy as np
from numba.extending import get_cython_function_address

llvmlite.binding.add_symbol(
    "recovery_sim_ndtri", get_cython_function_address("scipy.special.cython_special", "ndtri")
)
ndtri = numba.types.ExternalFunction("recovery_sim_ndtri", numba.float64(numba.float64))

#: Acklam's rational approximation of the normal quantile in its central region, |p - 0.5| <= 0.47575:
#: numerator and denominator coefficients, highest power of (p - 0.5)**2 first.
_CENTRAL_UP = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_CENTRAL_DOWN = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
    1.0,
)
_TAIL = 0.02425


@numba.njit(cache=True)
def normal_quantile(p):  # noqa: ANN001, ANN202
    """The standard normal deviate below which a share ``p`` lies, within 1.2e-9 of SciPy's ndtri (relative).

    Shopping needs two for every purchase, and SciPy's ndtri, a call into
    another library that the compiler cannot inline, was a seventh of a week
    at 10,000 customers. In the central 95% a ratio of two quintics in
    (p - 0.5)**2 (P. J. Acklam's; relative error below 1.15e-9, far below
    anything a run could show) costs a third as much; the tails, where it is
    less accurate, are ndtri's.
    """
    return ndtri(p) if _in_tails(p) else _central_quantile(p)


@numba.njit(cache=True)
def normal_quantiles(p):  # noqa: ANN001, ANN202
    """normal_quantile of each of the array ``p``, the same numbers, several at a time.

    The central formula goes over all of them in a loop without branches,
    which the compiler turns into vector instructions; ndtri then replaces
    the few in the tails. Shopping's two deviates per buyer cost about 30 us
    a week less this way at 10,000 customers.
    """
    out = np.empty(p.size)
    for i in range(p.size):
        out[i] = _central_quantile(p[i])
    for i in range(p.size):
        if _in_tails(p[i]):
            out[i] = ndtri(p[i])
    return out


@numba.njit(cache=True)
def _in_tails(p):  # noqa: ANN001, ANN202
    return not _TAIL <= p <= 1.0 - _TAIL


@numba.njit(cache=True)
def _central_quantile(p):  # noqa: ANN001, ANN202
    q = p - 0.5
    r = q * q
    a, b = _CENTRAL_UP, _CENTRAL_DOWN  # two Horner chains, side by side
    up = ((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]
    down = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + b[5]
    return q * up / down


@numba.njit(cache=True)
def expit(x):  # noqa: ANN001, ANN202
    """The logistic function, as ``scipy.special.expit`` computes it (1 / (1 + exp(-x)), same numbers)."""
    return 1.0 / (1.0 + np.exp(-x))


@numba.njit(cache=True)
def exp_cubic(x):  # noqa: ANN001, ANN202
    """Taylor's cubic of exp, 1 + x + x**2/2 + x**3/6: bounds of exp(x), for loops that can decide without it.

    It lies below exp(x) for every x, and 1 / exp_cubic(-x) lies above exp(x)
    where exp_cubic(-x) > 0 (x below 1.59); both are within about x**4/24 of
    exp(x). Loops compare products with these bounds, not quotients: a
    division costs nearly as much as the exp it would save.
    """
    return 1.0 + x * (1.0 + x * (0.5 + x / 6.0))


@numba.njit(cache=True)
def below_scaled_exp(u, scale, x):  # noqa: ANN001, ANN202
    """``u < scale * exp(x)`` for scale >= 0, computing exp only for a u between exp_cubic's bounds.

    The bounds are widened by 1e-12, so that rounding never puts one on the
    wrong side of exp(x) as computed: the answer is always the exact one.
    """
    surely = u < scale * exp_cubic(x) * (1.0 - 1e-12)
    above = exp_cubic(-x)
    surely_not = (above > 0.0) & (u * above >= scale * (1.0 + 1e-12))
    if surely == surely_not:  # neither (never both): u lies between the bounds
        return u < scale * np.exp(x)
    return surely
