"""Products: kron, cross (and linalg.cross), convolve, correlate, numpy 2's
vecdot, matvec, vecmat, matrix_transpose; covariance and correlation, block
assembly, geomspace and apply_along_axis.

All are written with primitives that have both rules, so they need none of
their own:

    vecdot(x, y)  = sum_k conj(x_k) y_k          (over ``axis``)
    matvec(A, x)  = sum_k A_ik x_k,   vecmat(x, A) = sum_k conj(x_k) A_kj
    cov(X)        = (X - mean) (X - mean)^H / (N - ddof)
    corrcoef(X)   = cov / sqrt(outer(diag(cov), diag(cov)))
"""
from __future__ import annotations

import numpy as onp

from ._helpers import broadcast_to, composite, ndim_of as _nd, shape_of
from .complex import conj, is_complex, real
from .construction import _as_array, linspace
from .elementwise import exp, log, multiply, sqrt, where
from .linalg import diagonal, einsum, matmul
from .reductions import mean, sum
from .shape import atleast_1d, concatenate, flip, getitem, moveaxis, reshape, stack, swapaxes


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
    m = _as_array(m)  # either may be a list (of numbers or tracers) beside a traced other
    x = m if len(shape_of(m)) > 1 else m[None, :]
    if y is not None:
        y = _as_array(y)
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
            return reshape(a, shape=(1,) * (nd - len(s)) + s)
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


@composite(onp.kron)
def kron(a, b):
    a, b = _as_array(a), _as_array(b)
    nd = max(_nd(a), _nd(b))
    sa = (1,) * (nd - _nd(a)) + shape_of(a)
    sb = (1,) * (nd - _nd(b)) + shape_of(b)
    a2 = reshape(a, shape=tuple(x for n in sa for x in (n, 1)))
    b2 = reshape(b, shape=tuple(x for n in sb for x in (1, n)))
    return reshape(multiply(a2, b2), shape=tuple(m * n for m, n in zip(sa, sb)))


@composite(onp.cross)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    from .shape import moveaxis
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(_as_array(a), axisa, -1)
    b = moveaxis(_as_array(b), axisb, -1)
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    a0, a1 = getitem(a, (Ellipsis, 0)), getitem(a, (Ellipsis, 1))
    b0, b1 = getitem(b, (Ellipsis, 0)), getitem(b, (Ellipsis, 1))
    z = a0 * b1 - a1 * b0
    if na == 2 and nb == 2:
        return z
    a2 = getitem(a, (Ellipsis, 2)) if na == 3 else 0.0
    b2 = getitem(b, (Ellipsis, 2)) if nb == 3 else 0.0
    x = a1 * b2 - a2 * b1
    y = a2 * b0 - a0 * b2
    shape = onp.broadcast_shapes(shape_of(x), shape_of(y), shape_of(z))
    c = stack([broadcast_to(_as_array(v), shape=shape) for v in (x, y, z)], axis=-1)
    return moveaxis(c, -1, axisc)


# convolve(a, v) (full) = T(v) @ a with the Toeplitz matrix T[k, i] = v[k - i];
# 'same' and 'valid' are centred slices of it, as numpy takes them.
def _convolve_full(a, v):
    n, m = shape_of(a)[0], shape_of(v)[0]
    if n == 0 or m == 0:
        raise ValueError("a cannot be empty" if n == 0 else "v cannot be empty")
    j = onp.arange(n + m - 1)[:, None] - onp.arange(n)[None, :]
    inside = (j >= 0) & (j < m)
    t = where(inside, getitem(v, onp.clip(j, 0, m - 1)), 0.0)
    return matmul(t, a)


def _mode_slice(full, n, m, mode):
    lo, hi = min(n, m), max(n, m)
    if mode == "full":
        return full
    if mode == "same":
        return getitem(full, slice((lo - 1) // 2, (lo - 1) // 2 + hi))
    if mode == "valid":
        return getitem(full, slice(lo - 1, hi))
    raise ValueError(f"mode must be one of 'full', 'same' or 'valid', not {mode!r}")


@composite(onp.convolve)
def convolve(a, v, mode="full"):
    a, v = atleast_1d(_as_array(a)), atleast_1d(_as_array(v))
    return _mode_slice(_convolve_full(a, v), shape_of(a)[0], shape_of(v)[0], mode)


@composite(onp.correlate)
def correlate(a, v, mode="valid"):
    # c[k] = sum_n a[n + k] conj(v[n]); numpy swaps the operands when v is longer.
    a, v = atleast_1d(_as_array(a)), atleast_1d(_as_array(v))
    if shape_of(v)[0] > shape_of(a)[0]:
        return conj(flip(convolve(v, conj(flip(a)), mode)))
    return convolve(a, conj(flip(v)), mode)


@composite(onp.linalg.cross)
def linalg_cross(x1, x2, /, *, axis=-1):
    if shape_of(x1)[axis] != 3 or shape_of(x2)[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors.")
    return cross(x1, x2, axis=axis)


__all__ = ["kron", "cross", "convolve", "correlate", "matrix_transpose", "vecdot", "matvec", "vecmat", "cov", "corrcoef", "block",
           "geomspace", "apply_along_axis"]
LINALG = {"matrix_transpose": matrix_transpose, "vecdot": vecdot, "cross": linalg_cross}
