"""scipy.special as the rules see it: scipy's own functions, except the few
written in Python that convert their inputs with ``asarray`` (which would
compute a lazy Dask array, or copy a CuPy one to the host). For a duck array
(``dualgrad.core.duck``) those are evaluated here with numpy ufuncs and
reductions, which the array's library implements (NEP 13/18); plain numpy
inputs go to scipy unchanged. The ufuncs (``erf``, ``gammaln``, ...) need
nothing: they dispatch through ``__array_ufunc__`` already.
"""
from __future__ import annotations

import numpy as onp
import scipy.special as _ssp
from numpy.lib.array_utils import normalize_axis_tuple

from ..core.duck import is_duck_array


def __getattr__(name: str):
    return getattr(_ssp, name)


def polygamma(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1; psi(x) for n = 0
    (scipy's own formula)."""
    if not (is_duck_array(x) or is_duck_array(n)):
        return _ssp.polygamma(n, x)
    return onp.where(n == 0, _ssp.psi(x),
                     (-1.0) ** (n + 1) * _ssp.gamma(n + 1.0) * _ssp.zeta(n + 1, x))


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log Σ b e^a = m + log Σ b e^(a - m) with m the largest (real part of) a,
    in scipy's conventions: with ``return_sign`` the log of the modulus and the
    sign (s / |s| for complex s); without it, the log of the sum itself."""
    if not (is_duck_array(a) or is_duck_array(b)):
        return _ssp.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign)
    m = onp.max(onp.real(a), axis=axis, keepdims=True)
    m = onp.where(onp.isfinite(m), m, 0.0)  # all -inf: e^(a - m) stays 0, not nan
    e = onp.exp(a - m) if b is None else b * onp.exp(a - m)
    s = onp.sum(e, axis=axis, keepdims=True)
    cplx = onp.iscomplexobj(s)
    out = onp.log(onp.abs(s) if return_sign else s) + m
    if not keepdims:
        axes = tuple(range(onp.ndim(s))) if axis is None else normalize_axis_tuple(
            axis, onp.ndim(s))
        out = onp.squeeze(out, axis=axes)
        s = onp.squeeze(s, axis=axes)
    if not return_sign:
        return out
    return out, (s / onp.abs(s) if cplx else onp.sign(s))
