"""numpy 2's vector/matrix products (vecdot, matvec, vecmat, matrix_transpose),
covariance and correlation, block assembly, geomspace and apply_along_axis.

All are written with primitives that have both rules, so they need none of
their own:

    vecdot(x, y)  = sum_k conj(x_k) y_k          (over ``axis``)
    matvec(A, x)  = sum_k A_ik x_k,   vecmat(x, A) = sum_k conj(x_k) A_kj
    cov(X)        = (X - mean) (X - mean)^H / (N - ddof)
    corrcoef(X)   = cov / sqrt(outer(diag(cov), diag(cov)))
"""
from __future__ import annotations

import numpy as onp

from ._helpers import composite, shape_of
from .complex import conj, is_complex, real
from .elementwise import exp, log, sqrt
from .linalg import diagonal, einsum, matmul
from .reductions import mean, sum
from .shape import concatenate, moveaxis, reshape, stack, swapaxes
from .construction import linspace


def _cj(x):
    return conj(x) if is_complex(x) else x


@composite(onp.matrix_transpose)
def matrix_transpose(x, /):
    return swapaxes(x, -1, -2)


@composite(onp.vecdot)
def vecdot(x1, x2, /, *, axis=-1, **kw):
    return sum(_cj(moveaxis(x1, axis, -1)) * moveaxis(x2, axis, -1), axis=-1)


@composite(onp.matvec)
def matvec(x1, x2, /, **kw):
    return einsum("...ij,...j->...i", x1, x2)


@composite(onp.vecmat)
def vecmat(x1, x2, /, **kw):
    return einsum("...j,...ji->...i", _cj(x1), x2)


@composite(onp.cov)
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        **kw):
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov(..., fweights=/aweights=) is not differentiable in "
                                  "dualgrad yet; weight the data yourself.")
    x = m if len(shape_of(m)) > 1 else m[None, :]
    if y is not None:
        y = y if len(shape_of(y)) > 1 else y[None, :]
        x = concatenate([x, y], axis=0) if rowvar else concatenate([x, y], axis=1)
    if not rowvar:
        x = swapaxes(x, 0, 1)
    n = shape_of(x)[1]
    ddof = (0 if bias else 1) if ddof is None else ddof
    d = x - mean(x, axis=1, keepdims=True)
    c = matmul(d, _cj(swapaxes(d, 0, 1))) / (n - ddof)
    return c[0, 0] if shape_of(c) == (1, 1) and len(shape_of(m)) == 1 and y is None else c


@composite(onp.corrcoef)
def corrcoef(x, y=None, rowvar=True, **kw):
    c = cov(x, y, rowvar)
    if len(shape_of(c)) == 0:
        return c / c
    d = real(diagonal(c)) if is_complex(c) else diagonal(c)
    s = sqrt(d)
    return c / s[:, None] / s[None, :]


@composite(onp.block)
def block(arrays):
    # numpy's rule: leaves become at least D-dimensional (D = list depth), the
    # innermost lists are joined along axis -1, the next ones along -2, ...
    def depth(a):
        return 1 + depth(a[0]) if isinstance(a, list) else 0

    def leaves(a):
        return [x for p in a for x in leaves(p)] if isinstance(a, list) else [a]

    levels = depth(arrays)
    nd = max([levels] + [len(shape_of(x)) for x in leaves(arrays)])

    def build(a, level):
        if not isinstance(a, list):
            s = shape_of(a)
            return reshape(a, (1,) * (nd - len(s)) + s)
        return concatenate([build(p, level + 1) for p in a], axis=-(levels - level))
    return build(arrays, 0)


@composite(onp.geomspace)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return exp(linspace(log(start), log(stop), num, endpoint=endpoint, axis=axis))


@composite(onp.apply_along_axis)
def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    # A loop over the other axes; each call is traced like any other code.
    moved = moveaxis(arr, axis, -1)
    lead = shape_of(moved)[:-1]
    outs = [func1d(moved[idx], *args, **kwargs) for idx in onp.ndindex(*lead)]
    out = stack(outs, axis=0).reshape(lead + shape_of(outs[0]))
    return moveaxis(out, len(lead), axis) if len(shape_of(outs[0])) == 1 else out


__all__ = ["matrix_transpose", "vecdot", "matvec", "vecmat", "cov", "corrcoef", "block",
           "geomspace", "apply_along_axis"]
LINALG = {"matrix_transpose": matrix_transpose, "vecdot": vecdot}
