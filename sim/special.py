"""SciPy's special functions for compiled loops: the same C code as ``scipy.special``, so the same numbers.

Numba compiles NumPy's exp and log but not SciPy's ufuncs; the loops that
need the inverse normal CDF call SciPy's compiled ``cython_special`` by its
exported C symbol. Declared by name rather than by pointer, the loops that
use it can be cached on disk like the others.
"""

from __future__ import annotations

import llvmlite.binding
import numba
from numba.extending import get_cython_function_address

llvmlite.binding.add_symbol(
    "recovery_sim_ndtri", get_cython_function_address("scipy.special.cython_special", "ndtri")
)
ndtri = numba.types.ExternalFunction("recovery_sim_ndtri", numba.float64(numba.float64))
