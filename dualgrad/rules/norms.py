"""numpy.linalg functions written with the decompositions: matrix_power,
multi_dot, lstsq, norm (every ord/axis numpy accepts), matrix_norm,
vector_norm, tensorinv, tensorsolve. No rules of their own."""
from __future__ import annotations


import numpy as onp
from numpy.lib.array_utils import normalize_axis_tuple

from ..core import getval, peek
from ._helpers import composite, shape_of
from .complex import absolute
from .elementwise import power, sqrt, where
from .linalg import matmul
from .reductions import max as rmax, min as rmin, sum as rsum
from .shape import getitem, moveaxis, reshape
from ._matrix import (_any_traced, _cj, _re)
from .decompositions import inv, pinv, solve
from .svd_qr import svd

@composite(onp.linalg.matrix_power)
def matrix_power(a, n):
    if n < 0:
        a, n = inv(a), -n
    if n == 0:
        return 0.0 * a + onp.eye(shape_of(a)[-1], dtype=onp.result_type(peek(a)))
    result, square = None, a
    while n:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return result


def multi_dot(arrays, *, out=None):
    """numpy.linalg.multi_dot (left to right; the order does not change derivatives)."""
    arrays = list(arrays)
    if out is not None or not _any_traced(*arrays):
        return onp.linalg.multi_dot(arrays, out=out)
    result = arrays[0]
    for b in arrays[1:]:
        result = matmul(result, b)
    return result


def lstsq(a, b, rcond=None):
    """numpy.linalg.lstsq: x = A⁺ b (through pinv's rules), residuals |b - A x|², rank
    (a constant) and singular values (through svd's rules)."""
    if not _any_traced(a, b):
        return onp.linalg.lstsq(a, b, rcond=rcond)
    m, n = shape_of(a)
    _, res0, rank, _ = onp.linalg.lstsq(getval(a), getval(b), rcond=rcond)
    x = matmul(pinv(a, rcond=rcond if rcond is not None else max(m, n) * onp.finfo(float).eps), b)
    if onp.size(res0):
        r = b - matmul(a, x)
        res = rsum(_re(_cj(r) * r), axis=0)
        res = reshape(res, shape=(1,)) if len(shape_of(b)) == 1 else res
    else:
        res = res0
    return x, res, rank, svd(a, compute_uv=False)


# ------------------------------------------------------------------ norm
def _abs2(x):
    return _re(_cj(x) * x)


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return sqrt(rsum(_abs2(x), axis=axis, keepdims=keepdims))
    ax = absolute(x)
    if ord == onp.inf:
        return rmax(ax, axis=axis, keepdims=keepdims)
    if ord == -onp.inf:
        return rmin(ax, axis=axis, keepdims=keepdims)
    if ord == 0:
        return rsum(where(getval(x) != 0, 1.0, 0.0 * ax), axis=axis, keepdims=keepdims)
    if ord == 1:
        return rsum(ax, axis=axis, keepdims=keepdims)
    return power(rsum(power(ax, ord), axis=axis, keepdims=keepdims), 1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord in (None, "fro"):
        out = sqrt(rsum(_abs2(x), axis=axes))
    elif ord in ("nuc", 2, -2):
        s = svd(moveaxis(x, axes, (-2, -1)), compute_uv=False)
        out = {"nuc": rsum, 2: rmax, -2: rmin}[ord](s, axis=-1)
    else:
        inner, outer = (c, r) if ord in (onp.inf, -onp.inf) else (r, c)
        pick = rmax if ord in (1, onp.inf) else rmin
        out = pick(rsum(absolute(x), axis=inner, keepdims=True), axis=outer, keepdims=True)
        out = reshape(out, shape=[d for i, d in enumerate(shape_of(out)) if i not in axes])
    if keepdims:
        shape = list(shape_of(x))
        shape[r] = shape[c] = 1
        out = reshape(out, shape=tuple(shape))
    return out


@composite(onp.linalg.norm)
def norm(x, ord=None, axis=None, keepdims=False):
    onp.linalg.norm(getval(x), ord, axis, keepdims)  # let numpy reject bad ord/axis combinations
    nd = len(shape_of(x))
    if axis is None:
        if ord is None:
            out = sqrt(rsum(_abs2(x)))
            return reshape(out, shape=(1,) * nd) if keepdims else out
        axis = tuple(range(nd))
    axes = normalize_axis_tuple(axis, nd)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    return _matrix_norm(x, ord, axes, keepdims)


@composite(onp.linalg.matrix_norm)
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


@composite(onp.linalg.vector_norm)
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    if axis is None:
        out = _vector_norm(reshape(x, shape=(-1,)), ord, 0, False)
        return reshape(out, shape=(1,) * len(shape_of(x))) if keepdims else out
    axes = normalize_axis_tuple(axis, len(shape_of(x)))
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    rest = [i for i in range(len(shape_of(x))) if i not in axes]
    flat = reshape(moveaxis(x, axes, tuple(range(-len(axes), 0))),
                   shape=tuple(shape_of(x)[i] for i in rest) + (-1,))
    out = _vector_norm(flat, ord, -1, False)
    if keepdims:
        out = reshape(out, shape=tuple(1 if i in axes else d for i, d in enumerate(shape_of(x))))
    return out


# ------------------------------------------------------------------ tensor forms
@composite(onp.linalg.tensorinv)
def tensorinv(a, ind=2):
    shape = shape_of(a)
    rows = int(onp.prod(shape[:ind], dtype=int))
    return reshape(inv(reshape(a, shape=(rows, -1))), shape=shape[ind:] + shape[:ind])


@composite(onp.linalg.tensorsolve)
def tensorsolve(a, b, axes=None):
    if axes is not None:
        a = moveaxis(a, axes, tuple(range(len(shape_of(a)) - len(axes), len(shape_of(a)))))
    rest = shape_of(a)[len(shape_of(b)):]
    x = solve(reshape(a, shape=(int(onp.prod(shape_of(b), dtype=int)), -1)), reshape(b, shape=(-1,)))
    return reshape(x, shape=rest)


# cond(x, p) = s_max / s_min (p None or 2; s_min / s_max for -2), else |x|_p |x⁻¹|_p:
# numpy's definition, through svd's, norm's and inv's rules (it used to be a pass-through,
# which gave a zero derivative).
@composite(onp.linalg.cond)
def cond(x, p=None):
    if p is None or p in (2, -2):
        s = svd(x, compute_uv=False)
        hi, lo = getitem(s, (Ellipsis, 0)), getitem(s, (Ellipsis, -1))
        return lo / hi if p == -2 else hi / lo
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


LINALG = dict(matrix_power=matrix_power, multi_dot=multi_dot, lstsq=lstsq, norm=norm,
              matrix_norm=matrix_norm, vector_norm=vector_norm, tensorinv=tensorinv,
              tensorsolve=tensorsolve, cond=cond)
__all__: list[str] = []
