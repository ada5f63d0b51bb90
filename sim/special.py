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
