"""Splitting and stacking: the split family, column_stack, dstack, row_stack,
broadcast_arrays, meshgrid. All are slices or concatenations of their inputs,
written with shape primitives, so they need no rules of their own."""
from __future__ import annotations

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index

from ._helpers import broadcast_to, composite as when_traced, shape_of
from ._helpers import ndim_of as _nd
from .construction import _as_array
from .shape import atleast_3d, concatenate, getitem, reshape, vstack

# --------------------------------------------------------------- splitting
def _split_along(ary, parts, axis):
    nd = _nd(ary)
    axis = normalize_axis_index(axis, nd)
    out, start = [], 0
    for p in parts:
        idx = (slice(None),) * axis + (slice(start, start + len(p)),)
        out.append(getitem(ary, idx))
        start += len(p)
    return out


def _sections(ary, indices_or_sections, axis, strict):
    n = shape_of(ary)[normalize_axis_index(axis, _nd(ary))]
    fun = onp.split if strict else onp.array_split
    return fun(onp.arange(n), indices_or_sections)


@when_traced(onp.array_split)
def array_split(ary, indices_or_sections, axis=0):
    return _split_along(ary, _sections(ary, indices_or_sections, axis, False), axis)


@when_traced(onp.split)
def split(ary, indices_or_sections, axis=0):
    return _split_along(ary, _sections(ary, indices_or_sections, axis, True), axis)


def _split_dim(ary, indices_or_sections, axis, need, name):
    if _nd(ary) < need:
        raise ValueError(f"{name} only works on arrays of {need} or more dimensions")
    return split(ary, indices_or_sections, axis)


@when_traced(onp.hsplit)
def hsplit(ary, indices_or_sections):
    if _nd(ary) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, 1 if _nd(ary) > 1 else 0)


@when_traced(onp.vsplit)
def vsplit(ary, indices_or_sections):
    return _split_dim(ary, indices_or_sections, 0, 2, "vsplit")


@when_traced(onp.dsplit)
def dsplit(ary, indices_or_sections):
    return _split_dim(ary, indices_or_sections, 2, 3, "dsplit")


@when_traced(onp.unstack)
def unstack(x, axis=0):
    axis = normalize_axis_index(axis, _nd(x))
    return tuple(getitem(x, (slice(None),) * axis + (i,)) for i in range(shape_of(x)[axis]))


# ----------------------------------------------------------------- stacking
@when_traced(onp.column_stack)
def column_stack(tup):
    cols = []
    for a in tup:
        a = _as_array(a)
        cols.append(reshape(a, shape=(-1, 1)) if _nd(a) < 2 else a)
    return concatenate(cols, axis=1)


@when_traced(onp.dstack)
def dstack(tup):
    return concatenate([atleast_3d(_as_array(a)) for a in tup], axis=2)


@when_traced(onp.vstack)
def row_stack(tup, **kw):
    return vstack(tup, **kw)


@when_traced(onp.broadcast_arrays)
def broadcast_arrays(*args, subok=False):
    shape = onp.broadcast_shapes(*[shape_of(a) for a in args])
    return tuple(broadcast_to(_as_array(a), shape=shape) if shape_of(a) != shape else _as_array(a)
                 for a in args)


@when_traced(onp.meshgrid)
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    nd = len(xi)
    out = []
    for i, x in enumerate(xi):
        shape = [1] * nd
        shape[i] = -1
        if indexing == "xy" and nd > 1 and i < 2:
            shape[0], shape[1] = shape[1], shape[0]
        out.append(reshape(_as_array(x), shape=tuple(shape)))
    return tuple(out) if sparse else broadcast_arrays(*out)


__all__ = ["array_split", "split", "hsplit", "vsplit", "dsplit", "unstack", "column_stack", "dstack", "row_stack", "broadcast_arrays", "meshgrid"]
