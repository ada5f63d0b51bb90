"""SciPy's special functions for compiled loops: the same C code as ``scipy.special``, so the same numbers.

Numba compiles NumPy's exp and log but not SciPy's ufuncs; the loops that
need the inverse normal CDF call SciPy's compiled ``cython_special`` by its
exported C symbol. Declared by name rather than by pointer, the loops that
use it can be cached on disk like the others. The logistic function is one
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


@numba.njit(cache=True)
def expit(x):  # noqa: ANN001, ANN202
    """The logistic function, as ``scipy.special.expit`` computes it (1 / (1 + exp(-x)), same numbers)."""
    return 1.0 / (1.0 + np.exp(-x))


@numba.njit(cache=True)
def exp_at_most(x):  # noqa: ANN001, ANN202
    """An upper bound of exp(x) that costs a division, for loops that can often decide without exp.

    Taylor's cubic p(x) = 1 + x + x**2/2 + x**3/6 lies below exp everywhere, so
    exp(x) = 1 / exp(-x) <= 1 / p(-x) where p(-x) > 0 (x below 1.59); within
    about x**4/24 of exp(x). Raised by 1e-12 so that rounding never puts it
    below exp(x) as computed.
    """
    below_one = 1.0 - x * (1.0 - x * (0.5 - x / 6.0))
    return (1.0 + 1e-12) / below_one if below_one > 0.0 else np.inf
