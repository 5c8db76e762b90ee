"""Shared test helpers: small-array strategies and the mpmath reference."""
from __future__ import annotations

import mpmath
import numpy as onp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

mpmath.mp.dps = 30


def small_shapes(min_dims=0, max_dims=2, max_side=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def small_arrays(domain=(-2.0, 2.0), shape=None, complex_ok=False, min_dims=0, max_dims=2):
    """Float arrays with entries in ``domain`` (tiny shapes), optionally complex."""
    lo, hi = domain
    shapes = st.just(shape) if shape is not None else small_shapes(min_dims, max_dims)
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    real = shapes.flatmap(lambda s: hnp.arrays(onp.float64, s, elements=floats))
    if not complex_ok:
        return real
    cplx = shapes.flatmap(lambda s: st.tuples(
        hnp.arrays(onp.float64, s, elements=floats), hnp.arrays(onp.float64, s, elements=floats)
    ).map(lambda ab: ab[0] + 1j * ab[1]))
    return st.one_of(real, cplx)


def mp_derivative(f_mp, x: float, n: int = 1) -> float:
    """The n-th derivative of an mpmath function at x, to 30 digits."""
    return float(mpmath.diff(f_mp, mpmath.mpf(x), n))
