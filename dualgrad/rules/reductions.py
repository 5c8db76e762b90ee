"""Reductions and scans: sum, mean, prod, max/min, var/std, cumsum.

A reduction's VJP spreads the cotangent back over the reduced axes; ``_spread``
does that once for all of them (re-insert the reduced axes, then broadcast).
"""
from __future__ import annotations

import numpy as onp
from numpy.lib.array_utils import normalize_axis_tuple

from ..core import PLAIN_FLOATS, Primitive, Tracer, notrace_primitive, peek
from ..core.duck import is_duck_array
from ._helpers import astype, broadcast_to, composite, filled, shape_of, unbroadcast
from ._helpers import no_out as _no_out
from .complex import abs2
from .elementwise import sqrt, where
from .shape import reshape, flip


def _axes(axis, ndim) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axis = axis if isinstance(axis, tuple) else (axis,)
    return tuple(normalize_axis_tuple(axis, ndim))


def _spread(g, x, axis, keepdims):
    """Broadcast the cotangent of a reduction over ``axis`` back to x's shape."""
    shape = shape_of(x)
    if axis is None and not keepdims:  # a total: g is a scalar
        if g.__class__ in PLAIN_FLOATS:
            return filled(g, shape)
        if not shape_of(g):
            return broadcast_to(g, shape=shape)
    if not keepdims:
        kept = list(shape)
        for a in _axes(axis, len(shape)):
            kept[a] = 1
        g = reshape(g, shape=tuple(kept))
    return broadcast_to(g, shape=shape)


def _count(x, axis) -> int:
    shape = shape_of(x)
    return int(onp.prod([shape[a] for a in _axes(axis, len(shape))], dtype=int))


# s = sum(x, axis)       linear;  VJP: g spread over the summed axes
def _sum(x, axis=None, keepdims=False, dtype=None):
    if x.__class__ is onp.ndarray:  # what ndarray.sum calls, without numpy.sum's dispatch
        return _ADD_REDUCE(x, axis, dtype, None, keepdims)
    return onp.sum(x, axis=axis, keepdims=keepdims, dtype=dtype)


_ADD_REDUCE = onp.add.reduce


sum = Primitive(_sum, "sum")
sum.def_jvp(lambda t, ans, x, axis=None, keepdims=False, dtype=None:
            sum(t, axis=axis, keepdims=keepdims, dtype=dtype))
sum.def_vjp(lambda g, ans, x, axis=None, keepdims=False, dtype=None:
            unbroadcast(_spread(g, x, axis, keepdims), x), reads=())


# m = mean(x, axis) = sum(x, axis) / N
def _mean(x, axis=None, keepdims=False, dtype=None):
    return onp.mean(x, axis=axis, keepdims=keepdims, dtype=dtype)


mean = Primitive(_mean, "mean")
mean.def_jvp(lambda t, ans, x, axis=None, keepdims=False, dtype=None:
             mean(t, axis=axis, keepdims=keepdims, dtype=dtype))
mean.def_vjp(lambda g, ans, x, axis=None, keepdims=False, dtype=None:
             unbroadcast(_spread(g, x, axis, keepdims) / _count(x, axis), x), reads=())


# m = max(x, axis): the derivative flows to the entries equal to the max,
# split evenly between ties.
def _argmax_share(x, ans, axis, keepdims):
    a = ans
    if not keepdims and shape_of(x):
        kept = _axes(axis, len(shape_of(x)))
        a = reshape(ans, shape=tuple(1 if i in kept else n for i, n in enumerate(shape_of(x))))
    hit = _equal(x, a)  # the mask and its count: batched calls, so vmap stays one pass
    share = hit / sum(hit, axis=axis, keepdims=True)
    dt = onp.result_type(peek(x))
    return astype(share, dtype=dt) if dt.kind == "f" else share  # float32 stays float32


_equal = notrace_primitive(lambda x, a: x == a, elementwise=True)


def _def_extremum(fun, name):
    prim = Primitive(fun, name)
    prim.def_jvp(lambda t, ans, x, axis=None, keepdims=False, **kw:
                 sum(t * _argmax_share(x, ans, axis, keepdims), axis=axis, keepdims=keepdims))
    prim.def_vjp(lambda g, ans, x, axis=None, keepdims=False, **kw:
                 unbroadcast(_spread(g, x, axis, keepdims) * _argmax_share(x, ans, axis, keepdims), x),
                 reads="x ans")
    return prim


max = _def_extremum(lambda x, axis=None, keepdims=False, **kw: onp.max(x, axis=axis, keepdims=keepdims, **kw), "max")
min = _def_extremum(lambda x, axis=None, keepdims=False, **kw: onp.min(x, axis=axis, keepdims=keepdims, **kw), "min")
amax, amin = max, min


# c = cumsum(x, axis):  linear;  VJP: the reversed cumulative sum of g.
def _cumsum(x, axis=None, dtype=None):
    return onp.cumsum(x, axis=axis, dtype=dtype)


def _cumsum_vjp(g, ans, x, axis=None, dtype=None):
    if axis is None:
        return unbroadcast(reshape(flip(cumsum(flip(g, axis=0), axis=0), axis=0), shape=shape_of(x)), x)
    return unbroadcast(flip(cumsum(flip(g, axis=axis), axis=axis), axis=axis), x)


cumsum = Primitive(_cumsum, "cumsum")
cumsum.def_jvp(lambda t, ans, x, axis=None, dtype=None: cumsum(t, axis=axis, dtype=dtype))
cumsum.def_vjp(_cumsum_vjp, reads=())


# var(x) = sum |x - mean(x)|^2 / (N - ddof);  std = sqrt(var).  Written with the
# primitives above, so both modes and all orders come from their rules.
@composite(onp.var)
def var(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    _no_out(out, "var")
    ddof = _ddof(ddof, kw, "var")
    if dtype is not None:  # numpy computes in dtype
        x = astype(x, dtype=dtype)
    d = x - mean(x, axis=axis, keepdims=True)
    sq = abs2(d)
    v = sum(sq, axis=axis, keepdims=keepdims) / (_count(x, axis) - ddof)
    # numpy answers in a complex dtype asked for (a real value, stored complex)
    return astype(v, dtype=dtype) if dtype is not None and onp.dtype(dtype).kind == "c" else v


@composite(onp.std)
def std(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    _no_out(out, "std")
    v = var(x, axis=axis, dtype=dtype, ddof=_ddof(ddof, kw, "std"), keepdims=keepdims)
    zero = _is_zero(v)  # one batched call under vmap: no loop over the examples
    if not isinstance(zero, Tracer) and not is_duck_array(zero) and not onp.any(zero):  # no branch on a lazy array's values
        return sqrt(v)
    # Zero variance (all entries equal; always so along an axis of length 1, where
    # std is identically 0 and its derivative is 0): sqrt'(0) = inf times dvar = 0
    # gave nan. Take the derivative 0 there, as abs does at 0.
    return where(zero, 0.0, sqrt(where(zero, 1.0, v)))


_is_zero = notrace_primitive(lambda v: v == 0, elementwise=True)


def _ddof(ddof, kw, name):
    """numpy's ``correction`` is ``ddof``; ``where``/``mean`` would change the result, and
    used to be silently dropped (a wrong value and derivative): refuse them."""
    kw = dict(kw)
    if "correction" in kw:
        ddof = kw.pop("correction")
    if kw.get("where", True) is True:
        kw.pop("where", None)
    if kw:
        raise TypeError(f"{name}(..., {'=/'.join(kw)}=) is not supported on traced arrays; "
                        "drop those arguments (select the entries first, e.g. x[mask]).")
    return ddof



__all__ = ["sum", "mean", "max", "min", "amax", "amin", "cumsum", "var", "std"]
