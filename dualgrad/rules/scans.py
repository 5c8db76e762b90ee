"""NaN-aware reductions, cumulative products, sorting and order statistics
(median, quantile/percentile), average, ptp. (Differences, gradient and
trapezoid are in differences.py.)

Only ``cumprod`` is a primitive here (its rules must handle zeros exactly);
everything else is written with primitives that have both rules. Sorting and
order statistics pick entries (``take_along_axis`` of numpy's ``argsort``), so
their derivative is that of the picked entries, as for max/min.
"""
from __future__ import annotations

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index

from ..core import Primitive, Tracer, getval, peek, plain_function
from ..core.duck import is_duck_array
from ._helpers import astype, broadcast_to, shape_of, unbroadcast
from ._helpers import no_out as _no_out, ndim_of as _nd
from .complex import abs2
from ._helpers import composite as when_traced
from .construction import take_along_axis
from .elementwise import sqrt, where
from .reductions import _axes, _count as _reduced_count, _ddof, _spread, cumsum, max, mean, min, sum
from .shape import concatenate, flip, reshape, transpose, getitem, stack




def _isnan(a):
    return onp.isnan(getval(a))


def _no_kw(kw, name):
    """``where``/``initial`` (and the like) change the result: refuse them rather than drop
    them silently (a wrong value and derivative)."""
    _ddof(0, {k: v for k, v in kw.items() if k != "correction"}, name)
    if "correction" in kw:
        raise TypeError(f"{name}() got an unexpected keyword argument 'correction'")


# ----------------------------------------------------------------- cumprod
# c_k = prod_{i <= k} x_i along an axis;  J[k, i] = prod_{j <= k, j != i} x_j (i <= k).
# When dividing by x is exact (no zero, no partial product that under- or
# overflows, no denormal entry):  JVP = c cumsum(t / x),  VJP = revcumsum(g c) / x.
# Otherwise the product rule as a recurrence along the axis, with no division:
#   JVP: dc_0 = t_0,  dc_k = x_k dc_{k-1} + c_{k-1} t_k
#   VJP: a_{n-1} = g_{n-1},  a_k = g_k + x_{k+1} a_{k+1};   x̄_0 = a_0,  x̄_k = c_{k-1} a_k
# Written with primitives, so it is exact as a function of x to every order
# (one primitive call per position: slower, used only where division fails).
def _divides_exactly(x, axis) -> bool:
    xv = getval(x)
    if is_duck_array(xv):  # a lazy (dask) array: no branch on its values; the recurrence
        return False
    kind = onp.result_type(xv).kind
    tiny = onp.finfo(onp.result_type(xv)).tiny if kind in "fc" else 1
    c = onp.abs(onp.cumprod(xv, axis=axis))
    return bool(onp.all(onp.abs(xv) >= tiny) and onp.all(onp.isfinite(c))
                and onp.all(c >= tiny))


def _at(v, axis, k):
    return getitem(v, (slice(None),) * normalize_axis_index(axis, _nd(v)) + (k,))


def _cp_jvp(t, x, axis):
    c = cumprod_prim(x, axis=axis)
    if _divides_exactly(x, axis):
        return c * cumsum(t / x, axis=axis)
    out = [_at(t, axis, 0)]
    for k in range(1, shape_of(x)[axis]):
        out.append(_at(x, axis, k) * out[-1] + _at(c, axis, k - 1) * _at(t, axis, k))
    return stack(out, axis=axis)


def _revcumsum(g, axis):
    return flip(cumsum(flip(g, axis=axis), axis=axis), axis=axis)


def _cp_vjp(g, x, axis):
    c = cumprod_prim(x, axis=axis)
    if _divides_exactly(x, axis):
        return _revcumsum(g * c, axis) / x
    n = shape_of(x)[axis]
    xbar, a = [None] * n, None
    for k in reversed(range(n)):
        a = _at(g, axis, k) if a is None else _at(g, axis, k) + _at(x, axis, k + 1) * a
        xbar[k] = a if k == 0 else _at(c, axis, k - 1) * a
    return stack(xbar, axis=axis)


def _cumprod_jvp(t, ans, x, axis):
    return _cp_jvp(t, x, axis)


def _cumprod_vjp(g, ans, x, axis):
    return unbroadcast(_cp_vjp(g, x, axis), x)


def _cumprod(x, axis):
    return onp.cumprod(x, axis=axis)


cumprod_prim = Primitive(_cumprod, "cumprod")
cumprod_prim.def_jvp(_cumprod_jvp)
cumprod_prim.def_vjp(_cumprod_vjp, reads="x")


# p = prod(x, axis).  dp/dx_i = prod_{k != i} x_k  ("the others").
# Without zeros: others = prod(x) / x. With an exact zero anywhere (or a
# product that under- or overflows, see _divides_exactly), division fails, and
# zero masks that are constant in x give the right first derivative but a
# wrong second one (d others_i / dx_z = prod_{k != i, z} x_k is not 0).
# So then, along the reduced axes flattened to one axis of length n:
#   others_i = (prod_{k < i} x_k) (prod_{k > i} x_k),
# an exclusive cumprod from the left times one from the right: no division,
# and exact as a function of x to every order (cumprod's rules handle zeros).
def _divides_exactly(x, axis) -> bool:
    """prod(x) / x is safe: no zero in x, and no product under- or overflows
    (prod([1e-200, 1e-200, 3]) is 0 in floating point, and 0 / x loses
    d^2 p / dx_0 dx_1 = 3)."""
    xv = getval(x)
    if is_duck_array(xv):  # a lazy (dask) array: no branch on its values
        return False
    if onp.any(xv == 0):
        return False
    p = onp.abs(onp.prod(xv, axis=axis))
    kind = onp.result_type(xv).kind
    tiny = onp.finfo(onp.result_type(xv)).tiny if kind in "fc" else 1
    return bool(onp.all(onp.isfinite(p)) and onp.all(p >= tiny))


def _prod_others(x, ans, axis):
    if _divides_exactly(x, axis):
        return prod(x, axis=axis, keepdims=True) / x
    shape = shape_of(x)
    red = _axes(axis, len(shape))
    keep = tuple(a for a in range(len(shape)) if a not in red)
    perm = keep + red
    lead = tuple(shape[a] for a in keep)
    xt = reshape(transpose(x, perm), shape=lead + (_reduced_count(x, axis),))
    one = onp.ones(lead + (1,), dtype=onp.result_type(peek(x)))

    def cut(s):
        return getitem(xt, (slice(None),) * len(lead) + (s,))
    left = cumprod_prim(concatenate([one, cut(slice(None, -1))], axis=-1), axis=-1)
    right = flip(cumprod_prim(flip(concatenate([cut(slice(1, None)), one], axis=-1), axis=-1),
                              axis=-1), axis=-1)
    others = reshape(left * right, shape=tuple(shape[a] for a in perm))
    return transpose(others, tuple(int(i) for i in onp.argsort(perm)))


def _prod(x, axis=None, keepdims=False, dtype=None):
    return onp.prod(x, axis=axis, keepdims=keepdims, dtype=dtype)


prod = Primitive(_prod, "prod")
prod.def_jvp(lambda t, ans, x, axis=None, keepdims=False, dtype=None:
             sum(t * _prod_others(x, ans, axis), axis=axis, keepdims=keepdims))
prod.def_vjp(lambda g, ans, x, axis=None, keepdims=False, dtype=None:
             unbroadcast(_spread(g, x, axis, keepdims) * _prod_others(x, ans, axis), x), reads="x")


@when_traced(onp.cumprod)
def cumprod(a, axis=None, dtype=None, out=None):
    _no_out(out, "cumprod")
    if dtype is not None:
        a = astype(a, dtype=dtype)
    if axis is None:
        a, axis = reshape(a, shape=(-1,)), 0
    return cumprod_prim(a, axis=normalize_axis_index(axis, _nd(a)))


def _with_initial(c, x, axis, value):
    shape = list(shape_of(c))
    shape[axis] = 1
    first = onp.full(shape, value, onp.result_type(peek(c)))
    return concatenate([first, c], axis=axis)


def _cumulative(scan, value):
    def fun(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        _no_out(out, scan.__name__)
        if axis is None:
            if _nd(x) > 1:
                raise ValueError("axis must be specified for multi-dimensional arrays")
            axis = 0
        axis = normalize_axis_index(axis, _nd(x))
        c = scan(x, axis=axis, dtype=dtype)
        return _with_initial(c, x, axis, value) if include_initial else c
    return fun


cumulative_sum = when_traced(onp.cumulative_sum)(_cumulative(cumsum, 0))
cumulative_prod = when_traced(onp.cumulative_prod)(_cumulative(cumprod, 1))


# ------------------------------------------------------------- NaN-aware
@when_traced(onp.nancumsum)
def nancumsum(a, axis=None, dtype=None, out=None):
    _no_out(out, "nancumsum")
    return cumsum(where(_isnan(a), 0.0, a), axis=axis, dtype=dtype)


@when_traced(onp.nancumprod)
def nancumprod(a, axis=None, dtype=None, out=None):
    return cumprod(where(_isnan(a), 1.0, a), axis=axis, dtype=dtype, out=out)


@when_traced(onp.nansum)
def nansum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _no_out(out, "nansum")
    _no_kw(kw, "nansum")
    return sum(where(_isnan(a), 0.0, a), axis=axis, keepdims=keepdims, dtype=dtype)


@when_traced(onp.nanprod)
def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _no_out(out, "nanprod")
    _no_kw(kw, "nanprod")
    return prod(where(_isnan(a), 1.0, a), axis=axis, keepdims=keepdims, dtype=dtype)


def _count(a, axis, keepdims):
    n = onp.sum(~_isnan(a), axis=axis, keepdims=keepdims)
    dt = onp.result_type(peek(a))
    return n.astype(dt) if dt.kind == "f" else n


@when_traced(onp.nanmean)
def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _no_kw(kw, "nanmean")
    return nansum(a, axis, dtype, out, keepdims) / _count(a, axis, keepdims)


@when_traced(onp.nanvar)
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    _no_out(out, "nanvar")
    ddof = _ddof(ddof, kw, "nanvar")
    nan = _isnan(a)
    m = nanmean(a, axis=axis, keepdims=True)
    d = where(nan, 0.0, a - m)
    return sum(abs2(d), axis=axis, keepdims=keepdims) / (_count(a, axis, keepdims) - ddof)


@when_traced(onp.nanstd)
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return sqrt(nanvar(a, axis=axis, out=out, ddof=_ddof(ddof, kw, "nanstd"), keepdims=keepdims))


def _nan_extremum(reduce, fill):
    def fun(a, axis=None, out=None, keepdims=False, **kw):
        _no_out(out, reduce.__name__)
        _no_kw(kw, f"nan{reduce.__name__}")
        nan = _isnan(a)
        res = reduce(where(nan, fill, a), axis=axis, keepdims=keepdims)
        all_nan = onp.all(nan, axis=axis, keepdims=keepdims)
        return where(all_nan, onp.nan, res) if onp.any(all_nan) else res
    return fun


nanmax = when_traced(onp.nanmax)(_nan_extremum(max, -onp.inf))
nanmin = when_traced(onp.nanmin)(_nan_extremum(min, onp.inf))


@when_traced(onp.ptp)
def ptp(a, axis=None, out=None, keepdims=False):
    _no_out(out, "ptp")
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


# ------------------------------------------------------------ sorting
def _argsort_pick(a, axis, order_fun):
    if axis is None:
        a, axis = reshape(a, shape=(-1,)), 0
    return take_along_axis(a, plain_function(_plain_order)(a, axis, order_fun), axis=axis)


def _plain_order(a, axis, order_fun):
    return order_fun(getval(a), axis)


@when_traced(onp.sort)
def sort(a, axis=-1, kind=None, order=None, **kw):
    return _argsort_pick(a, axis, lambda v, ax: onp.argsort(v, axis=ax, kind=kind, **kw))


@when_traced(onp.sort_complex)
def sort_complex(a):
    a = a if onp.iscomplexobj(peek(a)) else astype(a, dtype=complex)
    return sort(a)


@when_traced(onp.partition)
def partition(a, kth, axis=-1, kind="introselect", order=None):
    return _argsort_pick(a, axis, lambda v, ax: onp.argpartition(v, kth, axis=ax, kind=kind))


# ------------------------------------------------------- order statistics
# quantile(a, q) with numpy's interpolation methods that pick or linearly blend
# the sorted entries at positions (n - 1) q. The blend weight is computed from q
# with primitives, so the result is differentiable in q as well as in a.
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lerp(a, b, t):
    # numpy's form (exact at t = 1); the same function of a, b, t.
    d = b - a
    return where(_upper_half(t), b - d * (1 - t), a + d * t)


@plain_function
def _upper_half(t):
    return getval(t) >= 0.5


def _quantile(a, q, axis, keepdims, method, ignore_nan):
    if method not in _METHODS:
        raise NotImplementedError(f"quantile(method={method!r}) is not differentiable in "
                                  f"dualgrad; use one of {_METHODS}.")
    nd = _nd(a)
    axes = _axes(axis, nd)
    kept = [i for i in range(nd) if i not in axes]
    shape = shape_of(a)
    r_shape = tuple(shape[i] for i in kept)
    flat = reshape(transpose(a, tuple(kept + list(axes))), shape=r_shape + (-1,))
    av = getval(flat)
    s = take_along_axis(flat, onp.argsort(av, axis=-1), axis=-1)  # NaNs sort last
    n = av.shape[-1]
    qv = onp.asarray(getval(q), dtype=float)
    if onp.any((qv < 0) | (qv > 1)):
        raise ValueError("Quantiles must be in the range [0, 1]")
    q_nd = qv.ndim
    nan = onp.isnan(av)
    cnt = (onp.sum(~nan, axis=-1) if ignore_nan else onp.full(r_shape, n))
    cnt = cnt.reshape(r_shape + (1,) * q_nd)
    pos_v = (cnt - 1) * qv
    lo = onp.floor(pos_v)
    hi = onp.minimum(lo + 1, onp.maximum(cnt - 1, 0))
    if method == "lower":
        hi = lo
    elif method == "higher":
        lo = hi = onp.ceil(pos_v)
    elif method == "nearest":
        lo = hi = onp.around(pos_v)
    lo_i = onp.clip(lo, 0, n - 1).astype(int)
    hi_i = onp.clip(hi, 0, n - 1).astype(int)

    def pick(idx):
        got = take_along_axis(s, idx.reshape(r_shape + (-1,)), axis=-1)
        return reshape(got, shape=r_shape + qv.shape)

    a_lo, a_hi = pick(lo_i), pick(hi_i)
    if method == "linear":
        dt = onp.result_type(av)
        w = (cnt - 1) * q - lo
        w = w.astype(dt) if dt.kind == "f" and not isinstance(w, Tracer) else w
        res = _lerp(a_lo, a_hi, w)
    elif method == "midpoint":
        res = a_lo + (a_hi - a_lo) * onp.where(hi > lo, 0.5, 0.0).astype(av.dtype)
    else:
        res = a_lo
    bad = (cnt == 0) if ignore_nan else onp.any(nan, axis=-1).reshape(cnt.shape)
    if onp.any(bad):
        res = where(onp.broadcast_to(bad, shape_of(res)), onp.nan, res)
    rank = len(r_shape)
    res = transpose(res, tuple(range(rank, rank + q_nd)) + tuple(range(rank)))
    if keepdims:
        out_shape = tuple(1 if i in axes else n_ for i, n_ in enumerate(shape))
        res = reshape(res, shape=qv.shape + out_shape)
    return res


def _quantile_fun(numpy_fun, percent, ignore_nan):
    @when_traced(numpy_fun)
    def fun(a, q, axis=None, out=None, overwrite_input=False, method="linear",
            keepdims=False, *, weights=None, interpolation=None):
        _no_out(out, numpy_fun.__name__)
        if weights is not None:
            raise NotImplementedError(f"{numpy_fun.__name__}(weights=...) is not "
                                      "differentiable in dualgrad.")
        q = q if isinstance(q, Tracer) else onp.asarray(q)
        return _quantile(a, q / 100 if percent else q, axis, keepdims,
                         interpolation or method, ignore_nan)
    return fun


quantile = _quantile_fun(onp.quantile, False, False)
percentile = _quantile_fun(onp.percentile, True, False)
nanquantile = _quantile_fun(onp.nanquantile, False, True)
nanpercentile = _quantile_fun(onp.nanpercentile, True, True)


@when_traced(onp.median)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    _no_out(out, "median")
    return _quantile(a, 0.5, axis, keepdims, "linear", False)


@when_traced(onp.nanmedian)
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    _no_out(out, "nanmedian")
    return _quantile(a, 0.5, axis, keepdims, "linear", True)


@when_traced(onp.average)
def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        scl = onp.full(shape_of(avg), onp.size(peek(a)) / (onp.size(peek(avg)) or 1))
    else:
        w = weights
        if shape_of(w) != shape_of(a):
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            axes = _axes(axis, _nd(a))
            wshape = [1] * _nd(a)
            for i, ax in enumerate(axes):
                wshape[ax] = shape_of(w)[i]
            w = reshape(w, shape=tuple(wshape))
        scl = sum(w * onp.ones(shape_of(a), onp.result_type(peek(a))), axis=axis, keepdims=keepdims)
        if onp.any(getval(scl) == 0.0):
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        avg = sum(a * w, axis=axis, keepdims=keepdims) / scl
    if returned:
        if shape_of(scl) != shape_of(avg):
            scl = broadcast_to(scl, shape=shape_of(avg))
        return avg, scl
    return avg


__all__ = ["prod", "cumprod", "cumulative_sum", "cumulative_prod", "nancumsum", "nancumprod",
           "nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "ptp",
           "sort", "sort_complex", "partition", "quantile", "percentile", "nanquantile",
           "nanpercentile", "median", "nanmedian", "average"]
