"""Helpers shared by the rule families: broadcasting, dtype casts, and the
one-line way of declaring an elementwise primitive from its derivative."""
from __future__ import annotations

import functools
import inspect
from typing import Callable

import numpy as onp

from ..core import PLAIN_FLOATS, Primitive, holds_tracer, peek
from ..core import ndim_of, shape_of  # noqa: F401  (the families import them from here)
from ..core.duck import is_duck_array
from ..core.errors import numpy_io
from ..core.mp import MP
from ..core.residuals import NotKept
from .complex import cast_like


def as_array(x):
    """``numpy.asarray(x)``, except that an ndarray or a duck array (dask, cupy)
    is returned as it is: converting a lazy dask array would compute it."""
    if isinstance(x, onp.ndarray) or is_duck_array(x):
        return x
    return onp.asarray(x)


def no_out(out, name: str) -> None:
    """``out=`` cannot receive a traced result: say so instead of ignoring it."""
    if out is not None:
        numpy_io(f"numpy.{name}", {"out": out})  # raises


# sum_to_shape(x, shape): sum the broadcast axes of x away so it has `shape`.
#   linear;  JVP: sum_to_shape(t);  VJP: broadcast_to(g, x.shape)
def _sum_to_shape(x, shape):
    x = as_array(x)
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    out = onp.sum(x, axis=axes, keepdims=True) if axes else x
    return out.reshape(shape)


sum_to_shape = Primitive(_sum_to_shape, "sum_to_shape")
sum_to_shape.def_jvp(lambda t, ans, x, shape: sum_to_shape(t, shape=shape))
sum_to_shape.def_vjp(lambda g, ans, x, shape: broadcast_to(g, shape=shape_of(x)), reads=())


# broadcast_to(x, shape): linear;  JVP: broadcast_to(t);  VJP: sum_to_shape(g, x.shape)
def _broadcast_to(x, shape, subok=False):
    if getattr(x, "chunks", None) is not None and is_duck_array(x):
        return _broadcast_chunked(x, shape)
    return onp.broadcast_to(x, shape)


def _broadcast_chunked(x, shape):
    """broadcast_to for a chunked (dask) array, with bounded chunks: dask's default
    makes each new axis one chunk, so the cotangent of sum(X) over a big X would be
    one block of X's full size (materialised in one task as soon as it is scaled)."""
    lead = len(shape) - x.ndim
    fixed = [None] * lead + [c if n == s else None
                             for c, n, s in zip(x.chunks, x.shape, shape[lead:])]
    block = x.dtype.itemsize * int(onp.prod([max(c, default=1) for c in fixed if c]))
    budget = max(1, _CHUNK_BYTES // max(block, 1))  # entries over the broadcast axes
    chunks = []
    for n, c in zip(reversed(shape), reversed(fixed)):
        if c is None:
            step = max(1, min(n, budget))
            budget = max(1, budget // step)
            c = (step,) * (n // step) + ((n % step,) if n % step else ()) or (0,)
        chunks.append(c)
    try:  # dask's broadcast_to, reached through the protocol: it takes chunks=
        return type(x).__array_function__(x, onp.broadcast_to, (type(x),), (x, shape),
                                          {"chunks": tuple(reversed(chunks))})
    except TypeError:
        return onp.broadcast_to(x, shape)


_CHUNK_BYTES = 64 * 2 ** 20


broadcast_to = Primitive(_broadcast_to, "broadcast_to")
broadcast_to.def_jvp(lambda t, ans, x, shape, subok=False: broadcast_to(t, shape=shape))
broadcast_to.def_vjp(lambda g, ans, x, shape, subok=False: unbroadcast(g, x), reads=())


def filled(g, shape: tuple) -> onp.ndarray:
    """``numpy.broadcast_to(g, shape)`` for a plain scalar ``g``: a read-only view of
    one value with zero strides, made directly (numpy's function costs more than the
    rest of a small reduction's VJP)."""
    one = onp.asarray(g)
    out = onp.ndarray(shape, one.dtype, one, 0, (0,) * len(shape))
    out.flags.writeable = False
    return out


# astype(x, dtype): linear;  VJP: the cotangent cast back to x's dtype.
def _astype(x, dtype, **kw):
    return as_array(x).astype(dtype, **kw)


astype = Primitive(_astype, "astype")
astype.def_jvp(lambda t, ans, x, dtype, **kw: astype(t, dtype=ans.dtype))
astype.def_vjp(lambda g, ans, x, dtype, **kw: cast_like(g, x), reads=())


_REAL_SCALARS = PLAIN_FLOATS


def same_space(g, x) -> bool:
    """A cheap check, for the common cases only, that ``g`` already has ``x``'s
    shape and real float dtype (so ``unbroadcast``/``cast_like`` would return it)."""
    tg, tx = type(g), type(x)
    if tx in _REAL_SCALARS:
        return tg in _REAL_SCALARS
    # x may be the tape's stand-in for an argument it did not keep (its shape and dtype)
    return (tg is onp.ndarray and (tx is onp.ndarray or tx is NotKept) and g.dtype == x.dtype
            and g.shape == x.shape and g.dtype.kind == "f")


def unbroadcast(g, x):
    """Cotangent ``g`` of a broadcast result, summed back to ``x``'s shape and
    cast to ``x``'s space (real part for real ``x``; ``x``'s float dtype)."""
    tx = x.__class__
    if tx in _REAL_SCALARS:  # fast paths: nothing to sum or cast
        if g.__class__ in _REAL_SCALARS:
            return g
    elif (tx is onp.ndarray or tx is NotKept) and g.__class__ is onp.ndarray and (
            g.dtype == x.dtype and g.shape == x.shape and g.dtype.kind == "f"):
        return g
    if shape_of(g) != shape_of(x):
        g = sum_to_shape(g, shape=shape_of(x))
    return cast_like(g, x)


def elementwise(fun: Callable, deriv: Callable, name: str | None = None) -> Primitive:
    """A unary elementwise primitive, given f'(x) as ``deriv``: a function of
    ``x``, of the answer ``out = f(x)``, or of both (``deriv(x, out)``). The
    names it takes are its residuals: all the tape keeps for its VJP.

    JVP: f'(x) * t.   VJP: g * f'(x) (holomorphic f: the convention's VJP).
    """
    prim = Primitive(fun, name or fun.__name__)
    takes = tuple(inspect.signature(deriv).parameters)
    if takes not in (("x",), ("out",), ("x", "out")):
        raise TypeError(f"elementwise({prim.name}): the derivative takes x, out or (x, out), "
                        f"not {takes}.")
    # f'(x) from what deriv takes; written out per case (no extra call on the hot path).
    # JVP: holomorphic_jvp(t, f'(x)) = t f'(x), inlined. VJP: holomorphic_vjp(g, f'(x), x),
    # inlined: f'(x) stays an unnamed temporary that numpy can overwrite with the product
    # (one array less at peak); for real scalars cast_like has nothing to do.
    if takes == ("x",):
        def jvp(t, ans, x, **kw):
            return t * deriv(x) if not kw else _jvp_kw(jvp, t, ans, x, kw)

        def vjp(g, ans, x, **kw):
            if kw:
                return _vjp_kw(vjp, g, ans, x, kw)
            g = g * deriv(x)
            return g if g.__class__ in _REAL_SCALARS and x.__class__ in _REAL_SCALARS else (
                cast_like(g, x))
    elif takes == ("out",):
        def jvp(t, ans, x, **kw):
            return t * deriv(ans) if not kw else _jvp_kw(jvp, t, ans, x, kw)

        def vjp(g, ans, x, **kw):
            if kw:
                return _vjp_kw(vjp, g, ans, x, kw)
            g = g * deriv(ans)
            return g if g.__class__ in _REAL_SCALARS and x.__class__ in _REAL_SCALARS else (
                cast_like(g, x))
    else:
        def jvp(t, ans, x, **kw):
            return t * deriv(x, ans) if not kw else _jvp_kw(jvp, t, ans, x, kw)

        def vjp(g, ans, x, **kw):
            if kw:
                return _vjp_kw(vjp, g, ans, x, kw)
            g = g * deriv(x, ans)
            return g if g.__class__ in _REAL_SCALARS and x.__class__ in _REAL_SCALARS else (
                cast_like(g, x))
    jvp.prim = vjp.prim = prim
    jvp.__name__ = f"_{prim.name}_jvp"
    vjp.__name__ = f"_{prim.name}_vjp"
    prim.def_jvp(jvp, argnum=0)
    prim.def_vjp(vjp, argnum=0, reads=" ".join("ans" if n == "out" else n for n in takes))
    prim.elementwise = True  # the batching interpreter maps it over a batch in one call
    return prim


def _jvp_kw(rule, t, ans, x, kw):
    _no_where(rule.prim.name, kw)
    return rule(t, ans, x)


def _vjp_kw(rule, g, ans, x, kw):
    _no_where(rule.prim.name, kw)
    return rule(g, ans, x)


def _no_where(name, kw):
    # ufunc(x, where=mask) leaves the masked entries uninitialised: f'(x) is no derivative
    # of those, and used to be returned silently.
    if kw.get("where", True) is not True:
        raise TypeError(f"{name}(..., where=...) is not supported on traced arrays; use "
                        f"np.where(mask, {name}(x), other) instead.")


def zero_derivative(fun: Callable, name: str | None = None) -> Primitive:
    """A primitive whose derivative is zero almost everywhere (floor, sign, round):
    traced inputs give a traced output with a zero tangent/cotangent."""
    prim = Primitive(fun, name or fun.__name__)
    prim.def_jvp(lambda t, ans, *args, **kw: 0.0 * t, argnum=0)
    prim.def_vjp(lambda g, ans, x, *args, **kw: cast_like(0.0 * sum_to_shape(g, shape=shape_of(x))
                                                           if shape_of(g) != shape_of(x)
                                                           else 0.0 * g, x), argnum=0, reads=())
    prim.elementwise = True
    return prim


def composite(numpy_fun: Callable):
    """Decorate a function written with dualgrad primitives (so it needs no rules
    of its own): when no argument holds a tracer (positional or keyword, also
    inside lists such as ``select(condlist, choicelist)``), ``numpy_fun`` runs."""

    def deco(fun):
        @functools.wraps(numpy_fun)
        def wrapped(*args, **kwargs):
            if holds_tracer(*args, *kwargs.values()):
                return fun(*args, **kwargs)
            return numpy_fun(*args, **kwargs)

        wrapped.composite_of = fun
        return wrapped

    return deco


_OBJECT = onp.dtype(object)


def exact_constant(value, mp_value: Callable, like):
    """A rule's float constant ``value`` (ln 2, sqrt(pi)), or ``mp_value(mpmath)`` as an
    MP in the working precision when ``like`` holds mpmath numbers (the only object
    arrays dualgrad differentiates): no rule rounds them to float64."""
    if getattr(peek(like), "dtype", None) == _OBJECT:
        import mpmath  # deferred: only mpmath numbers need it
        return MP(mp_value(mpmath))
    return value


def holds_mp(like) -> bool:
    """``like`` holds mpmath numbers (an MP, an object array of them, or a tracer or
    batched stand-in of one)."""
    return getattr(peek(like), "dtype", None) == _OBJECT
