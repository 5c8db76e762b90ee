"""Building and rearranging arrays: pad, triu/tril, rot90, roll, insert/delete,
take/choose/compress, constructors with traced values (full, linspace, ...), and
the ``index_update`` primitive behind ``x[i] = y`` on traced arrays. (Splitting
and stacking are in split_stack.py; kron, cross, convolve in products_stats.py.)

Almost everything here is linear in its array arguments and moves entries
around without arithmetic. Such a function is written as a *gather*: numpy runs
the same function on an array of flat positions (``arange(a.size)``), which
tells where each output entry comes from, and ``getitem`` picks those entries
from the traced array. The derivative rules are then ``getitem``'s (a scatter-add
in reverse mode), and numpy's own argument handling (modes, axes, wrap/clip,
broadcasting of ``values``) is reused, not re-implemented.
"""
from __future__ import annotations


import numpy as onp

from .. import core
from ..core import holds_tracer, DifferentiationError, Primitive, Tracer, getval, notrace_primitive, peek
from ._helpers import astype as _astype, broadcast_to, composite, shape_of, unbroadcast
from ._helpers import no_out as _no_out, ndim_of as _nd
from .elementwise import power, subtract, where
from .linalg import diag
from .shape import (concatenate, getitem, reshape, stack, transpose)


when_traced = composite  # gathers look for tracers inside sequences too



def positions(a) -> onp.ndarray:
    """The flat position of each entry of ``a``, in ``a``'s shape."""
    shape = shape_of(a)
    return onp.arange(int(onp.prod(shape, dtype=int))).reshape(shape)


def gather(a, marker):
    """``ravel(a)[marker]``: the entries of ``a`` at flat positions ``marker``."""
    return getitem(reshape(a, shape=(-1,)), onp.asarray(marker))


def gather_or(a, marker, fill):
    """Like ``gather`` where ``marker >= 0``, and ``fill`` where ``marker < 0``."""
    marker = onp.asarray(marker)
    return where(marker >= 0, gather(a, onp.maximum(marker, 0)), fill)


def _as_array(a):
    return a if isinstance(a, Tracer) else onp.asarray(a)


# ----------------------------------------------------------- x[idx] = y
# out = x with out[idx] = y  (numpy's assignment semantics, a fresh array).
#   JVP:  index_update(dx, dy, idx)
#   VJP:  x̄ = g with g[idx] = 0;   ȳ = g[idx] summed back to y's shape
# With repeated advanced indices numpy keeps the last write; only the entries
# of y that were kept get a cotangent (``_kept``).
def _index_update(x, y, idx):
    out = onp.array(x, copy=True)
    out[idx] = y
    return out


def _index_update_jvp(tangents, ans, x, y, idx):
    tx, ty = tangents[:2]
    if tx is None:
        tx = onp.zeros(onp.shape(ans), onp.result_type(peek(ans), peek(ty)))
    return index_update(tx, 0.0 if ty is None else ty, idx)


def _kept(x, idx):
    """Mask over x[idx]: True for the entries whose write survives (last wins)."""
    target = onp.empty(shape_of(x), bool)[idx].shape
    order = onp.arange(int(onp.prod(target, dtype=int))).reshape(target)
    board = onp.full(shape_of(x), -1)
    board[idx] = order
    return board[idx] == order


def _basic(idx) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return all(isinstance(i, (int, onp.integer, slice, type(None), type(Ellipsis)))
               for i in parts)


def _index_update_vjp_y(g, ans, x, y, idx):
    gy = getitem(g, idx)
    if not _basic(idx):
        gy = gy * _kept(x, idx)
    extra = _nd(y) - _nd(gy)
    if extra > 0:  # numpy drops leading length-1 axes of y when assigning
        gy = reshape(gy, shape=(1,) * extra + shape_of(gy))
    return unbroadcast(gy, y)


index_update = Primitive(_index_update, "index_update")
index_update.jvps[core.ALL] = _index_update_jvp
index_update.def_jvp(lambda t, ans, x, y, idx: index_update(t, 0.0, idx), argnum=0)
index_update.def_jvp(lambda t, ans, x, y, idx: _index_update_jvp((None, t), ans, x, y, idx),
                     argnum=1)
index_update.def_vjp(lambda g, ans, x, y, idx: unbroadcast(index_update(g, 0.0, idx), x),
                     argnum=0, reads="idx")
index_update.def_vjp(_index_update_vjp_y, argnum=1, reads="idx")
core.INDEX_UPDATE.append(index_update)


# ---------------------------------------------------- conversions, constructors
def asarray(a, dtype=None, order=None, **kw):
    """numpy.asarray; a traced array is returned as it is (cast if ``dtype`` asks)."""
    if not isinstance(a, Tracer):
        if holds_tracer(a):
            from .shape import array
            a = array(a)
        else:
            return onp.asarray(a, dtype=dtype, order=order, **kw)
    if dtype is None or onp.dtype(dtype) == a.dtype:
        return a._clone() if kw.get("copy") else a  # copy=True: a new array, as numpy's
    return _astype(a, dtype=dtype)


asanyarray = ascontiguousarray = asfortranarray = asarray


@when_traced(onp.copy)
def copy(a, order="K", subok=False):
    # A new tracer object (sharing the value: traced values are updated only by
    # copy-on-write), so that x[i] = y on the copy leaves ``a`` alone.
    if isinstance(a, Tracer):
        return a._clone()
    from .shape import array
    return array(a)


@when_traced(onp.full)
def full(shape, fill_value, dtype=None, order="C", **kw):
    shape = (shape,) if isinstance(shape, (int, onp.integer)) else tuple(shape)
    out = broadcast_to(fill_value, shape=shape)
    return out if dtype is None else _astype(out, dtype=dtype)


@when_traced(onp.linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, **kw):
    div = (num - 1) if endpoint else num
    delta = subtract(stop, start)
    nd = len(onp.broadcast_shapes(shape_of(start), shape_of(stop)))
    # numpy computes in result_type(start, stop, float(num)): float32 ends give float32
    dt = onp.result_type(peek(start), peek(stop), float(num))
    steps = onp.arange(num, dtype=dt).reshape((num,) + (1,) * nd)
    step = delta / div if div > 0 else delta * onp.nan
    out = start + steps * step if div > 0 else start + steps * delta
    if axis != 0:
        out = moveaxis_(out, 0, axis)
    if dtype is not None:
        out = _astype(out, dtype=dtype)
    return (out, step) if retstep else out


@when_traced(onp.logspace)
def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    out = power(base, linspace(start, stop, num, endpoint, axis=axis))
    return out if dtype is None else _astype(out, dtype=dtype)


def moveaxis_(a, source, destination):
    from .shape import moveaxis
    return moveaxis(a, source, destination)


@when_traced(onp.vander)
def vander(x, N=None, increasing=False):
    n = shape_of(x)[0] if N is None else N
    powers = onp.arange(n) if increasing else onp.arange(n)[::-1]
    return power(reshape(x, shape=(-1, 1)), powers.astype(float))


# ----------------------------------------------------------------- gathers
@when_traced(onp.take)
def take(a, indices, axis=None, out=None, mode="raise"):
    _no_out(out, "take")
    return gather(a, onp.take(positions(a), getval(indices), axis=axis, mode=mode))


@when_traced(onp.take_along_axis)
def take_along_axis(arr, indices, axis=-1):
    return gather(arr, onp.take_along_axis(positions(arr), getval(indices), axis=axis))


@when_traced(onp.choose)
def choose(a, choices, out=None, mode="raise"):
    _no_out(out, "choose")
    choices = [getitem(choices, i) for i in range(shape_of(choices)[0])] \
        if isinstance(choices, Tracer) else list(choices)
    a = getval(a)
    shape = onp.broadcast_shapes(onp.shape(a), *[shape_of(c) for c in choices])
    stacked = stack([broadcast_to(_as_array(c), shape=shape) for c in choices])
    marker = onp.choose(onp.broadcast_to(a, shape), positions(stacked), mode=mode)
    return gather(stacked, marker)


@when_traced(onp.compress)
def compress(condition, a, axis=None, out=None):
    _no_out(out, "compress")
    return gather(a, onp.compress(getval(condition), positions(a), axis=axis))


@when_traced(onp.extract)
def extract(condition, arr):
    return gather(arr, onp.extract(getval(condition), positions(arr)))


# A condition's values without its derivative tracers (batched examples stay batched).
_mask = notrace_primitive(lambda c: c, elementwise=True)


@when_traced(onp.select)
def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        out = where(_mask(cond), choice, out)
    shape = onp.broadcast_shapes(*[onp.shape(peek(c)) for c in condlist],
                                 *[shape_of(c) for c in choicelist])
    return broadcast_to(out, shape=shape) if shape_of(out) != shape else out


@when_traced(onp.resize)
def resize(a, new_shape):
    return gather(a, onp.resize(positions(a), new_shape))


# y = roll(a, shift, axis), along given axes: entries moved, no arithmetic (a
# primitive of its own rather than a gather: numpy rolls by two slice copies, several
# times faster than fancy indexing, which stencils pay at every call).
#   JVP:  roll(t, shift, axis)        VJP:  roll(g, -shift, axis)
def _roll(a, shift, axis):
    return onp.roll(a, shift, axis)


def _unrolled(shift):
    return tuple(-s for s in shift) if isinstance(shift, tuple) else -shift


roll_along = Primitive(_roll, "roll")
roll_along.def_jvp(lambda t, ans, a, shift, axis: roll_along(t, shift=shift, axis=axis))
roll_along.def_vjp(lambda g, ans, a, shift, axis:
                   roll_along(g, shift=_unrolled(shift), axis=axis), reads=())


def _static_ints(v):
    v = getval(v)
    return tuple(int(i) for i in v) if onp.ndim(v) else int(v)


@when_traced(onp.roll)
def roll(a, shift, axis=None):
    if axis is None:  # the flattened array rolled: a gather
        return gather(a, onp.roll(positions(a), getval(shift)))
    shift, axis = _static_ints(shift), _static_ints(axis)
    if isinstance(shift, tuple) or isinstance(axis, tuple):  # numpy's broadcasting of the two
        shift, axis = (tuple(int(i) for i in v) for v in onp.broadcast_arrays(shift, axis))
    return roll_along(a, shift=shift, axis=axis)


@when_traced(onp.delete)
def delete(arr, obj, axis=None):
    return gather(arr, onp.delete(positions(arr), getval(obj), axis))


@when_traced(onp.insert)
def insert(arr, obj, values, axis=None):
    # Markers: k + 1 for entry k of arr, -(k + 1) for entry k of values.
    arr, values = _as_array(arr), _as_array(values)
    if shape_of(values) == () and _nd(arr) == 0:
        values = reshape(values, shape=())
    m = onp.insert(positions(arr) + 1, getval(obj), -(positions(values) + 1), axis)
    from_arr = gather(arr, onp.maximum(m - 1, 0))
    from_values = gather(values, onp.maximum(-m - 1, 0))
    dtype = onp.result_type(peek(arr))
    if dtype.kind in "fc" and onp.result_type(peek(values)) != dtype:
        from_values = _astype(from_values, dtype=dtype)
    return where(m > 0, from_arr, from_values)


@when_traced(onp.append)
def append(arr, values, axis=None):
    if axis is None:
        arr = reshape(_as_array(arr), shape=(-1,))
        values = reshape(_as_array(values), shape=(-1,))
        axis = 0
    return concatenate([_as_array(arr), _as_array(values)], axis=axis)


# pad: the linear modes. Index modes (edge, reflect, symmetric, wrap) are pure
# gathers; constant mode gathers the inside and fills the border.
_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")


@when_traced(onp.pad)
def pad(array, pad_width, mode="constant", **kwargs):
    pos = positions(array)
    if mode in _INDEX_MODES:
        if kwargs.get("reflect_type", "even") != "even":
            raise DifferentiationError("numpy.pad(..., reflect_type='odd') has no derivative "
                                       "rule in dualgrad; use the default reflect_type='even'.")
        return gather(array, onp.pad(pos, pad_width, mode=mode, **kwargs))
    if mode != "constant":
        raise DifferentiationError(
            f"numpy.pad(mode={mode!r}) has no derivative rule in dualgrad (supported: "
            f"'constant', {', '.join(map(repr, _INDEX_MODES))}).")
    marker = onp.pad(pos, pad_width, mode="constant", constant_values=-1)
    cv = kwargs.get("constant_values", 0)
    if not holds_tracer(cv):
        fill = onp.pad(onp.zeros(shape_of(array), onp.result_type(peek(array))), pad_width,
                       mode="constant", constant_values=cv)
    elif isinstance(cv, Tracer) and _nd(cv) == 0:
        fill = cv
    else:
        raise DifferentiationError("numpy.pad: a traced constant_values must be a scalar.")
    return gather_or(array, marker, fill)


@when_traced(onp.triu)
def triu(m, k=0):
    mask = onp.tri(*shape_of(m)[-2:], k=k - 1, dtype=bool)
    return where(mask, onp.zeros(1, onp.result_type(peek(m))), m)


@when_traced(onp.tril)
def tril(m, k=0):
    mask = onp.tri(*shape_of(m)[-2:], k=k, dtype=bool)
    return where(mask, m, onp.zeros(1, onp.result_type(peek(m))))


@when_traced(onp.diagflat)
def diagflat(v, k=0):
    return diag(reshape(v, shape=(-1,)), k)


@when_traced(onp.rot90)
def rot90(m, k=1, axes=(0, 1)):
    return gather(m, onp.rot90(positions(m), k, axes))


@when_traced(onp.fliplr)
def fliplr(m):
    return gather(m, onp.fliplr(positions(m)))


@when_traced(onp.flipud)
def flipud(m):
    return gather(m, onp.flipud(positions(m)))


@when_traced(onp.rollaxis)
def rollaxis(a, axis, start=0):
    nd = _nd(a)
    labels = onp.empty(tuple(range(1, nd + 1)), bool)
    moved = onp.rollaxis(labels, axis, start)
    return transpose(a, tuple(labels.shape.index(n) for n in moved.shape))


@when_traced(onp.permute_dims)
def permute_dims(a, axes=None):
    return transpose(a, None if axes is None else tuple(axes))



concat = concatenate

__all__ = ["asarray", "asanyarray", "ascontiguousarray", "asfortranarray", "copy", "full",
           "linspace", "logspace", "vander", "take", "take_along_axis", "choose", "compress",
           "extract", "select", "resize", "roll", "delete", "insert", "append", "pad", "triu",
           "tril", "diagflat", "rot90", "fliplr", "flipud", "rollaxis", "permute_dims",
           "concat"]


@when_traced(onp.arange)
def arange(start_or_stop, stop=None, step=1, dtype=None, **kw):
    # Traced endpoints: the entries are start + k step, differentiable in both.
    start = 0.0 if stop is None else start_or_stop
    stop = start_or_stop if stop is None else stop
    n = len(onp.arange(getval(start), getval(stop), getval(step)))
    out = start + onp.arange(n) * step
    return out if dtype is None else _astype(out, dtype=dtype)


@when_traced(onp.trim_zeros)
def trim_zeros(filt, trim="fb", axis=None):
    if _nd(filt) != 1 or axis is not None:
        raise DifferentiationError("numpy.trim_zeros: only 1-D input is differentiable.")
    return gather(filt, _trim_marker(filt, trim))


def _trim_marker(filt, trim):
    nz = onp.flatnonzero(getval(filt))
    n = shape_of(filt)[0]
    lo = nz[0] if len(nz) and "f" in trim.lower() else (n if not len(nz) else 0)
    hi = nz[-1] + 1 if len(nz) and "b" in trim.lower() else n
    return onp.arange(lo, max(lo, hi))


__all__ += ["arange", "trim_zeros"]


@when_traced(onp.astype)
def astype(x, dtype, /, *, copy=True, device=None):
    """numpy.astype (numpy 2); differentiable for float and complex dtypes."""
    return _astype(x, dtype=dtype)


__all__ += ["astype"]
