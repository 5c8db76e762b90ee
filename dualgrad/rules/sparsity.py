"""Sparsity rules, one per family of primitives (``dualgrad.interpreters.sparsity``
explains the level). A rule ``rule(ans, pats, vals, kwargs)`` gets the plain
answer, the argument patterns (None where an argument is not traced) and the
plain argument values, and returns the answer's pattern.

- elementwise and broadcasting functions: each output element depends on the
  elements of the arguments numpy broadcast to it (a union of selected rows);
- selections (reshape, transpose, indexing, concatenate, broadcast_to, where,
  x[i] = y): exact. The primitive itself is applied to arrays of element
  *codes* (k for element k of the traced arguments, -1 for a constant), so
  every output element names the one element it was copied from;
- scatters and reductions (untake, sum_to_shape, sum, mean, prod, max, min,
  logsumexp): a 0/1 matrix "output i gathers input j", times the pattern;
- cumulative sums and products: element k of a line depends on 0..k;
- products (matmul, tensordot, einsum): structural; a constant's zeros are
  structural zeros.
"""
from __future__ import annotations

import math

import numpy as onp
import scipy.sparse as sps

from ..core import Primitive
from . import _helpers, complex as cx, construction, elementwise as ew, linalg as la
from . import reductions as red, scans, shape as shp
from ..interpreters.sparsity import SPARSITY_RULES, def_sparsity
from ..interpreters.patterns import (dense_fallback, from_coo, gather_union, mask_rows, nonempty_rows,
                       stack_rows, take_rows, times, union)

_MAX_TERMS = 5_000_000  # einsum terms enumerated before falling back to dense


def _n(pats) -> int:
    return next(p for p in pats if p is not None).shape[1]


def broadcast_rows(pattern, shape, out_shape):
    """The pattern of ``broadcast_to(v, out_shape)`` from ``v``'s pattern."""
    shape, out_shape = tuple(shape), tuple(out_shape)
    if shape == out_shape:
        return pattern
    codes = onp.arange(math.prod(shape)).reshape(shape)
    return take_rows(pattern, onp.broadcast_to(codes, out_shape))


# ------------------------------------------------------------ elementwise
def elementwise_rule(ans, pats, vals, kwargs):
    out_shape = onp.shape(ans)
    parts = [broadcast_rows(p, onp.shape(v), out_shape)
             for p, v in zip(pats, vals) if p is not None]
    return union(parts, math.prod(out_shape), _n(pats))


SPARSITY_RULES["elementwise"] = elementwise_rule
for _p in [*vars(ew).values(), cx.real, cx.imag, cx.conj, cx.absolute, cx.angle,
           _helpers.astype]:
    if isinstance(_p, Primitive) and _p not in (ew.where, ew.multiply):
        SPARSITY_RULES[_p] = elementwise_rule


@def_sparsity(ew.multiply)
def _multiply_rule(ans, pats, vals, kwargs):
    """x * c with a constant c: where c == 0 the product does not depend on x."""
    out_shape = onp.shape(ans)
    parts = []
    for i, (p, v) in enumerate(zip(pats, vals)):
        if p is None:
            continue
        part = broadcast_rows(p, onp.shape(v), out_shape)
        other = vals[1 - i]
        if pats[1 - i] is None and not _all_nonzero(other):
            keep = onp.broadcast_to(onp.asarray(other) != 0, out_shape).ravel()
            part = mask_rows(part, keep)
        parts.append(part)
    return union(parts, math.prod(out_shape), _n(pats))


def _all_nonzero(c) -> bool:
    if isinstance(c, (int, float)):  # the common scalar factor, without numpy
        return c != 0
    return bool(onp.all(onp.asarray(c) != 0))


# ------------------------------------------------------------ selections
def _codes(pats, vals, data):
    """Code arrays for the data arguments (k for element k of the stacked traced
    arguments, -1 for constants), and the stacked patterns."""
    args, blocks, offset = list(vals), [], 0
    for i in data:
        v = vals[i]
        shape = onp.shape(v)
        size = math.prod(shape)
        if pats[i] is None:
            args[i] = onp.full(shape, -1, onp.intp)
        else:
            args[i] = onp.arange(offset, offset + size, dtype=onp.intp).reshape(shape)
            blocks.append(pats[i])
            offset += size
    return args, stack_rows(blocks)


def selection(data):
    """The rule of a primitive that copies elements of the arguments at
    positions ``data`` (or all positions, ``data=None``) without arithmetic."""
    def rule(ans, pats, vals, kwargs):
        idx = range(len(vals)) if data is None else [i for i in data if i < len(vals)]
        args, stacked = _codes(pats, vals, idx)
        return take_rows(stacked, rule.prim.fun(*args, **kwargs))
    return rule


for _prim, _data in [(shp.reshape, (0,)), (shp.transpose, (0,)), (shp.getitem, (0,)),
                     (shp.concatenate_args, None), (_helpers.broadcast_to, (0,)),
                     (ew.where, (1, 2)), (construction.index_update, (0, 1)),
                     (construction.roll_along, (0,))]:
    _r = selection(_data)
    _r.prim = _prim
    SPARSITY_RULES[_prim] = _r


@def_sparsity(shp.reshape)
def _reshape_rule(ans, pats, vals, kwargs):
    if kwargs.get("order", "C") == "C":
        return pats[0]  # C-order rows stay in place
    return _reshape_general(ans, pats, vals, kwargs)


_reshape_general = selection((0,))
_reshape_general.prim = shp.reshape


# ------------------------------------------------------------ scatters, reductions
def _gather_matrix(groups, n_out, pattern):
    """Output ``groups[j]`` gathers input element j: the union of those rows."""
    return gather_union(groups, n_out, pattern)


@def_sparsity(shp.untake)
def _untake_rule(ans, pats, vals, kwargs):
    g, idx, shape = vals
    size = int(onp.prod(shape, dtype=int))
    pos = onp.arange(size).reshape(shape)[idx]
    pos = onp.broadcast_to(pos, onp.shape(g))
    return _gather_matrix(pos, size, pats[0])


@def_sparsity(_helpers.sum_to_shape)
def _sum_to_shape_rule(ans, pats, vals, kwargs):
    shape = tuple(vals[1] if len(vals) > 1 else kwargs["shape"])
    size = int(onp.prod(shape, dtype=int))
    lead = onp.ndim(vals[0]) - len(shape)
    codes = onp.arange(size).reshape((1,) * lead + shape)
    return _gather_matrix(onp.broadcast_to(codes, onp.shape(vals[0])), size, pats[0])


def _reduce_groups(shape, axis):
    """For each element of an array of ``shape``, the output element it is
    reduced into (``axis`` an int, a tuple or None)."""
    nd = len(shape)
    axes = range(nd) if axis is None else onp.atleast_1d(axis) % max(nd, 1)
    kept = tuple(1 if i in set(int(a) for a in axes) else s for i, s in enumerate(shape))
    size = int(onp.prod(kept, dtype=int))
    return onp.broadcast_to(onp.arange(size).reshape(kept), shape), size


def reduction(ans, pats, vals, kwargs):
    axis = vals[1] if len(vals) > 1 else kwargs.get("axis")
    groups, size = _reduce_groups(onp.shape(vals[0]), axis)
    return _gather_matrix(groups, size, pats[0])


for _p in (red.sum, red.mean, scans.prod, red.max, red.min):
    SPARSITY_RULES[_p] = reduction


def _logsumexp_rule(ans, pats, vals, kwargs):
    a = vals[0]
    axis = vals[2] if len(vals) > 2 else kwargs.get("axis")
    groups, size = _reduce_groups(onp.shape(a), axis)
    parts = []
    for p, v in zip(pats[:2], vals[:2]):  # a and b, b broadcast against a
        if p is not None:
            parts.append(_gather_matrix(groups, size,
                                        broadcast_rows(p, onp.shape(v), onp.shape(a))))
    return union(parts, size, _n(pats))


def _cumulative(ans, pats, vals, kwargs):
    x = vals[0]
    axis = vals[1] if len(vals) > 1 else kwargs.get("axis")
    codes = onp.arange(onp.size(x))
    lines = codes.reshape(1, -1) if axis is None else \
        onp.moveaxis(codes.reshape(onp.shape(x)), axis, -1).reshape(-1, onp.shape(x)[axis])
    k, j = onp.tril_indices(lines.shape[1])
    rows, cols = lines[:, k].ravel(), lines[:, j].ravel()
    return from_coo(rows, cols, (onp.size(x), onp.size(x)), pats[0])


SPARSITY_RULES[red.cumsum] = _cumulative
SPARSITY_RULES[scans.cumprod_prim] = _cumulative


def _scipy_rules():
    """logsumexp lives in the scipy rules, loaded on demand."""
    from . import scipy_special
    SPARSITY_RULES[scipy_special._logsumexp] = _logsumexp_rule


try:
    _scipy_rules()
except (ImportError, AttributeError):  # pragma: no cover
    pass


# ------------------------------------------------------------ products
def structural(pattern, value) -> onp.ndarray:
    """Where an operand may be nonzero: its value is nonzero, or it depends on x."""
    nz = onp.asarray(value) != 0
    if pattern is not None:
        nz = nz | nonempty_rows(pattern).reshape(onp.shape(value))
    return nz


def einsum_pattern(ins: list[str], out: str, pats, vals, ans):
    """Enumerate the terms of the einsum, keep those whose factors are all
    structurally nonzero, and let each output element gather the patterns of
    its terms' factors. A letter repeated in one operand (``ii->i``, a diagonal)
    adds up its strides there: the flat position of the diagonal element. An axis
    of size 1 broadcasts against the letter's size elsewhere (numpy's rule), so
    every term reads element 0 along it."""
    dims = {}
    for spec, v in zip(ins, vals):
        for c, d in zip(spec, onp.shape(v)):
            dims[c] = max(dims.get(c, 1), d)
    letters = sorted(dims)
    grid = tuple(dims[c] for c in letters)
    if int(onp.prod(grid, dtype=float)) > _MAX_TERMS:
        return dense_fallback(ans, pats, vals, {})
    axes = {c: onp.arange(dims[c]).reshape([-1 if d == c else 1 for d in letters])
            for c in letters}

    def flat(spec, shape):
        idx = onp.zeros((1,) * len(letters), onp.int64)
        for c, d, stride in zip(spec, shape, _strides(shape)):
            if d > 1 or dims[c] == 1:  # a broadcast axis of size 1 stays at index 0
                idx = idx + axes[c] * stride
        return onp.broadcast_to(idx, grid).ravel()

    active = onp.ones(int(onp.prod(grid, dtype=int)), bool)
    flats = []
    for spec, p, v in zip(ins, pats, vals):
        f = flat(spec, onp.shape(v))
        active &= structural(p, v).ravel()[f]
        flats.append(f)
    o = flat(out, onp.shape(ans))[active]
    n_out = int(onp.size(ans))
    parts = [from_coo(o, f[active], (n_out, onp.size(v)), p)
             for f, p, v in zip(flats, pats, vals) if p is not None]
    return union(parts, n_out, _n(pats))


def _strides(shape):
    s, out = 1, []
    for d in reversed(shape):
        out.append(s)
        s *= d
    return out[::-1]


@def_sparsity(la.einsum_prim)
def _einsum_rule(ans, pats, vals, kwargs):
    ins, out = la._parse(vals[0], [onp.shape(v) for v in vals[1:]])
    return einsum_pattern(ins, out, pats[1:], vals[1:], ans)


@def_sparsity(la.tensordot)
def _tensordot_rule(ans, pats, vals, kwargs):
    a, b = vals[:2]
    axes = vals[2] if len(vals) > 2 else kwargs.get("axes", 2)
    a_ax, b_ax = la._norm_axes(onp.ndim(a), onp.ndim(b), axes)
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sa = [next(letters) for _ in range(onp.ndim(a))]
    sb = [next(letters) for _ in range(onp.ndim(b))]
    for i, j in zip(a_ax, b_ax):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in a_ax] + \
          [c for j, c in enumerate(sb) if j not in b_ax]
    return einsum_pattern(["".join(sa), "".join(sb)], "".join(out), pats[:2], vals[:2], ans)


@def_sparsity(la.matmul)
def _matmul_rule(ans, pats, vals, kwargs):
    """2-D (and 1-D) operands by a product of patterns; stacks of matrices as the
    einsum ``...ij,...jk->...ik``, the stack axes right-aligned and broadcast (a
    1-D operand is a row on the left, a column on the right, its axis dropped)."""
    a, b = vals
    na, nb = onp.ndim(a), onp.ndim(b)
    if na <= 2 and nb <= 2:
        return _matmul2d(pats, a, b)
    stack = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:max(na, nb) - 2]
    sa = stack[len(stack) - max(na - 2, 0):] + ("ij" if na >= 2 else "j")
    sb = stack[len(stack) - max(nb - 2, 0):] + ("jk" if nb >= 2 else "j")
    out = stack + ("i" if na >= 2 else "") + ("k" if nb >= 2 else "")
    return einsum_pattern([sa, sb], out, pats, vals, ans)


def _matmul2d(pats, a, b):
    """(m, k) @ (k, p), 1-D operands as a row / a column: out[i, l] gathers
    a[i, j] where b[j, l] may be nonzero, and b[j, l] where a[i, j] may be."""
    a2 = onp.reshape(a, (1, -1)) if onp.ndim(a) == 1 else onp.asarray(a)
    b2 = onp.reshape(b, (-1, 1)) if onp.ndim(b) == 1 else onp.asarray(b)
    (m, k), p = a2.shape, b2.shape[1]
    parts = []
    if pats[0] is not None:
        sb = sps.csr_array(structural(pats[1], b2).T)
        parts.append(times(sps.kron(sps.eye_array(m, dtype=bool), sb, format="csr"),
                           pats[0]))
    if pats[1] is not None:
        sa = sps.csr_array(structural(pats[0], a2))
        parts.append(times(sps.kron(sa, sps.eye_array(p, dtype=bool), format="csr"),
                           pats[1]))
    return union(parts, m * p, _n(pats))


def rule_names() -> set[str]:
    """Names of the primitives with an exact sparsity rule."""
    from ..core import JVP_RULES
    named = {p.name for p in SPARSITY_RULES if isinstance(p, Primitive)}
    flagged = {p.name for p in JVP_RULES
               if isinstance(p, Primitive) and p.__dict__.get("elementwise")}
    return named | flagged
