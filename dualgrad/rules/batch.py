"""The batching interpreter's rules: how each primitive runs on a stack of
examples in one call (``dualgrad.interpreters.batching`` explains the design).

A rule ``rule(size, vals, batched, **kwargs)`` gets the arguments with the
batch axis first on those flagged in ``batched``, and returns the stacked
answer, or ``NotImplemented`` for a case it does not handle (the level then
loops over the examples). Rules call primitives, never raw numpy, so outer
levels trace through them. Elementwise primitives declared with
``rules._helpers.elementwise`` need no entry: the level aligns their batch axes.
"""
from __future__ import annotations

import string

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from ..interpreters.batching import (_READS, BATCH_RULES, BatchingError, _expand_to, _ShapeOnly,
                       def_batch, def_batch_elementwise)
from ..core import shape_of, Primitive
from . import _helpers, complex as cx, elementwise as ew, linalg as la
from . import construction, reductions as red, scans, shape as shp


# ---------------------------------------------------------------- elementwise
for _p in [*vars(ew).values(), cx.real, cx.imag, cx.conj, cx.absolute, cx.angle,
           _helpers.astype]:
    if isinstance(_p, Primitive):
        def_batch_elementwise(_p)


# ---------------------------------------------------------------- reductions
def _reduction(prim):
    def rule(size, vals, batched, axis=None, **kwargs):
        if len(vals) > 2 or any(batched[1:]):
            return NotImplemented
        x, axis = vals[0], vals[1] if len(vals) > 1 else axis
        nd = len(shape_of(x)) - 1
        axes = tuple(range(nd)) if axis is None else normalize_axis_tuple(axis, nd)
        return prim(x, axis=tuple(a + 1 for a in axes), **kwargs)
    return rule


for _p in (red.sum, red.mean, scans.prod, red.max, red.min):
    BATCH_RULES[_p] = _reduction(_p)


@def_batch(red.cumsum)
def _cumsum_batch(size, vals, batched, axis=None, **kwargs):
    if len(vals) > 2 or any(batched[1:]):
        return NotImplemented
    x, axis = vals[0], vals[1] if len(vals) > 1 else axis
    if axis is None:
        return red.cumsum(shp.reshape(x, shape=(size, -1)), axis=1, **kwargs)
    return red.cumsum(x, axis=normalize_axis_index(axis, len(shape_of(x)) - 1) + 1, **kwargs)


# ---------------------------------------------------------------- shape
@def_batch(shp.reshape)
def _reshape_batch(size, vals, batched, shape=None, order="C"):
    x, shape = vals[0], (vals[1] if len(vals) > 1 else shape)
    if order != "C" or (len(vals) > 1 and batched[1]):
        return NotImplemented
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    return shp.reshape(x, shape=(size,) + shape, order=order)


@def_batch(shp.transpose)
def _transpose_batch(size, vals, batched, axes=None):
    x = vals[0]
    nd = len(shape_of(x)) - 1
    axes = vals[1] if len(vals) > 1 else axes
    perm = range(nd - 1, -1, -1) if axes is None else normalize_axis_tuple(axes, nd)
    return shp.transpose(x, (0,) + tuple(a + 1 for a in perm))


def _is_advanced(i) -> bool:
    return isinstance(i, (onp.ndarray, list))


def _batched_index(idx):
    """``idx`` for arrays with a batch axis in front, or None when numpy would
    move the advanced-index axes in front of the batch axis."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    if any(isinstance(i, _ShapeOnly) for i in idx):
        raise BatchingError(_READS)  # an index computed from batched values
    if any(_is_advanced(i) for i in idx):
        adv = [k for k, i in enumerate(idx)
               if _is_advanced(i) or isinstance(i, (int, onp.integer))]
        if adv[-1] - adv[0] + 1 != len(adv):
            return None
    return (slice(None),) + idx


@def_batch(construction.roll_along)
def _roll_batch(size, vals, batched, shift=None, axis=None):
    if any(batched[1:]):
        return NotImplemented
    shift, axis = (list(vals[1:]) + [shift, axis][len(vals) - 1:])[:2]  # by position or keyword
    nd = len(shape_of(vals[0])) - 1  # the example's axes, after the batch axis
    axes = (tuple(normalize_axis_index(a, nd) + 1 for a in axis) if isinstance(axis, tuple)
            else normalize_axis_index(axis, nd) + 1)
    return construction.roll_along(vals[0], shift=shift, axis=axes)


@def_batch(shp.getitem)
def _getitem_batch(size, vals, batched, **kwargs):
    idx = _batched_index(vals[1])
    if batched[1] or idx is None:
        return NotImplemented
    return shp.getitem(vals[0], idx)


@def_batch(shp.untake)
def _untake_batch(size, vals, batched, **kwargs):
    g, idx, shape = vals
    bidx = _batched_index(idx)
    if batched[1] or batched[2] or bidx is None:
        return NotImplemented
    return shp.untake(g, bidx, (size,) + tuple(shape))


@def_batch(shp.concatenate_args)
def _concatenate_batch(size, vals, batched, axis=0):
    if axis is None:
        parts = [shp.reshape(v, shape=(size, -1)) if b else shp.reshape(v, shape=(1, -1))
                 for v, b in zip(vals, batched)]
        ax = 1
    else:
        nd = next(len(shape_of(v)) - b for v, b in zip(vals, batched))
        ax = normalize_axis_index(axis, nd) + 1
        parts = [v if b else shp.reshape(v, shape=(1,) + shape_of(v)) for v, b in zip(vals, batched)]
    parts = [p if b else _helpers.broadcast_to(p, shape=(size,) + shape_of(p)[1:])
             for p, b in zip(parts, batched)]
    return shp.concatenate_args(*parts, axis=ax)


@def_batch(_helpers.broadcast_to)
def _broadcast_to_batch(size, vals, batched, **kwargs):
    x, shape = vals[0], tuple(vals[1]) if len(vals) > 1 else tuple(kwargs.pop("shape"))
    return _helpers.broadcast_to(_expand_to(x, size, len(shape)), shape=(size,) + shape)


@def_batch(_helpers.sum_to_shape)
def _sum_to_shape_batch(size, vals, batched, shape=None):
    x, shape = vals[0], vals[1] if len(vals) > 1 else shape
    lead = len(shape_of(x)) - 1 - len(shape)
    if lead > 0:
        x = red.sum(x, axis=tuple(range(1, lead + 1)))
    return _helpers.sum_to_shape(x, shape=(size,) + tuple(shape))


# ---------------------------------------------------------------- products
@def_batch(la.matmul)
def _matmul_batch(size, vals, batched, **kwargs):
    if kwargs:
        return NotImplemented
    a, b = vals
    ba, bb = batched[:2]
    na, nb = len(shape_of(a)) - ba, len(shape_of(b)) - bb
    fast = _matmul_one_product(size, a, b, ba, bb, na, nb)
    if fast is not None:
        return fast
    if na == 1:  # a row (1, k), dropped again below
        a = shp.reshape(a, shape=shape_of(a)[:-1] + (1,) + shape_of(a)[-1:])
    if nb == 1:  # a column (k, 1)
        b = shp.reshape(b, shape=shape_of(b) + (1,))
    pa, pb = max(na, 2), max(nb, 2)
    if ba:  # keep the batch axis in front of every stack axis
        a = _expand_to(a, size, max(pa, pb))
    if bb:
        b = _expand_to(b, size, max(pa, pb))
    out = la.matmul(a, b)
    if na == 1 or nb == 1:  # drop the axes the promotion added
        s = shape_of(out)
        keep = s[:-2] + (() if na == 1 else s[-2:-1]) + (() if nb == 1 else s[-1:])
        out = shp.reshape(out, shape=keep)
    return out


def _matmul_one_product(size, a, b, ba, bb, na, nb):
    """The common cases with one batched operand as ONE matrix product (numpy
    would otherwise loop over a stack of small products); None for the rest."""
    if ba and not bb and nb <= 2:
        if na == 1:   # rows (B, k) @ b
            return la.matmul(a, b)
        if na == 2:   # (B*m, k) @ b
            m, k = shape_of(a)[1:]
            out = la.matmul(shp.reshape(a, shape=(size * m, k)), b)
            return shp.reshape(out, shape=(size, m) + shape_of(out)[1:])
    if bb and not ba and na <= 2:
        if nb == 1:   # a @ b_i = b_i @ a^T for each row b_i of (B, k)
            return la.matmul(b, a if na == 1 else shp.transpose(a, (1, 0)))
        if nb == 2 and na == 2:  # a @ [b_1 ... b_B] side by side, then split
            k, n = shape_of(b)[1:]
            wide = shp.reshape(shp.transpose(b, (1, 0, 2)), shape=(k, size * n))
            out = la.matmul(a, wide)
            return shp.transpose(shp.reshape(out, shape=(shape_of(a)[0], size, n)), (1, 0, 2))
    return None


@def_batch(la.tensordot)
def _tensordot_batch(size, vals, batched, axes=2):
    a, b = vals[:2]
    axes = vals[2] if len(vals) > 2 else axes
    ba, bb = batched[:2]
    na, nb = len(shape_of(a)) - ba, len(shape_of(b)) - bb
    a_ax, b_ax = la._norm_axes(na, nb, axes)
    if ba and not bb:
        return la.tensordot(a, b, axes=([i + 1 for i in a_ax], b_ax))
    if bb and not ba:
        out = la.tensordot(a, b, axes=(a_ax, [i + 1 for i in b_ax]))
        k = na - len(a_ax)  # where the batch axis landed
        nd = len(shape_of(out))
        return shp.transpose(out, (k,) + tuple(i for i in range(nd) if i != k))
    letters = iter(string.ascii_letters)
    batch = next(letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(a_ax, b_ax):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in a_ax] + \
          [c for j, c in enumerate(sb) if j not in b_ax]
    spec = f"{batch}{''.join(sa)},{batch}{''.join(sb)}->{batch}{''.join(out)}"
    return la.einsum_prim(spec, a, b)


@def_batch(la.einsum_prim)
def _einsum_batch(size, vals, batched, **kwargs):
    subscripts, ops = vals[0], vals[1:]
    if batched[0] or "..." in subscripts or "->" not in subscripts:
        return NotImplemented
    ins, out = subscripts.replace(" ", "").split("->")
    letter = next(c for c in string.ascii_letters if c not in subscripts)
    ins = [letter + s if b else s for s, b in zip(ins.split(","), batched[1:])]
    return la.einsum_prim(",".join(ins) + "->" + letter + out, *ops, **kwargs)


# ---------------------------------------------------------------- fft
# The transforms act along one axis; the batch axis is one more leading axis.
def _along_axis(prim):
    def rule(size, vals, batched, axis=-1, **kwargs):
        if len(vals) != 1:
            return NotImplemented
        return prim(vals[0], axis=normalize_axis_index(axis, len(shape_of(vals[0])) - 1) + 1,
                    **kwargs)
    return rule


def _decompositions():
    """The numpy.linalg primitives, loaded after the core families."""
    from . import decompositions as dec, fft, svd_qr
    return dec, fft, svd_qr


_dec, _fft, _svd_qr = _decompositions()
for _p in (_fft.fft_p, _fft.rfft_p, _fft.irfft_p):
    BATCH_RULES[_p] = _along_axis(_p)


# ---------------------------------------------------------------- linalg
# These work on stacks of matrices, so a batch axis is one more stack axis.
def _stacked(prim):
    def rule(size, vals, batched, **kwargs):
        if len(vals) != 1:
            return NotImplemented
        return prim(vals[0], **kwargs)
    return rule


for _p in (_dec.inv, _dec.det, _dec.logdet, _dec.pinv_p, _dec.cholesky_p, _dec.eigh_p,
           _dec.eig_p, _svd_qr.svd_p, _svd_qr.qr_p):
    BATCH_RULES[_p] = _stacked(_p)


@def_batch(_dec.solve)
def _solve_batch(size, vals, batched, **kwargs):
    # x = solve(a, b), one example: a (n, n); b (n,) (a vector) or (n, k). Stacked
    # examples of a are a stack of matrices; a stacked vector b becomes (B, n, 1).
    a, b = vals
    na, nb = len(shape_of(a)) - batched[0], len(shape_of(b)) - batched[1]
    if na != 2 or nb not in (1, 2):
        return NotImplemented
    if nb == 2:
        return _dec.solve(a, b)
    col = shp.reshape(b, shape=shape_of(b) + (1,))
    x = _dec.solve(a, col)
    return shp.reshape(x, shape=shape_of(x)[:-1])
