"""Shape primitives: reshape, transpose, indexing, concatenation.

All of them are linear, so each JVP is the primitive applied to the tangent,
and each VJP is the transposed operation (reshape back, inverse permutation,
scatter-add, slice). Everything else here (flip, stack, tile, repeat, squeeze,
...) is written with these four primitives and needs no rules of its own.
"""
from __future__ import annotations

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index

from ..core import holds_tracer, ALL, ANY, Primitive, Tracer, ViewPrimitive, peek
from ..core.duck import array_type_name, is_duck_array
from ._helpers import as_array, composite, shape_of
from ._helpers import ndim_of as _nd
from .complex import cast_like


# y = reshape(x, shape)         VJP: reshape(g, x.shape)
def _reshape(x, shape, order="C"):
    # order= only when asked: dask's reshape has no order parameter
    return onp.reshape(x, shape) if order == "C" else onp.reshape(x, shape, order=order)


reshape = ViewPrimitive(_reshape, "reshape")
reshape.def_jvp(lambda t, ans, x, shape, order="C": reshape(t, shape=shape, order=order))
reshape.def_vjp(lambda g, ans, x, shape, order="C": reshape(g, shape=shape_of(x), order=order), reads=())


# y = transpose(x, axes)        VJP: transpose(g, inverse permutation)
def _transpose(x, axes=None):
    return onp.transpose(x, axes)


def _transpose_vjp(g, ans, x, axes=None):
    inv = None if axes is None else tuple(onp.argsort(axes))
    return transpose(g, inv)


transpose = ViewPrimitive(_transpose, "transpose")
transpose.def_jvp(lambda t, ans, x, axes=None: transpose(t, axes))
transpose.def_vjp(_transpose_vjp, reads="axes")  # axes may be given as an array


# y = x[idx]                    VJP: zeros like x, with g added at idx (repeats add up)
def _getitem(x, idx):
    return x[idx]


def _untake(g, idx, shape):
    if is_duck_array(g):
        return _untake_duck(g, idx, shape)
    out = onp.zeros(shape, onp.result_type(g))
    onp.add.at(out, idx, g)
    return out


def _untake_duck(g, idx, shape):
    """untake for a duck array (dask, cupy): zeros of its own kind (lazy for
    dask), then assignment, which equals the scatter-add when no position is
    indexed twice; repeated positions need ``add.at``, which dask lacks."""
    out = onp.zeros_like(g, shape=shape)
    try:
        if not _repeats(idx, shape):
            out[idx] = g
            return out
        onp.add.at(out, idx, g)
    except (TypeError, NotImplementedError, ValueError, IndexError) as e:
        raise TypeError(f"The derivative of x[idx] (untake) for {array_type_name(g)} "
                        f"inputs and the index {idx!r} needs an operation that "
                        f"{array_type_name(g)} does not support ({e}). Use slices or "
                        "indices without repeats, or compute the array first.") from e
    return out


def _repeats(idx, shape) -> bool:
    """Whether an index addresses some position twice (only integer arrays can)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    used = sum(onp.ndim(p) if _is_mask(p) else 1 for p in parts
               if p is not None and p is not Ellipsis)
    dim, dims, arrays = 0, [], []
    for p in parts:
        if p is Ellipsis:
            dim += len(shape) - used
        elif _is_mask(p):
            dim += onp.ndim(p)
        elif p is not None:
            if not isinstance(p, (slice, int, onp.integer)):
                if is_duck_array(p):
                    return True  # values unknown until computed: take add.at's path
                arrays.append(onp.mod(onp.asarray(p), shape[dim]))
                dims.append(dim)
            dim += 1
    if not arrays:
        return False
    flat = onp.ravel_multi_index(onp.broadcast_arrays(*arrays), [shape[d] for d in dims])
    return onp.unique(flat).size != flat.size


def _is_mask(p) -> bool:
    return getattr(p, "dtype", None) == bool or (
        isinstance(p, list) and len(p) > 0 and all(isinstance(v, bool) for v in p))


getitem = ViewPrimitive(_getitem, "getitem")
getitem.def_jvp(lambda t, ans, x, idx: getitem(t, idx))
getitem.def_vjp(lambda g, ans, x, idx: untake(g, idx, shape_of(x)), reads="idx")

untake = Primitive(_untake, "untake")
untake.def_jvp(lambda t, ans, g, idx, shape: untake(t, idx, shape))
untake.def_vjp(lambda g, ans, gin, idx, shape: getitem(g, idx), reads="idx")


# y = concatenate((x_1, ..., x_k), axis)   VJP for x_i: the slice of g where x_i went.
def _concatenate(*arrays, axis=0):
    return onp.concatenate(arrays, axis=axis)


def _zeros_for(a, ans):
    """A zero tangent for a constant operand; of the operand's kind for a duck
    array (numpy.zeros of a big dask array's shape would allocate it all)."""
    v = peek(a)
    if is_duck_array(v):
        return onp.zeros_like(v, dtype=onp.result_type(peek(ans)))
    return onp.zeros(shape_of(a), onp.result_type(peek(ans)))


def _concatenate_jvp(tangents, ans, *arrays, axis=0):
    parts = [_zeros_for(a, ans) if t is None else t for t, a in zip(tangents, arrays)]
    return concatenate_args(*parts, axis=axis)


def _concatenate_vjp(argnum, g, ans, *arrays, axis=0):
    if axis is None:
        start = int(onp.sum([onp.size(peek(a)) for a in arrays[:argnum]]))
        stop = start + onp.size(peek(arrays[argnum]))
        return cast_like(reshape(getitem(g, slice(start, stop)), shape=shape_of(arrays[argnum])),
                         arrays[argnum])
    ax = normalize_axis_index(axis, onp.ndim(peek(ans)))
    start = int(onp.sum([shape_of(a)[ax] for a in arrays[:argnum]]))
    stop = start + shape_of(arrays[argnum])[ax]
    return cast_like(getitem(g, (slice(None),) * ax + (slice(start, stop),)), arrays[argnum])


concatenate_args = Primitive(_concatenate, "concatenate")
concatenate_args.jvps[ALL] = _concatenate_jvp
concatenate_args.def_vjp(_concatenate_vjp, argnum=ANY, reads=())


# ------------------------------------------------------ written with the above
def concatenate(arrays, axis=0, out=None, **kw):
    """numpy.concatenate, accepting a sequence that holds traced arrays."""
    if out is not None or kw or not holds_tracer(arrays):
        kw = dict(kw, out=out) if out is not None else kw  # dask's has no out=
        return onp.concatenate(arrays, axis=axis, **kw)
    return concatenate_args(*[a if isinstance(a, Tracer) else as_array(a) for a in arrays],
                            axis=axis)



def expand_dims(a, axis):
    if not isinstance(a, Tracer):
        return onp.expand_dims(a, axis)
    shape = onp.expand_dims(onp.empty(shape_of(a), bool), axis).shape
    return reshape(a, shape=shape)


def squeeze(a, axis=None):
    if not isinstance(a, Tracer):
        return onp.squeeze(a, axis)
    return reshape(a, shape=onp.squeeze(onp.empty(shape_of(a), bool), axis).shape)


def ravel(a, order="C"):
    if isinstance(a, Tracer):
        return reshape(a, shape=(-1,), order=order)
    return onp.ravel(a) if order == "C" else onp.ravel(a, order)  # dask's has no order=


def stack(arrays, axis=0, out=None, **kw):
    arrays = list(arrays)
    if out is not None or kw or not holds_tracer(arrays):
        kw = dict(kw, out=out) if out is not None else kw  # dask's has no out=
        return onp.stack(arrays, axis=axis, **kw)
    ax = normalize_axis_index(axis, _nd(arrays[0]) + 1)
    return concatenate([expand_dims(a, ax) for a in arrays], axis=ax)


def atleast_1d(*arys):
    out = [a if _nd(a) >= 1 else reshape(a, shape=(1,)) for a in arys] if holds_tracer(arys) \
        else [onp.atleast_1d(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    def one(a):
        n = _nd(a)
        return a if n >= 2 else reshape(a, shape=(1, -1) if n == 1 else (1, 1))
    out = [one(a) if isinstance(a, Tracer) else onp.atleast_2d(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    def one(a):
        s = shape_of(a)
        new = {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s)
        return reshape(a, shape=new)
    out = [one(a) if isinstance(a, Tracer) else onp.atleast_3d(a) for a in arys]
    return out[0] if len(out) == 1 else out


def hstack(tup, **kw):
    if not holds_tracer(tup):
        return onp.hstack(tup, **kw)
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, axis=0 if _nd(arrs[0]) == 1 else 1)


def vstack(tup, **kw):
    if not holds_tracer(tup):
        return onp.vstack(tup, **kw)
    return concatenate([atleast_2d(a) for a in tup], axis=0)


def _axis_index(ndim, axis, idx):
    return (slice(None),) * axis + (idx,) + (slice(None),) * (ndim - axis - 1)


@composite(onp.flip)
def flip(m, axis=None):
    nd = _nd(m)
    axes = range(nd) if axis is None else [normalize_axis_index(a, nd) for a in
                                           (axis if isinstance(axis, tuple) else (axis,))]
    idx = [slice(None)] * nd
    for a in axes:
        idx[a] = slice(None, None, -1)
    return getitem(m, tuple(idx))


@composite(onp.swapaxes)
def swapaxes(a, axis1, axis2):
    perm = list(range(_nd(a)))
    i, j = normalize_axis_index(axis1, len(perm)), normalize_axis_index(axis2, len(perm))
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, tuple(perm))


@composite(onp.moveaxis)
def moveaxis(a, source, destination):
    return transpose(a, _moveaxis_perm(_nd(a), source, destination))


def _moveaxis_perm(nd, source, destination) -> tuple:
    # Label each axis by a distinct length, move them as numpy would, read the order back.
    labels = onp.empty(tuple(range(1, nd + 1)), bool)
    moved = onp.moveaxis(labels, source, destination)
    return tuple(labels.shape.index(n) for n in moved.shape)


@composite(onp.repeat)
def repeat(a, repeats, axis=None):
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axis_index(axis, _nd(a))
    idx = onp.repeat(onp.arange(shape_of(a)[axis]), repeats)
    return getitem(a, _axis_index(_nd(a), axis, idx))


@composite(onp.tile)
def tile(A, reps):
    reps = tuple(reps) if onp.iterable(reps) else (reps,)
    d = max(len(reps), _nd(A))
    A = reshape(A, shape=(1,) * (d - _nd(A)) + shape_of(A))
    reps = (1,) * (d - len(reps)) + reps
    idx = onp.ix_(*[onp.tile(onp.arange(n), r) for n, r in zip(shape_of(A), reps)])
    return getitem(A, idx)


def array(obj, dtype=None, **kw):
    """numpy.array, accepting (nested) lists that hold traced values."""
    if isinstance(obj, Tracer):
        return obj
    if isinstance(obj, (list, tuple)) and holds_tracer(obj):
        return stack([array(o) for o in obj])
    return onp.array(obj, dtype=dtype, **kw)


__all__ = ["reshape", "transpose", "getitem", "untake", "concatenate", "concatenate_args",
           "expand_dims", "squeeze", "ravel", "stack", "hstack", "vstack", "flip", "swapaxes",
           "moveaxis", "repeat", "tile", "array", "atleast_1d", "atleast_2d", "atleast_3d"]
