"""Differences and integrals along an axis: diff, ediff1d, gradient,
trapezoid. All are linear in the array (weights come from numpy itself), so
they are written with slicing and arithmetic primitives and need no rules of
their own."""
from __future__ import annotations

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index

from ..core import holds_tracer, peek
from ._helpers import broadcast_to, composite as when_traced, ndim_of as _nd, shape_of
from .reductions import _axes, sum
from .shape import concatenate, getitem, reshape


def _slice(nd, axis, sl):
    return (slice(None),) * axis + (sl,) + (slice(None),) * (nd - axis - 1)


def _edge(v, a, axis):
    """``prepend``/``append`` of diff: a scalar becomes a length-1 slab along axis."""
    if _nd(v) == 0:
        shape = list(shape_of(a))
        shape[axis] = 1
        return broadcast_to(v, shape=tuple(shape))
    return v


@when_traced(onp.diff)
def diff(a, n=1, axis=-1, prepend=onp._NoValue, append=onp._NoValue):
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    nd = _nd(a)
    axis = normalize_axis_index(axis, nd)
    parts = [a]
    if prepend is not onp._NoValue:
        parts.insert(0, _edge(prepend, a, axis))
    if append is not onp._NoValue:
        parts.append(_edge(append, a, axis))
    if len(parts) > 1:
        a = concatenate(parts, axis=axis)
    for _ in range(n):
        a = getitem(a, _slice(nd, axis, slice(1, None))) - getitem(a, _slice(nd, axis, slice(None, -1)))
    return a


def _in_dtype(v, dt):
    """A constant end of ediff1d in ary's dtype (a traced one keeps its own)."""
    return v if holds_tracer(v) or dt.kind not in "fc" else onp.asarray(v, dtype=dt)


@when_traced(onp.ediff1d)
def ediff1d(ary, to_end=None, to_begin=None):
    d = diff(reshape(ary, shape=(-1,)))
    parts = [d]
    dt = onp.result_type(peek(ary))  # numpy casts the ends to ary's dtype
    if to_begin is not None:
        parts.insert(0, reshape(_in_dtype(to_begin, dt), shape=(-1,)))
    if to_end is not None:
        parts.append(reshape(_in_dtype(to_end, dt), shape=(-1,)))
    return concatenate(parts) if len(parts) > 1 else d


# gradient is linear in f along each axis, with at most 5 neighbouring entries
# per output (edge_order 2 at the ends). numpy itself gives the weights: apply it
# to the 5 "combs" (1 at positions j = r mod 5); then out_i = sum_r w_r[i] f[j_r(i)],
# where j_r(i) is the position = r mod 5 within [i-2, i+2].
def _gradient_axis(f, axis, spacing, edge_order):
    n = shape_of(f)[axis]
    nd = _nd(f)
    i = onp.arange(n)
    out = None
    for r in range(5 if n > 5 else n):
        comb = (i % 5 == r).astype(float)
        w = onp.gradient(comb, spacing, edge_order=edge_order)
        j = i - 2 + ((r - (i - 2)) % 5)
        valid = (j >= 0) & (j < n) & (w != 0)
        if not onp.any(valid):
            continue
        picked = getitem(f, _slice(nd, axis, onp.clip(j, 0, n - 1)))
        wshape = [1] * nd
        wshape[axis] = n
        # the weights in f's float dtype, as numpy computes (float32 f: float32 gradient)
        term = picked * _weights(onp.where(valid, w, 0.0).reshape(wshape), f)
        out = term if out is None else out + term
    return out


def _weights(w, f):
    dt = onp.result_type(peek(f))
    if dt.kind not in "fc":
        return w
    real = onp.finfo(dt).dtype  # complex64 f: float32 weights
    return w if real == w.dtype else w.astype(real)


@when_traced(onp.gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    if holds_tracer(*varargs):
        from ..core import DifferentiationError
        raise DifferentiationError("numpy.gradient: the spacing arguments cannot be traced; "
                                   "only f is differentiable.")
    nd = _nd(f)
    axes = list(_axes(axis, nd))
    if len(varargs) == 0:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and onp.ndim(varargs[0]) == 0:
        spacings = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacings = list(varargs)
    else:
        raise TypeError("invalid number of arguments")
    outs = [_gradient_axis(f, ax, sp, edge_order) for ax, sp in zip(axes, spacings)]
    return outs[0] if len(outs) == 1 else tuple(outs)


# trapezoid(y, x) = sum (x_{k+1} - x_k) (y_{k+1} + y_k) / 2 along axis.
@when_traced(onp.trapezoid)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    nd = _nd(y)
    axis = normalize_axis_index(axis, nd)
    if x is None:
        d = dx
    else:
        if _nd(x) == 1:
            shape = [1] * nd
            shape[axis] = shape_of(x)[0]
            x = reshape(x, shape=tuple(shape))
        d = diff(x, axis=axis)
    hi = getitem(y, _slice(nd, axis, slice(1, None)))
    lo = getitem(y, _slice(nd, axis, slice(None, -1)))
    return sum(d * (hi + lo) / 2.0, axis=axis)


__all__ = ["diff", "ediff1d", "gradient", "trapezoid"]
